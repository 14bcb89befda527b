//! Response heads.

use std::fmt;

use crate::http::BodyReader;

/// The parts of a response head the load client looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// How the body is framed.
    pub body: BodyReader,
    /// The length of the head, blank line included: the body starts there.
    pub len: usize,
}

/// A response head that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadError(String);

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad response head: {}", self.0)
    }
}

impl std::error::Error for HeadError {}

/// The largest head accepted.
const MAX_HEAD: usize = 16 * 1024;

/// Parses the response head at the start of `buf`: `Ok(None)` while it is incomplete.
///
/// # Errors
///
/// [`HeadError`] for a malformed head, one over 16 KiB, or a `Content-Length` that is
/// not a number.
pub fn parse_head(buf: &[u8]) -> Result<Option<Head>, HeadError> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    let len = match response.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return Err(HeadError("over 16 KiB".into()));
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(e) => return Err(HeadError(e.to_string())),
    };
    let status = response.code.unwrap_or(0);
    let mut content_type = None;
    let mut chunked = false;
    let mut length = None;
    for header in response.headers.iter() {
        let value = String::from_utf8_lossy(header.value);
        if header.name.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        } else if header.name.eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| HeadError(format!("content-length {value:?}")))?,
            );
        }
    }
    let body = match (chunked, length) {
        (true, _) => BodyReader::chunked(),
        (false, Some(n)) => BodyReader::length(n),
        (false, None) => BodyReader::until_close(),
    };
    Ok(Some(Head {
        status,
        content_type,
        body,
        len,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_then_complete() {
        let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n";
        assert_eq!(parse_head(&head[..20]), Ok(None));
        let parsed = parse_head(head).unwrap().unwrap();
        assert_eq!(parsed.status, 200);
        assert_eq!(parsed.content_type.as_deref(), Some("text/event-stream"));
        assert_eq!(parsed.body, BodyReader::chunked());
        assert_eq!(&head[parsed.len..], b"5\r\n");
    }

    #[test]
    fn length_and_close_framing() {
        let parsed = parse_head(b"HTTP/1.1 202 Accepted\r\ncontent-length: 9\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!((parsed.status, parsed.body), (202, BodyReader::length(9)));
        let parsed = parse_head(b"HTTP/1.0 200 OK\r\n\r\n").unwrap().unwrap();
        assert_eq!(parsed.body, BodyReader::until_close());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_head(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n").is_err());
        assert!(parse_head(&[b'a'; 20_000]).is_err());
    }
}
