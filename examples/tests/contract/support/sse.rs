//! An event-stream subscription: the conformance suite's `EventReader` (the raw client
//! and `sse_core::Decoder`) with the failures of a contract case turned into panics.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sse_conformance::client::{Conn, HttpError, Response};
use sse_conformance::events::EventReader;
use sse_core::{Frame, Message};

use super::LIVE;
use super::server::Demo;

/// Subscribes to `target` on `demo`.
pub(crate) fn sub(demo: &Demo, target: &str) -> Sub {
    Sub::open(demo.addr, target, &[])
}

/// Subscribes to `target` on `demo`, sending `headers`.
pub(crate) fn sub_with(demo: &Demo, target: &str, headers: &[(&str, &[u8])]) -> Sub {
    Sub::open(demo.addr, target, headers)
}

/// What the next read of a stream gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A frame (message, retry or comment).
    Frame(Frame),
    /// The body ended with the chunked terminator.
    End,
    /// Nothing within the time allowed.
    Timeout,
}

/// An open `GET /events` response.
#[derive(Debug)]
pub(crate) struct Sub {
    reader: EventReader,
    /// The response head.
    pub(crate) head: Response,
    /// Every frame seen so far, in order.
    pub(crate) frames: Vec<Frame>,
}

impl Sub {
    /// Sends `GET target` with `headers`; the head must be `200`.
    pub(crate) fn open(addr: SocketAddr, target: &str, headers: &[(&str, &[u8])]) -> Self {
        Self::open_on(Conn::connect(addr).expect("connect"), target, headers)
    }

    /// Like [`Sub::open`], on a connection with a small receive buffer
    /// ([`Conn::connect_small_buffer`]).
    pub(crate) fn open_small_buffer(
        addr: SocketAddr,
        target: &str,
        headers: &[(&str, &[u8])],
    ) -> Self {
        let conn = Conn::connect_small_buffer(addr, 16 * 1024).expect("connect");
        Self::open_on(conn, target, headers)
    }

    fn open_on(mut conn: Conn, target: &str, headers: &[(&str, &[u8])]) -> Self {
        conn.send("GET", target, headers, None).expect("send");
        let head = conn
            .read_head(LIVE)
            .unwrap_or_else(|e| panic!("GET {target}: no response head: {e}"));
        if head.status != 200 {
            let body = conn.read_body(LIVE).unwrap_or_default();
            panic!(
                "GET {target}: {} {:?} {}",
                head.status,
                head.headers,
                String::from_utf8_lossy(&body)
            );
        }
        let encoding = head.header("content-encoding");
        let reader =
            EventReader::new(conn, encoding).unwrap_or_else(|e| panic!("GET {target}: {e}"));
        Self {
            reader,
            head,
            frames: Vec::new(),
        }
    }

    /// The next frame, the end of the body, or a timeout. Any other failure (a closed
    /// connection without the terminating chunk, bad framing) fails the test.
    pub(crate) fn next(&mut self, timeout: Duration) -> Step {
        match self.reader.next(timeout) {
            Ok(Some(frame)) => {
                self.frames.push(frame.clone());
                Step::Frame(frame)
            }
            Ok(None) => Step::End,
            Err(HttpError::Timeout) => Step::Timeout,
            Err(e) => panic!("stream failed ({e}) after {:?}", self.text()),
        }
    }
    /// The next message, skipping comments and retries; fails on end or timeout.
    pub(crate) fn message(&mut self) -> Message {
        self.message_skipping(&[])
    }

    /// The next message whose type is not in `skip` (comments and retries are skipped
    /// too); fails on end or timeout.
    pub(crate) fn message_skipping(&mut self, skip: &[&str]) -> Message {
        let deadline = Instant::now() + LIVE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left) {
                Step::Frame(Frame::Message(m)) if !skip.contains(&m.event.as_str()) => return m,
                Step::Frame(_) => {}
                Step::End => panic!("stream ended while waiting for a message: {}", self.text()),
                Step::Timeout => panic!("no message within {LIVE:?}: {}", self.text()),
            }
        }
    }

    /// Reads until the end of the body (within `timeout`, else fails); returns the
    /// frames read meanwhile.
    pub(crate) fn until_end(&mut self, timeout: Duration) -> Vec<Frame> {
        let deadline = Instant::now() + timeout;
        let mut frames = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left) {
                Step::Frame(frame) => frames.push(frame),
                Step::End => return frames,
                Step::Timeout => panic!("stream still open after {timeout:?}: {}", self.text()),
            }
        }
    }

    /// Whether the body so far ends after a complete event (a blank line), as a stream
    /// must when it ends.
    pub(crate) fn on_event_boundary(&self) -> bool {
        self.reader.on_event_boundary()
    }

    /// The id a reconnecting client would send.
    pub(crate) fn last_event_id(&self) -> String {
        self.reader.last_event_id().to_owned()
    }

    /// The body so far as text, for failure messages.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(self.reader.body()).into_owned()
    }

    /// Closes the connection.
    pub(crate) fn close(self) {
        self.reader.conn.close();
    }
}
