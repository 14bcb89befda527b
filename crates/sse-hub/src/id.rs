//! [`EventId`]: the id the hub gives each event, opaque to clients and ordered.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The longest id text, in bytes.
pub const MAX_ID_LEN: usize = 40;

/// The id of a published event: the text a client sees in `id:` and sends back as
/// `Last-Event-ID`, with the position it stands for.
///
/// Ids are ordered hub-wide, not per topic: comparing two ids says which event was
/// published first, whatever their topics, so one `Last-Event-ID` resumes a subscription
/// to several topics. To clients the text is opaque.
///
/// Who makes ids is the [`Backplane`](crate::Backplane)'s business, which is why the type
/// does not say how the text is built. The in-process [`MemoryBackplane`](crate::MemoryBackplane)
/// writes `<epoch>-<sequence>`, the epoch being chosen at random when it starts, so that
/// an id of an earlier process is never mistaken for one of this process; a Redis Streams
/// backplane would use Redis ids (`<ms>-<seq>`). Equality, order and hashing use the
/// position only (`key`), since one backplane always writes the same text for one position.
///
/// The text is kept inline (no allocation): 1 to [`MAX_ID_LEN`] bytes of visible ASCII
/// (`!` to `~`), which a header and an `id:` field both carry unchanged.
///
/// ```
/// use sse_hub::EventId;
///
/// let a = EventId::new([0, 7], "7")?;
/// let b = EventId::new([1, 0], "1-0")?;
/// assert!(a < b);
/// assert_eq!(b.to_string(), "1-0");
/// assert!(EventId::new([0, 1], "has space").is_err());
/// # Ok::<(), sse_hub::InvalidEventId>(())
/// ```
#[derive(Clone, Copy)]
pub struct EventId {
    key: [u64; 2],
    len: u8,
    text: [u8; MAX_ID_LEN],
}

impl EventId {
    /// An id at position `key` (compared as a pair, most significant first) written as `text`.
    ///
    /// # Errors
    ///
    /// [`InvalidEventId`] when `text` is empty, longer than [`MAX_ID_LEN`] bytes, or
    /// holds anything but visible ASCII.
    pub fn new(key: [u64; 2], text: &str) -> Result<Self, InvalidEventId> {
        let bytes = text.as_bytes();
        if bytes.is_empty()
            || bytes.len() > MAX_ID_LEN
            || !bytes.iter().all(|b| (b'!'..=b'~').contains(b))
        {
            return Err(InvalidEventId { _priv: () });
        }
        let mut buf = [0; MAX_ID_LEN];
        buf[..bytes.len()].copy_from_slice(bytes);
        Ok(Self {
            key,
            len: u8::try_from(bytes.len()).unwrap_or(u8::MAX),
            text: buf,
        })
    }

    /// The id's text, as written in `id:`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only visible ASCII is ever stored, so this cannot fail.
        std::str::from_utf8(&self.text[..usize::from(self.len)]).unwrap_or_default()
    }

    /// An id whose `text` its maker knows to be 1 to [`MAX_ID_LEN`] bytes of visible
    /// ASCII (the hub's own ids): [`new`](Self::new) without the check.
    pub(crate) fn from_visible_ascii(key: [u64; 2], text: &[u8]) -> Self {
        debug_assert!(Self::new(key, std::str::from_utf8(text).unwrap_or_default()).is_ok());
        let len = text.len().min(MAX_ID_LEN);
        let mut buf = [0; MAX_ID_LEN];
        buf[..len].copy_from_slice(&text[..len]);
        Self {
            key,
            len: u8::try_from(len).unwrap_or(u8::MAX),
            text: buf,
        }
    }

    /// `body` (an event encoded without its id) with this id's `id:` line: one
    /// allocation, the frame's.
    pub(crate) fn stamp(&self, body: &sse_core::Encoded) -> sse_core::Encoded {
        // Visible ASCII holds no CR, LF or NUL: every `EventId`'s text is a valid id field.
        body.try_with_id(self.as_str())
            .expect("visible ASCII is a valid id field")
    }

    /// The id as the value of an `id:` field.
    pub(crate) fn field(&self) -> sse_core::Id {
        // Visible ASCII holds no CR, LF or NUL: `Id` accepts every `EventId`'s text.
        sse_core::Id::new(self.as_str().to_owned()).expect("visible ASCII is a valid id field")
    }

    /// The position the id stands for.
    #[must_use]
    pub const fn key(&self) -> [u64; 2] {
        self.key
    }
}

impl PartialEq for EventId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for EventId {}

impl PartialOrd for EventId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EventId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl Hash for EventId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EventId").field(&self.as_str()).finish()
    }
}

/// Text that cannot be an [`EventId`]: empty, longer than [`MAX_ID_LEN`] bytes, or not
/// all visible ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEventId {
    _priv: (),
}

impl fmt::Display for InvalidEventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid event id: it must be 1 to {MAX_ID_LEN} bytes of visible ASCII"
        )
    }
}

impl std::error::Error for InvalidEventId {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_order_follows_the_key() {
        let max = "~".repeat(MAX_ID_LEN);
        let id = EventId::new([u64::MAX, u64::MAX], &max).unwrap();
        assert_eq!(id.as_str(), max);
        let lower = EventId::new([u64::MAX, u64::MAX - 1], "z").unwrap();
        assert!(lower < id);
        assert_eq!(
            EventId::new([3, 4], "a").unwrap(),
            EventId::new([3, 4], "b").unwrap()
        );
    }

    #[test]
    fn every_id_is_a_valid_field() {
        let all: String = ('!'..='~').take(MAX_ID_LEN).collect();
        assert_eq!(EventId::new([0, 0], &all).unwrap().field().as_str(), all);
    }

    #[test]
    fn rejects_bad_text() {
        for bad in ["", " ", "a b", "a\nb", "é", &"x".repeat(MAX_ID_LEN + 1)] {
            assert!(EventId::new([0, 0], bad).is_err(), "{bad:?}");
        }
    }
}
