//! [`Encoded`]: an event already framed, shared by any number of streams.

use bytes::Bytes;
use memchr::memchr;

use crate::{Event, Id, InvalidField};

/// A framed event: the exact bytes of one event, blank line included.
///
/// Made by [`Event::encode`] (or the constructors here), so it always holds whole,
/// well-formed events. Cloning it is a reference-count increment: encode once,
/// then send the same bytes to every subscriber.
///
/// ```
/// use sse_core::{Encoded, Event};
///
/// let shared: Encoded = Event::new().data("to everyone").encode();
/// let for_a = shared.clone();
/// let for_b = shared.clone();
/// assert_eq!(for_a.as_bytes().as_ptr(), for_b.as_bytes().as_ptr());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Encoded(Bytes);

impl Encoded {
    /// Wraps bytes that the crate framed itself.
    pub(crate) const fn from_trusted(bytes: Bytes) -> Self {
        Self(bytes)
    }

    /// A comment frame (`: text`, split on line breaks like data), which clients
    /// ignore: the usual keep-alive.
    #[must_use]
    pub fn comment(text: &str) -> Self {
        Event::new().comment(text.to_owned()).encode()
    }

    /// A frame that only sets the client's reconnection delay.
    #[must_use]
    pub fn retry(delay: std::time::Duration) -> Self {
        Event::new().retry(delay).encode()
    }

    /// The framed bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// The framed bytes, by value.
    #[must_use]
    pub fn into_bytes(self) -> Bytes {
        self.0
    }

    /// The number of bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: even an empty event has its closing blank line.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same event with its `id:` field set to `id` (replacing the id it has, if any),
    /// byte for byte what [`Event::encode`] gives for the event with that id.
    ///
    /// One allocation and one copy, without scanning the data again: a server that
    /// learns an event's id late (a sequencer, a lock) encodes the event before and only
    /// adds the id then.
    ///
    /// ```
    /// use sse_core::{Event, Id};
    ///
    /// let event = Event::new().event("tick")?.data("12:00");
    /// let early = event.encode();
    /// let id = Id::new("7")?;
    /// assert_eq!(early.with_id(&id), event.with_id(id).encode());
    /// # Ok::<(), sse_core::InvalidField>(())
    /// ```
    #[must_use]
    pub fn with_id(&self, id: &Id) -> Self {
        self.insert_id(id.as_str().as_bytes())
    }

    /// [`with_id`](Self::with_id) for an id held as a string, without building an [`Id`]
    /// (which owns its text): for a sequencer that writes its ids into a buffer of its
    /// own, where the allocation would be most of the cost.
    ///
    /// ```
    /// use sse_core::{Event, Id};
    ///
    /// let event = Event::new().data("12:00");
    /// assert_eq!(event.encode().try_with_id("7")?, event.encode().with_id(&Id::new("7")?));
    /// assert!(event.encode().try_with_id("7\n").is_err());
    /// # Ok::<(), sse_core::InvalidField>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`InvalidField`] when `id` contains CR, LF or NUL.
    pub fn try_with_id(&self, id: &str) -> Result<Self, InvalidField> {
        crate::field::check_id(id.as_bytes())?;
        Ok(self.insert_id(id.as_bytes()))
    }

    /// The frame with the `id:` line `id` (already checked).
    fn insert_id(&self, id: &[u8]) -> Self {
        let frame = &self.0[..];
        let line_end = |at: usize| memchr(b'\n', &frame[at..]).map_or(frame.len(), |n| at + n + 1);
        // `encode` writes comments, then `event:`, then `id:`: find where the id goes.
        let mut at = 0;
        while at < frame.len() && (frame[at] == b':' || frame[at..].starts_with(b"event: ")) {
            at = line_end(at);
        }
        let rest = if frame[at..].starts_with(b"id: ") {
            line_end(at)
        } else {
            at
        };
        let mut buf = Vec::with_capacity(at + "id: \n".len() + id.len() + frame.len() - rest);
        buf.extend_from_slice(&frame[..at]);
        buf.extend_from_slice(b"id: ");
        buf.extend_from_slice(id);
        buf.push(b'\n');
        buf.extend_from_slice(&frame[rest..]);
        Self(Bytes::from(buf))
    }

    /// Joins several frames into one buffer (one allocation), for a single write.
    #[must_use]
    pub fn concat<'a>(frames: impl IntoIterator<Item = &'a Encoded> + Clone) -> Self {
        let len = frames.clone().into_iter().map(Encoded::len).sum();
        let mut buf = Vec::with_capacity(len);
        for frame in frames {
            buf.extend_from_slice(&frame.0);
        }
        Self(Bytes::from(buf))
    }
}

impl From<Encoded> for Bytes {
    fn from(encoded: Encoded) -> Self {
        encoded.0
    }
}

impl AsRef<[u8]> for Encoded {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn with_id_is_encoding_with_the_id() {
        let id = Id::new("e-42").unwrap();
        let events = [
            Event::new(),
            Event::new().data(""),
            Event::new().data("a\nb\r\nc"),
            Event::new().comment("x\ny").event("n").unwrap().data("d"),
            Event::new()
                .event("n")
                .unwrap()
                .id("old")
                .unwrap()
                .retry(Duration::from_millis(5))
                .data("d"),
            Event::new().id("old").unwrap(),
            Event::new().comment("only"),
            Event::new().retry(Duration::from_secs(1)),
            Event::new().data(": not a comment\nevent: not the name\nid: not the id"),
        ];
        for event in events {
            assert_eq!(
                event.encode().with_id(&id),
                event.clone().with_id(id.clone()).encode(),
                "{event:?}"
            );
        }
    }
}
