//! [`HubBuilder`]: the hub's settings, checked when the hub is built.

use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use sse_core::Event;

use crate::hub::Shared;
use crate::log::Limits;
use crate::presence::{PresenceChange, PresenceHook};
use crate::{Backplane, ConfigError, Hub, MemoryBackplane};

/// Events kept per topic by default.
pub const DEFAULT_HISTORY: usize = 1000;
/// Bytes kept per topic by default (16 MiB).
pub const DEFAULT_HISTORY_BYTES: usize = 16 << 20;
/// Topics held at most by default.
pub const DEFAULT_MAX_TOPICS: usize = 10_000;
/// Topics one subscription may follow by default.
pub const DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION: usize = 32;

/// The settings as the hub uses them.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) limits: Limits,
    pub(crate) lag_events: Option<usize>,
    pub(crate) lag_bytes: Option<usize>,
    pub(crate) max_topics: usize,
    pub(crate) max_per_subscription: usize,
    pub(crate) replay_on_reset: bool,
    pub(crate) announce_position: bool,
    pub(crate) shutdown_retry: Option<RangeInclusive<Duration>>,
    pub(crate) max_lifetime: Option<Duration>,
    pub(crate) lifetime_retry: RangeInclusive<Duration>,
    pub(crate) presence: Option<PresenceHook>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("limits", &self.limits)
            .field("lag_events", &self.lag_events)
            .field("lag_bytes", &self.lag_bytes)
            .field("max_topics", &self.max_topics)
            .field("max_per_subscription", &self.max_per_subscription)
            .field("replay_on_reset", &self.replay_on_reset)
            .field("announce_position", &self.announce_position)
            .field("shutdown_retry", &self.shutdown_retry)
            .field("max_lifetime", &self.max_lifetime)
            .field("lifetime_retry", &self.lifetime_retry)
            .field("presence", &self.presence.as_ref().map(|_| "<hook>"))
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        let builder = HubBuilder::new();
        Self {
            limits: Limits {
                events: DEFAULT_HISTORY,
                bytes: DEFAULT_HISTORY_BYTES,
            },
            lag_events: Some(DEFAULT_HISTORY / 2),
            lag_bytes: Some(DEFAULT_HISTORY_BYTES / 2),
            max_topics: DEFAULT_MAX_TOPICS,
            max_per_subscription: DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION,
            replay_on_reset: builder.replay_on_reset,
            announce_position: builder.announce_position,
            shutdown_retry: builder.shutdown_retry,
            max_lifetime: None,
            lifetime_retry: builder.lifetime_retry,
            presence: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lag {
    /// Half the history.
    Default,
    Set(Option<usize>),
}

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
pub struct HubBuilder {
    history: usize,
    history_bytes: usize,
    lag_events: Lag,
    lag_bytes: Lag,
    max_topics: usize,
    max_per_subscription: usize,
    replay_on_reset: bool,
    announce_position: bool,
    shutdown_retry: Option<RangeInclusive<Duration>>,
    max_lifetime: Option<Duration>,
    lifetime_retry: RangeInclusive<Duration>,
    presence: Option<PresenceHook>,
    backplane: Option<Arc<dyn Backplane>>,
}

impl HubBuilder {
    /// The default settings (see each setting).
    pub fn new() -> Self {
        Self {
            history: DEFAULT_HISTORY,
            history_bytes: DEFAULT_HISTORY_BYTES,
            lag_events: Lag::Default,
            lag_bytes: Lag::Default,
            max_topics: DEFAULT_MAX_TOPICS,
            max_per_subscription: DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION,
            replay_on_reset: true,
            announce_position: true,
            shutdown_retry: Some(Duration::from_secs(1)..=Duration::from_secs(5)),
            max_lifetime: None,
            lifetime_retry: Duration::from_millis(250)..=Duration::from_millis(1000),
            presence: None,
            backplane: None,
        }
    }

    /// How many events each topic keeps for replay (default [`DEFAULT_HISTORY`]). The
    /// oldest are dropped first.
    pub const fn history(mut self, events: usize) -> Self {
        self.history = events;
        self
    }

    /// How many bytes (encoded) each topic keeps for replay at most (default
    /// [`DEFAULT_HISTORY_BYTES`]). A topic always keeps its newest event, even one larger
    /// than this.
    pub const fn history_bytes(mut self, bytes: usize) -> Self {
        self.history_bytes = bytes;
        self
    }

    /// Disconnects a subscriber once more than `limit` events it has not received were
    /// published after it subscribed (see [`Subscription`](crate::Subscription)'s lag
    /// policy). `None` sets no limit in events. Must be below the history. Default: half
    /// the history (none when the history is 1).
    pub const fn max_lag_events(mut self, limit: Option<usize>) -> Self {
        self.lag_events = Lag::Set(limit);
        self
    }

    /// Disconnects a subscriber once it is at least two events and more than `limit`
    /// bytes behind (counting only events published after it subscribed). `None` sets no
    /// limit in bytes. Must be below the history's bytes. Default: half of them.
    pub const fn max_lag_bytes(mut self, limit: Option<usize>) -> Self {
        self.lag_bytes = Lag::Set(limit);
        self
    }

    /// How many topics the hub holds at most (default [`DEFAULT_MAX_TOPICS`]). When a new
    /// topic is needed and the hub is full, the topic without subscribers that was
    /// published to least recently is forgotten (with its history); when every topic has
    /// subscribers, publishing or subscribing to a new topic fails.
    pub const fn max_topics(mut self, topics: usize) -> Self {
        self.max_topics = topics;
        self
    }

    /// How many distinct topics one subscription may follow (default
    /// [`DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION`]).
    pub const fn max_topics_per_subscription(mut self, topics: usize) -> Self {
        self.max_per_subscription = topics;
        self
    }

    /// After a `reset` event, whether to replay what the history still holds (the
    /// default) or to go straight to live events.
    pub const fn replay_on_reset(mut self, replay: bool) -> Self {
        self.replay_on_reset = replay;
        self
    }

    /// Whether a live stream (one without a usable `Last-Event-ID`) starts with an
    /// `id:`-only frame naming the current position (the default), so that a client
    /// whose stream ends before its first event (lag, lifetime, shutdown) still comes
    /// back with a `Last-Event-ID` and misses nothing. Such a frame sets the client's
    /// last event id and dispatches nothing (no `data`).
    pub const fn announce_position(mut self, announce: bool) -> Self {
        self.announce_position = announce;
        self
    }

    /// The `retry:` hint each stream sends last when the hub shuts down, drawn at random
    /// from `range` for each stream so that clients do not all come back at once.
    /// `None` ends streams with no final frame. Default: 1 s to 5 s.
    pub fn shutdown_retry(mut self, range: Option<RangeInclusive<Duration>>) -> Self {
        self.shutdown_retry = range;
        self
    }

    /// Ends each stream after a time drawn at random between half and one and a half
    /// times `lifetime`, after a `retry:` hint (see [`lifetime_retry`](Self::lifetime_retry));
    /// the client reconnects and resumes with `Last-Event-ID`. `None` (the default):
    /// streams live until they end otherwise. Needs a tokio runtime with time enabled.
    pub const fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.max_lifetime = lifetime;
        self
    }

    /// The `retry:` hint sent before a stream ends at its maximum lifetime, drawn at
    /// random from `range`. Default: 250 ms to 1000 ms.
    pub fn lifetime_retry(mut self, range: RangeInclusive<Duration>) -> Self {
        self.lifetime_retry = range;
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
        self.presence = Some(Arc::new(hook));
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
        let config = self.config()?;
        let backplane = self
            .backplane
            .unwrap_or_else(|| Arc::new(MemoryBackplane::new()));
        Shared::start(config, &backplane).map(Hub::from_shared)
    }

    fn config(&self) -> Result<Config, ConfigError> {
        if self.history == 0 {
            return Err(ConfigError::ZeroHistory);
        }
        if self.history_bytes == 0 {
            return Err(ConfigError::ZeroHistoryBytes);
        }
        let half = |n: usize| (n >= 2).then_some(n / 2);
        let lag_events = match self.lag_events {
            Lag::Default => half(self.history),
            Lag::Set(limit) => limit,
        };
        if let Some(limit) = lag_events
            && (limit == 0 || limit >= self.history)
        {
            return Err(ConfigError::LagEvents {
                limit,
                history: self.history,
            });
        }
        let lag_bytes = match self.lag_bytes {
            Lag::Default => half(self.history_bytes),
            Lag::Set(limit) => limit,
        };
        if let Some(limit) = lag_bytes
            && (limit == 0 || limit >= self.history_bytes)
        {
            return Err(ConfigError::LagBytes {
                limit,
                history_bytes: self.history_bytes,
            });
        }
        if self.max_topics == 0 || self.max_per_subscription == 0 {
            return Err(ConfigError::ZeroTopics);
        }
        let bad_range = |r: &RangeInclusive<Duration>| r.start() > r.end();
        if self.shutdown_retry.as_ref().is_some_and(bad_range) || bad_range(&self.lifetime_retry) {
            return Err(ConfigError::RetryRange);
        }
        if self.max_lifetime == Some(Duration::ZERO) {
            return Err(ConfigError::ZeroLifetime);
        }
        Ok(Config {
            limits: Limits {
                events: self.history,
                bytes: self.history_bytes,
            },
            lag_events,
            lag_bytes,
            max_topics: self.max_topics,
            max_per_subscription: self.max_per_subscription,
            replay_on_reset: self.replay_on_reset,
            announce_position: self.announce_position,
            shutdown_retry: self.shutdown_retry.clone(),
            max_lifetime: self.max_lifetime,
            lifetime_retry: self.lifetime_retry.clone(),
            presence: self.presence.clone(),
        })
    }
}

impl Default for HubBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for HubBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubBuilder")
            .field("history", &self.history)
            .field("history_bytes", &self.history_bytes)
            .field("lag_events", &self.lag_events)
            .field("lag_bytes", &self.lag_bytes)
            .field("max_topics", &self.max_topics)
            .field("max_topics_per_subscription", &self.max_per_subscription)
            .field("replay_on_reset", &self.replay_on_reset)
            .field("announce_position", &self.announce_position)
            .field("shutdown_retry", &self.shutdown_retry)
            .field("max_lifetime", &self.max_lifetime)
            .field("lifetime_retry", &self.lifetime_retry)
            .field("presence", &self.presence.as_ref().map(|_| "<hook>"))
            .field("backplane", &self.backplane)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_lag_defaults_to_half_the_history() {
        let config = HubBuilder::new().config().unwrap();
        assert_eq!(format!("{config:?}"), format!("{:?}", Config::default()));
        assert_eq!(config.lag_events, Some(DEFAULT_HISTORY / 2));
        assert_eq!(config.lag_bytes, Some(DEFAULT_HISTORY_BYTES / 2));
        let config = HubBuilder::new().history(1).config().unwrap();
        assert_eq!(config.lag_events, None);
    }

    #[test]
    fn impossible_settings_are_errors() {
        let err = |b: HubBuilder| b.config().map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            err(HubBuilder::new().history(0)),
            "history must hold at least 1 event"
        );
        assert_eq!(
            err(HubBuilder::new().history(10).max_lag_events(Some(10))),
            "max_lag_events must be from 1 to history - 1 (9), got 10"
        );
        assert!(err(HubBuilder::new().max_lag_events(Some(0))).contains("got 0"));
        assert!(
            err(HubBuilder::new()
                .history_bytes(100)
                .max_lag_bytes(Some(100)))
            .contains("(99)")
        );
        assert!(err(HubBuilder::new().history_bytes(0)).contains("history_bytes"));
        assert!(err(HubBuilder::new().max_topics(0)).contains("max_topics"));
        let backwards = Duration::from_secs(2)..=Duration::from_secs(1);
        assert!(err(HubBuilder::new().lifetime_retry(backwards.clone())).contains("retry range"));
        assert!(err(HubBuilder::new().shutdown_retry(Some(backwards))).contains("retry range"));
        assert!(err(HubBuilder::new().max_lifetime(Some(Duration::ZERO))).contains("lifetime"));
        assert!(
            HubBuilder::new()
                .max_lag_events(None)
                .max_lag_bytes(None)
                .config()
                .is_ok()
        );
    }
}
