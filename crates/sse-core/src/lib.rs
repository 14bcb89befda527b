//! Framework-free Server-Sent Events (`text/event-stream`), exact to the WHATWG HTML
//! specification.
//!
//! This crate is the common ground of the `sse-axum`, `sse-actix` and `sse-warp`
//! adapters and of `sse-hub`. It has no web framework in it:
//!
//! | piece | what it does |
//! |---|---|
//! | [`EventName`], [`Id`] | `event` and `id` values checked once: `const` constants are checked at compile time |
//! | [`Event`] | builds one event; [`Event::encode`] frames it into one [`Encoded`] buffer (one allocation) |
//! | [`Encoded`] | a framed event, cheap to clone: encode once, send to many |
//! | [`EventStream`] | events in, body bytes out: initial `retry`, keep-alive, error policy, shutdown |
//! | [`KeepAlive`] | the keep-alive interval and frame |
//! | [`RESPONSE_HEADERS`] | the headers of every SSE response |
//! | [`CorsPolicy`] | exact-origin CORS for the stream and its preflight |
//! | [`LastEventId`] | the reconnecting client's last id, from header or query, validated |
//! | [`Decoder`] | the spec's parser, incremental: for Rust clients and as a test oracle |
//!
//! # Features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `tokio` | yes | [`EventStream`], [`OnError`] (tokio's timer, `CancellationToken`) |
//! | `http` | no | [`http1`]: the header lists written into an `http` 1.x `HeaderMap` (for axum, warp, hyper) |
//! | `json` | no | `Event::json_data` (serde) |
//! | `axum` | no | [`LastEventId`] as an axum 0.8 extractor, [`MissingLastEventId`] as its response (enabled by `sse-axum`) |
//! | `actix-web` | no | [`LastEventId`] as an actix-web 4 extractor, [`MissingLastEventId`] as its error response (enabled by `sse-actix`) |
//!
//! # Encoding in one example
//!
//! ```
//! use sse_core::{decode_all, Event, Frame, Message};
//!
//! let event = Event::new()
//!     .event("update")?
//!     .id("17")?
//!     .data(" leading space\r\nCRLF is one break\rlone CR too");
//! let bytes = event.encode();
//! assert_eq!(
//!     bytes.as_bytes().as_ref(),
//!     b"event: update\nid: 17\ndata:  leading space\ndata: CRLF is one break\ndata: lone CR too\n\n"
//! );
//!
//! // What a browser's EventSource would dispatch:
//! assert_eq!(
//!     decode_all(bytes.as_bytes()),
//!     [Frame::Message(Message::new(
//!         "update",
//!         " leading space\nCRLF is one break\nlone CR too",
//!         "17",
//!     ))]
//! );
//! # Ok::<(), sse_core::InvalidField>(())
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

// The README's example runs as a doctest too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod cors;
mod decoder;
mod encoded;
mod error;
mod event;
#[cfg(feature = "actix-web")]
mod extract_actix;
#[cfg(feature = "axum")]
mod extract_axum;
mod field;
mod frame;
mod headers;
#[cfg(feature = "http")]
pub mod http1;
mod keep_alive;
mod last_event_id;
mod lines;
#[cfg(feature = "tokio")]
mod options;
#[cfg(feature = "tokio")]
mod stream;

pub use bytes::Bytes;
pub use cors::{APPENDED_HEADERS, CorsError, CorsPolicy, HeaderPair, PreflightResponse};
pub use decoder::{DecodeError, Decoder, Frame, Message, decode_all};
pub use encoded::Encoded;
pub use error::{FieldName, InvalidField, Problem};
pub use event::{Event, Text};
pub use field::{EventName, Id};
pub use frame::IntoFrame;
pub use headers::{CONTENT_TYPE, RESPONSE_HEADERS};
pub use keep_alive::KeepAlive;
pub use last_event_id::{
    LAST_EVENT_ID_HEADER, LAST_EVENT_ID_QUERY, LastEventId, MAX_LAST_EVENT_ID_LEN,
    MISSING_LAST_EVENT_ID_BODY, MissingLastEventId,
};
#[cfg(feature = "tokio")]
pub use options::OnError;
#[cfg(feature = "tokio")]
pub use stream::EventStream;
#[cfg(feature = "tokio")]
pub use tokio_util::sync::CancellationToken;
