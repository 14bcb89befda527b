//! The demo app on axum (contract: `examples/README.md`):
//! `cargo run --release -p sse-examples --bin demo-axum`.

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use sse_axum::{LastEventId, Sse, SseCorsLayer};
use sse_examples::demo::{COUNTING, Counting, Demo, JsonAnswer, METRICS_CONTENT_TYPE, PAGE, serve};

/// Counts allocations, so that `/metrics` shows the live heap (`process_heap_live_bytes`).
#[global_allocator]
static HEAP: &Counting = &COUNTING;

fn json(answer: JsonAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        answer.body,
    )
        .into_response()
}

async fn events(
    State(demo): State<Demo>,
    RawQuery(query): RawQuery,
    last: Option<LastEventId>,
) -> Response {
    match demo.subscribe(query.as_deref(), last.as_ref()).await {
        Ok(subscription) => Sse::new(subscription)
            .keep_alive(demo.keep_alive())
            .into_response(),
        Err(e) => json(e.into()),
    }
}

async fn publish(State(demo): State<Demo>, body: Body) -> Response {
    json(demo.publish_body(body.into_data_stream()).await)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let demo = Demo::from_args();
    demo.spawn_clock();
    demo.spawn_stats();
    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/events", get(events).layer(SseCorsLayer::new(demo.cors())))
        .route("/publish", post(publish))
        .route(
            "/stats",
            get(|State(demo): State<Demo>| async move { json(demo.stats()) }),
        )
        .route(
            "/metrics",
            get(|State(demo): State<Demo>| async move {
                (
                    [(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)],
                    demo.metrics(),
                )
            }),
        )
        .route(
            "/healthz",
            get(|State(demo): State<Demo>| async move {
                demo.health()
                    .map_or_else(|e| json(e.into()), |()| "ok".into_response())
            }),
        )
        .with_state(demo.clone());
    let listener = serve::bind(demo.config().addr)?;
    println!("demo-axum on http://{}/", listener.local_addr()?);
    demo.serve(async {
        serve::serve(listener, app, demo.on_signal()).await;
        Ok::<(), std::io::Error>(())
    })
    .await
}
