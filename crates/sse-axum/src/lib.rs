#![doc = include_str!("../README.md")]
//!
//! # Items
//!
//! | item | what it is |
//! |---|---|
//! | [`Sse`] | the responder: a stream of events in, a `text/event-stream` response out |
//! | [`LastEventId`] | the extractor of a reconnecting client's last id (use it as `Option<LastEventId>`) |
//! | [`SseCorsLayer`] | a tower layer applying a [`CorsPolicy`] to the SSE route and its preflight |
//! | [`SseOptions`] | the builder methods of [`Sse`]: keep-alive, retry, error policy, shutdown |
//!
//! Everything else here is re-exported from [`sse_core`], so one `use sse_axum::...` is enough.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod extract;
mod response;

pub use cors::{SseCors, SseCorsLayer};
pub use extract::{LastEventId, MissingLastEventId};
pub use response::Sse;
pub use sse_core::{
    CancellationToken, CorsError, CorsPolicy, Encoded, Event, IntoFrame, InvalidField, KeepAlive,
    OnError, SseOptions, StreamConfig,
};
