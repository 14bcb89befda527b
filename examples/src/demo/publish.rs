//! `POST /publish`: the request body's rules (contract: `examples/README.md`), checked
//! once for all frameworks.

use serde_json::Value;
use sse_hub::Topic;

use crate::demo::ApiError;

/// The largest accepted body, in bytes: 1 MiB. One byte more is answered 413.
pub const MAX_PUBLISH_BODY: usize = 1 << 20;

/// The largest `retry_ms`.
const MAX_RETRY_MS: u64 = 2_147_483_647;

/// A publish request that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishRequest {
    /// Where to publish.
    pub topic: Topic,
    /// The event's data (may be empty).
    pub data: String,
    /// The event's name, when not the default `message`.
    pub event: Option<String>,
    /// A `retry:` hint to send with the event.
    pub retry_ms: Option<u64>,
}

impl PublishRequest {
    /// Parses and checks a `POST /publish` body. Unknown fields are ignored.
    ///
    /// # Errors
    ///
    /// 413 for a body over [`MAX_PUBLISH_BODY`]; 400 for bad JSON, a body that is not
    /// an object, a missing field, a field of the wrong type, or a value that breaks a rule.
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        if body.len() > MAX_PUBLISH_BODY {
            return Err(ApiError::too_large(MAX_PUBLISH_BODY));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("body is not valid JSON: {e}")))?;
        let Value::Object(mut object) = value else {
            return Err(ApiError::bad_request("body must be a JSON object"));
        };

        let topic = match object.remove("topic") {
            Some(Value::String(topic)) => {
                Topic::new(&topic).map_err(|e| ApiError::bad_request(format!("`topic`: {e}")))?
            }
            Some(_) => return Err(ApiError::bad_request("`topic` must be a string")),
            None => return Err(ApiError::bad_request("`topic` is required")),
        };
        let data = match object.remove("data") {
            Some(Value::String(data)) => data,
            Some(_) => return Err(ApiError::bad_request("`data` must be a string")),
            None => return Err(ApiError::bad_request("`data` is required")),
        };
        let event = match object.remove("event") {
            None | Some(Value::Null) => None,
            Some(Value::String(event)) if event.is_empty() => {
                return Err(ApiError::bad_request("`event` must not be empty"));
            }
            Some(Value::String(event)) if event.contains(['\r', '\n']) => {
                return Err(ApiError::bad_request("`event` must not contain CR or LF"));
            }
            Some(Value::String(event)) => Some(event),
            Some(_) => return Err(ApiError::bad_request("`event` must be a string")),
        };
        let retry_ms = match object.remove("retry_ms") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(ms) if ms <= MAX_RETRY_MS => Some(ms),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "`retry_ms` must be an integer from 0 to {MAX_RETRY_MS}"
                    )));
                }
            },
            Some(_) => return Err(ApiError::bad_request("`retry_ms` must be an integer")),
        };
        Ok(Self {
            topic,
            data,
            event,
            retry_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(body: &str) -> u16 {
        PublishRequest::parse(body.as_bytes()).map_or_else(|e| e.status(), |_| 202)
    }

    #[test]
    fn accepts_the_documented_shape() {
        let p = PublishRequest::parse(
            br#"{"topic":"a.b:c/d-e_f","data":"","event":"x","retry_ms":2147483647,"extra":[1]}"#,
        )
        .unwrap();
        assert_eq!(p.topic.as_str(), "a.b:c/d-e_f");
        assert_eq!(p.data, "");
        assert_eq!(p.event.as_deref(), Some("x"));
        assert_eq!(p.retry_ms, Some(2_147_483_647));
    }

    #[test]
    fn every_rule_is_a_400() {
        for body in [
            "",
            "{",
            "[]",
            "\"x\"",
            "null",
            r#"{"data":"x"}"#,
            r#"{"topic":"t"}"#,
            r#"{"topic":1,"data":"x"}"#,
            r#"{"topic":"t","data":1}"#,
            r#"{"topic":"","data":"x"}"#,
            r#"{"topic":"a b","data":"x"}"#,
            r#"{"topic":"t","data":"x","event":""}"#,
            r#"{"topic":"t","data":"x","event":"a\nb"}"#,
            r#"{"topic":"t","data":"x","event":"a\rb"}"#,
            r#"{"topic":"t","data":"x","event":7}"#,
            r#"{"topic":"t","data":"x","retry_ms":-1}"#,
            r#"{"topic":"t","data":"x","retry_ms":1.5}"#,
            r#"{"topic":"t","data":"x","retry_ms":2147483648}"#,
            r#"{"topic":"t","data":"x","retry_ms":"5"}"#,
        ] {
            assert_eq!(status(body), 400, "{body}");
        }
    }

    #[test]
    fn size_limit_is_one_mebibyte() {
        let filler = |n: usize| {
            let head = r#"{"topic":"t","data":""#;
            let tail = r#""}"#;
            format!("{head}{}{tail}", "x".repeat(n - head.len() - tail.len()))
        };
        assert_eq!(status(&filler(MAX_PUBLISH_BODY)), 202);
        assert_eq!(status(&filler(MAX_PUBLISH_BODY + 1)), 413);
    }
}
