//! A raw HTTP/1.1 client for the tests (this suite's and the demo's contract suite):
//! writes requests byte for byte (bodies with `content-length` or chunked), parses the
//! status line, headers and chunked transfer-encoding itself, keeps every byte it
//! received, and reads with deadlines so that a hung server fails a test instead of
//! hanging it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// Why a request or a read gave no result.
#[derive(Debug)]
pub enum HttpError {
    /// Nothing complete arrived before the deadline.
    Timeout,
    /// The server closed the connection (or reset it).
    Closed,
    /// The bytes are not HTTP/1.1 as expected.
    Malformed(String),
    /// Another socket error.
    Io(io::Error),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout => f.write_str("timed out"),
            Self::Closed => f.write_str("connection closed"),
            Self::Malformed(what) => write!(f, "malformed HTTP: {what}"),
            Self::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// A response: status, headers and (for a whole response) the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers in order, names lower-cased, values as sent (trimmed; bytes that
    /// are not UTF-8 replaced).
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked (empty after [`Conn::read_head`] alone).
    pub body: Vec<u8>,
}

impl Response {
    /// Every value of header `name` (lower-case).
    #[must_use]
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of header `name`, which must appear at most once.
    ///
    /// # Panics
    ///
    /// When `name` was sent more than once (the test fails, naming the headers).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(
            all.len() <= 1,
            "{name} sent {} times: {:?}",
            all.len(),
            self.headers
        );
        all.first().copied()
    }

    /// The items of the comma-separated list header `name` (every value of it),
    /// trimmed.
    #[must_use]
    pub fn list(&self, name: &str) -> Vec<&str> {
        self.all(name)
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect()
    }

    /// Whether the list header `name` has `token` (ASCII case-insensitive), as
    /// `Vary: Origin` or `Connection: close`.
    #[must_use]
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.list(name)
            .iter()
            .any(|t| t.eq_ignore_ascii_case(token))
    }

    /// The header names, sorted, without repeats.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Whether the response grants `origin` with credentials: its exact echo as
    /// `access-control-allow-origin` and `access-control-allow-credentials: true`.
    ///
    /// # Panics
    ///
    /// When either header was sent more than once (as [`Response::header`]).
    #[must_use]
    pub fn grants_with_credentials(&self, origin: &str) -> bool {
        self.header("access-control-allow-origin") == Some(origin)
            && self.header("access-control-allow-credentials") == Some("true")
    }

    /// The names of the CORS headers sent (`access-control-*`), sorted, without repeats.
    #[must_use]
    pub fn access_control(&self) -> Vec<&str> {
        let mut names = self.names();
        names.retain(|n| n.starts_with("access-control-"));
        names
    }

    /// The body as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    ///
    /// When the body is not JSON (the test fails, showing the body).
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.text()))
    }

    /// Whether the `content-type` is JSON.
    #[must_use]
    pub fn is_json(&self) -> bool {
        self.header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"))
    }
}

/// One piece of a chunked body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// A data chunk.
    Data(Vec<u8>),
    /// The terminating zero-length chunk (and the blank line after any trailers).
    End,
}

/// A client connection; it may carry several requests in turn (keep-alive).
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    /// Received and not parsed yet.
    buf: Vec<u8>,
    /// Every byte received.
    raw: Vec<u8>,
}

impl Conn {
    /// Connects to `addr`.
    ///
    /// # Errors
    ///
    /// When the connection fails.
    pub fn connect(addr: SocketAddr) -> io::Result<Self> {
        Self::on(TcpStream::connect(addr)?)
    }

    /// Connects to `addr` with a receive buffer of about `bytes` (no autotuning), as a
    /// client on a slow link would have: what it does not read stays with the server.
    ///
    /// # Errors
    ///
    /// When the socket cannot be made or the connection fails.
    pub fn connect_small_buffer(addr: SocketAddr, bytes: usize) -> io::Result<Self> {
        let domain = socket2::Domain::for_address(addr);
        let socket = socket2::Socket::new(domain, socket2::Type::STREAM, None)?;
        socket.set_recv_buffer_size(bytes)?;
        socket.connect(&addr.into())?;
        Self::on(TcpStream::from(socket))
    }

    fn on(stream: TcpStream) -> io::Result<Self> {
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::new(),
            raw: Vec::new(),
        })
    }

    /// Sends a request: the request line, `host`, `headers` (values as raw bytes, so a
    /// test can send what is not UTF-8), and with a body its `content-length`. A large
    /// request is written by a thread while the caller reads, so a server that answers
    /// early (413) cannot block the test.
    ///
    /// # Errors
    ///
    /// When the write fails.
    pub fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &[u8])],
        body: Option<&[u8]>,
    ) -> io::Result<()> {
        let mut request = self.head(method, target, headers)?;
        if let Some(body) = body {
            request.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
        }
        request.extend_from_slice(b"\r\n");
        request.extend_from_slice(body.unwrap_or_default());
        self.write(request)
    }

    /// Sends a request whose body goes with `transfer-encoding: chunked`, in chunks of
    /// `chunk` bytes (so the server cannot know its length up front).
    ///
    /// # Errors
    ///
    /// When the write fails.
    pub fn send_chunked(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &[u8])],
        body: &[u8],
        chunk: usize,
    ) -> io::Result<()> {
        let mut request = self.head(method, target, headers)?;
        request.extend_from_slice(b"transfer-encoding: chunked\r\n\r\n");
        for piece in body.chunks(chunk) {
            request.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
            request.extend_from_slice(piece);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\n");
        self.write(request)
    }

    /// The request line, `host` and `headers`, without the blank line.
    fn head(&self, method: &str, target: &str, headers: &[(&str, &[u8])]) -> io::Result<Vec<u8>> {
        let addr = self.stream.peer_addr()?;
        let mut head = format!("{method} {target} HTTP/1.1\r\nhost: {addr}\r\n").into_bytes();
        for (name, value) in headers {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value);
            head.extend_from_slice(b"\r\n");
        }
        Ok(head)
    }

    /// Writes `request`; a large one from a thread, whose errors are ignored (expected
    /// when the server refuses the body early).
    fn write(&mut self, request: Vec<u8>) -> io::Result<()> {
        if request.len() <= 64 * 1024 {
            return self.stream.write_all(&request);
        }
        let mut writer = self.stream.try_clone()?;
        thread::spawn(move || writer.write_all(&request));
        Ok(())
    }

    /// Every byte received so far.
    #[must_use]
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Closes both directions.
    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }

    fn fill(&mut self, deadline: Instant) -> Result<(), HttpError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HttpError::Timeout);
        }
        self.stream
            .set_read_timeout(Some(remaining))
            .map_err(HttpError::Io)?;
        let mut chunk = [0u8; 64 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err(HttpError::Closed),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                self.raw.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Err(HttpError::Timeout)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
                ) =>
            {
                Err(HttpError::Closed)
            }
            Err(e) => Err(HttpError::Io(e)),
        }
    }

    /// Takes the bytes up to and including the first `delimiter`, reading more until
    /// `deadline` as needed (searching only what is new).
    fn take_through(&mut self, delimiter: &[u8], deadline: Instant) -> Result<Vec<u8>, HttpError> {
        let mut searched = 0;
        loop {
            if let Some(at) = find(&self.buf[searched..], delimiter) {
                let end = searched + at + delimiter.len();
                return Ok(self.buf.drain(..end).collect());
            }
            searched = self.buf.len().saturating_sub(delimiter.len());
            self.fill(deadline)?;
        }
    }

    fn take_exact(&mut self, n: usize, deadline: Instant) -> Result<Vec<u8>, HttpError> {
        while self.buf.len() < n {
            self.fill(deadline)?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// Reads the status line and headers (the body stays unread and empty).
    ///
    /// # Errors
    ///
    /// [`HttpError`] when they do not arrive in time or are malformed.
    pub fn read_head(&mut self, timeout: Duration) -> Result<Response, HttpError> {
        let deadline = Instant::now() + timeout;
        let bytes = self.take_through(b"\r\n\r\n", deadline)?;
        let text = String::from_utf8_lossy(&bytes[..bytes.len() - 4]).into_owned();
        let mut lines = text.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let (Some("HTTP/1.1"), Some(code)) = (parts.next(), parts.next()) else {
            return Err(HttpError::Malformed(format!("status line {status_line:?}")));
        };
        let status = code
            .parse()
            .map_err(|_| HttpError::Malformed(format!("status line {status_line:?}")))?;
        let mut headers = Vec::new();
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                return Err(HttpError::Malformed(format!("header line {line:?}")));
            };
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        Ok(Response {
            status,
            headers,
            body: Vec::new(),
        })
    }

    /// Reads the next chunk of a chunked body.
    ///
    /// # Errors
    ///
    /// [`HttpError`] when it does not arrive in time, the connection closes first, or
    /// the framing is wrong.
    pub fn read_chunk(&mut self, timeout: Duration) -> Result<Chunk, HttpError> {
        let deadline = Instant::now() + timeout;
        let line = self.take_through(b"\r\n", deadline)?;
        let size_text = String::from_utf8_lossy(&line[..line.len() - 2]).into_owned();
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| HttpError::Malformed(format!("chunk size {size_text:?}")))?;
        if size == 0 {
            // Trailers (none expected), then the blank line.
            loop {
                if self.take_through(b"\r\n", deadline)? == b"\r\n" {
                    return Ok(Chunk::End);
                }
            }
        }
        let mut data = self.take_exact(size + 2, deadline)?;
        if !data.ends_with(b"\r\n") {
            return Err(HttpError::Malformed("chunk not followed by CRLF".into()));
        }
        data.truncate(size);
        Ok(Chunk::Data(data))
    }

    /// Reads a whole body after `head`: chunked up to the terminating chunk,
    /// `content-length` bytes, nothing for a status without a body, or else until the
    /// server closes.
    ///
    /// # Errors
    ///
    /// [`HttpError`] as the reads that make it up, or for a malformed `content-length`.
    pub fn read_body(&mut self, head: &Response, timeout: Duration) -> Result<Vec<u8>, HttpError> {
        let deadline = Instant::now() + timeout;
        if head.has_token("transfer-encoding", "chunked") {
            let mut body = Vec::new();
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.read_chunk(left)? {
                    Chunk::Data(data) => body.extend_from_slice(&data),
                    Chunk::End => return Ok(body),
                }
            }
        }
        if let Some(length) = head.header("content-length") {
            let length = length
                .parse()
                .map_err(|_| HttpError::Malformed(format!("content-length {length:?}")))?;
            return self.take_exact(length, deadline);
        }
        if head.status == 204 || head.status == 304 || (100..200).contains(&head.status) {
            return Ok(Vec::new());
        }
        loop {
            match self.fill(deadline) {
                Ok(()) => {}
                Err(HttpError::Closed) => return Ok(std::mem::take(&mut self.buf)),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads a whole response (head and body).
    ///
    /// # Errors
    ///
    /// [`HttpError`] as [`Conn::read_head`] and [`Conn::read_body`].
    pub fn read_response(&mut self, timeout: Duration) -> Result<Response, HttpError> {
        let mut response = self.read_head(timeout)?;
        response.body = self.read_body(&response, timeout)?;
        Ok(response)
    }

    /// Waits for the server to close the connection, failing if any byte arrives first.
    ///
    /// # Errors
    ///
    /// [`HttpError::Timeout`] when it stays open, [`HttpError::Malformed`] when bytes
    /// arrive.
    pub fn expect_closed(&mut self, timeout: Duration) -> Result<(), HttpError> {
        let deadline = Instant::now() + timeout;
        let before = self.buf.len();
        match self.fill(deadline) {
            Err(HttpError::Closed) if self.buf.len() == before => Ok(()),
            Ok(()) => Err(HttpError::Malformed(format!(
                "bytes after the expected end: {:?}",
                String::from_utf8_lossy(&self.buf[before..])
            ))),
            Err(e) => Err(e),
        }
    }
}

/// One request on a fresh connection (`connection: close`), the whole response read.
///
/// # Errors
///
/// [`HttpError`] when connecting, sending or reading fails.
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &[u8])],
    body: Option<&[u8]>,
    timeout: Duration,
) -> Result<Response, HttpError> {
    let mut conn = Conn::connect(addr).map_err(HttpError::Io)?;
    let mut all: Vec<(&str, &[u8])> = vec![("connection", b"close")];
    all.extend_from_slice(headers);
    conn.send(method, target, &all, body)
        .map_err(HttpError::Io)?;
    let response = conn.read_response(timeout)?;
    conn.close();
    Ok(response)
}

/// An event-stream body over a chunked response: yields whole frames (through the blank
/// line) however the chunks fall, decompressing gzip when the response says so.
#[derive(Debug)]
pub struct EventReader {
    /// The connection.
    pub conn: Conn,
    decoded: Vec<u8>,
    gzip: Option<flate2::write::GzDecoder<Vec<u8>>>,
}

impl EventReader {
    /// Reads a body sent with `content-encoding` (`None`, `identity` or `gzip`).
    ///
    /// # Errors
    ///
    /// [`HttpError::Malformed`] for another encoding.
    pub fn new(conn: Conn, content_encoding: Option<&str>) -> Result<Self, HttpError> {
        let gzip = match content_encoding {
            None | Some("identity") => None,
            Some("gzip") => Some(flate2::write::GzDecoder::new(Vec::new())),
            Some(other) => return Err(HttpError::Malformed(format!("content-encoding {other}"))),
        };
        Ok(Self {
            conn,
            decoded: Vec::new(),
            gzip,
        })
    }

    /// The next frame: the bytes through the next blank line (`\n\n`).
    ///
    /// # Errors
    ///
    /// [`HttpError`] when no whole frame arrives in time, or the body ends first
    /// ([`HttpError::Closed`] then also covers a clean end).
    pub fn next_frame(&mut self, timeout: Duration) -> Result<Vec<u8>, HttpError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(at) = find(&self.decoded, b"\n\n") {
                return Ok(self.decoded.drain(..at + 2).collect());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.conn.read_chunk(left)? {
                Chunk::Data(data) => self.push(&data)?,
                Chunk::End => return Err(HttpError::Closed),
            }
        }
    }

    /// The next chunk of the body, which must be the terminating one.
    ///
    /// # Errors
    ///
    /// [`HttpError`] when something else arrives or nothing in time.
    pub fn expect_end(&mut self, timeout: Duration) -> Result<(), HttpError> {
        match self.conn.read_chunk(timeout)? {
            Chunk::End if self.decoded.is_empty() => Ok(()),
            Chunk::End => Err(HttpError::Malformed(format!(
                "body ended inside a frame: {:?}",
                String::from_utf8_lossy(&self.decoded)
            ))),
            Chunk::Data(data) => {
                self.push(&data)?;
                if self.decoded.is_empty() {
                    // Compressed framing bytes only (a gzip trailer): the end comes next.
                    self.expect_end(timeout)
                } else {
                    Err(HttpError::Malformed(format!(
                        "more data instead of the end: {:?}",
                        String::from_utf8_lossy(&self.decoded)
                    )))
                }
            }
        }
    }

    fn push(&mut self, data: &[u8]) -> Result<(), HttpError> {
        match &mut self.gzip {
            None => self.decoded.extend_from_slice(data),
            Some(gzip) => {
                gzip.write_all(data).map_err(HttpError::Io)?;
                gzip.flush().map_err(HttpError::Io)?;
                self.decoded.append(gzip.get_mut());
            }
        }
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
