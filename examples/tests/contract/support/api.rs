//! The demo's HTTP API as the cases use it: publish, stats, plain requests.

use serde_json::{Value, json};
use sse_conformance::client::{self, Response};

use super::LIVE;
use super::server::Demo;

/// `GET target` with `headers`.
pub(crate) fn get(demo: &Demo, target: &str, headers: &[(&str, &[u8])]) -> Response {
    request(demo, "GET", target, headers, None)
}

/// Any request, the whole response read (fails the test on a transport error).
pub(crate) fn request(
    demo: &Demo,
    method: &str,
    target: &str,
    headers: &[(&str, &[u8])],
    body: Option<&[u8]>,
) -> Response {
    client::try_request(demo.addr, method, target, headers, body, LIVE)
        .unwrap_or_else(|e| panic!("{method} {target}: {e}"))
}

/// `POST /publish` with this exact body (as `application/json`).
pub(crate) fn publish_raw(demo: &Demo, body: &[u8]) -> Response {
    request(
        demo,
        "POST",
        "/publish",
        &[("content-type", b"application/json")],
        Some(body),
    )
}

/// `POST /publish` with `body`; must be `202 {"id": "..."}`; returns the id.
pub(crate) fn publish_value(demo: &Demo, body: &Value) -> String {
    let bytes = serde_json::to_vec(body).expect("serialise");
    let response = publish_raw(demo, &bytes);
    assert_eq!(response.status, 202, "publish {body}: {}", response.text());
    assert!(
        response.is_json(),
        "publish answer content-type: {:?}",
        response.headers
    );
    let answer = response.json();
    let id = answer["id"]
        .as_str()
        .unwrap_or_else(|| panic!("publish answer without a string id: {answer}"));
    assert!(!id.is_empty(), "empty id");
    id.to_owned()
}

/// Publishes `data` to `topic`; returns the id.
pub(crate) fn publish(demo: &Demo, topic: &str, data: &str) -> String {
    publish_value(demo, &json!({"topic": topic, "data": data}))
}

/// Asserts `response` is `status` with a JSON body `{"error": "<non-empty>"}`.
pub(crate) fn assert_json_error(response: &Response, status: u16, what: &str) {
    assert_eq!(response.status, status, "{what}: {}", response.text());
    assert!(
        response.is_json(),
        "{what}: content-type {:?}",
        response.headers
    );
    let body = response.json();
    let reason = body["error"].as_str().unwrap_or_default();
    assert!(!reason.is_empty(), "{what}: no error reason in {body}");
}

/// `GET /stats` as JSON.
pub(crate) fn stats(demo: &Demo) -> Value {
    let response = get(demo, "/stats", &[]);
    assert_eq!(response.status, 200, "/stats: {}", response.text());
    assert!(
        response.is_json(),
        "/stats content-type: {:?}",
        response.headers
    );
    response.json()
}
