//! The demo's command-line flags, the same for every framework (contract:
//! `examples/README.md`).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;

use crate::demo::LogFormat;

/// The flags of `demo-axum`, `demo-actix` and `demo-warp`.
#[derive(Debug, Clone, Parser)]
#[command(
    version,
    about = "Server-Sent Events demo: a chat with online count and a live clock"
)]
pub struct Config {
    /// Listen address.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Heartbeat after this many milliseconds of silence.
    #[arg(long, value_name = "N", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub keep_alive_ms: u64,

    /// Events kept per topic for Last-Event-ID replay.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub history: usize,

    /// And at most this many bytes of encoded events per topic, whichever bound is
    /// reached first.
    #[arg(long, value_name = "N", default_value_t = 64 << 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub history_bytes: u64,

    /// Bytes of history the whole process keeps, over all topics; past it the oldest
    /// events hub-wide are evicted (older ids then get `reset`), and one event larger
    /// than it is refused with 413.
    #[arg(long, value_name = "N", default_value_t = 256 << 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub memory_budget_bytes: u64,

    /// Join a cluster: events travel through the Redis stream `--redis-key` on this
    /// server (`redis://host:port/db`), so any number of demo processes (any mix of the
    /// three) on one Redis behave as one hub. Without it the hub is in memory.
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,

    /// The Redis stream key (with --redis); cluster presence uses `<key>:presence`.
    #[arg(long, value_name = "NAME", default_value = sse_redis::DEFAULT_KEY)]
    pub redis_key: String,

    /// An origin allowed to subscribe cross-origin, with credentials (repeatable).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,

    /// Period of the built-in `clock` topic in milliseconds; 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub clock_ms: u64,

    /// End each stream after about N ms (jittered between 0.5×N and 1.5×N); 0 = never.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_stream_ms: u64,

    /// On SIGINT/SIGTERM, time allowed for streams to end before exit.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub shutdown_grace_ms: u64,

    /// Logs on stderr, filtered by RUST_LOG (default `info`): `pretty` or `json`.
    #[arg(long, value_name = "F", value_enum, default_value_t = LogFormat::Pretty, hide_possible_values = true)]
    pub log_format: LogFormat,
}

impl Config {
    /// The keep-alive interval.
    #[must_use]
    pub const fn keep_alive(&self) -> Duration {
        Duration::from_millis(self.keep_alive_ms)
    }

    /// The clock period, if the clock is on.
    #[must_use]
    pub fn clock(&self) -> Option<Duration> {
        (self.clock_ms > 0).then(|| Duration::from_millis(self.clock_ms))
    }

    /// The maximum stream lifetime, if any.
    #[must_use]
    pub fn max_stream(&self) -> Option<Duration> {
        (self.max_stream_ms > 0).then(|| Duration::from_millis(self.max_stream_ms))
    }

    /// The grace period of a graceful shutdown.
    #[must_use]
    pub const fn shutdown_grace(&self) -> Duration {
        Duration::from_millis(self.shutdown_grace_ms)
    }
}
