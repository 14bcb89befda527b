//! Lines to frames: the spec's "Interpreting an event stream" and "dispatch the event"
//! (WHATWG HTML, "Server-sent events"), with the decoder's size limit.

use std::collections::VecDeque;

use memchr::memchr;

use super::lines::{Line, RETAINED_CAPACITY};
use super::{DecodeError, Frame, Message};

/// The buffers of the spec's parsing algorithm and the event source's state.
#[derive(Debug, Default)]
pub(super) struct Interpreter {
    /// The spec's data buffer: `data:` values, each followed by LF.
    data: String,
    /// The spec's event type buffer.
    event_type: String,
    /// The spec's last event ID buffer: set by `id:`, read when an event is dispatched.
    id_buffer: String,
    /// The spec's last event ID string of the event source: what a reconnecting client
    /// sends as `Last-Event-ID`. Changes only when an event is dispatched.
    last_event_id: String,
    /// The last valid `retry:`, in milliseconds.
    reconnection_ms: Option<u64>,
    /// The current event went over the limit: lines are dropped up to the next blank
    /// line.
    skipping: bool,
}

impl Interpreter {
    /// Processes one step of the line splitting; the frames it completes go to `out`.
    pub(super) fn line(&mut self, line: Line<'_>, limit: usize, out: &mut VecDeque<Frame>) {
        match line {
            Line::TooLong => self.drop_event(DecodeError::LineTooLong { limit }, out),
            Line::Complete(line) if self.skipping => {
                // A blank line ends the dropped event. Dispatching it would change
                // nothing: its data is gone and the id buffer was put back.
                if line.is_empty() {
                    self.skipping = false;
                }
            }
            Line::Complete(line) => self.process(line, limit, out),
        }
    }

    /// The end of the stream: the event being read is not dispatched, and its fields
    /// are forgotten (spec: "Once the end of the file is reached, any pending data must
    /// be discarded"). The last event ID string and the reconnection time stay, as they
    /// do in a client that reconnects.
    pub(super) fn end_of_stream(&mut self) {
        self.discard_event();
        self.skipping = false;
        self.data.shrink_to(RETAINED_CAPACITY);
        self.event_type.shrink_to(RETAINED_CAPACITY);
        self.id_buffer.shrink_to(RETAINED_CAPACITY);
    }

    pub(super) fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    pub(super) const fn reconnection_ms(&self) -> Option<u64> {
        self.reconnection_ms
    }

    /// The buffers' capacity, for tests of the memory bound.
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.data.capacity() + self.event_type.capacity() + self.id_buffer.capacity()
    }

    fn process(&mut self, line: &[u8], limit: usize, out: &mut VecDeque<Frame>) {
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if let Some(comment) = line.strip_prefix(b":") {
            let text = String::from_utf8_lossy(comment);
            let text = text.strip_prefix(' ').unwrap_or(&text);
            out.push_back(Frame::Comment(text.to_owned()));
            return;
        }
        let (field, value) = match memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"event" => self.event_type = String::from_utf8_lossy(value).into_owned(),
            b"data" => {
                let value = String::from_utf8_lossy(value);
                // `data` already ends with the LF that will join this line to the
                // previous ones, so this is the length of the joined data.
                if self.data.len() + value.len() > limit {
                    self.drop_event(DecodeError::DataTooLarge { limit }, out);
                    return;
                }
                self.data.push_str(&value);
                self.data.push('\n');
            }
            // Only the buffer: the last event ID string changes when the event is
            // dispatched, so an id in an event that never completes is never used.
            b"id" if !value.contains(&0) => {
                self.id_buffer.clear();
                self.id_buffer.push_str(&String::from_utf8_lossy(value));
            }
            b"retry" if !value.is_empty() && value.iter().all(u8::is_ascii_digit) => {
                // All digits, so only an overflow can fail: such a value is ignored.
                if let Ok(ms) = std::str::from_utf8(value).unwrap_or("").parse() {
                    self.reconnection_ms = Some(ms);
                    out.push_back(Frame::Retry(ms));
                }
            }
            _ => {}
        }
    }

    /// The spec's "dispatch the event", run at every blank line.
    fn dispatch(&mut self, out: &mut VecDeque<Frame>) {
        // Step 1: "Set the last event ID string of the event source to the value of the
        // last event ID buffer." This comes before step 2's early return for an empty
        // data buffer, so a blank line after `id:` alone sets the string too (and the
        // buffer is not reset, so the id persists).
        if self.last_event_id != self.id_buffer {
            self.last_event_id.clone_from(&self.id_buffer);
        }
        // Step 2: nothing to dispatch without data.
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        // Step 3: the LF after the last data line goes.
        self.data.pop();
        // Steps 4 to 7: the message, typed "message" unless the event type buffer says
        // otherwise, then both buffers emptied.
        let event = match std::mem::take(&mut self.event_type) {
            t if t.is_empty() => "message".to_owned(),
            t => t,
        };
        out.push_back(Frame::Message(Message {
            event,
            data: std::mem::take(&mut self.data),
            last_event_id: self.last_event_id.clone(),
        }));
    }

    /// Reports `error` and drops the current event, unless it is already being
    /// dropped (one error per event).
    fn drop_event(&mut self, error: DecodeError, out: &mut VecDeque<Frame>) {
        if self.skipping {
            return;
        }
        out.push_back(Frame::Error(error));
        self.discard_event();
        self.skipping = true;
    }

    /// Forgets the fields of the event being read. The id buffer goes back to the last
    /// event ID string, which is what it held when the event began (every dispatch
    /// sets one from the other).
    fn discard_event(&mut self) {
        self.data.clear();
        self.event_type.clear();
        if self.id_buffer != self.last_event_id {
            self.id_buffer.clone_from(&self.last_event_id);
        }
    }
}
