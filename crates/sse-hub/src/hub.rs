//! [`Hub`]: the handle, and the state every handle, subscription and inbox shares.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sse_core::{Encoded, Event};

use crate::config::Config;
use crate::jitter::Rng;
use crate::log::TopicLog;
use crate::presence::{PresenceChange, PresenceKind};
use crate::stats::{Counters, TopicStats};
use crate::subscription::{Cursor, Start};
use crate::{
    Backplane, ConfigError, Envelope, EventId, HubBuilder, Inbox, PublishError, Publishing,
    ResetReason, Stats, SubscribeError, Subscription, Topic,
};

/// A fan-out hub: publish events to topics, subscribe to topics as streams of encoded
/// events. Cheap to clone (all clones are the same hub); `Send` and `Sync`.
///
/// See the [crate documentation](crate) for the model (log, cursors, ids, resume, lag,
/// presence, shutdown).
#[derive(Clone)]
pub struct Hub {
    shared: Arc<Shared>,
}

/// What the hub's log lock protects: the topics and the order of appends.
#[derive(Debug, Default)]
struct LogState {
    topics: HashMap<Topic, Arc<TopicLog>>,
    /// The hub-wide sequence number of the newest append.
    seq: u64,
    /// The id of the newest append.
    last_id: Option<EventId>,
    /// The newest id of any topic forgotten to make room for another.
    forgotten: Option<EventId>,
}

pub(crate) struct Shared {
    pub(crate) config: Config,
    backplane: Arc<dyn Backplane>,
    log: Mutex<LogState>,
    /// The sequence number of the newest append, written after the append: every entry
    /// with a number up to it is in its topic's log. Subscribers of several topics
    /// merge only up to it.
    pub(crate) committed: AtomicU64,
    pub(crate) closed: AtomicBool,
    pub(crate) counters: Counters,
    next_subscriber: AtomicU64,
    seed: u64,
}

impl Shared {
    pub(crate) fn start(
        config: Config,
        backplane: &Arc<dyn Backplane>,
    ) -> Result<Arc<Self>, ConfigError> {
        let shared = Self::new(config, backplane.clone());
        backplane
            .attach(Inbox {
                shared: Arc::downgrade(&shared),
            })
            .map_err(ConfigError::Backplane)?;
        Ok(shared)
    }

    fn new(config: Config, backplane: Arc<dyn Backplane>) -> Arc<Self> {
        Arc::new(Self {
            config,
            backplane,
            log: Mutex::new(LogState::default()),
            committed: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            counters: Counters::default(),
            next_subscriber: AtomicU64::new(0),
            seed: crate::jitter::seed(),
        })
    }

    /// The default settings with a new memory backplane, which attaches to its first hub.
    fn start_default() -> Arc<Self> {
        let backplane = Arc::new(crate::MemoryBackplane::new());
        let shared = Self::new(Config::default(), backplane.clone());
        let _first_attach_succeeds = backplane.attach(Inbox {
            shared: Arc::downgrade(&shared),
        });
        shared
    }

    fn lock(&self) -> MutexGuard<'_, LogState> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn last_id(&self) -> Option<EventId> {
        self.lock().last_id
    }

    /// Appends a sequenced event: the backplanes' way in (see [`Inbox`]).
    pub(crate) fn append(
        &self,
        envelope: Envelope,
        next_id: impl FnOnce() -> EventId,
    ) -> Result<EventId, PublishError> {
        let (topic, event, counted) = envelope.into_parts();
        let (log, id) = {
            let mut state = self.lock();
            if self.closed.load(Ordering::Acquire) {
                return Err(PublishError::Closed);
            }
            let limit = self.config.max_topics;
            let log = state
                .topic(&topic, &[], limit)
                .ok_or(PublishError::TooManyTopics { limit })?;
            let id = next_id();
            if let Some(last) = state.last_id
                && id <= last
            {
                return Err(PublishError::OutOfOrder {
                    last: last.to_string(),
                    given: id.to_string(),
                });
            }
            let frame = event
                .id(id.as_str().to_owned())
                .map_err(|err| PublishError::Backplane(crate::BackplaneError::new(err)))?
                .encode();
            state.seq += 1;
            let seq = state.seq;
            log.lock().append(seq, id, frame, self.config.limits);
            if counted {
                log.published.fetch_add(1, Ordering::Relaxed);
                self.counters.published.fetch_add(1, Ordering::Relaxed);
            }
            state.last_id = Some(id);
            self.committed.store(seq, Ordering::Release);
            (log, id)
        };
        log.wake_all();
        Ok(id)
    }

    pub(crate) fn subscribe(
        self: &Arc<Self>,
        mut names: Vec<Topic>,
        last_event_id: Option<&str>,
    ) -> Result<Subscription, SubscribeError> {
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            return Err(SubscribeError::NoTopics);
        }
        let limit = self.config.max_per_subscription;
        if names.len() > limit {
            return Err(SubscribeError::TooManyForOne {
                given: names.len(),
                limit,
            });
        }
        let number = self.next_subscriber.fetch_add(1, Ordering::Relaxed);
        if self.closed.load(Ordering::Acquire) {
            return Ok(Subscription::closed(self.clone(), number));
        }
        let wanted = last_event_id.map(|text| self.backplane.parse_id(text));
        let origin = self.backplane.origin();
        let mut rng = Rng::new(self.seed ^ number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let deadline = self
            .config
            .max_lifetime
            .map(|lifetime| tokio::time::Instant::now() + lifetime.mul_f64(0.5 + rng.unit()));

        let mut changed = Vec::new();
        let (cursors, start, first) = {
            let mut state = self.lock();
            if self.closed.load(Ordering::Acquire) {
                // Shut down meanwhile: the shutdown may have woken the topics already.
                return Ok(Subscription::closed(self.clone(), number));
            }
            let max_topics = self.config.max_topics;
            let logs = names
                .iter()
                .map(|name| state.topic(name, &names, max_topics))
                .collect::<Option<Vec<_>>>()
                .ok_or(SubscribeError::TooManyTopics { limit: max_topics })?;
            // Locked together, in name order, only here and only under the log lock.
            let mut inners: Vec<_> = logs.iter().map(|log| log.lock()).collect();

            let resume_at = match wanted {
                None => None,
                Some(None) => Some(Err(ResetReason::Unknown)),
                Some(Some(id)) if state.last_id.or(origin).is_none_or(|last| id > last) => {
                    Some(Err(ResetReason::Unknown))
                }
                Some(Some(id)) if inners.iter().all(|i| i.floor.is_none_or(|f| f <= id)) => {
                    Some(Ok(id))
                }
                Some(Some(_)) => Some(Err(ResetReason::Expired)),
            };
            // Where each cursor starts, and the reset frame's id.
            let (from, reset_id): (Option<Option<EventId>>, Option<EventId>) = match resume_at {
                None => (None, None),
                Some(Ok(id)) => (Some(Some(id)), None),
                Some(Err(_)) if self.config.replay_on_reset => {
                    // Replay from the newest floor: every subscribed topic is complete after it.
                    let floor = inners.iter().filter_map(|i| i.floor).max();
                    (Some(floor), floor.or(origin))
                }
                Some(Err(_)) => (None, state.last_id.or(origin)),
            };
            let mut cursors = Vec::with_capacity(logs.len());
            let mut replay = 0;
            for (log, inner) in logs.iter().zip(inners.iter_mut()) {
                let tail = inner.tail();
                let next = from.map_or(tail, |after| inner.first_after(after.as_ref()));
                replay += usize::try_from(tail - next).unwrap_or(usize::MAX);
                let slot = inner.waiters.insert();
                inner.subscribers += 1;
                log.subscribers.store(inner.subscribers, Ordering::Relaxed);
                if let Some(hook) = &self.config.presence {
                    let change = PresenceChange {
                        topic: &log.name,
                        subscribers: inner.subscribers,
                        kind: PresenceKind::Joined,
                    };
                    if let Some(event) = hook(&change) {
                        inner.set_presence(event.encode(), &log.presence_version);
                        changed.push(log.clone());
                    }
                }
                cursors.push(Cursor::new(
                    log.clone(),
                    slot,
                    next,
                    inner.offset_of(next),
                    tail,
                    inner.total_bytes(),
                ));
            }
            let (start, first) = match resume_at {
                None => {
                    let position = state.last_id.or(origin);
                    let frame = position
                        .filter(|_| self.config.announce_position)
                        .map(position_frame);
                    (Start::Live, frame)
                }
                Some(Ok(_)) => (Start::Resumed { replay }, None),
                Some(Err(reason)) => (
                    Start::Reset { reason, replay },
                    Some(reset_frame(reason, reset_id)),
                ),
            };
            (cursors, start, first)
        };
        self.counters.subscribers.fetch_add(1, Ordering::Relaxed);
        if matches!(start, Start::Reset { .. }) {
            self.counters.resets.fetch_add(1, Ordering::Relaxed);
        }
        for log in changed {
            log.wake_all();
        }
        Ok(Subscription::new(
            self.clone(),
            cursors.into_boxed_slice(),
            start,
            first,
            deadline,
            rng,
            number,
        ))
    }

    /// Ends a subscription's presence in its topics.
    pub(crate) fn leave(&self, cursors: &[Cursor]) {
        for cursor in cursors {
            let log = cursor.log();
            let changed = {
                let mut inner = log.lock();
                inner.waiters.remove(cursor.slot());
                inner.subscribers -= 1;
                log.subscribers.store(inner.subscribers, Ordering::Relaxed);
                let hook = self.config.presence.as_ref();
                let change = PresenceChange {
                    topic: &log.name,
                    subscribers: inner.subscribers,
                    kind: PresenceKind::Left,
                };
                match hook.and_then(|hook| hook(&change)) {
                    Some(event) => {
                        inner.set_presence(event.encode(), &log.presence_version);
                        true
                    }
                    None => false,
                }
            };
            if changed {
                log.wake_all();
            }
        }
        self.counters.subscribers.fetch_sub(1, Ordering::Relaxed);
    }

    fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let logs: Vec<_> = self.lock().topics.values().cloned().collect();
        for log in logs {
            log.wake_all();
        }
    }
}

/// The frame that tells a live subscriber where it starts: `id: <position>` alone, which
/// sets the client's last event id and dispatches nothing.
fn position_frame(id: EventId) -> Encoded {
    let event = Event::new();
    // An id of visible ASCII is never refused.
    event
        .clone()
        .id(id.as_str().to_owned())
        .unwrap_or(event)
        .encode()
}

/// The `reset` event: `event: reset`, `id:` the position the stream continues from (when
/// there is one), `data:` the reason.
fn reset_frame(reason: ResetReason, id: Option<EventId>) -> Encoded {
    // Neither field can be refused: a constant name, and an id of visible ASCII.
    let mut event = Event::new().data(reason.as_str());
    if let Ok(named) = event.clone().event("reset") {
        event = named;
    }
    if let Some(id) = id
        && let Ok(with_id) = event.clone().id(id.as_str().to_owned())
    {
        event = with_id;
    }
    event.encode()
}

impl LogState {
    /// The topic's log, created if needed (forgetting an idle topic not in `keep` when
    /// the hub is full). `None` when the hub is full of topics with subscribers.
    fn topic(&mut self, name: &Topic, keep: &[Topic], max: usize) -> Option<Arc<TopicLog>> {
        if let Some(log) = self.topics.get(name.as_str()) {
            return Some(log.clone());
        }
        if self.topics.len() >= max && !self.forget_one(keep) {
            return None;
        }
        // A topic made again after being forgotten must not look complete: its floor
        // is the newest forgotten id.
        let log = Arc::new(TopicLog::new(name.clone(), self.forgotten));
        self.topics.insert(name.clone(), log.clone());
        Some(log)
    }

    /// Forgets the idle topic published to least recently. False when none is idle.
    fn forget_one(&mut self, keep: &[Topic]) -> bool {
        let victim = self
            .topics
            .values()
            .filter(|log| log.subscribers.load(Ordering::Relaxed) == 0 && !keep.contains(&log.name))
            .map(|log| (log.lock().last, log))
            .min_by_key(|(last, _)| last.map(|(seq, _)| seq))
            .map(|(last, log)| (last, log.name.clone()));
        let Some((last, name)) = victim else {
            return false;
        };
        self.topics.remove(name.as_str());
        if let Some((_, id)) = last {
            self.forgotten = self.forgotten.max(Some(id));
        }
        true
    }
}

impl Hub {
    /// A hub with the default settings and the in-process backplane.
    #[must_use]
    pub fn new() -> Self {
        Self::from_shared(Shared::start_default())
    }

    /// A builder, to change the settings.
    pub fn builder() -> HubBuilder {
        HubBuilder::new()
    }

    pub(crate) const fn from_shared(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Publishes `event` to `topic`: the backplane gives it its id, then it is encoded
    /// once (with `id:`; an id already set on `event` is replaced) and every subscriber
    /// of the topic receives the same bytes. Counted in [`Stats::published`].
    ///
    /// With the default backplane the returned [`Publishing`] is already complete;
    /// await it (or call [`Publishing::into_ready`]) for the id.
    pub fn publish(&self, topic: &Topic, event: Event) -> Publishing {
        self.send(Envelope::new(topic.clone(), event))
    }

    /// Like [`publish`](Self::publish), but not counted in the `published` statistics:
    /// for events the server makes itself (clock ticks, notices).
    pub fn publish_uncounted(&self, topic: &Topic, event: Event) -> Publishing {
        self.send(Envelope::new(topic.clone(), event).uncounted())
    }

    fn send(&self, envelope: Envelope) -> Publishing {
        if self.shared.closed.load(Ordering::Acquire) {
            return Publishing::ready(Err(PublishError::Closed));
        }
        self.shared.backplane.publish(envelope)
    }

    /// Subscribes to live events of `topics` (any iterable of topics or references to
    /// them: `[&chat]`, `&topics`; duplicates count once): after an `id:`-only frame
    /// naming its position (see [`HubBuilder::announce_position`]), the stream starts
    /// with the next event published.
    ///
    /// # Errors
    ///
    /// [`SubscribeError`] when `topics` is empty, holds more topics than one
    /// subscription may follow, or needs a topic the full hub cannot make.
    /// After [`shutdown`](Self::shutdown) the subscription is returned already ended.
    pub fn subscribe<I>(&self, topics: I) -> Result<Subscription, SubscribeError>
    where
        I: IntoIterator,
        I::Item: Borrow<Topic>,
    {
        self.shared.subscribe(collect(topics), None)
    }

    /// Subscribes to `topics`, resuming after `last_event_id` (the client's
    /// `Last-Event-ID`) when given:
    ///
    /// * an id this hub issued, whose successors in `topics` the history still holds:
    ///   those events in publish order, then live events, with no gap and no duplicate;
    /// * any other id (malformed, from another process, from the future, or too old):
    ///   a `reset` event first, then what the history holds (unless
    ///   [`replay_on_reset`](HubBuilder::replay_on_reset) is off), then live events;
    /// * `None`: live events, as [`subscribe`](Self::subscribe).
    ///
    /// [`Subscription::start`] tells which happened.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    pub fn resume<I>(
        &self,
        topics: I,
        last_event_id: Option<&str>,
    ) -> Result<Subscription, SubscribeError>
    where
        I: IntoIterator,
        I::Item: Borrow<Topic>,
    {
        self.shared.subscribe(collect(topics), last_event_id)
    }

    /// The number of open subscriptions to `topic`.
    #[must_use]
    pub fn subscribers(&self, topic: &str) -> usize {
        self.shared
            .lock()
            .topics
            .get(topic)
            .map_or(0, |log| log.subscribers.load(Ordering::Relaxed))
    }

    /// The number of open subscriptions.
    #[must_use]
    pub fn total_subscribers(&self) -> usize {
        self.shared.counters.subscribers.load(Ordering::Relaxed)
    }

    /// The id of the newest event published, if any.
    #[must_use]
    pub fn last_id(&self) -> Option<EventId> {
        self.shared.last_id()
    }

    /// The counters, and a line per topic.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let mut topics: Vec<TopicStats> = {
            let state = self.shared.lock();
            state
                .topics
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
                .collect()
        };
        topics.sort_unstable_by(|a, b| a.topic.cmp(&b.topic));
        let counters = &self.shared.counters;
        Stats {
            published: counters.published.load(Ordering::Relaxed),
            delivered: counters.delivered.sum(),
            replayed: counters.replayed.sum(),
            lag_disconnects: counters.lag_disconnects.load(Ordering::Relaxed),
            resets: counters.resets.load(Ordering::Relaxed),
            expired: counters.expired.load(Ordering::Relaxed),
            subscribers: counters.subscribers.load(Ordering::Relaxed),
            topics,
        }
    }

    /// Shuts the hub down: every subscription ends promptly, on an event boundary, after
    /// its final `retry:` hint (see [`HubBuilder::shutdown_retry`]); publishing fails
    /// with [`PublishError::Closed`]; new subscriptions are returned already ended.
    /// Calling it again does nothing more.
    pub fn shutdown(&self) {
        self.shared.shutdown();
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }
}

fn collect<I>(topics: I) -> Vec<Topic>
where
    I: IntoIterator,
    I::Item: Borrow<Topic>,
{
    topics.into_iter().map(|t| t.borrow().clone()).collect()
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("config", &self.shared.config)
            .field("backplane", &self.shared.backplane)
            .field("subscribers", &self.total_subscribers())
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}
