//! The demo app (contract: `examples/README.md`), written once: flags, page, request
//! rules, hub wiring, shutdown. The binaries `demo-axum`, `demo-actix` and `demo-warp` only translate
//! HTTP to and from [`Demo`].

mod body;
mod cluster;
mod config;
mod error;
mod heap;
mod logging;
mod metrics;
mod page;
mod publish;
pub mod serve;
mod service;
mod signal;
mod stats_topic;
mod topics;

pub use body::read_limited;
pub use cluster::{BEAT, Cluster, Elsewhere, TTL};
pub use config::Config;
pub use error::{ApiError, JsonAnswer};
pub use heap::{COUNTING, Counting, HEAP_LIVE_BYTES, live_bytes as heap_live_bytes};
pub use logging::{LogFormat, init_logging};
pub use metrics::{METRICS_CONTENT_TYPE, install_recorder, render as render_metrics};
pub use page::PAGE;
pub use publish::{MAX_PUBLISH_BODY, PublishRequest};
pub use service::{CHAT_TOPIC, CLOCK_TOPIC, Demo, MAX_TOPICS, StartError};
pub use signal::shutdown_signal;
pub use stats_topic::{STATS_TOPIC, spawn_stats};
pub use topics::parse_topics;
