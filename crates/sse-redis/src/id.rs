//! [`StreamId`]: a Redis stream entry id (`<ms>-<seq>`), and its place among
//! [`EventId`]s.

use std::fmt;

use sse_hub::EventId;

/// A Redis stream entry id: milliseconds and a sequence number, ordered as a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct StreamId {
    pub(crate) ms: u64,
    pub(crate) seq: u64,
}

impl StreamId {
    /// `0-0`: before every entry a stream can hold.
    pub(crate) const ZERO: Self = Self { ms: 0, seq: 0 };

    /// Reads an id as Redis writes it: two decimal numbers without sign or leading
    /// zeros, joined by `-`. Anything else is `None`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (ms, seq) = text.split_once('-')?;
        Some(Self {
            ms: number(ms)?,
            seq: number(seq)?,
        })
    }

    /// The id just before this one (`None` for `0-0`).
    pub(crate) const fn predecessor(self) -> Option<Self> {
        match (self.ms, self.seq) {
            (0, 0) => None,
            (ms, 0) => Some(Self {
                ms: ms - 1,
                seq: u64::MAX,
            }),
            (ms, seq) => Some(Self { ms, seq: seq - 1 }),
        }
    }

    /// The id just after this one (itself at the very end).
    pub(crate) const fn successor(self) -> Self {
        match (self.ms, self.seq) {
            (ms, u64::MAX) if ms < u64::MAX => Self { ms: ms + 1, seq: 0 },
            (ms, u64::MAX) => Self { ms, seq: u64::MAX },
            (ms, seq) => Self { ms, seq: seq + 1 },
        }
    }

    /// The hub's id for this entry: the same text, ordered the same way.
    pub(crate) fn event_id(self) -> EventId {
        let mut ms = itoa::Buffer::new();
        let mut seq = itoa::Buffer::new();
        let (ms, seq) = (ms.format(self.ms), seq.format(self.seq));
        let mut text = [0u8; 41];
        let len = ms.len() + 1 + seq.len();
        text[..ms.len()].copy_from_slice(ms.as_bytes());
        text[ms.len()] = b'-';
        text[ms.len() + 1..len].copy_from_slice(seq.as_bytes());
        let text = std::str::from_utf8(&text[..len]).unwrap_or("0-0");
        // At most 20 + 1 + 20 = 41 bytes of digits and '-': over MAX_ID_LEN (40) only for
        // ids no Redis clock reaches (ms above 10^19); those fall back to a shorter text.
        EventId::new([self.ms, self.seq], text)
            .or_else(|_| EventId::new([self.ms, self.seq], "0-0"))
            .unwrap_or_else(|_| unreachable_id())
    }
}

#[cold]
fn unreachable_id() -> EventId {
    // "0-0" is always a valid id text; a value rather than a panic all the same.
    EventId::new([0, 0], "0").unwrap_or_else(|_| unreachable_id())
}

fn number(text: &str) -> Option<u64> {
    if text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_digit())
        || (text.len() > 1 && text.starts_with('0'))
    {
        return None;
    }
    text.parse().ok()
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_redis_writes_only() {
        let id = StreamId::parse("1700000000000-3").unwrap();
        assert_eq!((id.ms, id.seq), (1_700_000_000_000, 3));
        assert_eq!(id.to_string(), "1700000000000-3");
        assert_eq!(StreamId::parse("0-0"), Some(StreamId::ZERO));
        for bad in [
            "", "1", "1-", "-1", "01-1", "1-01", "1-+1", "1-1-1", "a-1", "1 -1",
        ] {
            assert_eq!(StreamId::parse(bad), None, "{bad:?}");
        }
        assert_eq!(StreamId::parse("18446744073709551616-0"), None);
    }

    #[test]
    fn event_ids_keep_the_text_and_the_order() {
        let a = StreamId::parse("5-18446744073709551615").unwrap();
        let b = StreamId::parse("6-0").unwrap();
        assert_eq!(a.event_id().as_str(), "5-18446744073709551615");
        assert!(a.event_id() < b.event_id());
        assert_eq!(b.event_id().key(), [6, 0]);
        assert_eq!(b.predecessor(), Some(a));
        assert_eq!(a.successor(), b);
        assert_eq!(StreamId::ZERO.predecessor(), None);
        let max = StreamId {
            ms: u64::MAX,
            seq: u64::MAX,
        };
        assert_eq!(max.successor(), max);
        assert_eq!(max.event_id().key(), [u64::MAX, u64::MAX]);
    }
}
