//! A topic's log: the bounded ring of its latest events, which is at once the replay
//! history and the queue every subscriber reads from, plus the topic's idle waiters.
//!
//! Entries are numbered per topic with consecutive indexes (`tidx`), so a subscriber's
//! cursor finds its next entry in O(1). Each entry also carries its hub-wide sequence
//! number (`seq`, the order subscribers of several topics merge by) and its [`EventId`]
//! (what resuming clients name).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use sse_core::Encoded;

use crate::waiters::{Waiters, WakeBatch};
use crate::{EventId, Topic};

/// How much history a topic keeps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) events: usize,
    pub(crate) bytes: usize,
}

/// One published event.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) seq: u64,
    pub(crate) id: EventId,
    pub(crate) frame: Encoded,
    /// The topic's byte count after this entry (where the next one starts).
    pub(crate) end: u64,
}

impl Entry {
    fn start(&self) -> u64 {
        self.end - self.frame.len() as u64
    }
}

#[derive(Debug)]
pub(crate) struct TopicLog {
    pub(crate) name: Topic,
    inner: Mutex<TopicInner>,
    /// Mirrors of values kept under the lock, readable without it.
    pub(crate) subscribers: AtomicUsize,
    pub(crate) published: AtomicU64,
    pub(crate) presence_version: AtomicU64,
}

#[derive(Debug)]
pub(crate) struct TopicInner {
    ring: VecDeque<Entry>,
    /// The index of `ring[0]`.
    head: u64,
    /// Bytes held by `ring`.
    bytes: usize,
    /// Bytes ever appended.
    total_bytes: u64,
    /// Events with an id up to this one may have been in this topic and are gone.
    pub(crate) floor: Option<EventId>,
    /// The newest event ever appended.
    pub(crate) last: Option<(u64, EventId)>,
    pub(crate) waiters: Waiters,
    pub(crate) subscribers: usize,
    presence: Option<(u64, Encoded)>,
}

impl TopicLog {
    pub(crate) fn new(name: Topic, floor: Option<EventId>) -> Self {
        Self {
            name,
            inner: Mutex::new(TopicInner {
                ring: VecDeque::new(),
                head: 0,
                bytes: 0,
                total_bytes: 0,
                floor,
                last: None,
                waiters: Waiters::default(),
                subscribers: 0,
                presence: None,
            }),
            subscribers: AtomicUsize::new(0),
            published: AtomicU64::new(0),
            presence_version: AtomicU64::new(0),
        }
    }

    /// The lock. A panic elsewhere while it was held (only a presence hook can panic
    /// there) leaves consistent data, so a poisoned lock is used as is.
    pub(crate) fn lock(&self) -> MutexGuard<'_, TopicInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every waiting subscriber, a batch at a time, outside the lock.
    pub(crate) fn wake_all(&self) {
        let mut from = 0;
        loop {
            let mut batch = WakeBatch::new();
            let done = self.lock().waiters.take_batch(&mut from, &mut batch);
            batch.wake();
            if done {
                break;
            }
        }
    }
}

impl TopicInner {
    /// The index the next appended entry will get.
    pub(crate) fn tail(&self) -> u64 {
        self.head + self.ring.len() as u64
    }

    pub(crate) const fn head(&self) -> u64 {
        self.head
    }

    pub(crate) const fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    pub(crate) fn len(&self) -> usize {
        self.ring.len()
    }

    pub(crate) const fn bytes(&self) -> usize {
        self.bytes
    }

    /// Appends an event and drops the oldest ones beyond the limits (always keeping the
    /// newest, even when it alone is over the byte limit).
    pub(crate) fn append(&mut self, seq: u64, id: EventId, frame: Encoded, limits: Limits) {
        self.bytes += frame.len();
        self.total_bytes += frame.len() as u64;
        self.ring.push_back(Entry {
            seq,
            id,
            frame,
            end: self.total_bytes,
        });
        self.last = Some((seq, id));
        while self.ring.len() > limits.events || (self.bytes > limits.bytes && self.ring.len() > 1)
        {
            let Some(old) = self.ring.pop_front() else {
                break;
            };
            self.bytes -= old.frame.len();
            self.head += 1;
            self.floor = Some(old.id);
        }
    }

    /// The entry at index `tidx`, if it is still held.
    pub(crate) fn get(&self, tidx: u64) -> Option<&Entry> {
        let offset = usize::try_from(tidx.checked_sub(self.head)?).ok()?;
        self.ring.get(offset)
    }

    /// The index of the first entry with an id after `after` (all of them when `None`).
    pub(crate) fn first_after(&self, after: Option<&EventId>) -> u64 {
        let skip = after.map_or(0, |after| self.ring.partition_point(|e| e.id <= *after));
        self.head + skip as u64
    }

    /// The byte position where entry `tidx` starts (`tidx` between head and tail).
    pub(crate) fn offset_of(&self, tidx: u64) -> u64 {
        self.get(tidx).map_or(self.total_bytes, Entry::start)
    }

    /// Replaces the presence frame; returns its version.
    pub(crate) fn set_presence(&mut self, frame: Encoded, version: &AtomicU64) {
        let next = self.presence.as_ref().map_or(1, |(v, _)| v + 1);
        self.presence = Some((next, frame));
        version.store(next, Ordering::Release);
    }

    /// The presence frame and its version.
    pub(crate) fn presence(&self) -> Option<&(u64, Encoded)> {
        self.presence.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use sse_core::Event;

    use super::*;

    fn id(n: u64) -> EventId {
        EventId::new([0, n], &n.to_string()).unwrap()
    }

    fn frame(n: u64, pad: usize) -> Encoded {
        Event::new()
            .data(format!("{n}{}", "x".repeat(pad)))
            .encode()
    }

    #[test]
    fn keeps_the_newest_within_the_count_limit() {
        let log = TopicLog::new(Topic::from_static("t"), None);
        let mut inner = log.lock();
        let limits = Limits {
            events: 3,
            bytes: usize::MAX,
        };
        for n in 1..=5 {
            inner.append(n * 10, id(n), frame(n, 0), limits);
        }
        assert_eq!((inner.head(), inner.tail(), inner.len()), (2, 5, 3));
        assert_eq!(inner.floor, Some(id(2)));
        assert_eq!(inner.get(1).map(|e| e.seq), None);
        assert_eq!(inner.get(2).map(|e| e.seq), Some(30));
        assert_eq!(inner.first_after(Some(&id(3))), 3);
        assert_eq!(inner.first_after(Some(&id(9))), 5);
        assert_eq!(inner.first_after(None), 2);
    }

    #[test]
    fn keeps_the_newest_within_the_byte_limit_but_always_one() {
        let log = TopicLog::new(Topic::from_static("t"), None);
        let mut inner = log.lock();
        let one = frame(1, 90).len();
        let limits = Limits {
            events: 100,
            bytes: one * 2,
        };
        for n in 1..=4 {
            inner.append(n, id(n), frame(n, 90), limits);
        }
        assert_eq!(inner.len(), 2);
        assert_eq!(inner.bytes(), one * 2);
        inner.append(5, id(5), frame(5, 10_000), limits);
        assert_eq!(inner.len(), 1, "a lone big event stays");
        assert_eq!(inner.get(4).map(|e| e.seq), Some(5));
        assert_eq!(inner.offset_of(4), one as u64 * 4);
        assert_eq!(inner.offset_of(5), inner.total_bytes());
    }
}
