//! A Redis Streams [`Backplane`](sse_hub::Backplane) for [`sse_hub`]: any number of
//! processes attached to one Redis stream serve one hub. A client may resume on any
//! process with an id that another one gave it.
//!
//! ```no_run
//! use sse_hub::Hub;
//! use sse_redis::{RedisBackplane, RedisConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let backplane = RedisBackplane::new(RedisConfig::new("redis://127.0.0.1:6379/").key("sse:events"))?;
//! let hub = Hub::builder().backplane(backplane.clone()).build()?;
//! // Loads the stream's tail into the hub's history; until then /healthz says 503.
//! tokio::time::timeout(std::time::Duration::from_secs(10), backplane.ready()).await?;
//! let id = hub.publish(&sse_hub::Topic::new("chat")?, sse_core::Event::new().data("hi")).await?;
//! assert!(id.as_str().contains('-')); // a Redis id: `<ms>-<seq>`
//! # Ok(())
//! # }
//! ```
//!
//! # The design
//!
//! * **One stream is the history of record and the one order.** `XADD` gives each event
//!   its id, which is also its SSE `id:`; ids are ordered across topics and processes,
//!   so one `Last-Event-ID` resumes a subscription to several topics on any process.
//!   Each process's history (the hub's per-topic ring) is a cache of the stream's tail.
//! * **One reader per process** (`XREAD BLOCK` to wait, then a short Lua script that
//!   reads a batch and, atomically with it, what tells whether entries after the
//!   reader's position were lost) hands every entry to the local hub in stream order:
//!   an event is encoded once per process and fanned out locally.
//! * **Start-up**: the reader loads the newest entries ([`RedisConfig::backfill`])
//!   before the backplane reports healthy, then reads on from exactly the newest one
//!   it loaded: no gap, no duplicate. When older entries exist that it did not load,
//!   ids before the first loaded one are resumed from the stream (below).
//! * **Resume beyond a node's history**: the node's history is a cache; a client whose
//!   `Last-Event-ID` is older than it gets the missed events read back from the stream
//!   (`XRANGE`, bounded by [`RedisConfig::replay_limit`]), then the history's, then live
//!   events, with no gap and no duplicate; an id the stream no longer holds gets `reset`.
//! * **Faults**: publishing fails fast with a reason while Redis is unreachable or
//!   paused (never later than 1.5 × [`RedisConfig::publish_timeout`]), open streams stay open,
//!   and the reader reconnects with capped exponential backoff
//!   ([`RedisConfig::backoff`]). An entry Redis stores after its publisher gave up is
//!   skipped by every reader, so a failed publish reaches nobody.
//! * **Continuity**: the stream deleted or made again (Redis restarted without
//!   persistence), trimmed past the reader's position, or ids that go back: every
//!   subscriber gets a `reset` (then live events), never a silent gap.
//! * **Bad entries** (written by hand: missing fields, not UTF-8, an event name with a
//!   line break) are skipped with a `tracing` warning and counted.
//!
//! # Entries
//!
//! Fields: `topic`, `data` (or `nodata` `1` for an event without data), and when set
//! `event`, `retry` (ms), `uncounted` (`1`) and `deadline` (Unix ms). Comments on an
//! event are not carried.
//!
//! # The client
//!
//! [`redis`](https://docs.rs/redis) (redis-rs) with tokio: its `ConnectionManager`
//! (a multiplexed connection that pipelines concurrent commands and reconnects by
//! itself) for publishing, and a plain multiplexed connection for the reader, whose
//! reconnection this crate drives (it must re-check continuity and report health).
//! It is the most used Redis client for Rust, maintained under the redis-rs
//! organisation, and runs the scripts and raw commands this design needs.

mod backplane;
mod config;
mod entry;
mod health;
mod id;
mod reader;
mod replay;
mod reply;

pub use backplane::{RedisBackplane, RedisStats};
pub use config::{DEFAULT_KEY, RedisConfig};
