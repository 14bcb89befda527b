//! What the decoder yields: dispatched messages, `retry` values, comments and limit errors.

use super::DecodeError;

/// A message the client dispatches, as a browser's `MessageEvent` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The event type: the `event:` field, or `"message"` when there was none (or it
    /// was empty).
    pub event: String,
    /// The `data:` lines joined with LF.
    pub data: String,
    /// The last event ID string when the message was dispatched: the last `id:` of this
    /// or an earlier event (ids persist until the server sends another).
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

/// What a [`Decoder`](super::Decoder) yields, in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame {
    /// A dispatched message.
    Message(Message),
    /// A valid `retry:` field: the new reconnection delay in milliseconds (also kept
    /// in [`Decoder::reconnection_time`](super::Decoder::reconnection_time)).
    Retry(u64),
    /// A comment line (without the colon). Browsers ignore comments; the decoder shows
    /// them so a client can watch keep-alives.
    Comment(String),
    /// The event being read went over the decoder's size limit: it is dropped, with
    /// every line up to the next blank line, and decoding goes on after that. Frames
    /// before this one are unaffected.
    Error(DecodeError),
}
