//! [`LastEventId`]: the extractor.

use std::convert::Infallible;
use std::fmt;
use std::ops::Deref;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};
use sse_core::{LAST_EVENT_ID_HEADER, MISSING_LAST_EVENT_ID_BODY};

/// The id a reconnecting client last saw: the `Last-Event-ID` header, or else the
/// `lastEventId` query parameter, checked by [`sse_core::LastEventId::from_request`].
/// A value that is empty, too long, not UTF-8 or holds a control character counts as
/// absent.
///
/// Use it as `Option<LastEventId>` (axum 0.8's [`OptionalFromRequestParts`]): `None` on a
/// first connection, never a rejection. As a plain `LastEventId` it rejects a request
/// without a usable id with [`MissingLastEventId`] (400).
///
/// ```
/// use axum::{Router, routing::get};
/// use sse_axum::LastEventId;
///
/// async fn events(last: Option<LastEventId>) -> String {
///     match last {
///         Some(id) => format!("resuming after {}", id.as_str()),
///         None => "from the start".to_owned(),
///     }
/// }
///
/// let app: Router = Router::new().route("/events", get(events));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LastEventId(pub sse_core::LastEventId);

impl LastEventId {
    /// The core value.
    #[must_use]
    pub fn into_inner(self) -> sse_core::LastEventId {
        self.0
    }

    fn from_parts(parts: &Parts) -> Option<Self> {
        let header = parts.headers.get(LAST_EVENT_ID_HEADER);
        sse_core::LastEventId::from_request(header.map(HeaderValue::as_bytes), parts.uri.query())
            .map(Self)
    }
}

impl Deref for LastEventId {
    type Target = sse_core::LastEventId;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for LastEventId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Infallible> {
        Ok(Self::from_parts(parts))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LastEventId {
    type Rejection = MissingLastEventId;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, MissingLastEventId> {
        Self::from_parts(parts).ok_or(MissingLastEventId { _priv: () })
    }
}

/// The rejection of a plain [`LastEventId`] extractor when the request has no usable id:
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

impl std::error::Error for MissingLastEventId {}

impl IntoResponse for MissingLastEventId {
    fn into_response(self) -> Response {
        let content_type = [(header::CONTENT_TYPE, "application/json")];
        (
            StatusCode::BAD_REQUEST,
            content_type,
            MISSING_LAST_EVENT_ID_BODY,
        )
            .into_response()
    }
}
