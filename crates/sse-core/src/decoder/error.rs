//! The decoder's error: an event over the size limit.

use std::fmt;

/// An event the [`Decoder`](super::Decoder) dropped because it went over the size
/// limit ([`Decoder::max_size`](super::Decoder::max_size)).
///
/// It arrives as [`Frame::Error`](super::Frame::Error) at the place of the dropped
/// event. The decoder skips to the next blank line and goes on from there.
///
/// ```
/// use sse_core::{DecodeError, Decoder, Frame, Message};
///
/// let mut decoder = Decoder::new().max_size(8);
/// decoder.push(b"data: 1\n\ndata: far too long\nid: 9\n\ndata: 2\n\n");
/// let frames: Vec<Frame> = decoder.by_ref().collect();
/// assert_eq!(
///     frames,
///     [
///         Frame::Message(Message::new("message", "1", "")),
///         Frame::Error(DecodeError::LineTooLong { limit: 8 }),
///         Frame::Message(Message::new("message", "2", "")),
///     ]
/// );
/// assert_eq!(
///     DecodeError::LineTooLong { limit: 8 }.to_string(),
///     "event-stream line longer than 8 bytes: its event was dropped"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeError {
    /// One line (a field name and value, without its line break) is longer than
    /// `limit` bytes.
    LineTooLong {
        /// The decoder's limit, in bytes.
        limit: usize,
    },
    /// The `data:` lines of one event, joined with LF, are longer than `limit` bytes.
    DataTooLarge {
        /// The decoder's limit, in bytes.
        limit: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LineTooLong { limit } => {
                write!(
                    f,
                    "event-stream line longer than {limit} bytes: its event was dropped"
                )
            }
            Self::DataTooLarge { limit } => {
                write!(
                    f,
                    "event-stream event with more than {limit} bytes of data: it was dropped"
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {}
