//! [`MemoryBackplane`]: the default, in-process backplane.

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Backplane, BackplaneError, Envelope, EventId, Inbox, PublishError, Publishing};

/// Number of hex digits in an epoch.
const EPOCH_DIGITS: usize = 12;

/// The in-process backplane: it serves one hub, numbers events as it delivers them, and
/// completes each publish at once.
///
/// Ids read `<epoch>-<n>`: `epoch` is 12 hex digits chosen at random when the backplane
/// is made, `n` counts events from 1. A `Last-Event-ID` with another epoch (from an
/// earlier process, or another server) is not this backplane's, so the hub answers it
/// with a `reset` instead of resuming from a wrong place.
///
/// ```
/// use sse_hub::{Backplane, MemoryBackplane};
///
/// let backplane = MemoryBackplane::new();
/// assert!(backplane.parse_id("not-an-id").is_none());
/// ```
pub struct MemoryBackplane {
    epoch: u64,
    /// `epoch` in hex and the `-`: the start of every id, written once.
    prefix: [u8; EPOCH_DIGITS + 1],
    next: AtomicU64,
    inbox: OnceLock<Inbox>,
}

impl MemoryBackplane {
    /// A backplane with a fresh random epoch.
    #[must_use]
    pub fn new() -> Self {
        let epoch = crate::jitter::seed() & ((1 << (EPOCH_DIGITS * 4)) - 1);
        let mut prefix = [b'-'; EPOCH_DIGITS + 1];
        for (i, slot) in prefix[..EPOCH_DIGITS].iter_mut().enumerate() {
            let digit = (epoch >> (4 * (EPOCH_DIGITS - 1 - i))) & 0xf;
            *slot = b"0123456789abcdef"[usize::try_from(digit).unwrap_or(0)];
        }
        Self {
            epoch,
            prefix,
            next: AtomicU64::new(1),
            inbox: OnceLock::new(),
        }
    }

    /// Event `n`'s id. Called under the hub's lock for every publish, so it only copies
    /// the prefix and writes the number.
    fn make_id(&self, n: u64) -> EventId {
        let mut text = [0u8; EPOCH_DIGITS + 1 + 20];
        text[..=EPOCH_DIGITS].copy_from_slice(&self.prefix);
        let mut buf = itoa::Buffer::new();
        let digits = buf.format(n).as_bytes();
        let len = EPOCH_DIGITS + 1 + digits.len();
        text[EPOCH_DIGITS + 1..len].copy_from_slice(digits);
        // 14 to 33 bytes of hex digits, '-' and decimal digits: visible ASCII.
        EventId::from_visible_ascii([0, n], &text[..len])
    }
}

impl Default for MemoryBackplane {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryBackplane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryBackplane")
            .field("epoch", &format_args!("{:012x}", self.epoch))
            .field("next", &self.next.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Backplane for MemoryBackplane {
    fn attach(&self, inbox: Inbox) -> Result<(), BackplaneError> {
        self.inbox
            .set(inbox)
            .map_err(|_| BackplaneError::new("a MemoryBackplane serves one hub only"))
    }

    fn publish(&self, envelope: Envelope) -> Publishing {
        let Some(inbox) = self.inbox.get() else {
            return Publishing::ready(Err(PublishError::Closed));
        };
        // Called with the hub's log locked: numbers follow the order of appends.
        Publishing::ready(inbox.deliver_next(envelope, || {
            self.make_id(self.next.fetch_add(1, Ordering::Relaxed))
        }))
    }

    fn origin(&self) -> Option<EventId> {
        Some(self.make_id(0))
    }

    fn parse_id(&self, text: &str) -> Option<EventId> {
        let (epoch, n) = text.split_once('-')?;
        if epoch.len() != EPOCH_DIGITS
            || !epoch
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            || u64::from_str_radix(epoch, 16).ok()? != self.epoch
        {
            return None;
        }
        // Decimal digits only, no sign, no leading zero: one text per number.
        if n.is_empty()
            || !n.bytes().all(|b| b.is_ascii_digit())
            || (n.len() > 1 && n.starts_with('0'))
        {
            return None;
        }
        let n: u64 = n.parse().ok()?;
        Some(self.make_id(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_other_epochs_are_refused() {
        let a = MemoryBackplane::new();
        let id = a.make_id(42);
        assert_eq!(id.as_str().len(), EPOCH_DIGITS + 3);
        assert_eq!(a.parse_id(id.as_str()), Some(id));
        assert_eq!(
            a.parse_id(id.as_str()).map(|i| i.to_string()),
            Some(id.to_string())
        );
        let max = a.make_id(u64::MAX);
        assert_eq!(a.parse_id(max.as_str()), Some(max));

        let b = MemoryBackplane::new();
        assert_ne!(a.epoch, b.epoch);
        assert_eq!(b.parse_id(id.as_str()), None);
    }

    #[test]
    fn malformed_ids_are_refused() {
        let bp = MemoryBackplane::new();
        let epoch = format!("{:012x}", bp.epoch);
        for bad in [
            String::new(),
            "42".to_owned(),
            epoch.clone(),
            format!("{epoch}-"),
            format!("{epoch}-01"),
            format!("{epoch}-+1"),
            format!("{epoch}--1"),
            format!("{epoch}-1x"),
            format!("{epoch}-18446744073709551616"),
            format!("{}-1", epoch.to_uppercase()),
            format!("0{epoch}-1"),
        ] {
            if bad.contains(|c: char| c.is_ascii_uppercase())
                && epoch.bytes().all(|b| b.is_ascii_digit())
            {
                continue; // an all-digit epoch has no case to change
            }
            assert_eq!(bp.parse_id(&bad), None, "{bad:?}");
        }
        assert_eq!(bp.parse_id(&format!("{epoch}-0")), bp.origin());
        assert!(bp.origin() < Some(bp.make_id(1)));
    }
}
