//! [`Encoded`]: an event already framed, shared by any number of streams.

use bytes::Bytes;

use crate::Event;

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
