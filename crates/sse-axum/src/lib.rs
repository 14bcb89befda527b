#![doc = include_str!("../README.md")]
//!
//! # Items
//!
//! | item | what it is |
//! |---|---|
//! | [`Sse`] | the responder: a stream of events in, a `text/event-stream` response out |
//! | [`LastEventId`] | the extractor of a reconnecting client's last id (use it as `Option<LastEventId>`) |
//! | [`SseCorsLayer`] | a tower layer applying a [`CorsPolicy`] to the SSE route and its preflight |
//!
//! Everything else here is re-exported from [`sse_core`], so one `use sse_axum::...` is enough.
//! [`LastEventId`] is sse-core's own type (its axum extractor impls are in sse-core's
//! `axum` feature, which this crate enables), the same type `sse-actix`, `sse-warp` and
//! `sse-hub` use.
//!
//! # Features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `json` | yes | `Event::json_data` (sse-core's `json`: serde) |
//!
//! ```
//! // Through this crate alone: no sse-core or serde in your Cargo.toml.
//! let event = sse_axum::Event::new().json_data(&["a", "b"])?;
//! assert_eq!(event.data_str(), Some(r#"["a","b"]"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod response;

pub use cors::{SseCors, SseCorsLayer};
pub use response::Sse;
pub use sse_core::{
    CancellationToken, CorsError, CorsPolicy, Encoded, Event, EventName, Id, IntoFrame,
    InvalidField, KeepAlive, LastEventId, MissingLastEventId, OnError,
};
