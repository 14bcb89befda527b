//! The demo check against a small server of the demo's HTTP contract (axum + sse-hub):
//! it passes against a correct server and catches one that delivers an event twice.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sse_axum::{LastEventId, Sse};
use sse_bench::demo::{self, DemoOptions};
use sse_core::Event;
use sse_hub::{Hub, Topic};

/// The contract's three endpoints; `twice` publishes every event two times (a broken server).
#[derive(Clone)]
struct App {
    hub: Hub,
    twice: bool,
}

async fn events(
    State(app): State<App>,
    RawQuery(query): RawQuery,
    last: Option<LastEventId>,
) -> Response {
    let topic = query
        .as_deref()
        .and_then(|q| q.strip_prefix("topic="))
        .and_then(|t| Topic::new(t).ok());
    let Some(topic) = topic else {
        return (StatusCode::BAD_REQUEST, "topic").into_response();
    };
    match app.hub.resume([&topic], last.as_ref()) {
        Ok(subscription) => Sse::new(subscription).into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}

async fn publish(State(app): State<App>, body: Bytes) -> Response {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return (StatusCode::BAD_REQUEST, r#"{"error":"json"}"#).into_response();
    };
    let (Some(topic), Some(data)) = (
        json.get("topic")
            .and_then(|t| t.as_str())
            .and_then(|t| Topic::new(t).ok()),
        json.get("data").and_then(|d| d.as_str()),
    ) else {
        return (StatusCode::BAD_REQUEST, r#"{"error":"fields"}"#).into_response();
    };
    let mut id = String::new();
    for _ in 0..if app.twice { 2 } else { 1 } {
        match app
            .hub
            .publish(&topic, Event::new().data(data.to_owned()))
            .await
        {
            Ok(published) => id = published.to_string(),
            Err(e) => return (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
        }
    }
    (StatusCode::ACCEPTED, format!(r#"{{"id":"{id}"}}"#)).into_response()
}

async fn stats(State(app): State<App>) -> String {
    let topics: Vec<String> = app
        .hub
        .stats()
        .topics
        .iter()
        .map(|t| {
            format!(
                r#""{}":{{"subscribers":{},"published":{}}}"#,
                t.topic, t.subscribers, t.published
            )
        })
        .collect();
    format!(
        r#"{{"subscribers":{},"published":0,"topics":{{{}}}}}"#,
        app.hub.total_subscribers(),
        topics.join(",")
    )
}

async fn serve(twice: bool) -> SocketAddr {
    let app = App {
        hub: Hub::new(),
        twice,
    };
    let router = Router::new()
        .route("/events", get(events))
        .route("/publish", post(publish))
        .route("/stats", get(stats))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

fn options(addr: SocketAddr) -> DemoOptions {
    DemoOptions {
        addr,
        subscribers: 50,
        events: 5,
        topic: "bench".into(),
        pid: Some(std::process::id()),
        sources: 4,
        concurrency: 16,
        timeout: Duration::from_secs(20),
        waves: 0,
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_correct_server_passes() {
    let addr = serve(false).await;
    let options = options(addr);
    let report = tokio::task::LocalSet::new()
        .run_until(demo::run(&options))
        .await;
    assert!(report.passed(), "{report}");
    assert_eq!(
        (report.connected, report.exact, report.published),
        (50, 50, 5)
    );
    assert_eq!(report.stats_subscribers, Some(50));
    assert!(report.rss.is_some());
    assert!(demo::render(&options, &report).contains("PASS"));
}

#[tokio::test(flavor = "current_thread")]
async fn waves_open_and_close_every_connection() {
    let addr = serve(false).await;
    let mut options = options(addr);
    options.waves = 2;
    let report = tokio::task::LocalSet::new()
        .run_until(demo::run(&options))
        .await;
    let (start, waves) = report.waves.clone().expect("waves ran");
    assert!(start.rss > 0);
    assert_eq!(waves.len(), 2, "{report}");
    for wave in &waves {
        assert_eq!(wave.connected, 50, "{report}");
        assert!(wave.drain_time.is_some(), "{report}");
        assert!(wave.open.rss > 0 && wave.after.rss > 0);
    }
    let text = demo::render(&options, &report);
    assert!(text.contains("| wave | connected |"), "{text}");
    assert!(
        text.contains("\n| 1 | 50 |") && text.contains("\n| 2 | 50 |"),
        "{text}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn duplicated_events_fail_the_check() {
    let addr = serve(true).await;
    let report = tokio::task::LocalSet::new()
        .run_until(demo::run(&options(addr)))
        .await;
    assert!(!report.passed(), "{report}");
    assert_eq!(report.exact, 0);
    assert_eq!(report.duplicates, 50 * 5);
    // The second copy carries a different id than the one the publish returned.
    assert!(report.wrong_ids > 0);
}

#[tokio::test(flavor = "current_thread")]
async fn an_unreachable_server_fails_the_check() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut options = options(addr);
    options.timeout = Duration::from_secs(2);
    let report = tokio::task::LocalSet::new()
        .run_until(demo::run(&options))
        .await;
    assert!(!report.passed());
    assert_eq!(report.connected, 0);
    assert!(!report.errors.is_empty());
}
