//! Writing the core's headers into an `http` 1.x [`HeaderMap`] (axum 0.8, warp 0.4, hyper 1).
//!
//! Enabled by the `http` feature. actix-web 4 has its own header map; its adapter does
//! the same two steps on it.

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};

use crate::{APPENDED_HEADERS, HeaderPair, RESPONSE_HEADERS};

/// Sets [`RESPONSE_HEADERS`] on a response's headers (replacing any value already there).
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// sse_core::http1::set_response_headers(&mut headers);
/// assert_eq!(headers["content-type"], "text/event-stream");
/// ```
pub fn set_response_headers(headers: &mut HeaderMap) {
    for (name, value) in RESPONSE_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
}

/// Copies a [`CorsPolicy`](crate::CorsPolicy) answer into a response's headers: the headers
/// in [`APPENDED_HEADERS`] (`vary`) are added to what is there, the others replace.
///
/// ```
/// use sse_core::CorsPolicy;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("vary", "accept-encoding".parse().unwrap());
/// let policy = CorsPolicy::exact(["https://a.example"]).unwrap();
/// sse_core::http1::apply_headers(&mut headers, policy.response_headers(Some("https://a.example")));
/// assert_eq!(headers["access-control-allow-origin"], "https://a.example");
/// assert_eq!(headers.get_all("vary").iter().count(), 2);
/// ```
pub fn apply_headers(headers: &mut HeaderMap, pairs: Vec<HeaderPair<'_>>) {
    for (name, value) in pairs {
        // The policy's values are checked when it is built, and an allowed origin was
        // compared byte for byte with one of them: this conversion cannot fail.
        let Ok(value) = HeaderValue::from_str(&value) else {
            continue;
        };
        let name = HeaderName::from_static(name);
        if APPENDED_HEADERS.contains(&name.as_str()) {
            headers.append(name, value);
        } else {
            headers.insert(name, value);
        }
    }
}
