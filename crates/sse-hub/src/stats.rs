//! Counters and the [`Stats`] snapshot.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::Topic;

/// A snapshot of the hub's counters, from [`Hub::stats`](crate::Hub::stats).
///
/// Counters count since the hub was built. "Events" are published events; the frames
/// the hub makes itself (presence, `reset`, retry hints) are not counted in `delivered`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Events published with [`Hub::publish`](crate::Hub::publish) (not those sent with
    /// [`Hub::publish_uncounted`](crate::Hub::publish_uncounted)).
    pub published: u64,
    /// Events handed to subscribers, live and replayed (one per subscriber per event).
    pub delivered: u64,
    /// Of `delivered`, the events that were published before the subscriber subscribed
    /// (resume and reset replay).
    pub replayed: u64,
    /// Streams ended because their subscriber fell too far behind.
    pub lag_disconnects: u64,
    /// Streams that began with a `reset` event.
    pub resets: u64,
    /// Streams ended because they reached their maximum lifetime.
    pub expired: u64,
    /// Subscriptions open now.
    pub subscribers: usize,
    /// Every topic the hub holds, sorted by name.
    pub topics: Vec<TopicStats>,
}

/// One topic's line in [`Stats`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicStats {
    /// The topic.
    pub topic: Topic,
    /// Subscriptions to it open now.
    pub subscribers: usize,
    /// Events published to it with [`Hub::publish`](crate::Hub::publish).
    pub published: u64,
    /// Events its history holds now.
    pub history: usize,
    /// Bytes its history holds now.
    pub history_bytes: usize,
}

const SHARDS: usize = 8;

/// A counter bumped by many subscribers on many threads: spread over cache lines.
#[derive(Debug, Default)]
pub(crate) struct Sharded([Padded; SHARDS]);

#[derive(Debug, Default)]
#[repr(align(64))]
struct Padded(AtomicU64);

impl Sharded {
    pub(crate) fn add(&self, shard: u64, n: u64) {
        // SHARDS is a power of two: the low bits pick the shard.
        #[allow(clippy::cast_possible_truncation)]
        let index = (shard as usize) & (SHARDS - 1);
        self.0[index].0.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn sum(&self) -> u64 {
        self.0.iter().map(|p| p.0.load(Ordering::Relaxed)).sum()
    }
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) published: AtomicU64,
    pub(crate) delivered: Sharded,
    pub(crate) replayed: Sharded,
    pub(crate) lag_disconnects: AtomicU64,
    pub(crate) resets: AtomicU64,
    pub(crate) expired: AtomicU64,
    pub(crate) subscribers: AtomicUsize,
}
