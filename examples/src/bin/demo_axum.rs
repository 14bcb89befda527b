//! The demo app (CONTRACT.md) on axum: `cargo run --release -p sse-examples --bin demo-axum`.

use axum::Router;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use sse_axum::{LastEventId, Sse, SseCorsLayer};
use sse_examples::demo::{ApiError, Demo, MAX_PUBLISH_BODY, PAGE, read_limited};

fn json(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error(e: &ApiError) -> Response {
    json(e.status(), e.json())
}

async fn events(
    State(demo): State<Demo>,
    RawQuery(query): RawQuery,
    last: Option<LastEventId>,
) -> Response {
    match demo.subscribe(query.as_deref(), last.as_deref()) {
        Ok(subscription) => demo.configure(Sse::new(subscription)).into_response(),
        Err(e) => error(&e),
    }
}

async fn publish(State(demo): State<Demo>, body: Body) -> Response {
    let body = match read_limited(body.into_data_stream(), MAX_PUBLISH_BODY).await {
        Ok(body) => body,
        Err(e) => return error(&e),
    };
    match demo.publish(&body).await {
        Ok(accepted) => json(202, accepted),
        Err(e) => error(&e),
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let demo = Demo::from_args();
    demo.spawn_clock();
    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/events", get(events).layer(SseCorsLayer::new(demo.cors())))
        .route("/publish", post(publish))
        .route(
            "/stats",
            get(|State(demo): State<Demo>| async move { json(200, demo.stats_json()) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .with_state(demo.clone());
    let listener = tokio::net::TcpListener::bind(demo.config().addr).await?;
    println!("demo-axum on http://{}/", listener.local_addr()?);
    demo.serve(
        axum::serve(listener, app)
            .with_graceful_shutdown(demo.on_signal())
            .into_future(),
    )
    .await
}
