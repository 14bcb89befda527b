//! [`Cluster`]: what the demo adds with `--redis`: the Redis backplane, and presence
//! counted over every process of the cluster.
//!
//! Presence: each process writes its counts into the hash `<key>:presence`, field
//! `<node id>`, value `<chat subscribers> <all subscribers> <expiry, Unix ms>`, every
//! [`BEAT`], and reads the others' (dropping expired fields). A process that dies stops
//! writing: its field expires [`TTL`] after its last beat and the others drop it at their
//! next beat, so it leaves the count within `TTL + BEAT` (4 s).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::hash::BuildHasher;

use redis::AsyncCommands;
use sse_hub::{Hub, Topic};
use sse_redis::{RedisBackplane, RedisConfig};
use tokio_util::sync::CancellationToken;

/// How often a process writes its counts and reads the others'.
pub const BEAT: Duration = Duration::from_secs(1);

/// How long a process's counts hold after its last beat.
pub const TTL: Duration = Duration::from_secs(3);

/// The counts of the other processes of the cluster, as last read.
#[derive(Debug, Default)]
pub struct Elsewhere {
    /// `chat` subscribers on other processes.
    pub chat: AtomicUsize,
    /// All subscribers on other processes.
    pub subscribers: AtomicUsize,
}

/// The Redis side of a demo process.
#[derive(Debug, Clone)]
pub struct Cluster {
    backplane: RedisBackplane,
    elsewhere: Arc<Elsewhere>,
    node: String,
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Cluster {
    /// A backplane for `url` and `key` (nothing connects until the hub is built).
    ///
    /// # Errors
    ///
    /// A URL that is not a Redis URL.
    pub fn new(url: &str, key: &str) -> Result<Self, sse_hub::BackplaneError> {
        let backplane = RedisBackplane::new(RedisConfig::new(url).key(key))?;
        // Random, so that processes of several hosts never share one.
        let random = std::collections::hash_map::RandomState::new().hash_one(unix_ms());
        let node = format!("{}-{random:016x}", std::process::id());
        Ok(Self {
            backplane,
            elsewhere: Arc::default(),
            node,
        })
    }

    /// The backplane, for the hub.
    #[must_use]
    pub fn backplane(&self) -> RedisBackplane {
        self.backplane.clone()
    }

    /// The other processes' counts.
    #[must_use]
    pub fn elsewhere(&self) -> Arc<Elsewhere> {
        self.elsewhere.clone()
    }

    /// Beats until `stopping`: writes this process's counts, reads the others', and
    /// refreshes the `chat` presence event when their count changed. Errors (Redis away)
    /// keep the last counts read; the field of this process then expires elsewhere.
    pub fn spawn_presence(&self, hub: Hub, chat: Topic, stopping: CancellationToken) {
        let cluster = self.clone();
        tokio::spawn(async move {
            let mut conn = None;
            let mut interval = tokio::time::interval(BEAT);
            loop {
                tokio::select! {
                    () = stopping.cancelled() => break,
                    _ = interval.tick() => {}
                }
                if conn.is_none() {
                    conn = cluster.connect().await;
                }
                let Some(c) = conn.as_mut() else { continue };
                let beat = tokio::time::timeout(BEAT, cluster.beat(c, &hub, &chat)).await;
                if !matches!(beat, Ok(Ok(()))) {
                    conn = None;
                }
            }
            // Leave at once on a clean shutdown.
            if let Some(c) = conn.as_mut() {
                let key = cluster.presence_key();
                let _: Result<(), _> = c.hdel(key, &cluster.node).await;
            }
        });
    }

    /// Whether this process is the one that ticks the `clock` topic now: a lease in
    /// `<key>:clock` that the holder renews on each tick and others take when it
    /// expires (after `lease`), so one process of the cluster ticks.
    pub async fn leads_clock(
        &self,
        conn: &mut Option<redis::aio::MultiplexedConnection>,
        lease: Duration,
    ) -> bool {
        const LEASE: &str = "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) \
            or redis.call('GET', KEYS[1]) == ARGV[1] then \
            redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0";
        if conn.is_none() {
            *conn = self.connect().await;
        }
        let Some(c) = conn.as_mut() else {
            return false;
        };
        let key = format!("{}:clock", self.backplane.config().stream_key());
        let ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
        let script = redis::Script::new(LEASE);
        let mut call = script.key(key);
        call.arg(&self.node).arg(ms);
        match tokio::time::timeout(BEAT, call.invoke_async::<i64>(c)).await {
            Ok(Ok(held)) => held == 1,
            _ => {
                *conn = None;
                false
            }
        }
    }

    /// A connection for presence and the clock lease, within one beat (Redis may be
    /// away or paused).
    async fn connect(&self) -> Option<redis::aio::MultiplexedConnection> {
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(BEAT))
            .set_response_timeout(Some(BEAT));
        let client = self.backplane.client();
        tokio::time::timeout(
            BEAT,
            client.get_multiplexed_async_connection_with_config(&config),
        )
        .await
        .ok()?
        .ok()
    }

    fn presence_key(&self) -> String {
        format!("{}:presence", self.backplane.config().stream_key())
    }

    async fn beat(
        &self,
        conn: &mut redis::aio::MultiplexedConnection,
        hub: &Hub,
        chat: &Topic,
    ) -> redis::RedisResult<()> {
        let key = self.presence_key();
        let now = unix_ms();
        let ttl = u64::try_from(TTL.as_millis()).unwrap_or(u64::MAX);
        let mine = format!(
            "{} {} {}",
            hub.subscribers(chat),
            hub.total_subscribers(),
            now + ttl
        );
        let (_, all): ((), Vec<(String, String)>) = redis::pipe()
            .hset(&key, &self.node, mine)
            .hgetall(&key)
            .query_async(conn)
            .await?;
        let (mut chat_elsewhere, mut subscribers_elsewhere) = (0, 0);
        let mut expired = Vec::new();
        for (node, value) in all {
            let mut parts = value.split(' ').map(str::parse::<u64>);
            let (Some(Ok(c)), Some(Ok(s)), Some(Ok(until))) =
                (parts.next(), parts.next(), parts.next())
            else {
                expired.push(node);
                continue;
            };
            if until < now {
                expired.push(node);
            } else if node != self.node {
                chat_elsewhere += usize::try_from(c).unwrap_or(0);
                subscribers_elsewhere += usize::try_from(s).unwrap_or(0);
            }
        }
        if !expired.is_empty() {
            let _: () = conn.hdel(&key, expired).await?;
        }
        self.elsewhere
            .subscribers
            .store(subscribers_elsewhere, Ordering::Relaxed);
        if self.elsewhere.chat.swap(chat_elsewhere, Ordering::Relaxed) != chat_elsewhere {
            hub.refresh_presence(chat);
        }
        Ok(())
    }
}
