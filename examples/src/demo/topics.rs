//! `GET /events?topic=A&topic=B`: which topics a client asks for.

use sse_hub::Topic;

use crate::demo::ApiError;

/// The `topic` query parameters, validated, in order, without repeats.
///
/// # Errors
///
/// 400 when there is no `topic` parameter or one breaks the topic rules.
pub fn parse_topics(query: Option<&str>) -> Result<Vec<Topic>, ApiError> {
    let mut topics: Vec<Topic> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if key != "topic" {
            continue;
        }
        let topic = Topic::new(&value)
            .map_err(|e| ApiError::bad_request(format!("topic {value:?}: {e}")))?;
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    if topics.is_empty() {
        return Err(ApiError::bad_request(
            "at least one `topic` query parameter is required",
        ));
    }
    Ok(topics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_in_order_without_repeats() {
        let topics = parse_topics(Some("topic=b&x=1&topic=a%2Fz&topic=b")).unwrap();
        let names: Vec<_> = topics.iter().map(Topic::as_str).collect();
        assert_eq!(names, ["b", "a/z"]);
    }

    #[test]
    fn missing_or_bad_topics_are_400() {
        for query in [
            None,
            Some(""),
            Some("topics=a"),
            Some("topic="),
            Some("topic=a%20b"),
        ] {
            let err = parse_topics(query).unwrap_err();
            assert_eq!(err.status(), 400, "{query:?}");
        }
        let long = format!("topic={}", "a".repeat(257));
        assert_eq!(parse_topics(Some(&long)).unwrap_err().status(), 400);
        let max = format!("topic={}", "a".repeat(256));
        assert!(parse_topics(Some(&max)).is_ok());
    }
}
