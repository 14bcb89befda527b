//! An I/O-free HTTP/1.1 response reader: feed it the bytes a connection received, in
//! pieces split anywhere, and it reports each response's head, its body bytes with the
//! framing removed (chunked, `content-length` or until the connection closes), and the
//! end of the body. It never touches a socket, so the same reader serves a blocking
//! test client ([`crate::client`]) and an async load client alike.
//!
//! Responses follow each other on a persistent connection: after one ends, the next
//! bytes are the next response's head. The head is parsed by `httparse`; the body
//! framing is checked strictly (every chunk line ends with CRLF) and any violation is
//! an [`Http1Error`] that says what was wrong. Body bytes are handed out without
//! copying, as slices of the input.
//!
//! ```
//! use sse_conformance::http1::{Part, ResponseReader};
//!
//! let mut reader = ResponseReader::new();
//! let mut body = Vec::new();
//! let mut status = 0;
//! let mut ended = false;
//! for piece in [&b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel"[..], b"lo\r\n0\r\n\r\n"] {
//!     reader
//!         .feed(piece, &mut |part| match part {
//!             Part::Head(head) => status = head.status,
//!             Part::Body(bytes) => body.extend_from_slice(bytes),
//!             Part::End => ended = true,
//!         })
//!         .unwrap();
//! }
//! assert_eq!((status, body.as_slice(), ended), (200, &b"hello"[..], true));
//! ```

use std::fmt;

/// The longest response head accepted (status line, headers and the blank line).
pub const MAX_HEAD: usize = 64 * 1024;

/// The most header lines a head may have.
const MAX_HEADERS: usize = 64;

/// The most hex digits of a chunk size (a size above `u64::MAX` is refused first).
const MAX_SIZE_DIGITS: u8 = 16;

/// How a response's body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `transfer-encoding` ending in `chunked`.
    Chunked,
    /// `content-length` bytes.
    Length(u64),
    /// Everything until the server closes the connection.
    UntilClose,
    /// No body: a 1xx, 204 or 304 status.
    Empty,
}

/// A response head: status line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The minor HTTP version: `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub minor_version: u8,
    /// The status code.
    pub status: u16,
    /// The reason phrase (may be empty).
    pub reason: String,
    /// The headers in order, names lower-cased, values trimmed (bytes that are not
    /// UTF-8 replaced by U+FFFD).
    pub headers: Vec<(String, String)>,
    /// How the body that follows is delimited.
    pub framing: Framing,
}

impl Head {
    /// The first value of header `name` (lower-case), if sent.
    #[must_use]
    pub fn first(&self, name: &str) -> Option<&str> {
        let (_, value) = self.headers.iter().find(|(n, _)| n == name)?;
        Some(value)
    }
}

/// What [`ResponseReader::feed`] reports, in the order it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    /// A complete response head.
    Head(Head),
    /// Body bytes, framing removed (a chunk may arrive as several parts, and one part
    /// never spans two chunks).
    Body(&'a [u8]),
    /// The body is complete; the next bytes belong to the next response.
    End,
}

/// Bytes that are not a well-formed HTTP/1.1 response, or a connection that closed in
/// the middle of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Http1Error {
    /// The status line or a header line is malformed (httparse's reason, and the start
    /// of the head).
    Head(String),
    /// No blank line within [`MAX_HEAD`] bytes, or more than 64 headers.
    HeadTooLarge,
    /// A `content-length` that is not a number, or several that disagree.
    ContentLength(String),
    /// A `transfer-encoding` whose last coding is not `chunked` (the body could only be
    /// read by undoing codings this reader does not know).
    TransferEncoding(String),
    /// The chunked framing is broken: what was expected where.
    Chunked(&'static str),
    /// The connection closed inside a response: where.
    Truncated(&'static str),
}

impl fmt::Display for Http1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Head(why) => write!(f, "malformed response head: {why}"),
            Self::HeadTooLarge => write!(
                f,
                "response head over {MAX_HEAD} bytes or {MAX_HEADERS} headers"
            ),
            Self::ContentLength(value) => write!(f, "bad content-length {value:?}"),
            Self::TransferEncoding(value) => {
                write!(f, "transfer-encoding {value:?} does not end in chunked")
            }
            Self::Chunked(what) => write!(f, "broken chunked body: {what}"),
            Self::Truncated(inside) => write!(f, "connection closed inside {inside}"),
        }
    }
}

impl std::error::Error for Http1Error {}

/// Where the reader is in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Collecting a head (in `ResponseReader::head`).
    Head,
    /// Reading the hex digits of a chunk size.
    Size { size: u64, digits: u8 },
    /// Skipping a chunk extension up to the CR.
    Extension { size: u64 },
    /// After the size line's CR: LF expected.
    SizeLf { size: u64 },
    /// Inside a chunk's data.
    Data { left: u64 },
    /// After a chunk's data: CR expected.
    DataCr,
    /// After a chunk's data and CR: LF expected.
    DataLf,
    /// After the last chunk: a trailer line, `empty` until it has a byte.
    Trailer { empty: bool },
    /// After a trailer line's CR: LF expected.
    TrailerLf { empty: bool },
    /// Inside a body of known length.
    Length { left: u64 },
    /// Inside a body that lasts until the connection closes.
    UntilClose,
    /// The connection closed after a body that lasted until then: nothing may follow.
    Closed,
}

/// Reads responses from the bytes of one connection. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct ResponseReader {
    state: State,
    /// The head received so far (only while `state` is `Head`).
    head: Vec<u8>,
}

impl Default for ResponseReader {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseReader {
    /// A reader at the start of a connection, expecting a response head.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: State::Head,
            head: Vec::new(),
        }
    }

    /// Whether the reader is between responses (no byte of the next head yet): the
    /// connection may be closed or reused here without losing anything.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        self.state == State::Head && self.head.is_empty()
    }

    /// Feeds the next bytes of the connection; `on` receives every [`Part`] they
    /// complete, in order.
    ///
    /// # Errors
    ///
    /// [`Http1Error`] when the bytes break HTTP/1.1; the reader is then in an
    /// unspecified state and the connection should be dropped.
    pub fn feed(
        &mut self,
        mut input: &[u8],
        on: &mut impl FnMut(Part<'_>),
    ) -> Result<(), Http1Error> {
        while !input.is_empty() {
            let used = match self.state {
                State::Head => self.head_bytes(input, on)?,
                State::Length { left } | State::Data { left } => {
                    let take = usize::try_from(left).map_or(input.len(), |l| l.min(input.len()));
                    on(Part::Body(&input[..take]));
                    let left = left - take as u64;
                    self.state = match (self.state, left) {
                        (State::Length { .. }, 0) => Self::end(on),
                        (State::Length { .. }, _) => State::Length { left },
                        (_, 0) => State::DataCr,
                        _ => State::Data { left },
                    };
                    take
                }
                State::UntilClose => {
                    on(Part::Body(input));
                    input.len()
                }
                State::Closed => {
                    return Err(Http1Error::Head(
                        "bytes after a body that ended with the connection".into(),
                    ));
                }
                _ => {
                    self.framing_byte(input[0], on)?;
                    1
                }
            };
            input = &input[used..];
        }
        Ok(())
    }

    /// The connection closed (end of input): ends a body that lasts until then.
    ///
    /// # Errors
    ///
    /// [`Http1Error::Truncated`] when the close cuts a head or a body short.
    pub fn finish(&mut self, on: &mut impl FnMut(Part<'_>)) -> Result<(), Http1Error> {
        match self.state {
            State::Head if self.head.is_empty() => Ok(()),
            State::Closed => Ok(()),
            State::Head => Err(Http1Error::Truncated("a response head")),
            State::UntilClose => {
                on(Part::End);
                self.state = State::Closed;
                Ok(())
            }
            State::Length { .. } => Err(Http1Error::Truncated("a content-length body")),
            _ => Err(Http1Error::Truncated("a chunked body")),
        }
    }

    /// Takes head bytes from `input` (returns how many); parses the head once the blank
    /// line is in.
    fn head_bytes(
        &mut self,
        input: &[u8],
        on: &mut impl FnMut(Part<'_>),
    ) -> Result<usize, Http1Error> {
        // Look for the blank line only from where it could start in the new bytes.
        let from = self.head.len().saturating_sub(3);
        self.head.extend_from_slice(input);
        let Some(at) = find_blank_line(&self.head[from..]) else {
            if self.head.len() > MAX_HEAD {
                return Err(Http1Error::HeadTooLarge);
            }
            return Ok(input.len());
        };
        let end = from + at + 4;
        if end > MAX_HEAD {
            return Err(Http1Error::HeadTooLarge);
        }
        let used = input.len() - (self.head.len() - end);
        self.head.truncate(end);
        let head = parse_head(&self.head)?;
        self.head = Vec::new();
        let framing = head.framing;
        on(Part::Head(head));
        self.state = match framing {
            Framing::Chunked => State::Size { size: 0, digits: 0 },
            Framing::Length(0) | Framing::Empty => Self::end(on),
            Framing::Length(left) => State::Length { left },
            Framing::UntilClose => State::UntilClose,
        };
        Ok(used)
    }

    /// Reports the end of a body; the next state.
    fn end(on: &mut impl FnMut(Part<'_>)) -> State {
        on(Part::End);
        State::Head
    }

    /// One byte of chunked framing (sizes, CRLFs, trailers).
    fn framing_byte(&mut self, byte: u8, on: &mut impl FnMut(Part<'_>)) -> Result<(), Http1Error> {
        self.state = match (self.state, byte) {
            (State::Size { size, digits }, b'\r') if digits > 0 => State::SizeLf { size },
            (State::Size { size, digits }, b';' | b' ' | b'\t') if digits > 0 => {
                State::Extension { size }
            }
            (State::Size { size, digits }, _) => {
                let digit = char::from(byte)
                    .to_digit(16)
                    .ok_or(Http1Error::Chunked("a hex digit in the chunk size"))?;
                if digits == MAX_SIZE_DIGITS || size >> 60 != 0 {
                    return Err(Http1Error::Chunked("a chunk size that fits in 64 bits"));
                }
                State::Size {
                    size: size << 4 | u64::from(digit),
                    digits: digits + 1,
                }
            }
            (State::Extension { size }, b'\r') => State::SizeLf { size },
            (State::Extension { .. }, b'\n') => {
                return Err(Http1Error::Chunked(
                    "CR before LF at the end of the size line",
                ));
            }
            (State::Extension { size }, _) => State::Extension { size },
            (State::SizeLf { size: 0 }, b'\n') => State::Trailer { empty: true },
            (State::SizeLf { size }, b'\n') => State::Data { left: size },
            (State::SizeLf { .. }, _) => {
                return Err(Http1Error::Chunked("LF after the chunk size's CR"));
            }
            (State::DataCr, b'\r') => State::DataLf,
            (State::DataCr, _) => return Err(Http1Error::Chunked("CRLF after the chunk data")),
            (State::DataLf, b'\n') => State::Size { size: 0, digits: 0 },
            (State::DataLf, _) => return Err(Http1Error::Chunked("LF after the chunk data's CR")),
            (State::Trailer { empty }, b'\r') => State::TrailerLf { empty },
            (State::Trailer { .. }, b'\n') => {
                return Err(Http1Error::Chunked("CR before LF in the trailer"));
            }
            (State::Trailer { .. }, _) => State::Trailer { empty: false },
            (State::TrailerLf { empty: true }, b'\n') => Self::end(on),
            (State::TrailerLf { empty: false }, b'\n') => State::Trailer { empty: true },
            (State::TrailerLf { .. }, _) => {
                return Err(Http1Error::Chunked("LF after a trailer line's CR"));
            }
            (
                State::Head
                | State::Data { .. }
                | State::Length { .. }
                | State::UntilClose
                | State::Closed,
                _,
            ) => unreachable!("feed handles these states itself"),
        };
        Ok(())
    }
}

/// Where `\r\n\r\n` starts in `bytes`.
fn find_blank_line(bytes: &[u8]) -> Option<usize> {
    bytes.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Parses a complete head (through the blank line).
fn parse_head(bytes: &[u8]) -> Result<Head, Http1Error> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let shown = || String::from_utf8_lossy(&bytes[..bytes.len().min(80)]).into_owned();
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(Http1Error::Head(format!("incomplete: {:?}", shown())));
        }
        Err(httparse::Error::TooManyHeaders) => return Err(Http1Error::HeadTooLarge),
        Err(e) => return Err(Http1Error::Head(format!("{e}: {:?}", shown()))),
    }
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).trim().to_owned();
            (h.name.to_ascii_lowercase(), value)
        })
        .collect();
    let status = response.code.unwrap_or_default();
    let framing = framing(status, &headers)?;
    Ok(Head {
        minor_version: response.version.unwrap_or_default(),
        status,
        reason: response.reason.unwrap_or_default().to_owned(),
        headers,
        framing,
    })
}

/// How the body after a head with `status` and `headers` is delimited (RFC 9112
/// section 6.3, for a response to a request other than `HEAD` or `CONNECT`).
fn framing(status: u16, headers: &[(String, String)]) -> Result<Framing, Http1Error> {
    if (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok(Framing::Empty);
    }
    if let Some(last) = list_values(headers, "transfer-encoding").last() {
        if last.eq_ignore_ascii_case("chunked") {
            return Ok(Framing::Chunked);
        }
        return Err(Http1Error::TransferEncoding(last.to_owned()));
    }
    let mut length = None;
    for value in list_values(headers, "content-length") {
        let n: u64 = value
            .parse()
            .map_err(|_| Http1Error::ContentLength(value.to_owned()))?;
        if length.is_some_and(|l| l != n) {
            return Err(Http1Error::ContentLength(value.to_owned()));
        }
        length = Some(n);
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}

/// The items of every value of the list header `name`, trimmed.
fn list_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n == name)
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a reader made of some input, with owned parts.
    #[derive(Debug, Default, PartialEq, Eq)]
    struct Seen {
        heads: Vec<Head>,
        body: Vec<u8>,
        ends: usize,
    }

    fn feed_pieces(reader: &mut ResponseReader, pieces: &[&[u8]]) -> Result<Seen, Http1Error> {
        let mut seen = Seen::default();
        for piece in pieces {
            reader.feed(piece, &mut |part| match part {
                Part::Head(head) => seen.heads.push(head),
                Part::Body(bytes) => seen.body.extend_from_slice(bytes),
                Part::End => seen.ends += 1,
            })?;
        }
        Ok(seen)
    }

    const CHUNKED: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
        Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1A;ext=\"x\"\r\n\
        abcdefghijklmnopqrstuvwxyz\r\n0\r\nx-trailer: 1\r\n\r\n";

    #[test]
    fn chunked_split_anywhere() {
        for split in 0..=CHUNKED.len() {
            let mut reader = ResponseReader::new();
            let seen = feed_pieces(&mut reader, &[&CHUNKED[..split], &CHUNKED[split..]])
                .unwrap_or_else(|e| panic!("split at {split}: {e}"));
            assert_eq!(seen.heads.len(), 1, "split at {split}");
            let head = &seen.heads[0];
            assert_eq!((head.status, head.reason.as_str()), (200, "OK"));
            assert_eq!(head.first("content-type"), Some("text/event-stream"));
            assert_eq!(head.framing, Framing::Chunked);
            assert_eq!(seen.body, b"helloabcdefghijklmnopqrstuvwxyz");
            assert_eq!(seen.ends, 1);
            assert!(reader.is_idle());
        }
    }

    #[test]
    fn byte_by_byte() {
        let mut reader = ResponseReader::new();
        let pieces: Vec<&[u8]> = CHUNKED.chunks(1).collect();
        let seen = feed_pieces(&mut reader, &pieces).unwrap();
        assert_eq!(seen.body, b"helloabcdefghijklmnopqrstuvwxyz");
        assert_eq!(seen.ends, 1);
    }

    #[test]
    fn responses_follow_each_other() {
        let wire =
            b"HTTP/1.1 202 Accepted\r\ncontent-length: 3\r\n\r\nabcHTTP/1.1 204 No Content\r\n\r\n\
            HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n";
        let mut reader = ResponseReader::new();
        let seen = feed_pieces(&mut reader, &[wire]).unwrap();
        let statuses: Vec<u16> = seen.heads.iter().map(|h| h.status).collect();
        assert_eq!(statuses, [202, 204, 400]);
        assert_eq!(seen.heads[0].framing, Framing::Length(3));
        assert_eq!(seen.heads[1].framing, Framing::Empty);
        assert_eq!((seen.body.as_slice(), seen.ends), (&b"abcno"[..], 3));
    }

    #[test]
    fn until_close_ends_at_finish() {
        let mut reader = ResponseReader::new();
        let mut seen = feed_pieces(&mut reader, &[b"HTTP/1.0 200 OK\r\n\r\nab", b"cd"]).unwrap();
        assert_eq!(seen.heads[0].minor_version, 0);
        assert_eq!(seen.heads[0].framing, Framing::UntilClose);
        assert_eq!((seen.body.as_slice(), seen.ends), (&b"abcd"[..], 0));
        reader
            .finish(&mut |part| seen.ends += usize::from(part == Part::End))
            .unwrap();
        assert_eq!(seen.ends, 1);
        assert!(feed_pieces(&mut reader, &[b"x"]).is_err());
    }

    #[test]
    fn finish_inside_a_response_is_truncated() {
        for wire in [
            &b"HTTP/1.1 200 OK\r\n"[..],
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n",
        ] {
            let mut reader = ResponseReader::new();
            feed_pieces(&mut reader, &[wire]).unwrap();
            assert!(
                matches!(reader.finish(&mut |_| {}), Err(Http1Error::Truncated(_))),
                "{wire:?}"
            );
        }
        let mut reader = ResponseReader::new();
        feed_pieces(
            &mut reader,
            &[b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nx"],
        )
        .unwrap();
        assert_eq!(reader.finish(&mut |_| {}), Ok(()));
    }

    #[test]
    fn malformed_bytes_are_clear_errors() {
        let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
        // Each case and the name of the error variant it must give.
        let cases: [(&[u8], &str); 11] = [
            (b"SSH-2.0-OpenSSH\r\n\r\n", "Head"),
            (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "Head"),
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n",
                "ContentLength",
            ),
            (
                b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
                "ContentLength",
            ),
            (
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n",
                "TransferEncoding",
            ),
            (b"zz\r\n", "Chunked"),
            (b"\r\n", "Chunked"),
            (b"2\r\nokX", "Chunked"),
            (b"2\nok", "Chunked"),
            (b"11111111111111111\r\n", "Chunked"),
            (b"0\r\nx: y\n", "Chunked"),
        ];
        for (wire, variant) in cases {
            let full: Vec<u8> = if wire.starts_with(b"HTTP") || wire.starts_with(b"SSH") {
                wire.to_vec()
            } else {
                [head.as_bytes(), wire].concat()
            };
            let error = feed_pieces(&mut ResponseReader::new(), &[&full])
                .expect_err(&String::from_utf8_lossy(&full));
            assert!(
                format!("{error:?}").starts_with(&format!("{variant}(")),
                "{:?}: {error:?}",
                String::from_utf8_lossy(&full)
            );
            assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn head_size_is_bounded() {
        let endless = vec![b'a'; MAX_HEAD + 1];
        let mut reader = ResponseReader::new();
        assert_eq!(
            feed_pieces(&mut reader, &[b"HTTP/1.1 200 OK\r\nx: ", &endless]),
            Err(Http1Error::HeadTooLarge)
        );
        let many: String = (0..=MAX_HEADERS).map(|i| format!("h{i}: v\r\n")).collect();
        let wire = format!("HTTP/1.1 200 OK\r\n{many}\r\n");
        assert_eq!(
            feed_pieces(&mut ResponseReader::new(), &[wire.as_bytes()]),
            Err(Http1Error::HeadTooLarge)
        );
    }

    #[test]
    fn header_values_are_trimmed_and_names_lowered() {
        let wire = b"HTTP/1.1 200 OK\r\nVary:  Origin \r\nX-Bin: \xff\r\ncontent-length: 0\r\n\r\n";
        let seen = feed_pieces(&mut ResponseReader::new(), &[wire]).unwrap();
        let head = &seen.heads[0];
        assert_eq!(head.first("vary"), Some("Origin"));
        assert_eq!(head.first("x-bin"), Some("\u{fffd}"));
        assert_eq!(seen.ends, 1);
    }
}
