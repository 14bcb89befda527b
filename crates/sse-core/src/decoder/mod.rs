//! The client side: the WHATWG event-stream parsing algorithm, fed in chunks.
//!
//! [`lines`] turns chunks of bytes into lines (bounded by the size limit); [`interpret`]
//! turns lines into [`Frame`]s, exactly as the spec's "Interpreting an event stream"
//! and "dispatch the event" say. [`Decoder`] holds the two and the queue of frames.

mod error;
mod interpret;
mod lines;
mod message;

use std::collections::VecDeque;
use std::time::Duration;

pub use error::DecodeError;
pub use message::{Frame, Message};

use interpret::Interpreter;
use lines::LineReader;

/// An incremental event-stream parser, exact to the WHATWG HTML algorithm, with a
/// bound on memory.
///
/// Feed it bytes in chunks of any size, split anywhere (inside a CRLF, inside a UTF-8
/// sequence), and take out frames as they complete:
///
/// * lines end at CRLF, lone CR or lone LF;
/// * one leading UTF-8 BOM is stripped; invalid UTF-8 becomes U+FFFD;
/// * `field: value` loses one space after the colon; a line without a colon is a field
///   with an empty value; unknown fields are ignored;
/// * `data` lines are joined with LF; a blank line dispatches when there is data;
/// * `id` sets the last event ID *buffer*; the last event ID *string*
///   ([`Decoder::last_event_id`], what a reconnecting client sends as
///   `Last-Event-ID`) takes the buffer's value at every blank line, even one that
///   dispatches nothing, and persists across events; an `id` containing NUL is ignored;
/// * `retry` is taken only when it is all ASCII digits
///   ([`Decoder::reconnection_time`]);
/// * at the end of the stream ([`Decoder::finish`]) an incomplete event is discarded
///   with all its fields, its `id` included.
///
/// Memory is bounded: a line, or the data of one event, longer than
/// [`Decoder::max_size`] bytes (default [`Decoder::DEFAULT_MAX_SIZE`], 1 MiB) drops
/// that event with a [`Frame::Error`], and decoding resumes after the next blank line.
///
/// ```
/// use sse_core::{Decoder, Frame, Message};
///
/// let mut decoder = Decoder::new();
/// decoder.push(b"id: 7\r");
/// decoder.push(b"\ndata: hel");
/// decoder.push(b"lo\n\nretry: 2500\n");
/// assert_eq!(decoder.next_frame(), Some(Frame::Message(Message::new("message", "hello", "7"))));
/// assert_eq!(decoder.next_frame(), Some(Frame::Retry(2500)));
/// assert_eq!(decoder.next_frame(), None);
///
/// // The connection drops in the middle of an event: its id is not taken.
/// decoder.push(b"id: 8\ndata: cut off");
/// decoder.finish();
/// assert_eq!(decoder.last_event_id(), "7");
/// assert_eq!(decoder.reconnection_time(), Some(std::time::Duration::from_millis(2500)));
///
/// // The next connection's events carry the id until the server sends another.
/// decoder.push(b"data: again\n\n");
/// assert_eq!(decoder.next_frame(), Some(Frame::Message(Message::new("message", "again", "7"))));
/// ```
#[derive(Debug)]
pub struct Decoder {
    lines: LineReader,
    interpreter: Interpreter,
    frames: VecDeque<Frame>,
    max_size: usize,
}

impl Decoder {
    /// The default of [`Decoder::max_size`]: 1 MiB.
    pub const DEFAULT_MAX_SIZE: usize = 1024 * 1024;

    /// A decoder at the start of a stream, with the default size limit.
    #[must_use]
    pub fn new() -> Self {
        Self {
            lines: LineReader::default(),
            interpreter: Interpreter::default(),
            frames: VecDeque::new(),
            max_size: Self::DEFAULT_MAX_SIZE,
        }
    }

    /// Sets the most bytes one line (without its line break) may have, and the most
    /// bytes the data of one event (its `data:` values joined with LF) may have.
    ///
    /// An event that goes over either is dropped: the decoder yields
    /// [`Frame::Error`] in its place, skips to the next blank line and goes on from
    /// there. The decoder then never buffers much more than this plus one chunk.
    #[must_use]
    pub fn max_size(mut self, bytes: usize) -> Self {
        self.max_size = bytes;
        self
    }

    /// Feeds the next chunk of the stream. Complete lines are parsed at once; the
    /// resulting frames wait in [`Decoder::next_frame`].
    pub fn push(&mut self, chunk: &[u8]) {
        let Self {
            lines,
            interpreter,
            frames,
            max_size,
        } = self;
        lines.push(chunk, *max_size, |line| {
            interpreter.line(line, *max_size, frames);
        });
    }

    /// The next complete frame, if any.
    pub fn next_frame(&mut self) -> Option<Frame> {
        self.frames.pop_front()
    }

    /// Ends the stream: whatever is not a complete event is discarded with all its
    /// fields, as the spec says, and the decoder is ready for a new stream. It keeps
    /// the frames not yet taken, the last event ID string and the reconnection time, as
    /// a reconnecting client does, and gives back buffer memory grown for a large
    /// event.
    pub fn finish(&mut self) {
        self.lines.reset();
        self.interpreter.end_of_stream();
        self.frames.shrink_to(0);
    }

    /// The last event ID string: the `id` in force at the last blank line, which is
    /// what a reconnecting client sends as `Last-Event-ID`. An `id:` line counts only
    /// once the blank line that ends its event has been read.
    ///
    /// On a new stream (after [`Decoder::finish`]) messages carry this id until the
    /// server sends another, as browsers do (web-platform-tests
    /// `eventsource/format-field-id.any.js`).
    #[must_use]
    pub fn last_event_id(&self) -> &str {
        self.interpreter.last_event_id()
    }

    /// The reconnection time the server set with the last valid `retry:` field, or
    /// `None` if it has not sent one (a client then picks its own, a few seconds).
    /// It outlives [`Decoder::finish`], like the last event id.
    #[must_use]
    pub fn reconnection_time(&self) -> Option<Duration> {
        self.interpreter
            .reconnection_ms()
            .map(Duration::from_millis)
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Iterator for Decoder {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        self.next_frame()
    }
}

/// Decodes a whole stream at once with a default [`Decoder`]: every frame of `input`,
/// then [`Decoder::finish`].
#[must_use]
pub fn decode_all(input: &[u8]) -> Vec<Frame> {
    let mut decoder = Decoder::new();
    decoder.push(input);
    decoder.finish();
    decoder.collect()
}

#[cfg(test)]
mod tests;
