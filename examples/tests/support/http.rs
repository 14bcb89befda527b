//! A raw HTTP/1.1 client: requests written byte for byte, the status line, headers and
//! chunked transfer-encoding parsed here, every read under a deadline so that a hung
//! server fails a test instead of hanging it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// Why a read gave no result.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// Nothing complete arrived before the deadline.
    Timeout,
    /// The server closed (or reset) the connection first.
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

/// A response: status, headers and (for whole responses) the body.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    /// The status code.
    pub(crate) status: u16,
    /// The headers in order, names lower-cased.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, de-chunked (empty for a streaming response's head).
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// Every value of header `name` (lower-case).
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of header `name`, which must appear at most once.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(
            all.len() <= 1,
            "{name} sent {} times: {:?}",
            all.len(),
            self.headers
        );
        all.first().copied()
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON (fails the test when it is not JSON).
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.text()))
    }

    /// Whether the `content-type` is JSON.
    pub(crate) fn is_json(&self) -> bool {
        self.header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json"))
    }
}

/// One piece of a chunked body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Chunk {
    /// A data chunk.
    Data(Vec<u8>),
    /// The zero-length chunk that ends the body (and the blank line after it).
    End,
}

/// A client connection.
#[derive(Debug)]
pub(crate) struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Connects to `addr`.
    pub(crate) fn connect(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::new(),
        })
    }

    /// Connects to `addr` with a receive buffer of about `bytes` (no autotuning), as a
    /// client on a slow link would have: what it does not read stays with the server.
    pub(crate) fn connect_small_buffer(addr: SocketAddr, bytes: usize) -> io::Result<Self> {
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
        socket.set_recv_buffer_size(bytes)?;
        socket.connect(&addr.into())?;
        let stream = TcpStream::from(socket);
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::new(),
        })
    }

    /// Sends a request: the request line, `host`, `headers` (values as raw bytes), and
    /// with a body its `content-length`. A large body is written by a thread while the
    /// caller reads, so a server that answers early (413) cannot block the test.
    pub(crate) fn send(
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
    pub(crate) fn send_chunked(
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

    /// Reads a whole response (head and body).
    pub(crate) fn read_response(&mut self, timeout: Duration) -> Result<Response, HttpError> {
        let mut response = self.read_head(timeout)?;
        response.body = self.read_body(&response, timeout)?;
        Ok(response)
    }

    /// Closes both directions.
    pub(crate) fn close(&self) {
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

    /// Reads the status line and headers.
    pub(crate) fn read_head(&mut self, timeout: Duration) -> Result<Response, HttpError> {
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

    /// Reads the next piece of a chunked body.
    pub(crate) fn read_chunk(&mut self, timeout: Duration) -> Result<Chunk, HttpError> {
        let deadline = Instant::now() + timeout;
        let line = self.take_through(b"\r\n", deadline)?;
        let size_text = String::from_utf8_lossy(&line[..line.len() - 2]).into_owned();
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| HttpError::Malformed(format!("chunk size {size_text:?}")))?;
        if size == 0 {
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

    /// Reads a whole body after `head`: chunked, `content-length`, or (neither) until
    /// the server closes.
    pub(crate) fn read_body(
        &mut self,
        head: &Response,
        timeout: Duration,
    ) -> Result<Vec<u8>, HttpError> {
        let deadline = Instant::now() + timeout;
        let chunked = head
            .all("transfer-encoding")
            .iter()
            .any(|v| v.eq_ignore_ascii_case("chunked"));
        if chunked {
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
}

/// One request on a fresh connection (`connection: close`), the whole response read.
pub(crate) fn try_request(
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
    let mut response = conn.read_head(timeout)?;
    response.body = conn.read_body(&response, timeout)?;
    conn.close();
    Ok(response)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
