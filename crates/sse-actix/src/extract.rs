//! [`LastEventId`]: the extractor.

use std::fmt;
use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use sse_core::{LAST_EVENT_ID_HEADER, MISSING_LAST_EVENT_ID_BODY};

/// The id a reconnecting client last saw: the `Last-Event-ID` header, or else the
/// `lastEventId` query parameter, checked by [`sse_core::LastEventId::from_request`].
/// A value that is empty, too long, not UTF-8 or holds a control character counts as
/// absent.
///
/// Use it as `Option<LastEventId>`: `None` on a first connection. As a plain
/// `LastEventId` it fails a request without a usable id with [`MissingLastEventId`] (400).
///
/// ```
/// use actix_web::{App, get};
/// use sse_actix::LastEventId;
///
/// #[get("/events")]
/// async fn events(last: Option<LastEventId>) -> String {
///     match last {
///         Some(id) => format!("resuming after {}", id.as_str()),
///         None => "from the start".to_owned(),
///     }
/// }
///
/// let app = App::new().service(events);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LastEventId(pub sse_core::LastEventId);

impl LastEventId {
    /// The core value.
    #[must_use]
    pub fn into_inner(self) -> sse_core::LastEventId {
        self.0
    }
}

impl Deref for LastEventId {
    type Target = sse_core::LastEventId;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl FromRequest for LastEventId {
    type Error = MissingLastEventId;
    type Future = Ready<Result<Self, MissingLastEventId>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = request.headers().get(LAST_EVENT_ID_HEADER);
        let query = Some(request.query_string()).filter(|q| !q.is_empty());
        let id = sse_core::LastEventId::from_request(header.map(HeaderValue::as_bytes), query);
        ready(id.map(Self).ok_or(MissingLastEventId { _priv: () }))
    }
}

/// The error of a plain [`LastEventId`] extractor when the request has no usable id:
/// `400 Bad Request` with a JSON `{"error": ...}` body.
#[derive(Debug)]
pub struct MissingLastEventId {
    _priv: (),
}

impl fmt::Display for MissingLastEventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no usable Last-Event-ID header or lastEventId query parameter")
    }
}

impl ResponseError for MissingLastEventId {
    fn status_code(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::BadRequest()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .body(MISSING_LAST_EVENT_ID_BODY)
    }
}
