#![doc = include_str!("../README.md")]
//!
//! # Items
//!
//! | item | what it is |
//! |---|---|
//! | [`Sse`] | the `Reply`: a stream of events in, a `text/event-stream` response out |
//! | [`last_event_id()`] | a filter extracting `Option<LastEventId>`, never rejecting |
//! | [`cors()`] | wraps an SSE route in a [`CorsPolicy`], answering its preflight |
//!
//! Everything else here is re-exported from [`sse_core`], so one `use sse_warp::...` is enough.
//! [`LastEventId`] is sse-core's own type, the same type `sse-axum`, `sse-actix` and
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
//! let event = sse_warp::Event::new().json_data(&["a", "b"])?;
//! assert_eq!(event.data_str(), Some(r#"["a","b"]"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod cors;
mod filters;
mod reply;

pub use cors::cors;
pub use filters::last_event_id;
pub use reply::Sse;
pub use sse_core::{
    CancellationToken, CorsError, CorsPolicy, Encoded, Event, EventName, Id, IntoFrame,
    InvalidField, KeepAlive, LastEventId, MissingLastEventId, OnError,
};
