//! One request, one response, on a fresh connection (`Connection: close`).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::http::parse_head;

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

    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let head = loop {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| fail("read", &e))?;
        if n == 0 {
            return Err(fail("read", &"connection closed before the response head"));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(head) = parse_head(&buf).map_err(|e| fail("response", &e))? {
            break head;
        }
    };
    let mut reader = head.body.clone();
    let mut body = Vec::new();
    let mut too_big = false;
    let mut sink = |b: &[u8]| {
        if body.len() + b.len() > MAX_BODY {
            too_big = true;
        } else {
            body.extend_from_slice(b);
        }
    };
    reader
        .feed(&buf[head.len..], &mut sink)
        .map_err(|e| fail("body", &e))?;
    while !reader.is_done() {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| fail("read", &e))?;
        if n == 0 {
            break;
        }
        reader
            .feed(&chunk[..n], &mut sink)
            .map_err(|e| fail("body", &e))?;
    }
    if too_big {
        return Err(fail("body", &"over 16 MiB"));
    }
    Ok(Reply {
        status: head.status,
        body,
    })
}
