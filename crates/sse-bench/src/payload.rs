//! The data of every benchmark event: a sequence number and the time the event was
//! meant to be sent, so that the client measures latency from the intended send time
//! (no coordinated omission), then padding to the chosen size.

use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since the Unix epoch, now. Server and client run on the same machine and
/// read the same clock.
#[must_use]
pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The `data` of event `seq`, meant to be sent at `intended_ns`, at least `size` bytes
/// long (padded with `x`).
#[must_use]
pub fn make(seq: u64, intended_ns: u64, size: usize) -> String {
    let mut data = format!("{seq} {intended_ns}");
    if data.len() + 1 < size {
        data.push(' ');
        data.extend(std::iter::repeat_n('x', size - data.len()));
    }
    data
}

/// The sequence number and intended send time of an event's data, or `None` for data
/// that a benchmark server did not make.
#[must_use]
pub fn parse(data: &[u8]) -> Option<(u64, u64)> {
    let mut fields = data.split(|&b| b == b' ');
    let seq = parse_u64(fields.next()?)?;
    let ns = parse_u64(fields.next()?)?;
    Some((seq, ns))
}

fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_padding() {
        let short = make(7, 1_700_000_000_123_456_789, 0);
        assert_eq!(short, "7 1700000000123456789");
        assert_eq!(
            parse(short.as_bytes()),
            Some((7, 1_700_000_000_123_456_789))
        );
        let long = make(7, 99, 64);
        assert_eq!(long.len(), 64);
        assert_eq!(parse(long.as_bytes()), Some((7, 99)));
    }

    #[test]
    fn foreign_data_is_not_a_payload() {
        for data in ["", "hello", "1", "1 x", "-1 2", "12345678901234567890 1"] {
            assert_eq!(parse(data.as_bytes()), None, "{data:?}");
        }
    }

    #[test]
    fn the_clock_moves() {
        let a = now_ns();
        assert!(a > 1_600_000_000_000_000_000);
        assert!(now_ns() >= a);
    }
}
