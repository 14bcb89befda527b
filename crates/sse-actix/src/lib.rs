#![doc = include_str!("../README.md")]
//!
//! # Items
//!
//! | item | what it is |
//! |---|---|
//! | [`Sse`] | the `Responder`: a stream of events in, a `text/event-stream` response out |
//! | [`LastEventId`] | the extractor of a reconnecting client's last id (use it as `Option<LastEventId>`) |
//! | [`SseCors`] | middleware applying a [`CorsPolicy`] to the SSE resource and its preflight |
//!
//! Everything else here is re-exported from [`sse_core`], so one `use sse_actix::...` is enough.
//! [`LastEventId`] is sse-core's own type (its `FromRequest` impl is in sse-core's
//! `actix-web` feature, which this crate enables), the same type `sse-axum`, `sse-warp`
//! and `sse-hub` use.
//!
//! # Features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `json` | yes | `Event::json_data` (sse-core's `json`: serde) |
//!
//! ```
//! // Through this crate alone: no sse-core or serde in your Cargo.toml.
//! let event = sse_actix::Event::new().json_data(&["a", "b"])?;
//! assert_eq!(event.data_str(), Some(r#"["a","b"]"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod response;

pub use cors::{SseCors, SseCorsMiddleware};
pub use response::Sse;
pub use sse_core::{
    CancellationToken, CorsError, CorsPolicy, Encoded, Event, EventName, Id, IntoFrame,
    InvalidField, KeepAlive, LastEventId, MissingLastEventId, OnError,
};
