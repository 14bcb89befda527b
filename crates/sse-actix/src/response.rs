//! [`Sse`]: the responder.

use std::error::Error as StdError;

use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};
use futures_core::Stream;
use sse_core::{IntoFrame, RESPONSE_HEADERS};

sse_core::define_responder! {
    /// An SSE response: return it from a handler.
    ///
    /// The stream may yield [`Event`](crate::Event)s, [`Encoded`](crate::Encoded) events, or
    /// `Result`s of either (anything implementing [`IntoFrame`]). The response carries
    /// [`sse_core::RESPONSE_HEADERS`] plus `Content-Encoding: identity`, so that actix-web's
    /// `Compress` middleware passes each event through at once instead of compressing (and
    /// buffering) the stream. Set keep-alive, an initial retry, the error policy and a
    /// shutdown token through [`SseOptions`].
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use std::time::Duration;
    /// use actix_web::{Responder, test::TestRequest};
    /// use sse_actix::{Event, KeepAlive, Sse, SseOptions};
    ///
    /// let events = tokio_stream::iter([Ok::<_, Infallible>(Event::new().data("hi"))]);
    /// let response = Sse::new(events)
    ///     .keep_alive(KeepAlive::new().interval(Duration::from_secs(10)))
    ///     .retry(Duration::from_secs(2))
    ///     .respond_to(&TestRequest::default().to_http_request());
    /// let header = |name| response.headers().get(name).unwrap().to_str().unwrap();
    /// assert_eq!(header("content-type"), "text/event-stream");
    /// assert_eq!(header("content-encoding"), "identity");
    /// ```
    #[must_use = "a response does nothing until it is returned from a handler"]
    pub struct Sse;
}

impl<S> Responder for Sse<S>
where
    S: Stream + 'static,
    S::Item: IntoFrame,
    <S::Item as IntoFrame>::Error: Into<Box<dyn StdError>> + 'static,
{
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let mut builder = HttpResponse::Ok();
        for (name, value) in RESPONSE_HEADERS {
            builder.insert_header((
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            ));
        }
        builder
            .insert_header((
                header::CONTENT_ENCODING,
                HeaderValue::from_static("identity"),
            ))
            .streaming(self.stream)
    }
}
