//! Response bodies: chunked, fixed length, or until the connection closes.

use std::fmt;

/// Turns the bytes after a response head into the body's bytes, fed in pieces split
/// anywhere; nothing is copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyReader {
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Chunk size digits; `digits` counts them, `ext` is set inside a chunk extension.
    Size { size: u64, digits: u8, ext: bool },
    /// After the size line's CR.
    SizeLf { size: u64 },
    /// Inside a chunk.
    Data { left: u64 },
    /// After a chunk: CR expected.
    DataCr,
    /// After a chunk: LF expected.
    DataLf,
    /// After the last chunk: trailer lines; `empty` while the current line has no bytes.
    Trailer { empty: bool },
    /// After a trailer line's CR.
    TrailerLf { empty: bool },
    /// A body of known length.
    Length { left: u64 },
    /// A body that ends when the connection does.
    UntilClose,
    /// The body is complete.
    Done,
}

/// A body that breaks HTTP/1.1 framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError(&'static str);

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad body framing: {}", self.0)
    }
}

impl std::error::Error for BodyError {}

impl BodyReader {
    /// A `Transfer-Encoding: chunked` body.
    #[must_use]
    pub const fn chunked() -> Self {
        Self {
            state: State::Size {
                size: 0,
                digits: 0,
                ext: false,
            },
        }
    }

    /// A body of `len` bytes.
    #[must_use]
    pub const fn length(len: u64) -> Self {
        Self {
            state: if len == 0 {
                State::Done
            } else {
                State::Length { left: len }
            },
        }
    }

    /// A body that lasts until the connection closes.
    #[must_use]
    pub const fn until_close() -> Self {
        Self {
            state: State::UntilClose,
        }
    }

    /// Whether the body is complete (the connection may be reused or closed).
    #[must_use]
    pub const fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Feeds the next bytes of the connection; `out` receives each run of body bytes.
    /// Returns how many bytes of `input` belonged to the body (all of them until it is
    /// done).
    ///
    /// # Errors
    ///
    /// [`BodyError`] when the chunked framing is broken.
    pub fn feed(&mut self, input: &[u8], out: &mut impl FnMut(&[u8])) -> Result<usize, BodyError> {
        let mut i = 0;
        while i < input.len() {
            match &mut self.state {
                State::Done => return Ok(i),
                State::UntilClose => {
                    out(&input[i..]);
                    return Ok(input.len());
                }
                State::Length { left } | State::Data { left } => {
                    let take = usize::try_from(*left)
                        .unwrap_or(usize::MAX)
                        .min(input.len() - i);
                    out(&input[i..i + take]);
                    i += take;
                    *left -= take as u64;
                    if *left == 0 {
                        self.state = match self.state {
                            State::Length { .. } => State::Done,
                            _ => State::DataCr,
                        };
                    }
                }
                State::Size { size, digits, ext } => {
                    let b = input[i];
                    i += 1;
                    match b {
                        b'\r' if *digits > 0 => self.state = State::SizeLf { size: *size },
                        _ if *ext => {}
                        b';' if *digits > 0 => *ext = true,
                        _ => {
                            let d = (b as char).to_digit(16).ok_or(BodyError("chunk size"))?;
                            if *digits >= 15 {
                                return Err(BodyError("chunk size too long"));
                            }
                            *size = *size * 16 + u64::from(d);
                            *digits += 1;
                        }
                    }
                }
                State::SizeLf { size } => {
                    if input[i] != b'\n' {
                        return Err(BodyError("LF after chunk size"));
                    }
                    i += 1;
                    self.state = if *size == 0 {
                        State::Trailer { empty: true }
                    } else {
                        State::Data { left: *size }
                    };
                }
                State::DataCr => {
                    if input[i] != b'\r' {
                        return Err(BodyError("CR after chunk"));
                    }
                    i += 1;
                    self.state = State::DataLf;
                }
                State::DataLf => {
                    if input[i] != b'\n' {
                        return Err(BodyError("LF after chunk"));
                    }
                    i += 1;
                    self.state = Self::chunked().state;
                }
                State::Trailer { empty } => {
                    let empty = *empty;
                    self.state = if input[i] == b'\r' {
                        State::TrailerLf { empty }
                    } else {
                        State::Trailer { empty: false }
                    };
                    i += 1;
                }
                State::TrailerLf { empty } => {
                    if input[i] != b'\n' {
                        return Err(BodyError("LF in trailer"));
                    }
                    i += 1;
                    self.state = if *empty {
                        State::Done
                    } else {
                        State::Trailer { empty: true }
                    };
                }
            }
        }
        Ok(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(reader: &mut BodyReader, pieces: &[&[u8]]) -> Result<Vec<u8>, BodyError> {
        let mut body = Vec::new();
        for piece in pieces {
            reader.feed(piece, &mut |b| body.extend_from_slice(b))?;
        }
        Ok(body)
    }

    #[test]
    fn chunked_split_anywhere() {
        let wire =
            b"5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nx-trailer: 1\r\n\r\n";
        for split in 0..wire.len() {
            let mut reader = BodyReader::chunked();
            let body = collect(&mut reader, &[&wire[..split], &wire[split..]]).unwrap();
            assert_eq!(body, b"helloabcdefghijklmnopqrstuvwxyz", "split at {split}");
            assert!(reader.is_done());
        }
    }

    #[test]
    fn chunked_stops_at_the_end_of_the_body() {
        let mut reader = BodyReader::chunked();
        let mut body = Vec::new();
        let used = reader
            .feed(b"2\r\nok\r\n0\r\n\r\nHTTP/1.1", &mut |b| {
                body.extend_from_slice(b);
            })
            .unwrap();
        assert_eq!((used, body.as_slice()), (12, b"ok".as_slice()));
    }

    #[test]
    fn broken_chunking_is_an_error() {
        for wire in [&b"zz\r\n"[..], b"2\r\nokX", b"2\rX", b"\r\n"] {
            assert!(
                collect(&mut BodyReader::chunked(), &[wire]).is_err(),
                "{wire:?}"
            );
        }
    }

    #[test]
    fn length_and_until_close() {
        let mut reader = BodyReader::length(3);
        assert_eq!(collect(&mut reader, &[b"ab", b"cdef"]).unwrap(), b"abc");
        assert!(reader.is_done());
        let mut reader = BodyReader::until_close();
        assert_eq!(collect(&mut reader, &[b"ab", b"cd"]).unwrap(), b"abcd");
        assert!(!reader.is_done());
    }
}
