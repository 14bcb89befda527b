//! The reader: one task per process that loads the stream's tail into the hub, then
//! hands it every new entry in stream order, checking that nothing was lost in between.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, MultiplexedConnection};
use redis::{AsyncConnectionConfig, Client, Script, Value};
use sse_hub::{Inbox, PublishError};

use crate::config::RedisConfig;
use crate::entry;
use crate::health::{Health, Status};
use crate::id::StreamId;
use crate::reply::{self, RawEntry};

/// Loads the tail: whether the stream exists, the newest deleted id, its length, and
/// its newest entries (newest first), in one atomic step.
const BACKFILL: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local deleted = '0-0'
for i = 1, #info, 2 do
  if info[i] == 'max-deleted-entry-id' then deleted = info[i + 1] end
end
return {1, deleted, redis.call('XLEN', KEYS[1]),
        redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1])}
";

/// Reads the entries after ARGV[1] together with what tells whether any entry after it
/// was lost: whether the stream exists, its newest deleted id, its first entry's id,
/// and whether ARGV[1] itself is still there, in one atomic step.
const READ: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local deleted, first = '0-0', ''
for i = 1, #info, 2 do
  if info[i] == 'max-deleted-entry-id' then deleted = info[i + 1] end
  if info[i] == 'first-entry' and info[i + 1] then first = info[i + 1][1] end
end
local held = #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
return {1, deleted, first, held,
        redis.call('XREAD', 'COUNT', ARGV[2], 'STREAMS', KEYS[1], ARGV[1])}
";

/// Where the reader is in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Nothing read yet (the stream was empty or gone): read from the start, unchecked.
    Start,
    /// Just after this entry, which was read.
    Entry(StreamId),
    /// Just after this id, which is not an entry (where a break was reported).
    After(StreamId),
}

impl Position {
    const fn id(self) -> StreamId {
        match self {
            Self::Start => StreamId::ZERO,
            Self::Entry(id) | Self::After(id) => id,
        }
    }
}

/// What one read found.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// Entries that follow the position (maybe none).
    Entries(Vec<StreamId>),
    /// Entries after the position were lost: report a break at `at`, go on from `next`.
    Break { at: StreamId, next: Position },
}

/// The facts [`READ`] returns about the stream.
#[derive(Debug, Clone, Copy)]
struct Facts {
    exists: bool,
    deleted: StreamId,
    first: Option<StreamId>,
    held: bool,
}

/// Whether reading on from `position` skips lost entries, from the stream's `facts`.
fn judge(position: Position, facts: Facts) -> Option<(StreamId, Position)> {
    let broken_at = |from: StreamId| {
        let at = facts
            .first
            .map_or(from.successor().max(facts.deleted), |first| {
                first.predecessor().unwrap_or(StreamId::ZERO)
            });
        (at, Position::After(at))
    };
    match position {
        Position::Start => None,
        // Gone: entries after `last` may have been written and lost with it. The
        // stream made again is read from its start.
        Position::Entry(last) if !facts.exists => Some((last.successor(), Position::Start)),
        // Still there, or trimmed exactly up to it: nothing after it is gone.
        Position::Entry(last) if facts.held || facts.deleted == last => None,
        Position::Entry(last) => Some(broken_at(last)),
        Position::After(_) if !facts.exists => None,
        Position::After(at) if facts.deleted <= at => None,
        Position::After(at) => Some(broken_at(at)),
    }
}

/// Why a session ended.
enum Exit {
    /// The hub is gone or shut down: the reader stops.
    Closed,
    /// Redis failed; reconnect.
    Failed(String),
}

impl From<redis::RedisError> for Exit {
    fn from(err: redis::RedisError) -> Self {
        Self::Failed(err.to_string())
    }
}

/// The reader of one process.
pub(crate) struct Reader {
    client: Client,
    config: RedisConfig,
    health: Arc<Health>,
    inbox: Inbox,
    /// The publishing connection, checked before reporting healthy.
    publisher: ConnectionManager,
    backfill: Script,
    read: Script,
    position: Position,
    loaded: bool,
}

impl Reader {
    pub(crate) fn new(
        client: Client,
        config: RedisConfig,
        health: Arc<Health>,
        inbox: Inbox,
        publisher: ConnectionManager,
    ) -> Self {
        Self {
            publisher,
            client,
            config,
            health,
            inbox,
            backfill: Script::new(BACKFILL),
            read: Script::new(READ),
            position: Position::Start,
            loaded: false,
        }
    }

    /// Runs until the hub is gone: connects, loads, reads; on any failure reports the
    /// backplane down and reconnects after a delay that doubles up to its cap.
    pub(crate) async fn run(mut self) {
        let (min, max) = self.config.backoff;
        let mut delay = min;
        loop {
            let mut connected = false;
            match self.session(&mut connected).await {
                Exit::Closed => return,
                Exit::Failed(why) => {
                    self.health.down(format!("redis unreachable: {why}"));
                    Health::count(&self.health.reconnects);
                }
            }
            if connected {
                delay = min;
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(max);
        }
    }

    async fn connect(&self) -> Result<MultiplexedConnection, Exit> {
        let timeout = self.config.connect_timeout;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(self.config.block + timeout));
        match tokio::time::timeout(
            timeout + Duration::from_millis(50),
            self.client
                .get_multiplexed_async_connection_with_config(&config),
        )
        .await
        {
            Ok(connection) => Ok(connection?),
            Err(_) => Err(Exit::Failed("connecting timed out".into())),
        }
    }

    async fn session(&mut self, connected: &mut bool) -> Exit {
        let mut conn = match self.connect().await {
            Ok(conn) => conn,
            Err(exit) => return exit,
        };
        *connected = true;
        if !self.loaded {
            if let Err(exit) = self.load(&mut conn).await {
                return exit;
            }
            self.loaded = true;
        }
        if let Err(exit) = self.check_publisher().await {
            return exit;
        }
        loop {
            let found = match self.read(&mut conn).await {
                Ok(found) => found,
                Err(exit) => return exit,
            };
            self.health.set(Status::Up);
            let full = match found {
                Found::Break { at, next } => {
                    if let Err(exit) = self.discontinuity(at) {
                        return exit;
                    }
                    self.position = next;
                    self.health.rewind(at);
                    continue;
                }
                Found::Entries(ids) => ids.len() >= self.config.batch,
            };
            if !full && let Err(exit) = self.wait(&mut conn).await {
                return exit;
            }
        }
    }

    /// Makes sure the publishing connection works before reporting healthy: after
    /// Redis came back, its first command may meet the dead connection (which makes it
    /// reconnect), so it is retried a few times.
    async fn check_publisher(&self) -> Result<(), Exit> {
        let mut last = String::new();
        for _ in 0..5 {
            let mut conn = self.publisher.clone();
            let cmd = redis::cmd("PING");
            let ping = cmd.query_async::<Value>(&mut conn);
            match tokio::time::timeout(self.config.connect_timeout, ping).await {
                Ok(Ok(_)) => return Ok(()),
                Ok(Err(err)) => last = err.to_string(),
                Err(_) => last = "no answer".into(),
            }
            tokio::time::sleep(self.config.backoff.0).await;
        }
        Err(Exit::Failed(format!("the publishing connection: {last}")))
    }

    /// Loads the newest entries into the hub. When the stream has older entries than
    /// those loaded, or lost some (trimmed), the hub is told that ids before the first
    /// one loaded cannot be resumed from (a break at the entry before it, or just
    /// before it).
    async fn load(&mut self, conn: &mut MultiplexedConnection) -> Result<(), Exit> {
        let reply: Value = self
            .backfill
            .key(&self.config.key)
            .arg(self.config.backfill.saturating_add(1))
            .invoke_async(conn)
            .await?;
        let Value::Array(parts) = &reply else {
            return Err(Exit::Failed(format!("unexpected reply {reply:?}")));
        };
        if reply::int(&parts[0]) != Some(1) {
            // No stream yet: everything will be new.
            self.position = Position::Start;
            return Ok(());
        }
        let (Some(deleted), Some(length), Ok(mut entries)) = (
            parts.get(1).and_then(reply::stream_id),
            parts.get(2).and_then(reply::int),
            parts.get(3).map_or(Ok(Vec::new()), reply::entries),
        ) else {
            return Err(Exit::Failed(format!("unexpected reply {reply:?}")));
        };
        entries.reverse();
        let complete = deleted == StreamId::ZERO && usize::try_from(length) == Ok(entries.len());
        // One more entry than loaded was read: when there is one, it names the break.
        let before = if entries.len() > self.config.backfill {
            Some(entries.remove(0).id)
        } else {
            None
        };
        if let (false, Some(first)) = (complete, entries.first()) {
            let at = before.or_else(|| first.id.predecessor());
            self.discontinuity(at.unwrap_or(StreamId::ZERO))?;
        }
        for entry in &entries {
            self.deliver(entry, false)?;
        }
        tracing::info!(entries = entries.len(), key = %self.config.key, "loaded the stream's tail");
        Ok(())
    }

    /// Reads the entries after the position, or finds that some were lost.
    async fn read(&mut self, conn: &mut MultiplexedConnection) -> Result<Found, Exit> {
        let reply: Value = self
            .read
            .key(&self.config.key)
            .arg(self.position.id().to_string())
            .arg(self.config.batch)
            .invoke_async(conn)
            .await?;
        let bad = || Exit::Failed(format!("unexpected reply {reply:?}"));
        let Value::Array(parts) = &reply else {
            return Err(bad());
        };
        let facts = if reply::int(&parts[0]) == Some(1) {
            Facts {
                exists: true,
                deleted: parts.get(1).and_then(reply::stream_id).ok_or_else(bad)?,
                first: parts.get(2).and_then(reply::stream_id),
                held: parts.get(3).and_then(reply::int).is_some_and(|n| n > 0),
            }
        } else {
            Facts {
                exists: false,
                deleted: StreamId::ZERO,
                first: None,
                held: false,
            }
        };
        if let Some((at, next)) = judge(self.position, facts) {
            return Ok(Found::Break { at, next });
        }
        let entries = parts
            .get(4)
            .map_or(Ok(Vec::new()), reply::xread)
            .map_err(Exit::Failed)?;
        let mut ids = Vec::with_capacity(entries.len());
        for entry in &entries {
            self.deliver(entry, true)?;
            ids.push(entry.id);
        }
        if let Some(last) = ids.last() {
            self.health.mark_read(*last);
        }
        Ok(Found::Entries(ids))
    }

    /// Waits (`XREAD BLOCK`) until an entry after the position exists, or the block ends.
    async fn wait(&self, conn: &mut MultiplexedConnection) -> Result<(), Exit> {
        let block = u64::try_from(self.config.block.as_millis()).unwrap_or(u64::MAX);
        let _: Value = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(block.max(1))
            .arg("STREAMS")
            .arg(&self.config.key)
            .arg(self.position.id().to_string())
            .query_async(conn)
            .await?;
        Ok(())
    }

    fn discontinuity(&self, at: StreamId) -> Result<(), Exit> {
        tracing::warn!(key = %self.config.key, at = %at, "the stream lost entries this node had not read: subscribers get `reset`");
        Health::count(&self.health.breaks);
        self.inbox
            .discontinuity(at.event_id())
            .map_err(|_| Exit::Closed)
    }

    /// Hands one entry to the hub (or skips it, with a warning, when it is not a valid
    /// event); the position moves past it either way.
    fn deliver(&mut self, raw: &RawEntry, live: bool) -> Result<(), Exit> {
        self.position = Position::Entry(raw.id);
        let envelope = raw
            .pairs()
            .ok_or(entry::Bad::Shape)
            .and_then(|pairs| entry::read(raw.id, &pairs, live));
        let envelope = match envelope {
            Ok(envelope) => envelope,
            Err(bad) => {
                Health::count(&self.health.skipped);
                tracing::warn!(key = %self.config.key, id = %raw.id, reason = %bad, "skipped a stream entry");
                return Ok(());
            }
        };
        if live {
            // Redis's clock (the id's time) against ours: the same machine's in tests.
            let lag = crate::backplane::unix_ms().saturating_sub(raw.id.ms);
            sse_hub::observe::backplane_reader_lag(Duration::from_millis(lag));
        }
        let id = raw.id.event_id();
        match self.inbox.deliver(id, envelope.clone()) {
            Ok(()) => Ok(()),
            // Ids went back (the stream was made again with lower ids): a break.
            Err(PublishError::OutOfOrder { .. }) => {
                self.discontinuity(raw.id.predecessor().unwrap_or(StreamId::ZERO))?;
                self.inbox.deliver(id, envelope).map_err(|_| Exit::Closed)
            }
            Err(PublishError::Closed) => Err(Exit::Closed),
            Err(other) => {
                Health::count(&self.health.skipped);
                tracing::warn!(key = %self.config.key, id = %raw.id, reason = %other, "the hub refused a stream entry");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64) -> StreamId {
        StreamId { ms, seq: 0 }
    }

    fn facts(deleted: u64, first: Option<u64>, held: bool) -> Facts {
        Facts {
            exists: true,
            deleted: id(deleted),
            first: first.map(id),
            held,
        }
    }

    #[test]
    fn a_held_position_or_one_trimmed_exactly_is_continuous() {
        let at = Position::Entry(id(10));
        assert_eq!(judge(at, facts(3, Some(4), true)), None);
        assert_eq!(judge(at, facts(10, Some(11), false)), None);
        assert_eq!(judge(Position::Start, facts(99, None, false)), None);
        assert_eq!(
            judge(Position::After(id(10)), facts(10, Some(12), false)),
            None
        );
    }

    #[test]
    fn trimmed_past_or_made_again_is_a_break_before_the_first_entry() {
        let at = Position::Entry(id(10));
        let before = |ms| StreamId { ms, seq: u64::MAX };
        // Trimmed past the position.
        assert_eq!(
            judge(at, facts(15, Some(16), false)),
            Some((before(15), Position::After(before(15))))
        );
        // Made again (nothing deleted, the position is not there), ids later or earlier.
        assert_eq!(
            judge(at, facts(0, Some(20), false)),
            Some((before(19), Position::After(before(19))))
        );
        assert_eq!(
            judge(at, facts(0, Some(2), false)),
            Some((before(1), Position::After(before(1))))
        );
        // Everything deleted: the break is after the newest deleted id.
        assert_eq!(
            judge(at, facts(30, None, false)),
            Some((id(30), Position::After(id(30))))
        );
        // Gone: a break just after the position, and the new stream is read whole.
        let gone = Facts {
            exists: false,
            ..facts(0, None, false)
        };
        assert_eq!(
            judge(at, gone),
            Some((StreamId { ms: 10, seq: 1 }, Position::Start))
        );
        assert_eq!(judge(Position::After(id(10)), gone), None);
        assert!(judge(Position::After(id(10)), facts(11, Some(12), false)).is_some());
    }
}
