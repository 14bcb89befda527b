//! `GET /`, `/healthz` and unknown paths.

use crate::support::api::{get, request};
use crate::support::server::{Bin, start};
use crate::support::sse::sub;

/// `GET /` is the demo page: HTML using `EventSource`, with no external assets: no
/// absolute or protocol-relative URL in `src`, `href`, `action`, `url(...)`, `@import`,
/// `EventSource(...)` or `fetch(...)`, and every same-origin path it refers to there
/// answers 200 (so nothing it needs is missing).
pub(crate) fn page_is_self_contained_html(bin: &Bin) {
    let demo = start(bin, &[]);
    let r = get(&demo, "/", &[]);
    assert_eq!(r.status, 200);
    let content_type = r
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        content_type.starts_with("text/html"),
        "content-type {content_type}"
    );
    let page = r.text();
    assert!(page.contains("EventSource"), "the page uses EventSource");
    let lower = page.to_ascii_lowercase();
    let mut local = Vec::new();
    for opener in [
        "src=",
        "href=",
        "action=",
        "url(",
        "@import",
        "eventsource(",
        "fetch(",
    ] {
        for (at, _) in lower.match_indices(opener) {
            let rest = &page[at + opener.len()..];
            let value: String = rest
                .trim_start_matches([' ', '"', '\'', '`'])
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | '`' | ')' | ' ' | '>'))
                .collect();
            let value_lower = value.to_ascii_lowercase();
            assert!(
                !(value_lower.starts_with("http:")
                    || value_lower.starts_with("https:")
                    || value_lower.starts_with("//")),
                "external asset: {opener}{value}"
            );
            if value.starts_with('/') {
                local.push(value);
            }
        }
    }
    for path in local {
        if path.starts_with("/events") {
            sub(&demo, &path).close(); // the stream the page opens
        } else if path != "/publish" {
            assert_eq!(
                get(&demo, &path, &[]).status,
                200,
                "the page refers to {path}"
            );
        }
    }
}

/// `GET /healthz` answers `200 ok`.
pub(crate) fn healthz_ok(bin: &Bin) {
    let demo = start(bin, &[]);
    let r = get(&demo, "/healthz", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.text().trim_end(), "ok");
}

/// Unknown paths are 404.
pub(crate) fn unknown_paths_404(bin: &Bin) {
    let demo = start(bin, &[]);
    for target in [
        "/nope",
        "/events/x",
        "/healthz/x",
        "/stats/x",
        "/index.html",
        "/favicon.ico",
    ] {
        assert_eq!(get(&demo, target, &[]).status, 404, "GET {target}");
    }
    for target in ["/nope", "/publish/x"] {
        let r = request(
            &demo,
            "POST",
            target,
            &[("content-type", b"application/json")],
            Some(b"{}"),
        );
        assert_eq!(r.status, 404, "POST {target}");
    }
}
