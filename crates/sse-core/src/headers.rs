//! The response headers every SSE response carries.
//!
//! Names are lower-case and values plain `&str`, so that adapters on `http` 1 (axum,
//! warp) and on `http` 0.2 (actix-web 4) apply the same list.

/// The media type of an event stream. UTF-8 is the only encoding the format allows, so
/// no `charset` parameter is sent.
pub const CONTENT_TYPE: &str = "text/event-stream";

/// The headers of every SSE response, in the order they are written:
///
/// | header | value | why |
/// |---|---|---|
/// | `content-type` | `text/event-stream` | what `EventSource` requires |
/// | `cache-control` | `no-cache, no-transform` | no cache serves a stale stream; no proxy recompresses or rewrites it |
/// | `x-accel-buffering` | `no` | nginx passes each event on at once instead of buffering |
///
/// `Connection` and `Keep-Alive` are never sent: they are illegal on HTTP/2 and the
/// servers manage them on HTTP/1.1.
pub const RESPONSE_HEADERS: [(&str, &str); 3] = [
    ("content-type", CONTENT_TYPE),
    ("cache-control", "no-cache, no-transform"),
    ("x-accel-buffering", "no"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_connection_or_keep_alive() {
        for (name, _) in RESPONSE_HEADERS {
            assert!(name != "connection" && name != "keep-alive");
            assert_eq!(name, name.to_ascii_lowercase());
        }
    }
}
