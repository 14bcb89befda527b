//! [`RedisBackplane`]: the [`Backplane`] on a Redis stream.

use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Value};
use sse_hub::{
    Backplane, BackplaneError, CatchUp, Envelope, EventId, Inbox, PublishError, Publishing, Replay,
    Topic,
};
use tokio::task::AbortHandle;

use crate::config::RedisConfig;
use crate::entry;
use crate::health::{Health, Status};
use crate::id::StreamId;
use crate::reader::Reader;
use crate::replay;
use crate::reply;

/// A [`Backplane`] on one Redis stream: every process attached to the same stream (the
/// same server and key) serves one hub.
///
/// * Publishing is one `XADD <key> MAXLEN ~ <max_len> * topic .. data ..` on a shared
///   multiplexed connection (concurrent publishes are pipelined), and the event's id
///   is the Redis entry id (`<ms>-<seq>`), ordered across topics and processes. The
///   publish completes once Redis has stored the entry and this process's reader has
///   handed it to the local hub (so a client may resume from the returned id at once).
/// * One reader per process (its own connection) loads the stream's tail at start-up,
///   then reads every new entry in stream order and hands it to the local hub, which
///   encodes it once and fans it out.
/// * Health: publishing fails at once, with the reason, while the reader is not
///   connected (at start-up until the tail is loaded; while Redis is unreachable or
///   paused); a publish never takes longer than 1.5 ×
///   [`publish_timeout`](RedisConfig::publish_timeout), and an event Redis stores after
///   that timeout is refused (and skipped by every reader).
/// * A break in continuity (the stream deleted, Redis restarted empty, the stream
///   trimmed past this process's position, ids that go back) reaches every subscriber
///   as a `reset` (see [`Inbox::discontinuity`]).
/// * Resume beyond the node's history: a client whose `Last-Event-ID` is older than
///   what this process's history holds of its topics gets the missed events read back
///   from the stream (`XRANGE`, within [`RedisConfig::replay_limit`]), then the
///   history's, then live events; an id the stream no longer holds gets `reset`.
/// * Entries that are not valid events (missing fields, not UTF-8, an event name with a
///   line break, a bad topic) are skipped with a warning and counted in
///   [`RedisStats::skipped`].
///
/// [`attach`](Backplane::attach) (called by `HubBuilder::build`) starts the reader, so
/// the hub must be built inside a tokio runtime; [`ready`](Self::ready) waits for the
/// tail to be loaded.
#[derive(Clone)]
pub struct RedisBackplane {
    shared: Arc<Shared>,
}

struct Shared {
    client: Client,
    config: RedisConfig,
    publisher: ConnectionManager,
    health: Arc<Health>,
    reader: Mutex<Option<AbortHandle>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(reader) = self
            .reader
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
        {
            reader.abort();
        }
    }
}

/// Counters of a [`RedisBackplane`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisStats {
    /// Entries skipped because they were not valid events (or stored after their
    /// publisher's deadline).
    pub skipped: u64,
    /// Breaks in continuity reported to the hub as `reset`.
    pub breaks: u64,
    /// Times the reader lost its connection and reconnected.
    pub reconnects: u64,
    /// Publishes that failed (Redis unreachable, slow or refusing).
    pub publish_failures: u64,
    /// Resumes whose missed events were read back from the stream.
    pub replays: u64,
    /// Resumes that asked for events from the stream and got `reset` instead (trimmed,
    /// over the limits, Redis unreachable).
    pub replay_refusals: u64,
}

impl RedisBackplane {
    /// A backplane for the stream `config.key` on the server at `config.url`. Nothing
    /// is connected yet: the reader starts when a hub attaches, and the publishing
    /// connection on first use.
    ///
    /// # Errors
    ///
    /// A URL that is not a Redis URL.
    pub fn new(config: RedisConfig) -> Result<Self, BackplaneError> {
        let client = Client::open(config.url.as_str()).map_err(BackplaneError::new)?;
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.connect_timeout))
            .set_response_timeout(Some(config.reply_timeout()))
            .set_min_delay(config.backoff.0)
            .set_max_delay(config.backoff.1)
            .set_number_of_retries(2);
        let publisher = client
            .get_connection_manager_lazy(manager)
            .map_err(BackplaneError::new)?;
        Ok(Self {
            shared: Arc::new(Shared {
                client,
                config,
                publisher,
                health: Arc::new(Health::new()),
                reader: Mutex::new(None),
            }),
        })
    }

    /// Waits until the reader has loaded the stream's tail and is connected (at once
    /// when it is). Until then [`health`](Backplane::health) is an error and publishing
    /// fails. Bound it with a timeout of your choice.
    pub async fn ready(&self) {
        self.shared.health.up().await;
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> RedisStats {
        let h = &self.shared.health;
        RedisStats {
            skipped: h.skipped.load(Ordering::Relaxed),
            breaks: h.breaks.load(Ordering::Relaxed),
            reconnects: h.reconnects.load(Ordering::Relaxed),
            publish_failures: h.publish_failures.load(Ordering::Relaxed),
            replays: h.replays.load(Ordering::Relaxed),
            replay_refusals: h.replay_refusals.load(Ordering::Relaxed),
        }
    }

    /// The settings.
    pub fn config(&self) -> &RedisConfig {
        &self.shared.config
    }

    /// The Redis client (the same server), for an application's own keys next to the
    /// stream, such as cluster-wide presence.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.shared.client
    }
}

pub(crate) fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn failed(why: impl Into<String>) -> PublishError {
    PublishError::Backplane(BackplaneError::new(why.into()))
}

impl Backplane for RedisBackplane {
    fn attach(&self, inbox: Inbox) -> Result<(), BackplaneError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            BackplaneError::new("a RedisBackplane must be attached inside a tokio runtime")
        })?;
        let mut reader = self
            .shared
            .reader
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if reader.is_some() {
            return Err(BackplaneError::new("a RedisBackplane serves one hub only"));
        }
        let task = Reader::new(
            self.shared.client.clone(),
            self.shared.config.clone(),
            self.shared.health.clone(),
            inbox,
            self.shared.publisher.clone(),
        );
        *reader = Some(runtime.spawn(task.run()).abort_handle());
        Ok(())
    }

    fn publish(&self, envelope: Envelope) -> Publishing {
        let shared = &self.shared;
        match shared.health.status() {
            Status::Up => {}
            Status::Loading => {
                Health::count(&shared.health.publish_failures);
                return Publishing::ready(Err(failed("still loading history from redis")));
            }
            Status::Down(why) => {
                Health::count(&shared.health.publish_failures);
                return Publishing::ready(Err(failed(why)));
            }
        }
        // Redis must store the entry by `deadline` (its id's time, Redis's clock, against
        // the deadline in the entry): a later entry is skipped by every reader, and
        // its publisher reports a failure by the same rule. The reply is awaited half
        // as long again, so a reply in transit at the deadline is still seen.
        let deadline = unix_ms()
            .saturating_add(u64::try_from(shared.config.publish_timeout.as_millis()).unwrap_or(0));
        let timeout = shared.config.reply_timeout();
        let mut cmd = redis::cmd("XADD");
        cmd.arg(&shared.config.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(shared.config.max_len)
            .arg("*");
        entry::write(&mut cmd, &envelope, Some(deadline));
        let mut conn = shared.publisher.clone();
        let health = shared.health.clone();
        Publishing::new(async move {
            let started = tokio::time::Instant::now();
            let reply = tokio::time::timeout(timeout, cmd.query_async::<Value>(&mut conn)).await;
            sse_hub::observe::backplane_round_trip(started.elapsed());
            let id = match reply {
                Ok(Ok(value)) => {
                    reply::stream_id(&value).ok_or_else(|| format!("XADD answered {value:?}"))
                }
                Ok(Err(err)) => Err(format!("redis: {err}")),
                Err(_) => Err(format!("redis did not answer within {timeout:?}")),
            };
            let id = match id {
                Ok(id) => id,
                Err(why) => {
                    Health::count(&health.publish_failures);
                    health.down(why.clone());
                    return Err(failed(why));
                }
            };
            if id.ms > deadline {
                // Every reader skips it: nobody receives it, so it is not published.
                Health::count(&health.publish_failures);
                return Err(failed(format!(
                    "redis stored the event {} ms after the publish deadline (overloaded?)",
                    id.ms - deadline
                )));
            }
            // Stored: it will be delivered. Wait (within the budget) until this
            // process's hub has it, so the id resumes here at once.
            let left = timeout
                .saturating_sub(started.elapsed())
                .max(Duration::from_millis(1));
            let _ = tokio::time::timeout(left, health.read_past(id)).await;
            Ok::<EventId, PublishError>(id.event_id())
        })
    }

    fn parse_id(&self, text: &str) -> Option<EventId> {
        StreamId::parse(text).map(StreamId::event_id)
    }

    fn origin(&self) -> Option<EventId> {
        Some(StreamId::ZERO.event_id())
    }

    fn caught_up(&self, id: EventId) -> CatchUp {
        let health = self.shared.health.clone();
        let timeout = self.shared.config.publish_timeout;
        let [ms, seq] = id.key();
        CatchUp::new(async move {
            let _ = tokio::time::timeout(timeout, health.read_past(StreamId { ms, seq })).await;
        })
    }

    fn replay(&self, after: EventId, through: EventId, topics: &[Topic]) -> Option<Replay> {
        let shared = &self.shared;
        if shared.config.replay_entries == 0 {
            return None;
        }
        let id = |id: EventId| {
            let [ms, seq] = id.key();
            StreamId { ms, seq }
        };
        let read = replay::read(
            shared.publisher.clone(),
            shared.config.clone(),
            id(after),
            id(through),
            topics.to_vec(),
        );
        let up = shared.health.status() == Status::Up;
        let timeout = shared.config.reply_timeout();
        let health = shared.health.clone();
        Some(Replay::new(async move {
            let read = if up {
                tokio::time::timeout(timeout, read)
                    .await
                    .unwrap_or_else(|_| {
                        Err(BackplaneError::new(format!(
                            "redis did not answer within {timeout:?}"
                        )))
                    })
            } else {
                Err(BackplaneError::new("redis is not reachable"))
            };
            match &read {
                Ok(_) => Health::count(&health.replays),
                Err(why) => {
                    Health::count(&health.replay_refusals);
                    tracing::info!(after = %after, reason = %why, "resume not served from the stream: reset");
                }
            }
            read
        }))
    }

    fn health(&self) -> Result<(), BackplaneError> {
        match self.shared.health.status() {
            Status::Up => Ok(()),
            Status::Loading => Err(BackplaneError::new("loading history from redis")),
            Status::Down(why) => Err(BackplaneError::new(why)),
        }
    }
}

impl fmt::Debug for RedisBackplane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBackplane")
            .field("key", &self.shared.config.key)
            .field("status", &self.shared.health.status())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}
