//! [`HubBuilder`]: fills a [`Config`] and builds the [`Hub`].

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use sse_core::Event;

use crate::config::{Config, Lag};
use crate::presence::{PresenceChange, PresenceHook};
use crate::{Backplane, ConfigError, Hub, MemoryBackplane};

/// Builds a [`Hub`]. Every setting has a default; [`build`](Self::build) checks them
/// together.
///
/// ```
/// use std::time::Duration;
/// use sse_hub::Hub;
///
/// let hub = Hub::builder()
///     .history(1000)                    // events kept per topic for resume
///     .history_bytes(8 << 20)           // and at most this many bytes
///     .max_lag_events(Some(500))        // a subscriber 500 events behind is disconnected
///     .max_lifetime(Some(Duration::from_secs(600)))
///     .build()?;
/// # drop(hub);
/// # Ok::<(), sse_hub::ConfigError>(())
/// ```
#[must_use = "a builder does nothing until `build` is called"]
#[derive(Debug, Default)]
pub struct HubBuilder {
    config: Config,
    backplane: Option<Arc<dyn Backplane>>,
}

impl HubBuilder {
    /// The default settings (see each setting).
    pub fn new() -> Self {
        Self::default()
    }

    /// How many events each topic keeps for replay (default [`DEFAULT_HISTORY`](crate::DEFAULT_HISTORY)). The
    /// oldest are dropped first.
    pub const fn history(mut self, events: usize) -> Self {
        self.config.history = events;
        self
    }

    /// How many bytes (encoded) each topic keeps for replay at most (default
    /// [`DEFAULT_HISTORY_BYTES`](crate::DEFAULT_HISTORY_BYTES)). A topic always keeps its newest event, even one larger
    /// than this.
    pub const fn history_bytes(mut self, bytes: usize) -> Self {
        self.config.history_bytes = bytes;
        self
    }

    /// How many bytes (encoded) of history the whole hub keeps at most, over all topics
    /// (default [`DEFAULT_MEMORY_BUDGET`](crate::DEFAULT_MEMORY_BUDGET), 256 MiB). When a
    /// publish would go over it, the oldest events hub-wide are dropped from their topics'
    /// history first (a client resuming from before them gets a `reset`, as for any id
    /// that left the history, and a subscriber still reading them is disconnected for
    /// lag); the publisher never waits. An event larger than the budget on its own is
    /// refused with [`PublishError::TooLarge`](crate::PublishError::TooLarge).
    ///
    /// It bounds the history, which is what grows with publishing; subscriptions, topics
    /// and events on their way to a slow connection's socket are not counted.
    pub const fn memory_budget_bytes(mut self, bytes: usize) -> Self {
        self.config.memory_budget = bytes;
        self
    }

    /// Disconnects a subscriber once more than `limit` events it has not received were
    /// published after it subscribed (see [`Subscription`](crate::Subscription)'s lag
    /// policy). `None` sets no limit in events. Must be below the history. Default: half
    /// the history (none when the history is 1).
    pub const fn max_lag_events(mut self, limit: Option<usize>) -> Self {
        self.config.lag_events = Lag::Set(limit);
        self
    }

    /// Disconnects a subscriber once it is at least two events and more than `limit`
    /// bytes behind (counting only events published after it subscribed). `None` sets no
    /// limit in bytes. Must be below the history's bytes. Default: half of them.
    pub const fn max_lag_bytes(mut self, limit: Option<usize>) -> Self {
        self.config.lag_bytes = Lag::Set(limit);
        self
    }

    /// How many topics the hub holds at most (default [`DEFAULT_MAX_TOPICS`](crate::DEFAULT_MAX_TOPICS)). When a new
    /// topic is needed and the hub is full, the topic without subscribers that was
    /// published to least recently is forgotten (with its history); when every topic has
    /// subscribers, publishing or subscribing to a new topic fails.
    pub const fn max_topics(mut self, topics: usize) -> Self {
        self.config.max_topics = topics;
        self
    }

    /// How many distinct topics one subscription may follow (default
    /// [`DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION`](crate::DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION)).
    pub const fn max_topics_per_subscription(mut self, topics: usize) -> Self {
        self.config.max_per_subscription = topics;
        self
    }

    /// After a `reset` event, whether to replay what the history still holds (the
    /// default) or to go straight to live events.
    pub const fn replay_on_reset(mut self, replay: bool) -> Self {
        self.config.replay_on_reset = replay;
        self
    }

    /// Whether a live stream (one without a usable `Last-Event-ID`) starts with an
    /// `id:`-only frame naming the current position (the default), so that a client
    /// whose stream ends before its first event (lag, lifetime, shutdown) still comes
    /// back with a `Last-Event-ID` and misses nothing. Such a frame sets the client's
    /// last event id and dispatches nothing (no `data`).
    pub const fn announce_position(mut self, announce: bool) -> Self {
        self.config.announce_position = announce;
        self
    }

    /// The `retry:` hint each stream sends last when the hub shuts down, drawn at random
    /// from `range` for each stream so that clients do not all come back at once.
    /// `None` ends streams with no final frame. Default: 1 s to 5 s.
    pub fn shutdown_retry(mut self, range: Option<RangeInclusive<Duration>>) -> Self {
        self.config.shutdown_retry = range;
        self
    }

    /// Ends each stream after a time drawn at random between half and one and a half
    /// times `lifetime`, after a `retry:` hint (see [`lifetime_retry`](Self::lifetime_retry));
    /// the client reconnects and resumes with `Last-Event-ID`. `None` (the default):
    /// streams live until they end otherwise. Needs a tokio runtime with time enabled.
    pub const fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.config.max_lifetime = lifetime;
        self
    }

    /// The `retry:` hint sent before a stream ends at its maximum lifetime, drawn at
    /// random from `range`. Default: 250 ms to 1000 ms.
    pub fn lifetime_retry(mut self, range: RangeInclusive<Duration>) -> Self {
        self.config.lifetime_retry = range;
        self
    }

    /// Calls `hook` on every change of a topic's subscriber count. The event it returns,
    /// if any, is sent to the topic's subscribers: encoded once, not in the history,
    /// without an id unless the hook sets one.
    ///
    /// Delivery keeps only the latest: a subscriber receives the latest presence event
    /// of each of its topics at its next read, so a burst of changes may reach it as one
    /// event, and a new subscriber's first presence event already counts itself. Presence
    /// events come before the published events ready at the same time, and do not count
    /// as lag.
    ///
    /// The hook runs with the topic locked, in the thread that subscribes or whose
    /// subscription ends: keep it short, and do not publish, subscribe or drop a
    /// subscription from it (that would deadlock).
    ///
    /// ```
    /// use sse_hub::{Hub, Topic};
    ///
    /// // `presence` events with the number of `chat` subscribers, for `chat` subscribers.
    /// let hub = Hub::builder()
    ///     .on_presence(|change| {
    ///         (change.topic() == "chat").then(|| change.count_event("presence").ok())?
    ///     })
    ///     .build()?;
    /// # drop(hub);
    /// # Ok::<(), sse_hub::ConfigError>(())
    /// ```
    pub fn on_presence<F>(mut self, hook: F) -> Self
    where
        F: Fn(&PresenceChange<'_>) -> Option<Event> + Send + Sync + 'static,
    {
        self.config.presence = Some(PresenceHook::new(hook));
        self
    }

    /// How many topics get a `topic` label value of their own in the hub's metrics
    /// (feature `metrics`; default [`DEFAULT_METRICS_TOPICS`](crate::observe::DEFAULT_METRICS_TOPICS)):
    /// the first topics made get one, the others are counted together under
    /// [`OTHER_TOPICS`](crate::observe::OTHER_TOPICS), so that clients making topics
    /// cannot grow the set of series without bound. 0 counts every topic together.
    pub const fn metrics_topics(mut self, topics: usize) -> Self {
        self.config.metrics_topics = topics;
        self
    }

    /// Whether this hub reports metrics (feature `metrics`; default `true`). The series
    /// have no label naming the hub, so a process with two hubs should report from one:
    /// two would each set `sse_hub_deliveries_total` to their own count. Off, the hub
    /// registers no series and counts no delivered bytes, as without the feature.
    pub const fn metrics(mut self, enabled: bool) -> Self {
        self.config.metrics = enabled;
        self
    }

    /// The backplane that orders events and carries them between processes (default: a
    /// new [`MemoryBackplane`]).
    pub fn backplane(mut self, backplane: impl Backplane) -> Self {
        self.backplane = Some(Arc::new(backplane));
        self
    }

    /// Checks the settings and builds the hub.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for a setting that cannot work, or a backplane that refuses to
    /// attach.
    pub fn build(self) -> Result<Hub, ConfigError> {
        let config = self.config.check()?;
        let backplane = self
            .backplane
            .unwrap_or_else(|| Arc::new(MemoryBackplane::new()));
        Hub::start(config, backplane)
    }
}

impl Hub {
    /// A builder, to change the settings.
    pub fn builder() -> HubBuilder {
        HubBuilder::new()
    }
}
