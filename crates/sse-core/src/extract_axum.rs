//! [`LastEventId`] as an axum 0.8 extractor (feature `axum`).
//!
//! Here rather than in `sse-axum` because Rust's orphan rule lets only the crate of the
//! type or of the trait implement axum's extractor traits for it.

use std::convert::Infallible;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, StatusCode, header};

use crate::{LAST_EVENT_ID_HEADER, LastEventId, MISSING_LAST_EVENT_ID_BODY, MissingLastEventId};

fn from_parts(parts: &Parts) -> Option<LastEventId> {
    let header = parts.headers.get(LAST_EVENT_ID_HEADER);
    LastEventId::from_request(header.map(HeaderValue::as_bytes), parts.uri.query())
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for LastEventId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Infallible> {
        Ok(from_parts(parts))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LastEventId {
    type Rejection = MissingLastEventId;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, MissingLastEventId> {
        from_parts(parts).ok_or_else(MissingLastEventId::new)
    }
}

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
