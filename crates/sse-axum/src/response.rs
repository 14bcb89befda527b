//! [`Sse`]: the responder.

use axum_core::BoxError;
use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use futures_core::Stream;
use sse_core::IntoFrame;

sse_core::define_responder! {
    /// An SSE response: return it from a handler.
    ///
    /// The stream may yield [`Event`](crate::Event)s, [`Encoded`](crate::Encoded) events, or
    /// `Result`s of either (anything implementing [`IntoFrame`]). The response carries
    /// [`sse_core::RESPONSE_HEADERS`] and a body built by [`sse_core::EventStream`]; set
    /// keep-alive, an initial retry, the error policy and a shutdown token through
    /// [`SseOptions`].
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use std::time::Duration;
    /// use axum::response::IntoResponse;
    /// use sse_axum::{Event, KeepAlive, Sse, SseOptions};
    ///
    /// let events = tokio_stream::iter([Ok::<_, Infallible>(Event::new().data("hi"))]);
    /// let response = Sse::new(events)
    ///     .keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
    ///     .retry(Duration::from_secs(2))
    ///     .into_response();
    /// assert_eq!(response.headers()["content-type"], "text/event-stream");
    /// ```
    #[must_use = "a response does nothing until it is returned from a handler"]
    pub struct Sse;
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
