//! Fan-out for Server-Sent Events.

mod backplane;
mod config;
mod error;
mod hub;
mod id;
mod jitter;
mod log;
mod memory;
mod presence;
mod stats;
mod subscription;
mod topic;
mod waiters;

pub use backplane::{Backplane, Envelope, Inbox, Publishing};
pub use config::{
    DEFAULT_HISTORY, DEFAULT_HISTORY_BYTES, DEFAULT_MAX_TOPICS,
    DEFAULT_MAX_TOPICS_PER_SUBSCRIPTION, HubBuilder,
};
pub use error::{BackplaneError, ConfigError, PublishError, SubscribeError};
pub use hub::Hub;
pub use id::{EventId, InvalidEventId, MAX_ID_LEN};
pub use memory::MemoryBackplane;
pub use presence::{PresenceChange, PresenceKind};
pub use stats::{Stats, TopicStats};
pub use subscription::{End, ResetReason, Start, Subscription};
pub use topic::{InvalidTopic, MAX_TOPIC_LEN, Topic};
