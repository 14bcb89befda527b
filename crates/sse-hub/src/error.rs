//! The hub's errors. Each message says what was wrong, in words a caller can pass on.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// Why an event was not published. When publishing fails, nothing is delivered to anyone.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum PublishError {
    /// The hub has been shut down.
    Closed,
    /// The event would create a topic, and the hub already holds its maximum number of
    /// topics, all with subscribers (topics without subscribers are forgotten to make room).
    TooManyTopics {
        /// The maximum, from [`HubBuilder::max_topics`](crate::HubBuilder::max_topics).
        limit: usize,
    },
    /// A backplane delivered an id that is not after the last one delivered.
    OutOfOrder {
        /// The newest id the hub holds.
        last: String,
        /// The id that was refused.
        given: String,
    },
    /// The event alone is larger than the hub's memory budget
    /// ([`HubBuilder::memory_budget_bytes`](crate::HubBuilder::memory_budget_bytes)).
    TooLarge {
        /// The event's size, encoded, in bytes.
        size: usize,
        /// The budget, in bytes.
        budget: usize,
    },
    /// The backplane failed.
    Backplane(BackplaneError),
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("the hub is shut down"),
            Self::TooManyTopics { limit } => write!(
                f,
                "too many topics: the hub holds {limit}, all with subscribers"
            ),
            Self::OutOfOrder { last, given } => write!(
                f,
                "event id {given} is not after the last id delivered ({last})"
            ),
            Self::TooLarge { size, budget } => write!(
                f,
                "the event is {size} bytes encoded, over the hub's memory budget of {budget} bytes"
            ),
            Self::Backplane(err) => write!(f, "backplane: {err}"),
        }
    }
}

impl Error for PublishError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Backplane(err) => Some(err),
            _ => None,
        }
    }
}

/// Why a subscription was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscribeError {
    /// No topic was given.
    NoTopics,
    /// More distinct topics were given than one subscription may follow.
    TooManyForOne {
        /// How many distinct topics were given.
        given: usize,
        /// The maximum, from
        /// [`HubBuilder::max_topics_per_subscription`](crate::HubBuilder::max_topics_per_subscription).
        limit: usize,
    },
    /// A topic would have to be created, and the hub already holds its maximum number of
    /// topics, all with subscribers.
    TooManyTopics {
        /// The maximum, from [`HubBuilder::max_topics`](crate::HubBuilder::max_topics).
        limit: usize,
    },
}

impl fmt::Display for SubscribeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoTopics => f.write_str("at least one topic is required"),
            Self::TooManyForOne { given, limit } => write!(
                f,
                "too many topics for one subscription: {given} given, at most {limit} allowed"
            ),
            Self::TooManyTopics { limit } => write!(
                f,
                "too many topics: the hub holds {limit}, all with subscribers"
            ),
        }
    }
}

impl Error for SubscribeError {}

/// A setting of [`HubBuilder`](crate::HubBuilder) that cannot work.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ConfigError {
    /// `history` is 0: the history must hold at least one event.
    ZeroHistory,
    /// `history_bytes` is 0.
    ZeroHistoryBytes,
    /// `memory_budget_bytes` is 0.
    ZeroMemoryBudget,
    /// The lag limit in events is 0, or not below the history: a subscriber disconnected
    /// for lag must still find its next event in history when it resumes.
    LagEvents {
        /// The limit given.
        limit: usize,
        /// The history, in events.
        history: usize,
    },
    /// The lag limit in bytes is 0, or not below the history's byte limit.
    LagBytes {
        /// The limit given.
        limit: usize,
        /// The history, in bytes.
        history_bytes: usize,
    },
    /// `max_topics` or `max_topics_per_subscription` is 0.
    ZeroTopics,
    /// A retry range whose start is after its end.
    RetryRange,
    /// A maximum stream lifetime of zero.
    ZeroLifetime,
    /// The backplane refused to attach.
    Backplane(BackplaneError),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroHistory => f.write_str("history must hold at least 1 event"),
            Self::ZeroHistoryBytes => f.write_str("history_bytes must be at least 1"),
            Self::ZeroMemoryBudget => f.write_str("memory_budget_bytes must be at least 1"),
            Self::LagEvents { limit, history } => write!(
                f,
                "max_lag_events must be from 1 to history - 1 ({}), got {limit}",
                history.saturating_sub(1)
            ),
            Self::LagBytes {
                limit,
                history_bytes,
            } => write!(
                f,
                "max_lag_bytes must be from 1 to history_bytes - 1 ({}), got {limit}",
                history_bytes.saturating_sub(1)
            ),
            Self::ZeroTopics => {
                f.write_str("max_topics and max_topics_per_subscription must be at least 1")
            }
            Self::RetryRange => f.write_str("a retry range must not start after its end"),
            Self::ZeroLifetime => f.write_str("a maximum stream lifetime must be above zero"),
            Self::Backplane(err) => write!(f, "backplane: {err}"),
        }
    }
}

impl Error for ConfigError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Backplane(err) => Some(err),
            _ => None,
        }
    }
}

/// An error from a [`Backplane`](crate::Backplane) (a lost connection, a refused command).
#[derive(Debug, Clone)]
pub struct BackplaneError(Arc<dyn Error + Send + Sync>);

impl BackplaneError {
    /// Wraps the backplane's own error (or a message: `BackplaneError::new("...")`).
    pub fn new(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self(Arc::from(error.into()))
    }
}

impl fmt::Display for BackplaneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error for BackplaneError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}
