//! The demo app on warp (contract: `examples/README.md`):
//! `cargo run --release -p sse-examples --bin demo-warp`.

use std::convert::Infallible;

use sse_examples::demo::{COUNTING, Counting, Demo, JsonAnswer, METRICS_CONTENT_TYPE, PAGE, serve};
use sse_warp::{LastEventId, Sse, cors, last_event_id};
use warp::http::StatusCode;
use warp::reply::{Reply, Response};
use warp::{Filter, Stream};

/// Counts allocations, so that `/metrics` shows the live heap (`process_heap_live_bytes`).
#[global_allocator]
static HEAP: &Counting = &COUNTING;

fn json(answer: JsonAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reply = warp::reply::with_header(answer.body, "content-type", "application/json");
    warp::reply::with_status(reply, status).into_response()
}

fn with_demo(demo: Demo) -> impl Filter<Extract = (Demo,), Error = Infallible> + Clone {
    warp::any().map(move || demo.clone())
}

async fn publish(
    demo: Demo,
    body: impl Stream<Item = Result<impl bytes::Buf, warp::Error>>,
) -> Result<Response, Infallible> {
    Ok(json(demo.publish_body(body).await))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let demo = Demo::from_args();
    demo.spawn_clock();
    demo.spawn_stats();

    // Paths first, methods second: an unknown path is then 404 everywhere, and a known
    // path with the wrong method 405 (warp ranks a method rejection above "not found").
    let page = warp::path::end()
        .and(warp::get())
        .map(|| warp::reply::html(PAGE));
    let events = warp::get()
        .and(with_demo(demo.clone()))
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(last_event_id())
        .then(
            |demo: Demo, query: String, last: Option<LastEventId>| async move {
                let query = Some(query.as_str()).filter(|q| !q.is_empty());
                match demo.subscribe(query, last.as_ref()).await {
                    Ok(subscription) => Sse::new(subscription)
                        .keep_alive(demo.keep_alive())
                        .into_response(),
                    Err(e) => json(e.into()),
                }
            },
        );
    let events = warp::path!("events").and(cors(demo.cors(), events));
    let publish = warp::path!("publish")
        .and(warp::post())
        .and(with_demo(demo.clone()))
        .and(warp::body::stream())
        .and_then(publish);
    let stats = warp::path!("stats")
        .and(warp::get())
        .and(with_demo(demo.clone()))
        .map(|demo: Demo| json(demo.stats()));
    let healthz = warp::path!("healthz")
        .and(warp::get())
        .and(with_demo(demo.clone()))
        .map(|demo: Demo| {
            demo.health()
                .map_or_else(|e| json(e.into()), |()| "ok".into_response())
        });
    let metrics = warp::path!("metrics")
        .and(warp::get())
        .and(with_demo(demo.clone()))
        .map(|demo: Demo| {
            warp::reply::with_header(demo.metrics(), "content-type", METRICS_CONTENT_TYPE)
        });
    let routes = page
        .or(events)
        .or(publish)
        .or(stats)
        .or(healthz)
        .or(metrics);

    let listener = serve::bind(demo.config().addr)?;
    println!("demo-warp on http://{}/", listener.local_addr()?);
    demo.serve(async {
        serve::serve(listener, warp::service(routes), demo.on_signal()).await;
        Ok::<(), std::io::Error>(())
    })
    .await
}
