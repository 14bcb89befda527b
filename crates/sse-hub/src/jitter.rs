//! Randomness for jitter (retry hints, stream lifetimes) and for the memory backplane's epoch.
//!
//! Not for secrets: a splitmix64 generator seeded from std's per-process random hasher keys.

use std::hash::{BuildHasher, Hasher};
use std::ops::RangeInclusive;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A random seed that differs between processes and between calls.
pub(crate) fn seed() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(now);
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// A small, fast generator (splitmix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) const fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) const fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        // 53 random bits, exactly representable.
        #[allow(clippy::cast_precision_loss)]
        let bits = (self.next_u64() >> 11) as f64;
        bits / (1u64 << 53) as f64
    }

    /// A duration drawn uniformly from `range` (whole milliseconds when the bounds are).
    pub(crate) fn between(&mut self, range: &RangeInclusive<Duration>) -> Duration {
        let (min, max) = (*range.start(), *range.end());
        if max <= min {
            return min;
        }
        let span = max - min;
        let millis = span.as_millis();
        if span == Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX)) {
            // Whole milliseconds: draw an integer so that both bounds can come out.
            let n = u64::try_from(millis).unwrap_or(u64::MAX);
            let pick = if n == u64::MAX {
                self.next_u64()
            } else {
                self.next_u64() % (n + 1)
            };
            min + Duration::from_millis(pick)
        } else {
            min + span.mul_f64(self.unit())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_stays_in_range_and_spreads() {
        let mut rng = Rng::new(42);
        let range = Duration::from_millis(100)..=Duration::from_millis(200);
        let draws: Vec<_> = (0..2000).map(|_| rng.between(&range)).collect();
        assert!(draws.iter().all(|d| range.contains(d)));
        assert!(draws.contains(&Duration::from_millis(100)));
        assert!(draws.contains(&Duration::from_millis(200)));
        let distinct: std::collections::HashSet<_> = draws.iter().collect();
        assert!(distinct.len() > 90, "{}", distinct.len());
        let one = Duration::from_secs(1);
        assert_eq!(rng.between(&(one..=one)), one);
    }

    #[test]
    fn unit_is_in_zero_one() {
        let mut rng = Rng::new(seed());
        for _ in 0..1000 {
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn seeds_differ() {
        assert_ne!(seed(), seed());
    }
}
