//! How an event stream behaves around its events: keep-alive, retry, errors, shutdown.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::{Encoded, KeepAlive};

/// What an [`EventStream`](crate::EventStream) does when its source yields an error.
///
/// In every case the stream ends after the error: the source is not polled again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnError {
    /// Passes the error on to the server, which aborts the response without its proper
    /// end (HTTP/1.1: no final chunk; HTTP/2: a reset). The client sees a network error
    /// and reconnects with `Last-Event-ID`. The default, as in axum and warp.
    #[default]
    Abort,
    /// Ends the response cleanly; the error is dropped. The client reconnects after
    /// its retry delay, as after any end of stream.
    Close,
    /// Sends this frame (for example an `error` event the page listens for), then ends
    /// the response cleanly.
    CloseWith(Encoded),
}

/// The settings of an [`EventStream`](crate::EventStream), set through its builder methods.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamConfig {
    /// Keep-alive frames after a silence; `None` sends none.
    pub(crate) keep_alive: Option<KeepAlive>,
    /// A `retry:` frame sent first, before any event.
    pub(crate) retry: Option<Duration>,
    /// What to do when the source yields an error.
    pub(crate) on_error: OnError,
    /// Ends the stream on an event boundary when this token is cancelled.
    pub(crate) shutdown: Option<CancellationToken>,
    /// The frame sent last when the stream ends by shutdown.
    pub(crate) shutdown_frame: Option<Encoded>,
}
