//! The demo app (contract: `examples/README.md`), written once: flags, page, request
//! rules, hub wiring, shutdown. The binaries `demo-axum`, `demo-actix` and `demo-warp` only translate
//! HTTP to and from [`Demo`].

mod body;
mod cluster;
mod config;
mod error;
mod page;
mod publish;
pub mod serve;
mod service;
mod signal;
mod topics;

pub use body::read_limited;
pub use cluster::{BEAT, Cluster, Elsewhere, TTL};
pub use config::Config;
pub use error::{ApiError, JsonAnswer};
pub use page::PAGE;
pub use publish::{MAX_PUBLISH_BODY, PublishRequest};
pub use service::{CHAT_TOPIC, CLOCK_TOPIC, Demo, MAX_TOPICS, StartError};
pub use signal::shutdown_signal;
pub use topics::parse_topics;
