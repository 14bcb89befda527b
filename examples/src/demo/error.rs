//! [`ApiError`]: a 4xx/5xx answer with a JSON reason, the same from every framework.

use std::fmt;

/// An HTTP error answer: a status and a reason, sent as `{"error": "<reason>"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: u16,
    reason: String,
}

impl ApiError {
    /// 400 Bad Request.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self {
            status: 400,
            reason: reason.into(),
        }
    }

    /// 413 Content Too Large, for a body over `limit` bytes.
    #[must_use]
    pub fn too_large(limit: usize) -> Self {
        Self {
            status: 413,
            reason: format!("body is over {limit} bytes"),
        }
    }

    /// 413 Content Too Large, for an event the hub refuses as larger than its memory
    /// budget.
    pub fn event_too_large(reason: impl Into<String>) -> Self {
        Self {
            status: 413,
            reason: reason.into(),
        }
    }

    /// 503 Service Unavailable (shutting down, or out of room for topics).
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Self {
            status: 503,
            reason: reason.into(),
        }
    }

    /// The HTTP status code.
    #[must_use]
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The reason, in plain words.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The response body: `{"error": "<reason>"}`.
    #[must_use]
    pub fn json(&self) -> String {
        serde_json::json!({ "error": self.reason }).to_string()
    }
}

/// A JSON answer for any framework to copy into its response: a status and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonAnswer {
    /// The HTTP status code.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

impl From<ApiError> for JsonAnswer {
    fn from(error: ApiError) -> Self {
        Self {
            status: error.status,
            body: error.json(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.reason)
    }
}

impl std::error::Error for ApiError {}
