//! An event-stream response body read as a client would: the body bytes of a
//! [`Conn`] (gunzipped when the response says so) decoded by `sse_core::Decoder`, with
//! every decoded body byte kept for byte-exact checks.

use std::io::Write;
use std::time::{Duration, Instant};

use sse_core::{Decoder, Frame};

use crate::client::{Chunk, Conn, HttpError};

/// Reads the frames of an event-stream body whose head was read.
#[derive(Debug)]
pub struct EventReader {
    /// The connection.
    pub conn: Conn,
    gzip: Option<flate2::write::GzDecoder<Vec<u8>>>,
    decoder: Decoder,
    /// The body so far, framing and compression removed.
    body: Vec<u8>,
    /// The body ended with its terminating chunk.
    ended: bool,
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
            gzip,
            decoder: Decoder::new(),
            body: Vec::new(),
            ended: false,
        })
    }

    /// The next frame (message, `retry` or comment), or `None` once the body ended
    /// cleanly (an incomplete event at the end is discarded, as the spec says).
    ///
    /// # Errors
    ///
    /// [`HttpError::Timeout`] when no frame completes in time, [`HttpError::Closed`]
    /// when the connection closes without ending the body, other [`HttpError`]s for
    /// broken framing or compression.
    pub fn next(&mut self, timeout: Duration) -> Result<Option<Frame>, HttpError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(frame) = self.decoder.next_frame() {
                return Ok(Some(frame));
            }
            if self.ended {
                return Ok(None);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.conn.read_chunk(left)? {
                Chunk::Data(data) => self.push(&data)?,
                Chunk::End => {
                    if let Some(gzip) = self.gzip.as_mut() {
                        gzip.try_finish().map_err(HttpError::Io)?;
                        let rest = std::mem::take(gzip.get_mut());
                        self.decoded(&rest);
                    }
                    self.ended = true;
                    self.decoder.finish();
                }
            }
        }
    }

    /// The body so far, framing and compression removed.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether the body so far ends after a complete event (a blank line), as a stream
    /// must when it ends.
    #[must_use]
    pub fn on_event_boundary(&self) -> bool {
        let body = &self.body;
        body.is_empty()
            || body.ends_with(b"\n\n")
            || body.ends_with(b"\r\r")
            || body.ends_with(b"\r\n\r\n")
            || body.ends_with(b"\n\r\n")
    }

    /// The id a reconnecting client would send as `Last-Event-ID`.
    #[must_use]
    pub fn last_event_id(&self) -> &str {
        self.decoder.last_event_id()
    }

    fn push(&mut self, data: &[u8]) -> Result<(), HttpError> {
        match self.gzip.as_mut() {
            None => self.decoded(data),
            Some(gzip) => {
                gzip.write_all(data).map_err(HttpError::Io)?;
                gzip.flush().map_err(HttpError::Io)?;
                let plain = std::mem::take(gzip.get_mut());
                self.decoded(&plain);
            }
        }
        Ok(())
    }

    fn decoded(&mut self, plain: &[u8]) {
        self.body.extend_from_slice(plain);
        self.decoder.push(plain);
    }
}
