//! A raw HTTP/1.1 client for the tests (this suite's and the demo's contract suite):
//! writes requests byte for byte (bodies with `content-length` or chunked), reads
//! responses with the I/O-free [`ResponseReader`], keeps every byte it received, and
//! reads with deadlines so that a hung server fails a test instead of hanging it.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::http1::{Head, Http1Error, Part, ResponseReader};

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

impl From<Http1Error> for HttpError {
    fn from(error: Http1Error) -> Self {
        Self::Malformed(error.to_string())
    }
}

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

impl From<Head> for Response {
    fn from(head: Head) -> Self {
        Self {
            status: head.status,
            headers: head.headers,
            body: Vec::new(),
        }
    }
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

/// The next piece of a response body, as it arrived (framing removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// Body bytes.
    Data(Vec<u8>),
    /// The end of the body (for a chunked body: the terminating chunk and trailers).
    End,
}

/// A [`Part`] kept until a read asks for it.
#[derive(Debug)]
enum Owned {
    Head(Head),
    Body(Vec<u8>),
    End,
}

/// A client connection; it may carry several requests in turn (keep-alive).
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    reader: ResponseReader,
    /// Parsed and not read yet.
    parts: VecDeque<Owned>,
    /// Every byte received.
    raw: Vec<u8>,
    /// The server closed the connection.
    closed: bool,
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
            reader: ResponseReader::new(),
            parts: VecDeque::new(),
            raw: Vec::new(),
            closed: false,
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

    /// Reads from the socket once (waiting until `deadline`) and parses what came.
    /// [`HttpError::Closed`] when the server closed the connection and that completed
    /// nothing (a close inside a response included).
    fn fill(&mut self, deadline: Instant) -> Result<(), HttpError> {
        if self.closed {
            return Err(HttpError::Closed);
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HttpError::Timeout);
        }
        self.stream
            .set_read_timeout(Some(remaining))
            .map_err(HttpError::Io)?;
        let mut chunk = [0u8; 64 * 1024];
        let read = self.stream.read(&mut chunk);
        let before = self.parts.len();
        let parts = &mut self.parts;
        let mut keep = |part: Part<'_>| {
            parts.push_back(match part {
                Part::Head(head) => Owned::Head(head),
                Part::Body(bytes) => Owned::Body(bytes.to_vec()),
                Part::End => Owned::End,
            });
        };
        match read {
            Ok(0) => {
                self.closed = true;
                match self.reader.finish(&mut keep) {
                    Ok(()) if self.parts.len() > before => Ok(()),
                    _ => Err(HttpError::Closed),
                }
            }
            Ok(n) => {
                self.raw.extend_from_slice(&chunk[..n]);
                Ok(self.reader.feed(&chunk[..n], &mut keep)?)
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
                self.closed = true;
                Err(HttpError::Closed)
            }
            Err(e) => Err(HttpError::Io(e)),
        }
    }

    /// The next parsed part, reading until `deadline` as needed.
    fn next_part(&mut self, deadline: Instant) -> Result<Owned, HttpError> {
        loop {
            if let Some(part) = self.parts.pop_front() {
                return Ok(part);
            }
            self.fill(deadline)?;
        }
    }

    /// Reads the status line and headers (the body stays unread and empty).
    ///
    /// # Errors
    ///
    /// [`HttpError`] when they do not arrive in time or are malformed.
    pub fn read_head(&mut self, timeout: Duration) -> Result<Response, HttpError> {
        match self.next_part(Instant::now() + timeout)? {
            Owned::Head(head) => Ok(head.into()),
            Owned::Body(_) | Owned::End => Err(HttpError::Malformed(
                "body where a response head was expected".into(),
            )),
        }
    }

    /// Reads the next piece of the body whose head was read.
    ///
    /// # Errors
    ///
    /// [`HttpError`] when nothing arrives in time, the connection closes first, or the
    /// framing is wrong.
    pub fn read_chunk(&mut self, timeout: Duration) -> Result<Chunk, HttpError> {
        match self.next_part(Instant::now() + timeout)? {
            Owned::Body(bytes) => Ok(Chunk::Data(bytes)),
            Owned::End => Ok(Chunk::End),
            Owned::Head(_) => Err(HttpError::Malformed(
                "a response head where body was expected".into(),
            )),
        }
    }

    /// Reads the rest of the body whose head was read (chunked, `content-length`,
    /// none for a status without a body, or else until the server closes).
    ///
    /// # Errors
    ///
    /// [`HttpError`] as [`Conn::read_chunk`].
    pub fn read_body(&mut self, timeout: Duration) -> Result<Vec<u8>, HttpError> {
        let deadline = Instant::now() + timeout;
        let mut body = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.read_chunk(left)? {
                Chunk::Data(data) => body.extend_from_slice(&data),
                Chunk::End => return Ok(body),
            }
        }
    }

    /// Reads a whole response (head and body).
    ///
    /// # Errors
    ///
    /// [`HttpError`] as [`Conn::read_head`] and [`Conn::read_body`].
    pub fn read_response(&mut self, timeout: Duration) -> Result<Response, HttpError> {
        let deadline = Instant::now() + timeout;
        let mut response = self.read_head(timeout)?;
        response.body = self.read_body(deadline.saturating_duration_since(Instant::now()))?;
        Ok(response)
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
