//! [`State`]: what every handle, subscription and inbox of one hub shares: the
//! settings, the topics, the order of appends, the counters and the shutdown flag.
//!
//! Locks: the hub's lock (the topics and the order of appends) is taken before any
//! topic's lock; several topics' locks are taken together only under the hub's lock, in
//! name order.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sse_core::{Encoded, Event};

mod cursor;
mod log;
mod waiters;

pub(crate) use cursor::{Cursor, Read, read_merged, read_one};

use crate::config::Config;
use crate::jitter::Rng;
use crate::observe::HubMetrics;
use crate::presence::PresenceKind;
use crate::resume::{self, Asked, Held, Plan};
use crate::stats::{Counters, TopicStats};
use crate::{EventId, PublishError, Start, SubscribeError, Topic};
use log::{Entry, TopicInner, TopicLog};

/// The shared state of one hub.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    topics: Mutex<Topics>,
    /// The sequence number of the newest append, written after the append: every entry
    /// with a number up to it is in its topic's log. Subscribers of several topics
    /// merge only up to it.
    committed: AtomicU64,
    closed: AtomicBool,
    pub(crate) counters: Counters,
    pub(crate) metrics: HubMetrics,
    next_subscriber: AtomicU64,
    seed: u64,
}

/// What the hub's lock protects: the topics, the order of appends, and the bytes of
/// history held hub-wide.
#[derive(Debug, Default)]
struct Topics {
    logs: HashMap<Topic, Arc<TopicLog>>,
    /// Every topic that holds history, by the sequence number of its oldest entry: the
    /// first one holds the oldest event hub-wide. Kept only while `tracking`.
    by_oldest: BTreeMap<u64, Arc<TopicLog>>,
    /// Whether the history is near enough the memory budget (over half of it, until it
    /// falls under a quarter) for `by_oldest` to be kept: far from it, appends skip that
    /// work.
    tracking: bool,
    /// Bytes of history held by all topics.
    held: usize,
    /// The hub-wide sequence number of the newest append.
    seq: u64,
    /// The id of the newest append.
    last_id: Option<EventId>,
    /// The newest id of any topic forgotten to make room for another.
    forgotten: Option<EventId>,
}

/// A new subscription's cursors and how it starts.
#[derive(Debug)]
pub(crate) struct Joined {
    pub(crate) cursors: Box<[Cursor]>,
    pub(crate) start: Start,
    /// The `reset` or position frame it starts with, if any.
    pub(crate) first: Option<Encoded>,
    /// When the plan is a `reset expired` that the backplane's store may avoid: the ids
    /// between which to read (see [`resume::fetchable`]). Such a reset is not counted
    /// yet: the subscription counts it if it stands.
    pub(crate) fetch: Option<(EventId, EventId)>,
}

impl State {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            metrics: HubMetrics::new(config.metrics_topics, config.metrics),
            config,
            topics: Mutex::default(),
            committed: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            counters: Counters::default(),
            next_subscriber: AtomicU64::new(0),
            seed: crate::jitter::seed(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Topics> {
        self.topics.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The sequence number of the newest append every topic's log already holds.
    fn committed(&self) -> u64 {
        self.committed.load(Ordering::Acquire)
    }

    /// `committed`, read after registering wakers: ordered with the append's store and
    /// its waking (see `TopicLog::wake_all`), so one of the two sees the other.
    fn committed_after_registering(&self) -> u64 {
        self.committed.load(Ordering::SeqCst)
    }

    pub(crate) fn last_id(&self) -> Option<EventId> {
        self.lock().last_id
    }

    /// A new subscriber's number and its own random generator (for jitter).
    pub(crate) fn next_subscriber(&self) -> (u64, Rng) {
        let number = self.next_subscriber.fetch_add(1, Ordering::Relaxed);
        let rng = Rng::new(self.seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        (number, rng)
    }

    /// Appends an event that `next_id` (called under the hub's lock, once the topic is
    /// known to accept it) gives its id: the backplanes' way in.
    ///
    /// The event is encoded before the lock is taken (so concurrent publishers encode in
    /// parallel); under it, only its `id:` line is added.
    pub(crate) fn append(
        &self,
        topic: &Topic,
        event: &Event,
        counted: bool,
        next_id: impl FnOnce() -> EventId,
    ) -> Result<EventId, PublishError> {
        let body = event.encode();
        let budget = self.config.memory_budget;
        let too_large = |size| PublishError::TooLarge { size, budget };
        if body.len() > budget {
            return Err(too_large(body.len()));
        }
        let (log, id, dropped) = {
            let mut topics = self.lock();
            if self.is_closed() {
                return Err(PublishError::Closed);
            }
            let limit = self.config.max_topics;
            let log = topics
                .topic(topic, &[], limit, &self.metrics)
                .ok_or(PublishError::TooManyTopics { limit })?;
            let id = next_id();
            if let Some(last) = topics.last_id
                && id <= last
            {
                return Err(PublishError::OutOfOrder {
                    last: last.to_string(),
                    given: id.to_string(),
                });
            }
            let frame = id.stamp(&body);
            if frame.len() > budget {
                // Only an event within an id's length of the budget gets here.
                return Err(too_large(frame.len()));
            }
            topics.seq += 1;
            let seq = topics.seq;
            let dropped = topics.append(&log, seq, id, frame, &self.config);
            topics.last_id = Some(id);
            // SeqCst: see `TopicLog::wake_all`.
            self.committed.store(seq, Ordering::SeqCst);
            (log, id, dropped)
        };
        drop(dropped); // freed outside the lock
        if counted {
            log.published.fetch_add(1, Ordering::Relaxed);
            self.counters.published.fetch_add(1, Ordering::Relaxed);
        }
        log.wake_all();
        Ok(id)
    }

    /// A break in the backplane's continuity at `at` (see [`Inbox::discontinuity`]):
    /// a `reset` entry with the id `at` in every topic, whose floor becomes `at` (and
    /// of topics made later), the history dropped when `at` is not after the newest id.
    ///
    /// [`Inbox::discontinuity`]: crate::Inbox::discontinuity
    pub(crate) fn discontinuity(&self, at: EventId) -> Result<(), PublishError> {
        let logs: Vec<_> = {
            let mut topics = self.lock();
            if self.is_closed() {
                return Err(PublishError::Closed);
            }
            let frame = crate::frames::reset(crate::ResetReason::Expired, Some(at));
            let logs: Vec<_> = topics.logs.values().cloned().collect();
            for log in &logs {
                topics.seq += 1;
                let mut inner = log.lock();
                inner.discontinuity(topics.seq, at, frame.clone(), &self.config);
            }
            topics.forgotten = Some(at);
            topics.last_id = Some(at);
            self.committed.store(topics.seq, Ordering::Release);
            logs
        };
        for log in logs {
            log.wake_all();
        }
        Ok(())
    }

    /// Joins `names` (sorted, without duplicates) where `asked` and the history say.
    /// `None` once the hub is shut down.
    pub(crate) fn join(
        &self,
        names: &[Topic],
        asked: Asked,
        origin: Option<EventId>,
    ) -> Result<Option<Joined>, SubscribeError> {
        let mut changed = Vec::new();
        let (cursors, plan, replay) = {
            let mut topics = self.lock();
            if self.is_closed() {
                // Shut down meanwhile: the shutdown may have woken the topics already.
                return Ok(None);
            }
            let max_topics = self.config.max_topics;
            let logs = names
                .iter()
                .map(|name| topics.topic(name, names, max_topics, &self.metrics))
                .collect::<Option<Vec<_>>>()
                .ok_or(SubscribeError::TooManyTopics { limit: max_topics })?;
            let mut inners: Vec<_> = logs.iter().map(|log| log.lock()).collect();
            let held = Held {
                newest: topics.last_id.or(origin),
                origin,
                floor: inners.iter().filter_map(|inner| inner.floor()).max(),
            };
            let plan = resume::plan(asked, held, self.config.replay_on_reset);
            let mut replay = 0;
            let mut cursors = Vec::with_capacity(logs.len());
            for (log, inner) in logs.iter().zip(inners.iter_mut()) {
                if self.presence(log, inner, PresenceKind::Joined) {
                    changed.push(log.clone());
                }
                let cursor = Cursor::join(log.clone(), inner, plan.start_at());
                replay += cursor.replay();
                cursors.push(cursor);
            }
            (cursors, plan, replay)
        };
        let fetch = resume::fetchable(asked, plan);
        let (start, first) = match plan {
            Plan::Live { position } => (
                Start::Live,
                position
                    .filter(|_| self.config.announce_position)
                    .map(crate::frames::position),
            ),
            Plan::Resume { .. } => (Start::Resumed { replay }, None),
            Plan::Reset { reason, id, .. } => (
                Start::Reset { reason, replay },
                Some(crate::frames::reset(reason, id)),
            ),
        };
        self.counters.subscribers.fetch_add(1, Ordering::Relaxed);
        self.metrics.opened();
        if fetch.is_none() {
            // With a read from the backplane's store pending, the subscription knows how it
            // started only once the read settles (or the backplane declines it).
            if matches!(start, Start::Reset { .. }) {
                self.count_reset();
            }
            self.metrics.started(&start);
        }
        for log in changed {
            log.wake_all();
        }
        Ok(Some(Joined {
            cursors: cursors.into_boxed_slice(),
            start,
            first,
            fetch,
        }))
    }

    /// Counts a subscription that started with `reset`.
    pub(crate) fn count_reset(&self) {
        self.counters.resets.fetch_add(1, Ordering::Relaxed);
    }

    /// Ends a subscription's presence in its topics.
    pub(crate) fn leave(&self, cursors: &[Cursor]) {
        for cursor in cursors {
            let log = cursor.log();
            let changed = {
                let mut inner = log.lock();
                cursor.leave(&mut inner);
                self.presence(log, &mut inner, PresenceKind::Left)
            };
            if changed {
                log.wake_all();
            }
        }
        self.counters.subscribers.fetch_sub(1, Ordering::Relaxed);
        self.metrics.left();
        self.metrics.update(&self.counters);
    }

    /// Runs the presence hook for a change about to happen (a join) or just made (a
    /// leave), under the topic's lock. True when the topic's presence frame changed:
    /// its subscribers are then to be woken, outside the lock.
    fn presence(&self, log: &TopicLog, inner: &mut TopicInner, kind: PresenceKind) -> bool {
        let Some(hook) = &self.config.presence else {
            return false;
        };
        let subscribers = match kind {
            PresenceKind::Joined => inner.subscribers + 1,
            PresenceKind::Left | PresenceKind::Refreshed => inner.subscribers,
        };
        match hook.frame(&log.name, subscribers, kind) {
            Some(frame) => {
                log.set_presence(inner, frame);
                true
            }
            None => false,
        }
    }

    /// Runs the presence hook again for `topic`, if it exists; wakes its subscribers
    /// when the hook made a new frame.
    pub(crate) fn refresh_presence(&self, topic: &Topic) {
        let Some(log) = self.lock().logs.get(topic).cloned() else {
            return;
        };
        let changed = {
            let mut inner = log.lock();
            self.presence(&log, &mut inner, PresenceKind::Refreshed)
        };
        if changed {
            log.wake_all();
        }
    }

    pub(crate) fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let logs: Vec<_> = self.lock().logs.values().cloned().collect();
        for log in logs {
            log.wake_all();
        }
    }

    /// Whether the hub was shut down, read after a subscriber registered its wakers
    /// (ordered with the shutdown's store, so one of the two sees the other).
    pub(crate) fn closed_after_registering(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// The number of open subscriptions to `topic`.
    pub(crate) fn subscribers(&self, topic: &Topic) -> usize {
        self.lock()
            .logs
            .get(topic)
            .map_or(0, |log| log.subscribers.load(Ordering::Relaxed))
    }

    /// A line per topic, sorted by name.
    pub(crate) fn topic_stats(&self) -> Vec<TopicStats> {
        let mut lines: Vec<_> = self
            .lock()
            .logs
            .values()
            .map(|log| {
                let inner = log.lock();
                TopicStats {
                    topic: log.name.clone(),
                    subscribers: inner.subscribers,
                    published: log.published.load(Ordering::Relaxed),
                    history: inner.len(),
                    history_bytes: inner.bytes(),
                }
            })
            .collect();
        lines.sort_unstable_by(|a, b| a.topic.cmp(&b.topic));
        lines
    }
}

impl Topics {
    /// Appends to `log`, then drops the oldest events hub-wide while the history is
    /// over the memory budget (never the event just appended, which fits on its own).
    fn append(
        &mut self,
        log: &Arc<TopicLog>,
        seq: u64,
        id: EventId,
        frame: Encoded,
        config: &Config,
    ) -> Option<Entry> {
        let size = frame.len();
        let mut inner = log.lock();
        let before = inner.oldest_seq();
        let (dropped, entry) = inner.append(seq, id, frame, config);
        log.tail.store(inner.tail(), Ordering::Release);
        let after = inner.oldest_seq();
        drop(inner);
        self.held = self.held + size - dropped;
        self.reindex(log, before, after);
        self.track(config.memory_budget);
        while self.held > config.memory_budget {
            let Some((&oldest, victim)) = self.by_oldest.first_key_value() else {
                break;
            };
            let victim = victim.clone();
            let mut inner = victim.lock();
            self.held -= inner.drop_oldest().map_or(0, |entry| entry.frame.len());
            self.reindex(&victim, Some(oldest), inner.oldest_seq());
        }
        entry
    }

    /// Starts keeping the index of topics by oldest entry when the history holds over
    /// half the budget (building it from every topic), stops under a quarter.
    fn track(&mut self, budget: usize) {
        if !self.tracking && self.held > budget / 2 {
            self.tracking = true;
            for log in self.logs.values() {
                if let Some(seq) = log.lock().oldest_seq() {
                    self.by_oldest.insert(seq, log.clone());
                }
            }
        } else if self.tracking && self.held < budget / 4 {
            self.tracking = false;
            self.by_oldest.clear();
        }
    }

    /// Moves `log` in the index when the sequence number of its oldest entry changed.
    fn reindex(&mut self, log: &Arc<TopicLog>, before: Option<u64>, after: Option<u64>) {
        if !self.tracking || before == after {
            return;
        }
        if let Some(before) = before {
            self.by_oldest.remove(&before);
        }
        if let Some(after) = after {
            self.by_oldest.insert(after, log.clone());
        }
    }

    /// The topic's log, created if needed (forgetting an idle topic not in `keep` when
    /// the hub is full). `None` when the hub is full of topics with subscribers.
    fn topic(
        &mut self,
        name: &Topic,
        keep: &[Topic],
        max: usize,
        metrics: &HubMetrics,
    ) -> Option<Arc<TopicLog>> {
        if let Some(log) = self.logs.get(name) {
            return Some(log.clone());
        }
        if self.logs.len() >= max && !self.forget_one(keep) {
            return None;
        }
        // A topic made again after being forgotten must not look complete: its floor
        // is the newest forgotten id.
        let log = Arc::new(TopicLog::new(
            name.clone(),
            self.forgotten,
            metrics.topic(name),
        ));
        self.logs.insert(name.clone(), log.clone());
        Some(log)
    }

    /// Forgets the idle topic published to least recently. False when none is idle.
    fn forget_one(&mut self, keep: &[Topic]) -> bool {
        let victim = self
            .logs
            .values()
            .filter(|log| log.subscribers.load(Ordering::Relaxed) == 0 && !keep.contains(&log.name))
            .map(|log| (log.lock().last(), log))
            .min_by_key(|(last, _)| last.map(|(seq, _)| seq))
            .map(|(last, log)| (last, log.name.clone()));
        let Some((last, name)) = victim else {
            return false;
        };
        if let Some(log) = self.logs.remove(&name) {
            let inner = log.lock();
            self.held -= inner.bytes();
            self.reindex(&log, inner.oldest_seq(), None);
        }
        if let Some((_, id)) = last {
            self.forgotten = self.forgotten.max(Some(id));
        }
        true
    }
}
