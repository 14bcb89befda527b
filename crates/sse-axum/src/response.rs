//! [`Sse`]: the responder.

use std::fmt;
use std::time::Duration;

use axum_core::BoxError;
use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use futures_core::Stream;
use sse_core::{CancellationToken, Encoded, EventStream, IntoFrame, KeepAlive, OnError};

/// An SSE response: return it from a handler.
///
/// The stream may yield [`Event`](crate::Event)s, [`Encoded`] events, or `Result`s of
/// either (anything implementing [`IntoFrame`]). The response carries
/// [`sse_core::RESPONSE_HEADERS`] and a body built by [`EventStream`]; the builder
/// methods set keep-alive, an initial retry, the error policy and a shutdown token.
///
/// ```
/// use std::convert::Infallible;
/// use std::time::Duration;
/// use axum::response::IntoResponse;
/// use sse_axum::{Event, KeepAlive, Sse};
///
/// let events = tokio_stream::iter([Ok::<_, Infallible>(Event::new().data("hi"))]);
/// let response = Sse::new(events)
///     .keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
///     .retry(Duration::from_secs(2))
///     .into_response();
/// assert_eq!(response.headers()["content-type"], "text/event-stream");
/// ```
#[must_use = "a response does nothing until it is returned from a handler"]
pub struct Sse<S> {
    stream: EventStream<S>,
}

impl<S> Sse<S>
where
    S: Stream,
    S::Item: IntoFrame,
{
    /// Answers with `stream`'s events, with the default settings: no keep-alive, no
    /// initial retry, an error aborts the response, no shutdown token.
    pub fn new(stream: S) -> Self {
        Self {
            stream: EventStream::new(stream),
        }
    }
}

impl<S> Sse<S> {
    /// Sends `keep_alive`'s frame after each silence of its interval
    /// ([`EventStream::keep_alive`]).
    pub fn keep_alive(self, keep_alive: KeepAlive) -> Self {
        Self {
            stream: self.stream.keep_alive(keep_alive),
        }
    }

    /// Sends `retry: <ms>` first ([`EventStream::retry`]).
    pub fn retry(self, delay: Duration) -> Self {
        Self {
            stream: self.stream.retry(delay),
        }
    }

    /// Chooses what an error of the stream does ([`EventStream::on_error`]).
    pub fn on_error(self, on_error: OnError) -> Self {
        Self {
            stream: self.stream.on_error(on_error),
        }
    }

    /// Ends the stream between two events when `token` is cancelled
    /// ([`EventStream::shutdown`]).
    pub fn shutdown(self, token: CancellationToken) -> Self {
        Self {
            stream: self.stream.shutdown(token),
        }
    }

    /// Sends `frame` last when the stream ends by shutdown ([`EventStream::shutdown_frame`]).
    pub fn shutdown_frame(self, frame: impl Into<Encoded>) -> Self {
        Self {
            stream: self.stream.shutdown_frame(frame),
        }
    }
}

/// Answers with an [`EventStream`] already configured, for code that sets up streams
/// once for several frameworks.
impl<S> From<EventStream<S>> for Sse<S> {
    fn from(stream: EventStream<S>) -> Self {
        Self { stream }
    }
}

impl<S> fmt::Debug for Sse<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sse").field("stream", &self.stream).finish()
    }
}

impl<S> IntoResponse for Sse<S>
where
    S: Stream + Send + 'static,
    S::Item: IntoFrame,
    <S::Item as IntoFrame>::Error: Into<BoxError>,
{
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from_stream(self.stream));
        sse_core::http1::set_response_headers(response.headers_mut());
        response
    }
}
