//! [`Sse`]: the reply.

use std::error::Error as StdError;
use std::fmt;

use futures_util::{Stream, StreamExt};
use sse_core::IntoFrame;
use sync_wrapper::SyncStream;
use warp::reply::{Reply, Response};

use crate::carrier::carrier;

type BoxError = Box<dyn StdError + Send + Sync>;

sse_core::define_responder! {
    /// An SSE reply: return it from a handler.
    ///
    /// The stream may yield [`Event`](crate::Event)s, [`Encoded`](crate::Encoded) events, or
    /// `Result`s of either (anything implementing [`IntoFrame`]). The response carries
    /// [`sse_core::RESPONSE_HEADERS`] and a body built by [`sse_core::EventStream`]; set
    /// keep-alive, an initial retry, the error policy and a shutdown token through
    /// [`SseOptions`]. The stream needs to be `Send`, not `Sync`.
    ///
    /// The body travels through `warp::sse::reply`, warp 0.4's only streaming reply: each
    /// frame is sent with the same bytes as sse-core encodes them, except that a frame that
    /// starts with `retry:` gets an empty comment line (`:`) in front, which clients ignore.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use std::time::Duration;
    /// use warp::Reply;
    /// use sse_warp::{Event, KeepAlive, Sse, SseOptions};
    ///
    /// let events = tokio_stream::iter([Ok::<_, Infallible>(Event::new().data("hi"))]);
    /// let response = Sse::new(events)
    ///     .keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
    ///     .retry(Duration::from_secs(2))
    ///     .into_response();
    /// assert_eq!(response.headers()["content-type"], "text/event-stream");
    /// ```
    #[must_use = "a reply does nothing until it is returned from a handler"]
    pub struct Sse;
}

/// The source stream's error, handed to warp (which then aborts the response).
#[derive(Debug)]
struct StreamError(BoxError);

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event stream failed: {}", self.0)
    }
}

impl StdError for StreamError {}

impl<S> Reply for Sse<S>
where
    S: Stream + Send + 'static,
    S::Item: IntoFrame,
    <S::Item as IntoFrame>::Error: Into<BoxError>,
{
    fn into_response(self) -> Response {
        let events = self.stream.map(|chunk| match chunk {
            Ok(frame) => Ok(carrier(&frame)),
            Err(error) => Err(StreamError(error.into())),
        });
        let mut response = warp::sse::reply(SyncStream::new(events)).into_response();
        sse_core::http1::set_response_headers(response.headers_mut());
        response
    }
}
