//! `sse_warp::cors` beside `warp::cors`, composed as the README shows.

use sse_warp::{CorsPolicy, cors};
use warp::Filter;
use warp::http::{HeaderMap, StatusCode};

const APP: &str = "https://app.example";

async fn send(method: &str, path: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap) {
    let policy = CorsPolicy::exact([APP])
        .and_then(CorsPolicy::allow_credentials)
        .expect("a valid policy");
    let api = warp::path("api")
        .map(|| "api")
        .with(warp::cors().allow_any_origin());
    let events = warp::get().map(|| warp::reply::with_header("events", "vary", "accept-encoding"));
    let routes = api.or(warp::path("events").and(cors(policy, events)));
    let mut request = warp::test::request().method(method).path(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.reply(&routes).await;
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
async fn warp_cors_serves_the_other_routes() {
    let (_, headers) = send("GET", "/api", &[("origin", "https://other.example")]).await;
    assert_eq!(
        values(&headers, "access-control-allow-origin"),
        ["https://other.example"]
    );
}

#[tokio::test]
async fn the_sse_route_follows_its_own_policy() {
    let (_, headers) = send("GET", "/events", &[("origin", APP)]).await;
    assert_eq!(values(&headers, "access-control-allow-origin"), [APP]);
    assert_eq!(
        values(&headers, "access-control-allow-credentials"),
        ["true"]
    );

    let (status, headers) = send("GET", "/events", &[("origin", "https://other.example")]).await;
    assert_eq!(status, StatusCode::OK);
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
