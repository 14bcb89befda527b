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

/// The settings of an event stream, set through [`SseOptions`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StreamConfig {
    /// Keep-alive frames after a silence; `None` sends none.
    pub keep_alive: Option<KeepAlive>,
    /// A `retry:` frame sent first, before any event.
    pub retry: Option<Duration>,
    /// What to do when the source yields an error.
    pub on_error: OnError,
    /// Ends the stream on an event boundary when this token is cancelled.
    pub shutdown: Option<CancellationToken>,
    /// The frame sent last when the stream ends by shutdown (for example a `retry:`
    /// hint so that clients do not all reconnect at the same instant).
    pub shutdown_frame: Option<Encoded>,
}

/// The builder methods shared by [`EventStream`](crate::EventStream) and every
/// framework adapter's responder.
///
/// ```
/// use std::time::Duration;
/// use sse_core::{Event, EventStream, KeepAlive, SseOptions};
///
/// let events = tokio_stream::iter([Event::new().data("hi")]);
/// let stream = EventStream::new(events)
///     .keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
///     .retry(Duration::from_secs(2));
/// # drop(stream);
/// ```
pub trait SseOptions: Sized {
    /// The settings to change.
    fn config_mut(&mut self) -> &mut StreamConfig;

    /// Sends keep-alive frames after `keep_alive`'s interval of silence.
    #[must_use]
    fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.config_mut().keep_alive = Some(keep_alive);
        self
    }

    /// Sends `retry: <ms>` before the first event, setting the client's reconnection delay.
    #[must_use]
    fn retry(mut self, delay: Duration) -> Self {
        self.config_mut().retry = Some(delay);
        self
    }

    /// Chooses what happens when the source yields an error.
    #[must_use]
    fn on_error(mut self, on_error: OnError) -> Self {
        self.config_mut().on_error = on_error;
        self
    }

    /// Ends the stream promptly, on an event boundary, when `token` is cancelled, so
    /// that the server's graceful shutdown does not wait on open streams.
    #[must_use]
    fn shutdown(mut self, token: CancellationToken) -> Self {
        self.config_mut().shutdown = Some(token);
        self
    }

    /// Sends `frame` as the last frame when the stream ends by shutdown.
    #[must_use]
    fn shutdown_frame(mut self, frame: impl Into<Encoded>) -> Self {
        self.config_mut().shutdown_frame = Some(frame.into());
        self
    }
}

impl SseOptions for StreamConfig {
    fn config_mut(&mut self) -> &mut StreamConfig {
        self
    }
}
