//! The [`Event`] builder and its encoding.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;

use crate::error::InvalidField;
use crate::field::{EventName, Id};
use crate::{Encoded, lines};

/// Text held by an [`Event`]: a `&'static str` or an owned `String`, never copied before encoding.
pub type Text = Cow<'static, str>;

/// One server-sent event: the fields that the client's parser reads between two blank lines.
///
/// Build it with the setters, then [`encode`](Event::encode) it (or hand it to an
/// [`EventStream`](crate::EventStream), which encodes it for you).
///
/// # Encoding rules
///
/// * Every field is written as `name: value` (a colon and one space), so a value that
///   starts with a space keeps it after the client strips one.
/// * The fields come in a fixed order: comments, `event`, `id`, `retry`, `data`, then the
///   blank line that ends the event.
/// * `data` is split on every line break (CRLF counts as one break, a lone CR or LF as
///   one each) and each piece gets its own `data: ` line. The client joins them with LF,
///   so it sees CRLF and lone CR as LF: the protocol cannot carry them.
/// * Comments are split the same way, one `: ` line per piece.
/// * An event with data, even empty data, dispatches a message on the client. An event
///   without data only sets the fields it has (`id`, `retry`) and dispatches nothing.
/// * `event` and `id` must not contain CR or LF, and `id` must not contain NUL: the
///   setters return [`InvalidField`] rather than write a field that a client would read
///   differently.
/// * `retry` is written in whole milliseconds.
///
/// ```
/// use sse_core::Event;
///
/// let event = Event::new()
///     .event("chat")?
///     .id("42")?
///     .data("hello\r\nworld");
/// assert_eq!(
///     event.encode().as_bytes(),
///     "event: chat\nid: 42\ndata: hello\ndata: world\n\n".as_bytes(),
/// );
/// # Ok::<(), sse_core::InvalidField>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "an event does nothing until it is encoded or sent"]
pub struct Event {
    comments: Vec<Text>,
    event: Option<Text>,
    id: Option<Text>,
    retry: Option<u64>,
    data: Option<Text>,
}

impl Event {
    /// An event with no fields yet.
    #[inline]
    pub const fn new() -> Self {
        Self {
            comments: Vec::new(),
            event: None,
            id: None,
            retry: None,
            data: None,
        }
    }

    /// Sets the data. Line breaks in it are allowed: see the encoding rules above.
    ///
    /// Calling it again replaces the data.
    #[inline]
    pub fn data(mut self, data: impl Into<Text>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// Sets the data to `value` serialized as JSON.
    ///
    /// Compact JSON never contains a raw line break (a newline inside a string is
    /// written `\n`), so the value always travels as one `data:` line.
    ///
    /// # Errors
    ///
    /// The error of [`serde_json::to_string`], when `value` cannot be serialized.
    #[cfg(feature = "json")]
    pub fn json_data<T: serde::Serialize + ?Sized>(
        self,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        Ok(self.data(serde_json::to_string(value)?))
    }

    /// Sets the event type, which a browser delivers to `addEventListener(type, ...)`
    /// instead of `onmessage`.
    ///
    /// # Errors
    ///
    /// [`InvalidField`] when `name` contains CR or LF.
    #[inline]
    pub fn event(self, name: impl Into<Text>) -> Result<Self, InvalidField> {
        Ok(self.with_event(EventName::new(name)?))
    }

    /// Sets the event type from an [`EventName`] checked beforehand (a constant made
    /// with [`EventName::from_static`]): it cannot fail.
    #[inline]
    pub fn with_event(mut self, name: EventName) -> Self {
        self.event = Some(name.into_text());
        self
    }

    /// Sets the id, which the client remembers and sends back as `Last-Event-ID` when
    /// it reconnects. An empty id clears what the client remembers.
    ///
    /// # Errors
    ///
    /// [`InvalidField`] when `id` contains CR, LF or NUL.
    #[inline]
    pub fn id(self, id: impl Into<Text>) -> Result<Self, InvalidField> {
        Ok(self.with_id(Id::new(id)?))
    }

    /// Sets the id from an [`Id`] checked beforehand (a constant made with
    /// [`Id::from_static`]): it cannot fail.
    #[inline]
    pub fn with_id(mut self, id: Id) -> Self {
        self.id = Some(id.into_text());
        self
    }

    /// Sets the reconnection delay the client waits before reconnecting, in whole
    /// milliseconds (a sub-millisecond remainder is dropped).
    #[inline]
    pub fn retry(mut self, delay: Duration) -> Self {
        self.retry = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Adds a comment. Clients ignore comments; they keep idle connections open.
    /// Line breaks split it into several comment lines.
    #[inline]
    pub fn comment(mut self, text: impl Into<Text>) -> Self {
        self.comments.push(text.into());
        self
    }

    /// The data, if set.
    #[must_use]
    pub fn data_str(&self) -> Option<&str> {
        self.data.as_deref()
    }

    /// The event type, if set.
    #[must_use]
    pub fn event_str(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// The id, if set.
    #[must_use]
    pub fn id_str(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The reconnection delay in milliseconds, if set.
    #[must_use]
    pub const fn retry_ms(&self) -> Option<u64> {
        self.retry
    }

    /// Encodes the event into one contiguous buffer, allocated once at its exact size.
    ///
    /// The result can be cloned and sent to any number of connections without copying.
    #[must_use]
    pub fn encode(&self) -> Encoded {
        let mut retry_buf = itoa::Buffer::new();
        let retry = self.retry.map(|ms| retry_buf.format(ms).as_bytes());
        let data = self
            .data
            .as_deref()
            .map(|d| (d.as_bytes(), lines::measure(d.as_bytes())));

        let mut len = 1; // the blank line that ends the event
        for comment in &self.comments {
            let lines = lines::measure(comment.as_bytes());
            len += lines.count * ": \n".len() + lines.bytes;
        }
        if let Some(event) = &self.event {
            len += "event: \n".len() + event.len();
        }
        if let Some(id) = &self.id {
            len += "id: \n".len() + id.len();
        }
        if let Some(retry) = retry {
            len += "retry: \n".len() + retry.len();
        }
        if let Some((_, lines)) = data {
            len += lines.count * "data: \n".len() + lines.bytes;
        }

        let mut buf = Vec::with_capacity(len);
        for comment in &self.comments {
            let comment = comment.as_bytes();
            lines::write_lines(&mut buf, b": ", comment, lines::measure(comment));
        }
        if let Some(event) = &self.event {
            write_field(&mut buf, b"event: ", event.as_bytes());
        }
        if let Some(id) = &self.id {
            write_field(&mut buf, b"id: ", id.as_bytes());
        }
        if let Some(retry) = retry {
            write_field(&mut buf, b"retry: ", retry);
        }
        if let Some((data, lines)) = data {
            lines::write_lines(&mut buf, b"data: ", data, lines);
        }
        buf.push(b'\n');
        debug_assert_eq!(buf.len(), len, "encoded length was computed wrongly");
        Encoded::from_trusted(Bytes::from(buf))
    }
}

#[inline]
fn write_field(buf: &mut Vec<u8>, prefix: &[u8], value: &[u8]) {
    buf.extend_from_slice(prefix);
    buf.extend_from_slice(value);
    buf.push(b'\n');
}

impl From<Event> for Encoded {
    fn from(event: Event) -> Self {
        event.encode()
    }
}

impl From<&Event> for Encoded {
    fn from(event: &Event) -> Self {
        event.encode()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{FieldName, Problem};

    fn enc(event: &Event) -> String {
        String::from_utf8(event.encode().into_bytes().to_vec()).unwrap_or_default()
    }

    #[test]
    fn every_field_has_colon_and_one_space_and_a_leading_space_survives() {
        let e = Event::new()
            .event(" spaced")
            .unwrap()
            .id(" 7")
            .unwrap()
            .data("  two");
        assert_eq!(enc(&e), "event:  spaced\nid:  7\ndata:   two\n\n");
    }

    #[test]
    fn data_splits_crlf_once_and_lone_cr_and_lf() {
        let e = Event::new().data("a\r\nb\rc\nd");
        assert_eq!(enc(&e), "data: a\ndata: b\ndata: c\ndata: d\n\n");
        let e = Event::new().data("\r\n\r\n");
        assert_eq!(enc(&e), "data: \ndata: \ndata: \n\n");
    }

    #[test]
    fn data_cannot_forge_fields_or_end_the_event() {
        let e = Event::new().data("x\n\nevent: evil\nid: 9\r\r");
        assert_eq!(
            enc(&e),
            "data: x\ndata: \ndata: event: evil\ndata: id: 9\ndata: \ndata: \n\n"
        );
    }

    #[test]
    fn empty_data_still_dispatches() {
        assert_eq!(enc(&Event::new().data("")), "data: \n\n");
    }

    #[test]
    fn event_without_data_has_no_data_line() {
        let e = Event::new()
            .id("5")
            .unwrap()
            .retry(Duration::from_millis(1500));
        assert_eq!(enc(&e), "id: 5\nretry: 1500\n\n");
    }

    #[test]
    fn retry_is_whole_milliseconds() {
        let e = Event::new().retry(Duration::from_micros(2_999_999));
        assert_eq!(enc(&e), "retry: 2999\n\n");
        assert_eq!(e.retry_ms(), Some(2999));
    }

    #[test]
    fn comments_split_like_data() {
        let e = Event::new().comment("a\r\nb").comment("").data("d");
        assert_eq!(enc(&e), ": a\n: b\n: \ndata: d\n\n");
    }

    #[test]
    fn event_name_with_line_break_is_an_error() {
        for bad in ["a\nb", "a\rb", "\r\n", "x\n"] {
            let err = Event::new().event(bad).unwrap_err();
            assert_eq!(err.field(), FieldName::Event);
            assert_eq!(err.problem(), Problem::LineBreak);
        }
    }

    #[test]
    fn id_with_line_break_or_nul_is_an_error() {
        let err = Event::new().id("1\n2").unwrap_err();
        assert_eq!(
            (err.field(), err.problem()),
            (FieldName::Id, Problem::LineBreak)
        );
        let err = Event::new().id("1\x002").unwrap_err();
        assert_eq!((err.field(), err.problem()), (FieldName::Id, Problem::Nul));
        assert_eq!(
            err.to_string(),
            "invalid `id` field: contains a NUL character"
        );
    }

    #[test]
    fn encoding_is_one_exact_allocation() {
        let e = Event::new().event("e").unwrap().data("a\r\nb\rc");
        let encoded = e.encode();
        // Bytes::from(Vec) keeps the allocation when the length equals the capacity;
        // the debug assertion in `encode` checks that the computed length was exact.
        assert_eq!(
            encoded.len(),
            "event: e\ndata: a\ndata: b\ndata: c\n\n".len()
        );
    }

    #[test]
    fn unicode_passes_through() {
        let e = Event::new().event("ünï").unwrap().data("日本\u{2028}語 🎉");
        assert_eq!(enc(&e), "event: ünï\ndata: 日本\u{2028}語 🎉\n\n");
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_with_newlines_stays_one_data_line() {
        let value = serde_json::json!({"text": "line1\nline2\r\n", "n": 1});
        let e = Event::new().json_data(&value).unwrap();
        assert_eq!(
            enc(&e),
            "data: {\"n\":1,\"text\":\"line1\\nline2\\r\\n\"}\n\n"
        );
    }
}
