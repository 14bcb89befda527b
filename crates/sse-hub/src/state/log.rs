//! A topic's log: the bounded ring of its latest events, which is at once the replay
//! history and the queue every subscriber reads from, plus the topic's idle waiters.
//!
//! Entries are numbered per topic with consecutive indexes, so a subscriber's cursor
//! finds its next entry in O(1). Each entry also carries its hub-wide sequence number
//! (`seq`, the order subscribers of several topics merge by) and its [`EventId`] (what
//! resuming clients name).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use sse_core::Encoded;

use super::waiters::{Waiters, WakeBatch};
use crate::config::Config;
use crate::observe::TopicMetrics;
use crate::{EventId, Topic};

/// One published event.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) seq: u64,
    id: EventId,
    pub(super) frame: Encoded,
    /// The topic's byte count after this entry (where the next one starts).
    pub(super) end: u64,
}

impl Entry {
    fn start(&self) -> u64 {
        self.end - self.frame.len() as u64
    }
}

/// A topic: its name, its log behind a lock, and mirrors of a few values kept under the
/// lock, readable without it.
#[derive(Debug)]
pub(super) struct TopicLog {
    pub(super) name: Topic,
    inner: Mutex<TopicInner>,
    pub(super) subscribers: AtomicUsize,
    pub(super) published: AtomicU64,
    pub(super) presence_version: AtomicU64,
    /// The index the next appended entry will get (a mirror of the log's tail).
    pub(super) tail: AtomicU64,
    /// How many subscribers wait (a mirror of the waiters' count, kept under the lock):
    /// when none does, waking costs no lock.
    pub(super) waiting: AtomicUsize,
    /// How many times waiters were taken out to be woken: a subscriber that registered
    /// at count `n` and sees `n` still knows its waker is in place.
    pub(super) wakes: AtomicU64,
}

/// What a topic's lock protects.
#[derive(Debug)]
pub(super) struct TopicInner {
    ring: VecDeque<Entry>,
    /// The index of `ring[0]`.
    head: u64,
    /// Bytes held by `ring`.
    bytes: usize,
    /// Bytes ever appended.
    total_bytes: u64,
    /// Events with an id up to this one may have been in this topic and are gone.
    floor: Option<EventId>,
    /// The hub-wide sequence number and id of the newest event ever appended.
    last: Option<(u64, EventId)>,
    pub(super) waiters: Waiters,
    pub(super) subscribers: usize,
    presence: Option<(u64, Encoded)>,
    pub(super) metrics: TopicMetrics,
}

impl TopicLog {
    pub(super) fn new(name: Topic, floor: Option<EventId>, metrics: TopicMetrics) -> Self {
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
                metrics,
            }),
            subscribers: AtomicUsize::new(0),
            published: AtomicU64::new(0),
            presence_version: AtomicU64::new(0),
            tail: AtomicU64::new(0),
            waiting: AtomicUsize::new(0),
            wakes: AtomicU64::new(0),
        }
    }

    /// The lock. A panic elsewhere while it was held (only a presence hook can panic
    /// there) leaves consistent data, so a poisoned lock is used as is.
    pub(super) fn lock(&self) -> MutexGuard<'_, TopicInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every waiting subscriber, a batch at a time, outside the lock.
    pub(super) fn wake_all(&self) {
        // SeqCst, like the count's stores and the waiter's later look at what wakes it
        // (`committed`, `closed`, presence): either this sees the waiter, or the waiter
        // sees the change.
        if self.waiting.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut from = 0;
        loop {
            let mut batch = WakeBatch::new();
            let done = {
                let mut inner = self.lock();
                let done = inner.waiters.take_batch(&mut from, &mut batch);
                if !batch.is_empty() {
                    self.wakes.fetch_add(1, Ordering::Release);
                    self.waiting
                        .store(inner.waiters.waiting(), Ordering::SeqCst);
                }
                done
            };
            batch.wake();
            if done {
                break;
            }
        }
    }

    /// Registers a subscriber's waker in its slot, under the lock.
    pub(super) fn register(&self, inner: &mut TopicInner, slot: usize, waker: &Waker) {
        inner.waiters.register(slot, waker);
        self.waiting
            .store(inner.waiters.waiting(), Ordering::SeqCst);
    }

    /// Frees a subscriber's slot, under the lock.
    pub(super) fn unregister(&self, inner: &mut TopicInner, slot: usize) {
        inner.waiters.remove(slot);
        self.waiting
            .store(inner.waiters.waiting(), Ordering::SeqCst);
    }

    /// Replaces the presence frame, under the lock.
    pub(super) fn set_presence(&self, inner: &mut TopicInner, frame: Encoded) {
        let next = inner.presence.as_ref().map_or(1, |(v, _)| v + 1);
        inner.presence = Some((next, frame));
        // SeqCst: see `wake_all`.
        self.presence_version.store(next, Ordering::SeqCst);
    }

    /// Counts a subscriber in or out, under the lock.
    pub(super) fn count(&self, inner: &mut TopicInner, joined: bool) {
        if joined {
            inner.subscribers += 1;
        } else {
            inner.subscribers -= 1;
        }
        self.subscribers.store(inner.subscribers, Ordering::Relaxed);
        inner.metrics.subscriber(joined);
    }
}

impl TopicInner {
    /// The index the next appended entry will get.
    pub(super) fn tail(&self) -> u64 {
        self.head + self.ring.len() as u64
    }

    /// The index of the oldest entry held.
    pub(super) const fn head(&self) -> u64 {
        self.head
    }

    /// Bytes ever appended: where the next entry starts.
    pub(super) const fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Events held.
    pub(super) fn len(&self) -> usize {
        self.ring.len()
    }

    /// Bytes held.
    pub(super) const fn bytes(&self) -> usize {
        self.bytes
    }

    /// The newest id that may have left this topic's history.
    pub(super) const fn floor(&self) -> Option<EventId> {
        self.floor
    }

    /// The hub-wide sequence number and id of the newest event ever appended.
    pub(super) const fn last(&self) -> Option<(u64, EventId)> {
        self.last
    }

    /// Appends an event and drops the oldest ones beyond the history's limits (always
    /// keeping the newest, even when it alone is over the byte limit). Returns the bytes
    /// dropped, and the last entry dropped, for the caller to free outside its locks.
    pub(super) fn append(
        &mut self,
        seq: u64,
        id: EventId,
        frame: Encoded,
        config: &Config,
    ) -> (usize, Option<Entry>) {
        self.bytes += frame.len();
        self.total_bytes += frame.len() as u64;
        self.ring.push_back(Entry {
            seq,
            id,
            frame,
            end: self.total_bytes,
        });
        self.last = Some((seq, id));
        let (mut dropped, mut last) = (0, None);
        while self.ring.len() > config.history
            || (self.bytes > config.history_bytes && self.ring.len() > 1)
        {
            let Some(entry) = self.drop_oldest() else {
                break;
            };
            dropped += entry.frame.len();
            last = Some(entry);
        }
        self.metrics.appended(self.ring.len(), self.bytes);
        (dropped, last)
    }

    /// Drops the oldest entry held (a client resuming from before it then gets a
    /// `reset`) and returns it, or `None` when nothing is held.
    pub(super) fn drop_oldest(&mut self) -> Option<Entry> {
        let old = self.ring.pop_front()?;
        self.bytes -= old.frame.len();
        self.head += 1;
        self.floor = Some(old.id);
        self.metrics.history(self.ring.len(), self.bytes);
        Some(old)
    }

    /// The hub-wide sequence number of the oldest entry held.
    pub(super) fn oldest_seq(&self) -> Option<u64> {
        self.ring.front().map(|entry| entry.seq)
    }

    /// A break in continuity: the entry `frame` (a `reset` with the id `id`) is
    /// appended, after dropping every entry held when `id` is not after the newest one,
    /// and nothing up to `id` counts as held any more.
    pub(super) fn discontinuity(&mut self, seq: u64, id: EventId, frame: Encoded, config: &Config) {
        if self.last.is_some_and(|(_, last)| id <= last) {
            self.head = self.tail();
            self.ring.clear();
            self.bytes = 0;
        }
        self.append(seq, id, frame, config);
        self.floor = Some(id);
    }

    /// The entry at index `index`, if it is still held.
    pub(super) fn get(&self, index: u64) -> Option<&Entry> {
        let offset = usize::try_from(index.checked_sub(self.head)?).ok()?;
        self.ring.get(offset)
    }

    /// The index of the first entry with an id after `after` (all of them when `None`).
    pub(super) fn first_after(&self, after: Option<&EventId>) -> u64 {
        let skip = after.map_or(0, |after| self.ring.partition_point(|e| e.id <= *after));
        self.head + skip as u64
    }

    /// The byte position where entry `index` starts (`index` between head and tail).
    pub(super) fn offset_of(&self, index: u64) -> u64 {
        self.get(index).map_or(self.total_bytes, Entry::start)
    }

    /// The presence frame and its version.
    pub(super) const fn presence(&self) -> Option<&(u64, Encoded)> {
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

    fn limits(events: usize, bytes: usize) -> Config {
        Config {
            history: events,
            history_bytes: bytes,
            ..Config::default()
        }
    }

    #[test]
    fn keeps_the_newest_within_the_count_limit() {
        let log = TopicLog::new(Topic::from_static("t"), None, TopicMetrics::default());
        let mut inner = log.lock();
        let limits = limits(3, usize::MAX);
        for n in 1..=5 {
            inner.append(n * 10, id(n), frame(n, 0), &limits);
        }
        assert_eq!((inner.head(), inner.tail(), inner.len()), (2, 5, 3));
        assert_eq!(inner.floor(), Some(id(2)));
        assert_eq!(inner.get(1).map(|e| e.seq), None);
        assert_eq!(inner.get(2).map(|e| e.seq), Some(30));
        assert_eq!(inner.first_after(Some(&id(3))), 3);
        assert_eq!(inner.first_after(Some(&id(9))), 5);
        assert_eq!(inner.first_after(None), 2);
    }

    #[test]
    fn keeps_the_newest_within_the_byte_limit_but_always_one() {
        let log = TopicLog::new(Topic::from_static("t"), None, TopicMetrics::default());
        let mut inner = log.lock();
        let one = frame(1, 90).len();
        let limits = limits(100, one * 2);
        for n in 1..=4 {
            inner.append(n, id(n), frame(n, 90), &limits);
        }
        assert_eq!(inner.len(), 2);
        assert_eq!(inner.bytes(), one * 2);
        inner.append(5, id(5), frame(5, 10_000), &limits);
        assert_eq!(inner.len(), 1, "a lone big event stays");
        assert_eq!(inner.get(4).map(|e| e.seq), Some(5));
        assert_eq!(inner.offset_of(4), one as u64 * 4);
        assert_eq!(inner.offset_of(5), inner.total_bytes());
    }
}
