//! [`Config`]: every setting of the hub, as [`HubBuilder`](crate::HubBuilder) fills it
//! and the hub reads it, and the check that they can work together.

use std::ops::RangeInclusive;
use std::time::Duration;

use crate::ConfigError;
use crate::presence::PresenceHook;

/// Events kept per topic by default.
pub const DEFAULT_HISTORY: usize = 1000;
/// Bytes kept per topic by default (16 MiB).
pub const DEFAULT_HISTORY_BYTES: usize = 16 << 20;
/// Bytes of history the whole hub keeps by default, over all topics (256 MiB).
pub const DEFAULT_MEMORY_BUDGET: usize = 256 << 20;
/// Topics held at most by default.
pub const DEFAULT_MAX_TOPICS: usize = 10_000;
/// Topics one subscription may follow by default.
pub const DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION: usize = 32;
/// How many topics get their own `topic` label value in the hub's metrics by default.
pub const DEFAULT_METRICS_TOPICS: usize = 100;

/// A lag limit: half the history unless set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lag {
    Half,
    Set(Option<usize>),
}

impl Lag {
    const fn limit(self, history: usize) -> Option<usize> {
        match self {
            Self::Half if history >= 2 => Some(history / 2),
            Self::Half => None,
            Self::Set(limit) => limit,
        }
    }
}

/// The settings. The builder writes them, [`check`](Self::check) accepts them, the hub
/// reads them.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) history: usize,
    pub(crate) history_bytes: usize,
    pub(crate) memory_budget: usize,
    pub(crate) lag_events: Lag,
    pub(crate) lag_bytes: Lag,
    pub(crate) max_topics: usize,
    pub(crate) max_per_subscription: usize,
    pub(crate) replay_on_reset: bool,
    pub(crate) announce_position: bool,
    pub(crate) shutdown_retry: Option<RangeInclusive<Duration>>,
    pub(crate) max_lifetime: Option<Duration>,
    pub(crate) lifetime_retry: RangeInclusive<Duration>,
    pub(crate) presence: Option<PresenceHook>,
    pub(crate) metrics_topics: usize,
    pub(crate) metrics: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            history: DEFAULT_HISTORY,
            history_bytes: DEFAULT_HISTORY_BYTES,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            lag_events: Lag::Half,
            lag_bytes: Lag::Half,
            max_topics: DEFAULT_MAX_TOPICS,
            max_per_subscription: DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION,
            replay_on_reset: true,
            announce_position: true,
            shutdown_retry: Some(Duration::from_secs(1)..=Duration::from_secs(5)),
            max_lifetime: None,
            lifetime_retry: Duration::from_millis(250)..=Duration::from_millis(1000),
            presence: None,
            metrics_topics: DEFAULT_METRICS_TOPICS,
            metrics: true,
        }
    }
}

impl Config {
    /// The settings, with each lag limit resolved, or the first one that cannot work.
    pub(crate) fn check(mut self) -> Result<Self, ConfigError> {
        if self.history == 0 {
            return Err(ConfigError::ZeroHistory);
        }
        if self.history_bytes == 0 {
            return Err(ConfigError::ZeroHistoryBytes);
        }
        if self.memory_budget == 0 {
            return Err(ConfigError::ZeroMemoryBudget);
        }
        let lag_events = self.lag_events.limit(self.history);
        if let Some(limit) = lag_events
            && (limit == 0 || limit >= self.history)
        {
            return Err(ConfigError::LagEvents {
                limit,
                history: self.history,
            });
        }
        let lag_bytes = self.lag_bytes.limit(self.history_bytes);
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
        let backwards = |r: &RangeInclusive<Duration>| r.start() > r.end();
        if self.shutdown_retry.as_ref().is_some_and(backwards) || backwards(&self.lifetime_retry) {
            return Err(ConfigError::RetryRange);
        }
        if self.max_lifetime == Some(Duration::ZERO) {
            return Err(ConfigError::ZeroLifetime);
        }
        self.lag_events = Lag::Set(lag_events);
        self.lag_bytes = Lag::Set(lag_bytes);
        Ok(self)
    }

    /// Whether a subscriber this far behind (counting events published since it
    /// subscribed) is disconnected.
    pub(crate) fn too_far_behind(&self, events: u64, bytes: u64) -> bool {
        let over = |lag: Lag, history: usize, amount: u64| {
            lag.limit(history).is_some_and(|max| amount > max as u64)
        };
        over(self.lag_events, self.history, events)
            || (events >= 2 && over(self.lag_bytes, self.history_bytes, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(config: Config) -> String {
        config.check().map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_valid_and_lag_defaults_to_half_the_history() {
        let config = Config::default().check().unwrap();
        assert_eq!(config.lag_events, Lag::Set(Some(DEFAULT_HISTORY / 2)));
        assert_eq!(config.lag_bytes, Lag::Set(Some(DEFAULT_HISTORY_BYTES / 2)));
        let one = Config {
            history: 1,
            ..Config::default()
        };
        assert_eq!(one.check().unwrap().lag_events, Lag::Set(None));
    }

    #[test]
    fn the_lag_limits_are_exclusive_and_bytes_need_two_events() {
        let config = Config {
            history: 10,
            history_bytes: 100,
            ..Config::default()
        }
        .check()
        .unwrap();
        assert!(!config.too_far_behind(5, 0));
        assert!(config.too_far_behind(6, 0));
        assert!(
            !config.too_far_behind(1, 1000),
            "one event is never too many bytes"
        );
        assert!(config.too_far_behind(2, 51));
        assert!(!config.too_far_behind(2, 50));
    }

    #[test]
    fn impossible_settings_are_errors() {
        let with = |f: fn(&mut Config)| {
            let mut config = Config::default();
            f(&mut config);
            config
        };
        assert_eq!(
            err(with(|c| c.history = 0)),
            "history must hold at least 1 event"
        );
        assert_eq!(
            err(with(|c| {
                c.history = 10;
                c.lag_events = Lag::Set(Some(10));
            })),
            "max_lag_events must be from 1 to history - 1 (9), got 10"
        );
        assert!(err(with(|c| c.lag_events = Lag::Set(Some(0)))).contains("got 0"));
        assert!(
            err(with(|c| {
                c.history_bytes = 100;
                c.lag_bytes = Lag::Set(Some(100));
            }))
            .contains("(99)")
        );
        assert!(err(with(|c| c.history_bytes = 0)).contains("history_bytes"));
        assert!(err(with(|c| c.memory_budget = 0)).contains("memory_budget_bytes"));
        assert!(err(with(|c| c.max_topics = 0)).contains("max_topics"));
        let backwards = Duration::from_secs(2)..=Duration::from_secs(1);
        let config = Config {
            lifetime_retry: backwards.clone(),
            ..Config::default()
        };
        assert!(err(config).contains("retry range"));
        let config = Config {
            shutdown_retry: Some(backwards),
            ..Config::default()
        };
        assert!(err(config).contains("retry range"));
        assert!(err(with(|c| c.max_lifetime = Some(Duration::ZERO))).contains("lifetime"));
        let unlimited = with(|c| {
            c.lag_events = Lag::Set(None);
            c.lag_bytes = Lag::Set(None);
        });
        assert!(unlimited.check().is_ok());
    }
}
