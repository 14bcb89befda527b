//! Reading back from the stream (`XRANGE`) the events a resuming client missed that the
//! node's history no longer holds (see [`Backplane::replay`](sse_hub::Backplane::replay)).
//!
//! The read goes in pages of [`RedisConfig::batch`] entries, each starting *at* the
//! last id read (inclusive): Redis trims a stream from its oldest end only, so finding
//! that id again proves that nothing after it was trimmed meanwhile, and finding the
//! client's own id first proves the stream still holds everything after it. Entries
//! are read as the node's reader reads them: an invalid one, or one stored after its
//! publisher's deadline, was never delivered anywhere and is skipped here too.

use redis::Value;
use redis::aio::ConnectionManager;
use sse_hub::{BackplaneError, Replayed, Topic};

use crate::config::RedisConfig;
use crate::entry;
use crate::id::StreamId;
use crate::reply;

/// Why a resume cannot be served from the stream.
fn refused(why: impl Into<String>) -> BackplaneError {
    BackplaneError::new(why.into())
}

/// The events of `topics` after `after` up to `through` (included), in stream order,
/// within the limits of `config`.
pub(crate) async fn read(
    mut conn: ConnectionManager,
    config: RedisConfig,
    after: StreamId,
    through: StreamId,
    topics: Vec<Topic>,
) -> Result<Replayed, BackplaneError> {
    let mut events = Replayed::new();
    let mut from = after;
    let mut scanned = 0usize;
    let mut bytes = 0usize;
    loop {
        let page = config.batch.min(config.replay_entries - scanned + 1);
        let reply: Value = redis::cmd("XRANGE")
            .arg(&config.key)
            .arg(from.to_string())
            .arg(through.to_string())
            .arg("COUNT")
            .arg(page + 1)
            .query_async(&mut conn)
            .await
            .map_err(|err| refused(format!("redis: {err}")))?;
        let entries = reply::entries(&reply).map_err(refused)?;
        let mut entries = entries.into_iter();
        if entries.next().map(|first| first.id) != Some(from) {
            return Err(refused(format!("the stream no longer holds {from}")));
        }
        let mut read = 0;
        for raw in entries {
            read += 1;
            scanned += 1;
            from = raw.id;
            if scanned > config.replay_entries {
                return Err(refused(format!(
                    "more than {} entries after {after}",
                    config.replay_entries
                )));
            }
            let Some(pairs) = raw.pairs() else { continue };
            let Ok(envelope) = entry::read(raw.id, &pairs, false) else {
                continue;
            };
            if topics.binary_search(envelope.topic()).is_err() {
                continue;
            }
            bytes += pairs.iter().map(|(_, value)| value.len()).sum::<usize>();
            if bytes > config.replay_bytes {
                return Err(refused(format!(
                    "more than {} bytes after {after}",
                    config.replay_bytes
                )));
            }
            events.push((raw.id.event_id(), envelope));
        }
        if read < page {
            return Ok(events);
        }
    }
}
