//! [`LastEventId`] as an actix-web 4 extractor (feature `actix-web`).
//!
//! Here rather than in `sse-actix` because Rust's orphan rule lets only the crate of the
//! type or of the trait implement actix-web's `FromRequest` for it. actix-web's own
//! `Option<T>` extractor turns the rejection into `None`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};

use crate::{LAST_EVENT_ID_HEADER, LastEventId, MISSING_LAST_EVENT_ID_BODY, MissingLastEventId};

impl FromRequest for LastEventId {
    type Error = MissingLastEventId;
    type Future = Ready<Result<Self, MissingLastEventId>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = request.headers().get(LAST_EVENT_ID_HEADER);
        let query = Some(request.query_string()).filter(|q| !q.is_empty());
        let id = LastEventId::from_request(header.map(HeaderValue::as_bytes), query);
        ready(id.ok_or_else(MissingLastEventId::new))
    }
}

impl ResponseError for MissingLastEventId {
    fn status_code(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .body(MISSING_LAST_EVENT_ID_BODY)
    }
}
