//! [`Hub`]: the handle users hold; publishing goes through the backplane, subscribing
//! opens a [`Subscription`] on the shared state.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use sse_core::{Event, LastEventId};

use crate::config::Config;
use crate::resume::Asked;
use crate::state::State;
use crate::{
    Backplane, CatchUp, ConfigError, Envelope, EventId, Inbox, MemoryBackplane, PublishError,
    Publishing, Stats, SubscribeError, Subscription, Topic,
};

/// A fan-out hub: publish events to topics, subscribe to topics as streams of encoded
/// events. Cheap to clone (all clones are the same hub); `Send` and `Sync`.
///
/// See the [crate documentation](crate) for the model (log, cursors, ids, resume, lag,
/// presence, shutdown).
#[derive(Clone)]
pub struct Hub {
    state: Arc<State>,
    backplane: Arc<dyn Backplane>,
}

impl Hub {
    /// A hub with the default settings and the in-process backplane.
    #[must_use]
    pub fn new() -> Self {
        let state = Arc::new(State::new(Config::default()));
        let backplane = MemoryBackplane::new();
        // A new memory backplane accepts its first hub.
        let _attached = backplane.attach(Inbox::new(&state));
        Self {
            state,
            backplane: Arc::new(backplane),
        }
    }

    /// A hub with checked settings, attached to `backplane`.
    pub(crate) fn start(
        config: Config,
        backplane: Arc<dyn Backplane>,
    ) -> Result<Self, ConfigError> {
        let state = Arc::new(State::new(config));
        backplane
            .attach(Inbox::new(&state))
            .map_err(ConfigError::Backplane)?;
        Ok(Self { state, backplane })
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
        let timer = self.state.metrics.publish_timer();
        let publishing = if self.state.is_closed() {
            Publishing::ready(Err(PublishError::Closed))
        } else {
            self.backplane.publish(envelope)
        };
        timer.finish(publishing)
    }

    /// Subscribes to live events of `topics` (any iterable of topics or references to
    /// them: `[&chat]`, `&topics`; duplicates count once): after an `id:`-only frame
    /// naming its position (see [`HubBuilder::announce_position`](crate::HubBuilder::announce_position)), the stream starts
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
        self.resume(topics, None)
    }

    /// Subscribes to `topics`, resuming after `last_event_id` (the client's
    /// `Last-Event-ID`) when given:
    ///
    /// * an id this hub issued, whose successors in `topics` the history still holds:
    ///   those events in publish order, then live events, with no gap and no duplicate;
    /// * an id older than the history, when the backplane's store still holds the events
    ///   after it (see [`Backplane::replay`]): as above, the missed events being read
    ///   from the store first ([`Start::Fetching`](crate::Start::Fetching));
    /// * any other id (malformed, from another process, from the future, or too old):
    ///   a `reset` event first, then what the history holds (unless
    ///   [`replay_on_reset`](crate::HubBuilder::replay_on_reset) is off), then live events;
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
        last_event_id: Option<&LastEventId>,
    ) -> Result<Subscription, SubscribeError>
    where
        I: IntoIterator,
        I::Item: Borrow<Topic>,
    {
        let topics = topics.into_iter().map(|t| t.borrow().clone()).collect();
        let asked = last_event_id.map_or(Asked::Nothing, |id| {
            self.backplane
                .parse_id(id.as_str())
                .map_or(Asked::Foreign, Asked::After)
        });
        Subscription::open(&self.state, topics, asked, &*self.backplane)
    }

    /// Waits, when needed, until this hub can answer `last_event_id` as the whole
    /// cluster would: with a multi-process backplane, an id that another process gave a
    /// client may be newer than what this process has read yet. Await it before
    /// [`resume`](Self::resume) in servers that run several processes; with the
    /// in-process backplane it is ready at once. The wait is bounded by the backplane.
    pub fn caught_up(&self, last_event_id: Option<&LastEventId>) -> CatchUp {
        let Some(id) = last_event_id.and_then(|id| self.backplane.parse_id(id.as_str())) else {
            return CatchUp::ready();
        };
        if self.state.last_id().is_some_and(|last| id <= last) {
            return CatchUp::ready();
        }
        self.backplane.caught_up(id)
    }

    /// Runs the presence hook again for `topic` with its current count
    /// ([`PresenceKind::Refreshed`](crate::PresenceKind::Refreshed)); the event it makes,
    /// if any, reaches the topic's subscribers as after a join or leave. For counts that
    /// include more than this hub (other processes of a cluster).
    pub fn refresh_presence(&self, topic: &Topic) {
        self.state.refresh_presence(topic);
    }

    /// The number of open subscriptions to `topic`.
    #[must_use]
    pub fn subscribers(&self, topic: &Topic) -> usize {
        self.state.subscribers(topic)
    }

    /// The number of open subscriptions.
    #[must_use]
    pub fn total_subscribers(&self) -> usize {
        self.state.counters.subscribers.load(Ordering::Relaxed)
    }

    /// Whether publishing can work now (see [`Backplane::health`]): always `Ok` with the
    /// in-process backplane.
    ///
    /// # Errors
    ///
    /// The backplane's reason while publishing cannot work.
    pub fn health(&self) -> Result<(), crate::BackplaneError> {
        self.backplane.health()
    }

    /// The id of the newest event published, if any.
    #[must_use]
    pub fn last_id(&self) -> Option<EventId> {
        self.state.last_id()
    }

    /// The counters, and a line per topic.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let topics = self.state.topic_stats();
        let counters = &self.state.counters;
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

    /// Brings the series of deliveries (`sse_hub_deliveries_total`,
    /// `sse_hub_delivered_bytes_total`, `sse_hub_replayed_events_total`) up to date, for
    /// an exporter to call before it renders (feature `metrics`; without it, nothing).
    /// Deliveries make no recorder call of their own, so that metrics cost nothing per
    /// event; these three series are otherwise updated when a subscription ends.
    pub fn update_metrics(&self) {
        self.state.metrics.update(&self.state.counters);
    }

    /// Shuts the hub down: every subscription ends promptly, on an event boundary, after
    /// its final `retry:` hint (see [`HubBuilder::shutdown_retry`](crate::HubBuilder::shutdown_retry)); publishing fails
    /// with [`PublishError::Closed`]; new subscriptions are returned already ended.
    /// Calling it again does nothing more.
    pub fn shutdown(&self) {
        if !self.state.is_closed() {
            crate::observe::shutdown(self.total_subscribers());
        }
        self.state.shutdown();
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        self.state.is_closed()
    }
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("config", &self.state.config)
            .field("backplane", &self.backplane)
            .field("subscribers", &self.total_subscribers())
            .field("shut_down", &self.is_shut_down())
            .finish()
    }
}
