//! Reading the id a reconnecting client last saw.

use std::fmt;

/// The longest Last-Event-ID value accepted, in bytes. Longer values are treated as absent.
pub const MAX_LAST_EVENT_ID_LEN: usize = 1024;

/// The name of the request header a reconnecting `EventSource` sends.
pub const LAST_EVENT_ID_HEADER: &str = "last-event-id";

/// The query parameter read when no usable header is present: a page can pass the id it
/// saw before a reload as `?lastEventId=...` on its first connection.
pub const LAST_EVENT_ID_QUERY: &str = "lastEventId";

/// The body (JSON) of a 400 answer from an extractor that requires a Last-Event-ID and
/// found none that is usable ([`MissingLastEventId`]'s response), sent with
/// `content-type: application/json`.
pub const MISSING_LAST_EVENT_ID_BODY: &str =
    r#"{"error":"no usable Last-Event-ID header or lastEventId query parameter"}"#;

/// The id of the last event a client saw, as it sent it back.
///
/// Only well-formed values are accepted; anything else is treated as if the client
/// had sent nothing, because a server cannot resume from it anyway:
///
/// * not UTF-8,
/// * empty,
/// * longer than [`MAX_LAST_EVENT_ID_LEN`] bytes,
/// * containing a control character (U+0000 to U+001F, or U+007F).
///
/// ```
/// use sse_core::LastEventId;
///
/// let id = LastEventId::from_request(Some(b"41"), Some("lastEventId=7")).unwrap();
/// assert_eq!(id.as_str(), "41"); // the header wins
///
/// let id = LastEventId::from_request(None, Some("topic=chat&lastEventId=a%20b")).unwrap();
/// assert_eq!(id.as_str(), "a b");
///
/// assert!(LastEventId::from_header(b"bad\x01id").is_none());
/// ```
///
/// # As an extractor
///
/// With the `axum` feature (enabled by `sse-axum`) it is an axum extractor, with the
/// `actix-web` feature (enabled by `sse-actix`) an actix-web one, and `sse-warp`'s
/// `last_event_id()` filter extracts it:
///
/// * as `Option<LastEventId>`: `None` on a first connection, never a rejection;
/// * as a plain `LastEventId`: a request without a usable id is refused with
///   [`MissingLastEventId`] (`400 Bad Request`, [`MISSING_LAST_EVENT_ID_BODY`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LastEventId(String);

impl LastEventId {
    /// Parses a `Last-Event-ID` header value.
    #[must_use]
    pub fn from_header(value: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(value).ok()?;
        Self::parse(text)
    }

    /// Finds `lastEventId` in a URL query string (without the `?`), percent-decoded.
    /// The first occurrence counts.
    #[must_use]
    pub fn from_query(query: &str) -> Option<Self> {
        let (_, value) =
            form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == LAST_EVENT_ID_QUERY)?;
        Self::parse(&value)
    }

    /// The header when it holds a usable value, otherwise the query parameter.
    #[must_use]
    pub fn from_request(header: Option<&[u8]>, query: Option<&str>) -> Option<Self> {
        header
            .and_then(Self::from_header)
            .or_else(|| query.and_then(Self::from_query))
    }

    /// Checks a value against the rules above.
    #[must_use]
    pub fn parse(value: &str) -> Option<Self> {
        let ok = !value.is_empty()
            && value.len() <= MAX_LAST_EVENT_ID_LEN
            && !value.bytes().any(|b| b < 0x20 || b == 0x7f);
        ok.then(|| Self(value.to_owned()))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as an owned string.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

/// The rejection of a plain [`LastEventId`] extractor when the request has no usable id:
/// `400 Bad Request` with the JSON body [`MISSING_LAST_EVENT_ID_BODY`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingLastEventId {
    _priv: (),
}

impl MissingLastEventId {
    /// The rejection (for extractors of other frameworks).
    #[must_use]
    pub const fn new() -> Self {
        Self { _priv: () }
    }
}

impl Default for MissingLastEventId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for MissingLastEventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no usable Last-Event-ID header or lastEventId query parameter")
    }
}

impl std::error::Error for MissingLastEventId {}

impl fmt::Display for LastEventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for LastEventId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids() {
        for ok in ["1", "abc-123", "ünï", " spaced ", "a:b/c"] {
            assert_eq!(
                LastEventId::parse(ok).map(LastEventId::into_string),
                Some(ok.to_owned())
            );
        }
    }

    #[test]
    fn garbage_is_absent() {
        assert_eq!(LastEventId::from_header(b""), None);
        assert_eq!(LastEventId::from_header(b"\xff\xfe"), None);
        assert_eq!(LastEventId::from_header(b"a\tb"), None);
        assert_eq!(LastEventId::from_header(b"a\x7fb"), None);
        assert_eq!(LastEventId::from_header(b"a\0b"), None);
    }

    #[test]
    fn length_limit_is_inclusive() {
        let max = "x".repeat(MAX_LAST_EVENT_ID_LEN);
        assert!(LastEventId::from_header(max.as_bytes()).is_some());
        let over = "x".repeat(MAX_LAST_EVENT_ID_LEN + 1);
        assert!(LastEventId::from_header(over.as_bytes()).is_none());
    }

    #[test]
    fn query_is_percent_decoded_and_first_wins() {
        let id = LastEventId::from_query("lastEventId=a%2Fb+c&lastEventId=z").unwrap();
        assert_eq!(id.as_str(), "a/b c");
        assert_eq!(LastEventId::from_query("lasteventid=1"), None);
        assert_eq!(LastEventId::from_query("lastEventId=%0A"), None);
    }

    #[test]
    fn garbage_header_falls_back_to_query() {
        let id = LastEventId::from_request(Some(b"\x01"), Some("lastEventId=9")).unwrap();
        assert_eq!(id.as_str(), "9");
        assert_eq!(LastEventId::from_request(None, None), None);
    }
}
