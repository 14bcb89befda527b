//! One-shot requests for `/publish` and `/stats`: one request, one response, on a fresh
//! connection (`Connection: close`), read with the conformance suite's I/O-free
//! [`ResponseReader`].

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use sse_conformance::http1::{Part, ResponseReader};

/// A response: status and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

/// A request that failed below HTTP (connect, I/O, framing, time-out).
#[derive(Debug)]
pub struct RequestError(String);

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RequestError {}

/// The largest response body read.
const MAX_BODY: usize = 16 << 20;

/// Sends `method path` with an optional JSON body to `addr` and reads the whole response,
/// within `timeout`.
///
/// # Errors
///
/// [`RequestError`] when the connection, the framing or the time limit fails.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    json: Option<&str>,
    timeout: Duration,
) -> Result<Reply, RequestError> {
    tokio::time::timeout(timeout, exchange(addr, method, path, json))
        .await
        .map_err(|_| RequestError(format!("{method} {path}: no answer in {timeout:?}")))?
}

async fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    json: Option<&str>,
) -> Result<Reply, RequestError> {
    let fail =
        |what: &str, e: &dyn fmt::Display| RequestError(format!("{method} {path}: {what}: {e}"));
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| fail("connect", &e))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(body) = json {
        head.push_str("Content-Type: application/json\r\n");
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(json.unwrap_or_default().as_bytes());
    stream
        .write_all(&out)
        .await
        .map_err(|e| fail("write", &e))?;

    let mut reader = ResponseReader::new();
    let mut chunk = [0u8; 8192];
    let (mut status, mut body, mut ended, mut too_big) = (None, Vec::new(), false, false);
    while !ended {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| fail("read", &e))?;
        let mut on = |part: Part<'_>| match part {
            Part::Head(head) => status = Some(head.status),
            Part::Body(b) if body.len() + b.len() > MAX_BODY => too_big = true,
            Part::Body(b) => body.extend_from_slice(b),
            Part::End => ended = true,
        };
        if n == 0 {
            reader.finish(&mut on).map_err(|e| fail("response", &e))?;
            break;
        }
        reader
            .feed(&chunk[..n], &mut on)
            .map_err(|e| fail("response", &e))?;
    }
    if too_big {
        return Err(fail("body", &"over 16 MiB"));
    }
    let status =
        status.ok_or_else(|| fail("read", &"connection closed before the response head"))?;
    Ok(Reply { status, body })
}
