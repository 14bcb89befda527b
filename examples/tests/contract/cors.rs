//! Cross-origin subscriptions and `--allow-origin`.

use sse_conformance::client::Response;

use crate::support::api::request;
use crate::support::server::{Bin, start};
use crate::support::sse::{sub, sub_with};

const ORIGIN_A: &str = "http://a.example";

const ORIGIN_B: &str = "http://b.example:8080";

fn assert_no_cors(response: &Response, what: &str) {
    assert!(
        response.access_control().is_empty(),
        "{what}: unexpected CORS headers in {:?}",
        response.headers
    );
}

/// Allowed origins get their exact origin, credentials and `Vary: Origin`; others,
/// near misses included, get no CORS headers.
pub(crate) fn cors_allowed_origins(bin: &Bin) {
    let demo = start(
        bin,
        &["--allow-origin", ORIGIN_A, "--allow-origin", ORIGIN_B],
    );
    for origin in [ORIGIN_A, ORIGIN_B] {
        let s = sub_with(&demo, "/events?topic=t", &[("origin", origin.as_bytes())]);
        assert!(
            s.head.grants_with_credentials(origin),
            "{origin}: {:?}",
            s.head.headers
        );
        assert!(
            s.head.has_token("vary", "origin"),
            "Vary: Origin for {origin}: {:?}",
            s.head.headers
        );
    }
    for origin in [
        "http://c.example",
        "http://a.example.evil",
        "http://A.example",
        "http://a.example/",
        "https://a.example",
        "http://b.example",
        "null",
        "*",
    ] {
        let s = sub_with(&demo, "/events?topic=t", &[("origin", origin.as_bytes())]);
        assert_no_cors(&s.head, origin);
    }
    let s = sub(&demo, "/events?topic=t");
    assert_no_cors(&s.head, "no Origin");
}

/// A preflight from an allowed origin asking for `last-event-id` is answered 2xx
/// allowing it; from another origin it gets no CORS headers.
pub(crate) fn cors_preflight(bin: &Bin) {
    let demo = start(bin, &["--allow-origin", ORIGIN_A]);
    let preflight = |origin: &str, asked: &[u8]| {
        request(
            &demo,
            "OPTIONS",
            "/events?topic=t",
            &[
                ("origin", origin.as_bytes()),
                ("access-control-request-method", b"GET"),
                ("access-control-request-headers", asked),
            ],
            None,
        )
    };
    for asked in [&b"last-event-id"[..], b"Last-Event-ID"] {
        let r = preflight(ORIGIN_A, asked);
        assert!(
            (200..300).contains(&r.status),
            "preflight status {} {:?}",
            r.status,
            r.headers
        );
        assert!(r.grants_with_credentials(ORIGIN_A), "{:?}", r.headers);
        assert!(
            r.has_token("access-control-allow-headers", "last-event-id"),
            "allow-headers {:?}",
            r.list("access-control-allow-headers")
        );
        let methods = r.list("access-control-allow-methods");
        assert!(
            methods.is_empty() || r.has_token("access-control-allow-methods", "GET"),
            "allow-methods {methods:?}"
        );
    }
    let r = preflight("http://evil.example", b"last-event-id");
    assert_no_cors(&r, "preflight from another origin");
}

/// Without `--allow-origin`, no origin gets CORS headers.
pub(crate) fn cors_off_by_default(bin: &Bin) {
    let demo = start(bin, &[]);
    let s = sub_with(&demo, "/events?topic=t", &[("origin", ORIGIN_A.as_bytes())]);
    assert_no_cors(&s.head, "GET without --allow-origin");
    let r = request(
        &demo,
        "OPTIONS",
        "/events?topic=t",
        &[
            ("origin", ORIGIN_A.as_bytes()),
            ("access-control-request-method", b"GET"),
            ("access-control-request-headers", b"last-event-id"),
        ],
        None,
    );
    assert_no_cors(&r, "preflight without --allow-origin");
}
