//! [`RedisConfig`]: the backplane's settings.

use std::time::Duration;

/// The stream key used when none is given.
pub const DEFAULT_KEY: &str = "sse:events";

/// Settings of a [`RedisBackplane`](crate::RedisBackplane). Every field has a default
/// ([`RedisConfig::new`]); set the ones you need.
///
/// ```
/// use std::time::Duration;
/// use sse_redis::RedisConfig;
///
/// let config = RedisConfig::new("redis://127.0.0.1:6379/")
///     .key("chat:events")
///     .max_len(200_000)
///     .publish_timeout(Duration::from_millis(800));
/// assert_eq!(config.stream_key(), "chat:events");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct RedisConfig {
    pub(crate) url: String,
    pub(crate) key: String,
    pub(crate) max_len: u64,
    pub(crate) backfill: usize,
    pub(crate) batch: usize,
    pub(crate) publish_timeout: Duration,
    pub(crate) block: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) backoff: (Duration, Duration),
    pub(crate) replay_entries: usize,
    pub(crate) replay_bytes: usize,
}

impl RedisConfig {
    /// The defaults, for the Redis server at `url` (`redis://host:port/db`).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            key: DEFAULT_KEY.to_owned(),
            max_len: 100_000,
            backfill: 10_000,
            batch: 1_000,
            publish_timeout: Duration::from_secs(1),
            block: Duration::from_millis(500),
            connect_timeout: Duration::from_millis(500),
            backoff: (Duration::from_millis(25), Duration::from_millis(400)),
            replay_entries: 10_000,
            replay_bytes: 8 << 20,
        }
    }

    /// The stream's key (default [`DEFAULT_KEY`]). Every process of one cluster uses the
    /// same key; the cluster presence of the demo uses keys that start with it.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    /// The stream's key.
    #[must_use]
    pub fn stream_key(&self) -> &str {
        &self.key
    }

    /// About how many entries the stream keeps (`XADD MAXLEN ~`, default 100,000): the
    /// history of record, from which nodes load at start-up.
    pub const fn max_len(mut self, entries: u64) -> Self {
        self.max_len = entries;
        self
    }

    /// How many of the newest entries a node loads into its history at start-up,
    /// before it reports healthy (default 10,000; each topic keeps what its history
    /// allows).
    pub const fn backfill(mut self, entries: usize) -> Self {
        self.backfill = entries;
        self
    }

    /// How many entries the reader takes at most per read (default 1,000).
    pub const fn batch(mut self, entries: usize) -> Self {
        self.batch = if entries == 0 { 1 } else { entries };
        self
    }

    /// How long Redis has to store a published event (default 1 s); the publish fails
    /// at the latest half as long again after it began (1.5 s by default).
    ///
    /// The entry carries this deadline (the publisher's clock); an entry that Redis
    /// stores later (its id carries Redis's clock), for instance when Redis was paused
    /// meanwhile or is overloaded, is skipped by every reader, and its publisher
    /// reports a failure by the same rule, so a failed publish never reaches anyone.
    /// A publisher whose clock is behind Redis's by more than this timeout has all its
    /// publishes refused: keep clocks in sync (NTP does).
    pub const fn publish_timeout(mut self, timeout: Duration) -> Self {
        self.publish_timeout = timeout;
        self
    }

    /// How long a publish waits for Redis's reply: the publish timeout and half again.
    pub(crate) fn reply_timeout(&self) -> Duration {
        self.publish_timeout + self.publish_timeout / 2
    }

    /// How long the reader waits for new entries in one `XREAD BLOCK` (default 500 ms).
    /// A Redis that does not answer within it plus the connect timeout is reported down.
    pub const fn block(mut self, block: Duration) -> Self {
        self.block = block;
        self
    }

    /// How long connecting (and each command of the reader beyond its block) may take
    /// (default 500 ms).
    pub const fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The reader's reconnection delay: from `min`, doubling after each failure, capped
    /// at `max` (defaults 25 ms and 400 ms).
    pub const fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = (min, max);
        self
    }

    /// How much one resume may read from the stream when the client's `Last-Event-ID`
    /// is older than the node's history: at most `entries` stream entries after it
    /// (whatever their topic; default 10,000) and at most `bytes` of field values of
    /// the subscribed topics' entries (default 8 MiB), read within the publish reply
    /// timeout. Past either, or when the stream no longer holds the id, the client gets
    /// `reset`. `entries` 0 turns reading from the stream off.
    pub const fn replay_limit(mut self, entries: usize, bytes: usize) -> Self {
        self.replay_entries = entries;
        self.replay_bytes = bytes;
        self
    }
}
