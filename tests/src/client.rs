//! A raw HTTP/1.1 client for the tests: writes requests byte for byte, parses the
//! status line, headers and chunked transfer-encoding itself, keeps every byte it
//! received, and reads with deadlines so that a hung server fails a test instead of
//! hanging it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Why a read gave no result.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing complete arrived before the deadline.
    Timeout,
    /// The server closed the connection (or reset it).
    Closed,
    /// The bytes are not HTTP/1.1 as expected.
    Malformed(String),
    /// Another socket error.
    Io(io::Error),
}

/// A response's status and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The status code.
    pub status: u16,
    /// The headers in order, names lower-cased, values as sent.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Head {
    /// Every value of `name`, as text.
    #[must_use]
    pub fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    /// The value of `name` when it appears exactly once.
    #[must_use]
    pub fn one(&self, name: &str) -> Option<String> {
        let mut all = self.all(name);
        if all.len() == 1 { all.pop() } else { None }
    }

    /// The header names, sorted, without repeats.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.headers.iter().map(|(n, _)| n.clone()).collect();
        names.sort();
        names.dedup();
        names
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

/// A client connection.
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
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: Vec::new(),
            raw: Vec::new(),
        })
    }

    /// Sends a `method` request for `target` with these extra headers (values as raw
    /// bytes, so a test can send what is not UTF-8) and no body.
    ///
    /// # Errors
    ///
    /// When the write fails.
    pub fn request(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &[u8])],
    ) -> io::Result<()> {
        let mut request = format!("{method} {target} HTTP/1.1\r\nhost: 127.0.0.1\r\n").into_bytes();
        for (name, value) in headers {
            request.extend_from_slice(name.as_bytes());
            request.extend_from_slice(b": ");
            request.extend_from_slice(value);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"\r\n");
        self.stream.write_all(&request)
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

    fn fill(&mut self, deadline: Instant) -> Result<(), ReadError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(ReadError::Timeout);
        }
        self.stream
            .set_read_timeout(Some(remaining))
            .map_err(ReadError::Io)?;
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err(ReadError::Closed),
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
                Err(ReadError::Timeout)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
                ) =>
            {
                Err(ReadError::Closed)
            }
            Err(e) => Err(ReadError::Io(e)),
        }
    }

    /// Takes the bytes up to and including the first `delimiter`, reading more until
    /// `deadline` as needed.
    fn take_through(&mut self, delimiter: &[u8], deadline: Instant) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(at) = find(&self.buf, delimiter) {
                return Ok(self.buf.drain(..at + delimiter.len()).collect());
            }
            self.fill(deadline)?;
        }
    }

    fn take_exact(&mut self, n: usize, deadline: Instant) -> Result<Vec<u8>, ReadError> {
        while self.buf.len() < n {
            self.fill(deadline)?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    /// Reads the status line and headers.
    ///
    /// # Errors
    ///
    /// [`ReadError`] when they do not arrive in time or are malformed.
    pub fn read_head(&mut self, timeout: Duration) -> Result<Head, ReadError> {
        let deadline = Instant::now() + timeout;
        let bytes = self.take_through(b"\r\n\r\n", deadline)?;
        let text = &bytes[..bytes.len() - 4];
        let mut lines = text
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let status_line = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
        let mut parts = status_line.splitn(3, ' ');
        let (Some("HTTP/1.1"), Some(code)) = (parts.next(), parts.next()) else {
            return Err(ReadError::Malformed(format!("status line {status_line:?}")));
        };
        let status = code
            .parse()
            .map_err(|_| ReadError::Malformed(format!("status line {status_line:?}")))?;
        let mut headers = Vec::new();
        for line in lines {
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                return Err(ReadError::Malformed(format!(
                    "header line {:?}",
                    String::from_utf8_lossy(line)
                )));
            };
            let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
            let value = line[colon + 1..].trim_ascii().to_vec();
            headers.push((name, value));
        }
        Ok(Head { status, headers })
    }

    /// Reads the next chunk of a chunked body.
    ///
    /// # Errors
    ///
    /// [`ReadError`] when it does not arrive in time, the connection closes first, or
    /// the framing is wrong.
    pub fn read_chunk(&mut self, timeout: Duration) -> Result<Chunk, ReadError> {
        let deadline = Instant::now() + timeout;
        let line = self.take_through(b"\r\n", deadline)?;
        let size_text = String::from_utf8_lossy(&line[..line.len() - 2]).into_owned();
        let size_text = size_text
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let size = usize::from_str_radix(&size_text, 16)
            .map_err(|_| ReadError::Malformed(format!("chunk size {size_text:?}")))?;
        if size == 0 {
            // Trailers (none expected), then the blank line.
            loop {
                let line = self.take_through(b"\r\n", deadline)?;
                if line == b"\r\n" {
                    return Ok(Chunk::End);
                }
            }
        }
        let mut data = self.take_exact(size + 2, deadline)?;
        if !data.ends_with(b"\r\n") {
            return Err(ReadError::Malformed("chunk not followed by CRLF".into()));
        }
        data.truncate(size);
        Ok(Chunk::Data(data))
    }

    /// Reads a whole body: chunked up to the terminating chunk, or `content-length`
    /// bytes, or (neither) nothing.
    ///
    /// # Errors
    ///
    /// [`ReadError`] as the reads that make it up.
    pub fn read_body(&mut self, head: &Head, timeout: Duration) -> Result<Vec<u8>, ReadError> {
        let deadline = Instant::now() + timeout;
        if head.one("transfer-encoding").as_deref() == Some("chunked") {
            let mut body = Vec::new();
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.read_chunk(left)? {
                    Chunk::Data(data) => body.extend_from_slice(&data),
                    Chunk::End => return Ok(body),
                }
            }
        }
        let length = head
            .one("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        self.take_exact(length, deadline)
    }

    /// Waits for the server to close the connection, failing if any byte arrives first.
    ///
    /// # Errors
    ///
    /// [`ReadError::Timeout`] when it stays open, [`ReadError::Malformed`] when bytes
    /// arrive.
    pub fn expect_closed(&mut self, timeout: Duration) -> Result<(), ReadError> {
        let deadline = Instant::now() + timeout;
        let before = self.buf.len();
        match self.fill(deadline) {
            Err(ReadError::Closed) if self.buf.len() == before => Ok(()),
            Ok(()) => Err(ReadError::Malformed(format!(
                "bytes after the expected end: {:?}",
                String::from_utf8_lossy(&self.buf[before..])
            ))),
            Err(e) => Err(e),
        }
    }
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
    /// [`ReadError::Malformed`] for another encoding.
    pub fn new(conn: Conn, content_encoding: Option<&str>) -> Result<Self, ReadError> {
        let gzip = match content_encoding {
            None | Some("identity") => None,
            Some("gzip") => Some(flate2::write::GzDecoder::new(Vec::new())),
            Some(other) => return Err(ReadError::Malformed(format!("content-encoding {other}"))),
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
    /// [`ReadError`] when no whole frame arrives in time, or the body ends first
    /// ([`ReadError::Closed`] then also covers a clean end).
    pub fn next_frame(&mut self, timeout: Duration) -> Result<Vec<u8>, ReadError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(at) = find(&self.decoded, b"\n\n") {
                return Ok(self.decoded.drain(..at + 2).collect());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.conn.read_chunk(left)? {
                Chunk::Data(data) => self.push(&data)?,
                Chunk::End => return Err(ReadError::Closed),
            }
        }
    }

    /// The next chunk of the body, which must be the terminating one.
    ///
    /// # Errors
    ///
    /// [`ReadError`] when something else arrives or nothing in time.
    pub fn expect_end(&mut self, timeout: Duration) -> Result<(), ReadError> {
        match self.conn.read_chunk(timeout)? {
            Chunk::End if self.decoded.is_empty() => Ok(()),
            Chunk::End => Err(ReadError::Malformed(format!(
                "body ended inside a frame: {:?}",
                String::from_utf8_lossy(&self.decoded)
            ))),
            Chunk::Data(data) => {
                self.push(&data)?;
                if self.decoded.is_empty() {
                    // Compressed framing bytes only (a gzip trailer): the end comes next.
                    self.expect_end(timeout)
                } else {
                    Err(ReadError::Malformed(format!(
                        "more data instead of the end: {:?}",
                        String::from_utf8_lossy(&self.decoded)
                    )))
                }
            }
        }
    }

    fn push(&mut self, data: &[u8]) -> Result<(), ReadError> {
        match &mut self.gzip {
            None => self.decoded.extend_from_slice(data),
            Some(gzip) => {
                gzip.write_all(data).map_err(ReadError::Io)?;
                gzip.flush().map_err(ReadError::Io)?;
                self.decoded.append(gzip.get_mut());
            }
        }
        Ok(())
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
