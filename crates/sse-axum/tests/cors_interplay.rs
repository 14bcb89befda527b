//! `SseCorsLayer` beside tower-http's `CorsLayer`, composed as the README shows.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::IntoResponse;
use axum::{Router, routing::get};
use sse_axum::{CorsPolicy, SseCorsLayer};
use tower::ServiceExt;
use tower_http::cors::CorsLayer;

const APP: &str = "https://app.example";

async fn events() -> impl IntoResponse {
    ([(header::VARY, "accept-encoding")], "events")
}

fn app() -> Router {
    let policy = CorsPolicy::exact([APP])
        .and_then(CorsPolicy::allow_credentials)
        .expect("a valid policy");
    Router::new()
        .route("/api", get(|| async { "api" }))
        .layer(CorsLayer::permissive())
        .merge(Router::new().route("/events", get(events).layer(SseCorsLayer::new(policy))))
}

async fn send(method: &str, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap) {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app()
        .oneshot(request.body(Body::empty()).expect("a request"))
        .await
        .expect("infallible");
    (response.status(), response.headers().clone())
}

fn values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_app_wide_layer_serves_the_other_routes() {
    let (_, headers) = send("GET", "/api", &[("origin", "https://other.example")]).await;
    assert_eq!(values(&headers, "access-control-allow-origin"), ["*"]);
}

#[tokio::test]
async fn the_sse_route_follows_its_own_policy() {
    let (_, headers) = send("GET", "/events", &[("origin", APP)]).await;
    assert_eq!(values(&headers, "access-control-allow-origin"), [APP]);
    assert_eq!(
        values(&headers, "access-control-allow-credentials"),
        ["true"]
    );

    let (_, headers) = send("GET", "/events", &[("origin", "https://other.example")]).await;
    assert!(values(&headers, "access-control-allow-origin").is_empty());

    let preflight = [
        ("origin", "https://other.example"),
        ("access-control-request-method", "GET"),
    ];
    let (status, _) = send("OPTIONS", "/events", &preflight).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn vary_is_appended_not_replaced() {
    let (_, headers) = send("GET", "/events", &[("origin", APP)]).await;
    assert_eq!(values(&headers, "vary"), ["accept-encoding", "origin"]);
}
