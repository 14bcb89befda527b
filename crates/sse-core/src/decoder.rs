//! The client side: the WHATWG event-stream parsing algorithm, fed in chunks.

use std::collections::VecDeque;

use memchr::memchr2;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A message the client dispatches, as a browser's `MessageEvent` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The event type: the `event:` field, or `"message"` when there was none (or it
    /// was empty).
    pub event: String,
    /// The `data:` lines joined with LF.
    pub data: String,
    /// The last event id in force when the message was dispatched (ids persist across
    /// events until the server sends another).
    pub last_event_id: String,
}

impl Message {
    /// A message, for comparisons in tests.
    #[must_use]
    pub fn new(event: &str, data: &str, last_event_id: &str) -> Self {
        Self {
            event: event.to_owned(),
            data: data.to_owned(),
            last_event_id: last_event_id.to_owned(),
        }
    }
}

/// What a [`Decoder`] yields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame {
    /// A dispatched message.
    Message(Message),
    /// A valid `retry:` field: the new reconnection delay in milliseconds.
    Retry(u64),
    /// A comment line (without the colon). Browsers ignore comments; the decoder shows
    /// them so a client can watch keep-alives.
    Comment(String),
}

/// An incremental event-stream parser, exact to the WHATWG HTML algorithm.
///
/// Feed it bytes in chunks of any size, split anywhere (inside a CRLF, inside a UTF-8
/// sequence), and take out frames as they complete:
///
/// * lines end at CRLF, lone CR or lone LF;
/// * one leading UTF-8 BOM is stripped; invalid UTF-8 becomes U+FFFD;
/// * `field: value` loses one space after the colon; a line without a colon is a field
///   with an empty value; unknown fields are ignored;
/// * `data` lines are joined with LF; a blank line dispatches when there is data;
/// * `id` containing NUL is ignored; the last id persists across events;
/// * `retry` is taken only when it is all ASCII digits;
/// * at the end of the stream ([`Decoder::finish`]) an incomplete event is discarded.
///
/// ```
/// use sse_core::{Decoder, Frame, Message};
///
/// let mut decoder = Decoder::new();
/// decoder.push(b"id: 7\r");
/// decoder.push(b"\ndata: hel");
/// decoder.push(b"lo\n\n");
/// assert_eq!(decoder.next_frame(), Some(Frame::Message(Message::new("message", "hello", "7"))));
/// assert_eq!(decoder.next_frame(), None);
/// ```
#[derive(Debug, Default)]
pub struct Decoder {
    /// Bytes received but not yet consumed as complete lines.
    buf: Vec<u8>,
    /// Where unconsumed bytes start in `buf`.
    start: usize,
    /// How many bytes after `start` are already known to hold no line break, so that a
    /// long line arriving in many chunks is scanned once, not once per chunk.
    scanned: usize,
    /// The previous chunk ended with CR: an LF at the start of the next one belongs to it.
    after_cr: bool,
    /// The BOM check is done (it only applies to the first bytes of the stream).
    bom_done: bool,
    data: String,
    event_type: String,
    last_event_id: String,
    frames: VecDeque<Frame>,
}

impl Decoder {
    /// A decoder at the start of a stream.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next chunk of the stream. Complete lines are parsed at once; the
    /// resulting frames wait in [`Decoder::next_frame`].
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
        if !self.bom_done {
            let have = &self.buf[self.start..];
            if have.len() < BOM.len() && BOM.starts_with(have) {
                return; // could still be a BOM: wait for more bytes
            }
            if have.starts_with(BOM) {
                self.start += BOM.len();
            }
            self.bom_done = true;
        }
        self.parse_lines();
    }

    /// The next complete frame, if any.
    pub fn next_frame(&mut self) -> Option<Frame> {
        self.frames.pop_front()
    }

    /// Ends the stream: whatever is not a complete event is discarded, as the spec
    /// says, and the decoder is ready for a new stream (keeping the last event id, as a
    /// reconnecting client does).
    pub fn finish(&mut self) {
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        self.after_cr = false;
        self.bom_done = false;
        self.data.clear();
        self.event_type.clear();
    }

    /// The last event id seen: what a reconnecting client sends as `Last-Event-ID`.
    #[must_use]
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    fn parse_lines(&mut self) {
        loop {
            let rest = &self.buf[self.start..];
            if self.after_cr && !rest.is_empty() {
                self.after_cr = false;
                if rest[0] == b'\n' {
                    self.start += 1;
                    continue;
                }
            }
            let Some(pos) = memchr2(b'\r', b'\n', &rest[self.scanned..]) else {
                self.scanned = rest.len();
                break;
            };
            let line_end = self.start + self.scanned + pos;
            self.scanned = 0;
            let is_cr = self.buf[line_end] == b'\r';
            let line = std::mem::take(&mut self.buf);
            self.process_line(&line[self.start..line_end]);
            self.buf = line;
            self.start = line_end + 1;
            if is_cr {
                self.after_cr = true;
            }
        }
        // Keep only the unfinished line.
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    fn process_line(&mut self, line: &[u8]) {
        if line.is_empty() {
            self.dispatch();
            return;
        }
        if let Some(comment) = line.strip_prefix(b":") {
            let text = String::from_utf8_lossy(comment);
            let text = text.strip_prefix(' ').unwrap_or(&text);
            self.frames.push_back(Frame::Comment(text.to_owned()));
            return;
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"event" => self.event_type = String::from_utf8_lossy(value).into_owned(),
            b"data" => {
                self.data.push_str(&String::from_utf8_lossy(value));
                self.data.push('\n');
            }
            b"id" if !value.contains(&0) => {
                self.last_event_id = String::from_utf8_lossy(value).into_owned();
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // All digits, so only an overflow can fail: such a value is ignored.
                if let Ok(ms) = std::str::from_utf8(value).unwrap_or("").parse() {
                    self.frames.push_back(Frame::Retry(ms));
                }
            }
            _ => {}
        }
    }

    fn dispatch(&mut self) {
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        self.data.pop(); // the LF after the last data line
        let event = match std::mem::take(&mut self.event_type) {
            t if t.is_empty() => "message".to_owned(),
            t => t,
        };
        self.frames.push_back(Frame::Message(Message {
            event,
            data: std::mem::take(&mut self.data),
            last_event_id: self.last_event_id.clone(),
        }));
    }
}

impl Iterator for Decoder {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        self.next_frame()
    }
}

/// Decodes a whole stream at once: every frame of `input`, then [`Decoder::finish`].
#[must_use]
pub fn decode_all(input: &[u8]) -> Vec<Frame> {
    let mut decoder = Decoder::new();
    decoder.push(input);
    let frames = decoder.by_ref().collect();
    decoder.finish();
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(input: &[u8]) -> Vec<Message> {
        decode_all(input)
            .into_iter()
            .filter_map(|f| match f {
                Frame::Message(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    fn bytewise(input: &[u8]) -> Vec<Frame> {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for b in input {
            d.push(std::slice::from_ref(b));
            out.extend(d.by_ref());
        }
        out
    }

    #[test]
    fn the_spec_examples() {
        let m = messages(b"data: YHOO\ndata: +2\ndata: 10\n\n");
        assert_eq!(m, [Message::new("message", "YHOO\n+2\n10", "")]);

        let m = messages(b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n");
        assert_eq!(
            m,
            [
                Message::new("message", "first event", "1"),
                Message::new("message", "second event", ""),
                Message::new("message", " third event", ""),
            ]
        );

        let m = messages(b"data\n\ndata\ndata\n\ndata:");
        assert_eq!(
            m,
            [
                Message::new("message", "", ""),
                Message::new("message", "\n", "")
            ]
        );

        let m = messages(b"data:test\n\ndata: test\n\n");
        assert_eq!(
            m,
            [
                Message::new("message", "test", ""),
                Message::new("message", "test", "")
            ]
        );
    }

    #[test]
    fn all_three_line_endings() {
        let m = messages(b"data: a\r\ndata: b\rdata: c\n\r\n");
        assert_eq!(m, [Message::new("message", "a\nb\nc", "")]);
    }

    #[test]
    fn split_anywhere_gives_the_same_frames() {
        let input =
            "\u{feff}event: ü\r\ndata: 日本\r\nid: 3\r\rretry: 10\r\n: hi\n\ndata: x\r\n\r\n"
                .as_bytes();
        let whole = decode_all(input);
        assert_eq!(bytewise(input), whole);
        assert_eq!(
            whole,
            [
                Frame::Message(Message::new("ü", "日本", "3")),
                Frame::Retry(10),
                Frame::Comment("hi".into()),
                Frame::Message(Message::new("message", "x", "3")),
            ]
        );
    }

    #[test]
    fn a_long_line_in_many_chunks_and_a_crlf_split_after_it() {
        let mut d = Decoder::new();
        d.push(b"data: ");
        for _ in 0..10_000 {
            d.push(b"xxxx");
            assert_eq!(d.next_frame(), None);
        }
        d.push(b"\r");
        d.push(b"\ndata: y\r\n\r\n");
        let expected = format!("{}\ny", "x".repeat(40_000));
        assert_eq!(
            d.next_frame(),
            Some(Frame::Message(Message::new("message", &expected, "")))
        );
        assert_eq!(d.next_frame(), None);
    }

    #[test]
    fn bom_is_stripped_once_even_when_split() {
        let mut d = Decoder::new();
        d.push(b"\xEF");
        d.push(b"\xBB");
        d.push(b"\xBFdata: a\n\n\xEF\xBB\xBFdata: b\n\n");
        let frames: Vec<_> = d.collect();
        assert_eq!(frames, [Frame::Message(Message::new("message", "a", ""))]);
    }

    #[test]
    fn id_with_nul_is_ignored_and_ids_persist() {
        let m = messages(b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\ndata: c\n\n");
        assert_eq!(
            m.iter()
                .map(|m| m.last_event_id.as_str())
                .collect::<Vec<_>>(),
            ["1", "1", "1"]
        );
    }

    #[test]
    fn id_without_data_sets_last_event_id() {
        let mut d = Decoder::new();
        d.push(b"id: 9\n\n");
        assert_eq!(d.next_frame(), None);
        assert_eq!(d.last_event_id(), "9");
    }

    #[test]
    fn retry_only_digits() {
        let f = decode_all(b"retry: 1x\nretry: -1\nretry:\nretry: 25\nretry:  7\n\n");
        assert_eq!(f, [Frame::Retry(25)]);
    }

    #[test]
    fn incomplete_event_is_discarded_at_end() {
        let mut d = Decoder::new();
        d.push(b"data: complete\n\ndata: partial\n");
        let frames: Vec<_> = d.by_ref().collect();
        d.finish();
        d.push(b"\n");
        assert_eq!(
            frames,
            [Frame::Message(Message::new("message", "complete", ""))]
        );
        assert_eq!(d.next_frame(), None);
    }

    #[test]
    fn invalid_utf8_becomes_replacement() {
        let m = messages(b"data: a\xffb\n\n");
        assert_eq!(m, [Message::new("message", "a\u{fffd}b", "")]);
    }

    #[test]
    fn event_type_resets_after_dispatch_and_on_empty_data() {
        let m = messages(b"event: x\n\ndata: 1\n\nevent: y\ndata: 2\n\ndata: 3\n\n");
        assert_eq!(
            m,
            [
                Message::new("message", "1", ""),
                Message::new("y", "2", ""),
                Message::new("message", "3", "")
            ]
        );
    }
}
