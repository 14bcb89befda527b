//! The conformance suite: every case is written once, below, and runs as its own
//! `#[test]` against each framework (`axum::case`, `actix::case`, `warp::case`), over a
//! real TCP socket to a server on `127.0.0.1:0`, read by the raw client of
//! `sse_conformance::client`; event streams are decoded by `sse_core::Decoder` and
//! checked byte for byte too.
//!
//! Timing: reads have a generous liveness deadline ([`LIVE`]); the keep-alive cases
//! use short real intervals and exact lower bounds (a keep-alive cannot be sent before
//! its interval has passed since an instant the test took before the server could
//! start the timer).

use std::time::{Duration, Instant};

use sse_conformance::client::{self, Conn, HttpError, Response};
use sse_conformance::events::EventReader;
use sse_conformance::feed::{FeedHandle, FeedOptions};
use sse_conformance::fixture::{ALLOWED_ORIGIN, FIXED_EXPECTED, KEEP_ALIVE_TEXT, fixed_frames};
use sse_conformance::{Framework, Server};
use sse_core::{Encoded, Event, Frame, OnError, RESPONSE_HEADERS, decode_all};

/// The most any single read may take before a case fails.
const LIVE: Duration = Duration::from_secs(5);

/// The keep-alive interval of the timing cases.
const INTERVAL: Duration = Duration::from_millis(400);

fn start(framework: &Framework) -> Server {
    Server::start(framework).expect("a test server")
}

fn get(server: &Server, target: &str, headers: &[(&str, &[u8])]) -> (Conn, Response) {
    let mut conn = Conn::connect(server.addr).expect("connect");
    conn.send("GET", target, headers, None).expect("send");
    let head = conn.read_head(LIVE).expect("response head");
    (conn, head)
}

/// An open event stream and how much of its body the case has checked.
struct Stream {
    reader: EventReader,
    /// Body bytes already matched by [`Stream::expect`].
    matched: usize,
}

impl Stream {
    fn new(reader: EventReader) -> Self {
        Self { reader, matched: 0 }
    }

    /// Reads the next frame(s), which must decode like `expected` and arrive as exactly
    /// its bytes (`what` names it).
    fn expect(&mut self, expected: &[u8], what: &str) {
        for want in decode_all(expected) {
            let got = self
                .reader
                .next(LIVE)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(got, Some(want), "{what}");
        }
        let body = self.reader.body();
        let end = self.matched + expected.len();
        assert!(
            body.get(self.matched..end) == Some(expected),
            "{what}: the bytes {:?}, expected {:?}",
            text(&body[self.matched..]),
            text(expected)
        );
        self.matched = end;
    }

    /// The body must end cleanly (terminating chunk) right after what was matched.
    fn expect_end(&mut self) {
        match self.reader.next(LIVE) {
            Ok(None) => {}
            other => panic!("expected the end of the body, got {other:?}"),
        }
        assert_eq!(
            text(&self.reader.body()[self.matched..]),
            "",
            "bytes after the last expected frame"
        );
    }
}

/// Opens `/live` on a fresh feed.
fn live(server: &Server, options: FeedOptions) -> (FeedHandle, Stream) {
    let feed = server.scenario.feeds.push(options);
    let (conn, head) = get(server, "/live", &[]);
    assert_eq!(head.status, 200);
    let reader = EventReader::new(conn, None).expect("identity body");
    (feed, Stream::new(reader))
}

/// Feed options with keep-alive comments after `interval` of silence.
fn keep_alive_every(interval: Duration) -> FeedOptions {
    FeedOptions {
        keep_alive: Some(interval),
        ..FeedOptions::default()
    }
}

fn event(data: &str) -> Event {
    Event::new().data(data.to_owned())
}

fn frame(event: &Event) -> Vec<u8> {
    event.encode().as_bytes().to_vec()
}

fn keep_alive_frame() -> Vec<u8> {
    Encoded::comment(KEEP_ALIVE_TEXT).as_bytes().to_vec()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------------------------------
// Headers and bytes

/// An SSE response has exactly sse-core's three headers plus what the framework's
/// HTTP/1.1 layer must add (`transfer-encoding: chunked` for a body of unknown length,
/// `date`), and actix's `content-encoding: identity`; never `connection`, `keep-alive`
/// or `content-length`.
fn headers_exact(framework: &Framework) {
    let server = start(framework);
    let (_conn, head) = get(&server, "/fixed", &[]);
    assert_eq!(head.status, 200);
    let mut expected: Vec<String> = RESPONSE_HEADERS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .chain(framework.extra_headers.iter().map(|(n, _)| (*n).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(head.names(), expected, "header names: {:?}", head.headers);
    for (name, value) in RESPONSE_HEADERS {
        assert_eq!(head.header(name), Some(value), "{name}");
    }
    for (name, value) in framework.extra_headers {
        let got = head.header(name);
        assert!(got.is_some(), "{name} appears once");
        if let Some(value) = value {
            assert_eq!(got, Some(*value), "{name}");
        }
    }
    for absent in ["connection", "keep-alive", "content-length"] {
        assert!(head.all(absent).is_empty(), "{absent} must not be sent");
    }
}

/// The fixed tricky sequence arrives byte for byte as sse-core encodes it, the same bytes
/// in every framework, and decodes to what the encoding rules promise.
fn body_bytes_exact(framework: &Framework) {
    let server = start(framework);
    let (mut conn, head) = get(&server, "/fixed", &[]);
    assert_eq!(head.status, 200);
    let body = conn.read_body(LIVE).expect("the whole body");
    let expected: Vec<u8> = fixed_frames()
        .expect("fixture")
        .iter()
        .flat_map(|f| f.as_bytes().to_vec())
        .collect();
    assert_eq!(text(&body), text(&expected));
    assert_eq!(body, expected);
    let messages: Vec<(String, String, String)> = decode_all(&body)
        .into_iter()
        .filter_map(|f| match f {
            Frame::Message(m) => Some((m.event, m.data, m.last_event_id)),
            _ => None,
        })
        .collect();
    let promised: Vec<(String, String, String)> = FIXED_EXPECTED
        .iter()
        .map(|(t, d, i)| ((*t).to_owned(), (*d).to_owned(), (*i).to_owned()))
        .collect();
    assert_eq!(messages, promised);
}

// ---------------------------------------------------------------------------------------
// Keep-alive

/// With no events, keep-alive comments arrive one interval apart: the n-th no sooner
/// than n intervals after the request was sent (the server's timer cannot start
/// earlier, and restarts only when a keep-alive is sent).
fn keep_alive_cadence(framework: &Framework) {
    let server = start(framework);
    let requested = Instant::now();
    let (_feed, mut stream) = live(&server, keep_alive_every(INTERVAL));
    for n in 1..=3 {
        stream.expect(&keep_alive_frame(), &format!("keep-alive {n}"));
        let at = requested.elapsed();
        assert!(at >= INTERVAL * n, "keep-alive {n} after {at:?}, early");
    }
}

/// An event restarts the silence: the next keep-alive comes a whole interval after it,
/// not at the old schedule (which would be half an interval after it here).
fn keep_alive_resets_after_event(framework: &Framework) {
    let server = start(framework);
    let (feed, mut stream) = live(&server, keep_alive_every(INTERVAL));
    stream.expect(&keep_alive_frame(), "first keep-alive");
    std::thread::sleep(INTERVAL / 2);
    let tick = event("tick");
    let sent = Instant::now();
    feed.send(tick.clone());
    stream.expect(&frame(&tick), "the event");
    stream.expect(&keep_alive_frame(), "next keep-alive");
    let gap = sent.elapsed();
    assert!(gap >= INTERVAL, "keep-alive {gap:?} after the event, early");
}

// ---------------------------------------------------------------------------------------
// End and errors

/// When the source ends, the body ends with the terminating chunk and the connection
/// stays usable for the next request.
fn stream_end_closes_cleanly(framework: &Framework) {
    let server = start(framework);
    let (mut feed, mut stream) = live(&server, FeedOptions::default());
    let last = event("last");
    feed.send(last.clone());
    feed.end();
    stream.expect(&frame(&last), "the event");
    stream.expect_end();
    assert!(stream.reader.conn.raw().ends_with(b"0\r\n\r\n"));
    let mut conn = stream.reader.conn;
    conn.send("GET", "/last-event-id", &[], None)
        .expect("second request");
    let head = conn.read_head(LIVE).expect("second response");
    assert_eq!(head.status, 200);
    assert_eq!(text(&conn.read_body(LIVE).expect("body")), "data: None\n\n");
}

/// `OnError::Abort` (the default): the connection closes without the terminating
/// chunk, so the client sees a network error. (Events the server wrote just before the
/// error may be lost with the connection, as with any abort: the client resumes from
/// the last id it saw. Here the event is read before the error is raised.)
fn error_aborts_without_terminating_chunk(framework: &Framework) {
    let server = start(framework);
    let (feed, mut stream) = live(&server, FeedOptions::default());
    let before = event("before");
    feed.send(before.clone());
    stream.expect(&frame(&before), "the event");
    feed.fail();
    match stream.reader.next(LIVE) {
        Err(HttpError::Closed) => {}
        other => panic!("expected the connection to close, got {other:?}"),
    }
    assert!(!stream.reader.conn.raw().ends_with(b"0\r\n\r\n"));
}

/// `OnError::Close`: the body ends cleanly right after the events before the error.
fn error_close_ends_cleanly(framework: &Framework) {
    let server = start(framework);
    let options = FeedOptions {
        on_error: OnError::Close,
        ..FeedOptions::default()
    };
    let (feed, mut stream) = live(&server, options);
    let before = event("before");
    feed.send(before.clone());
    feed.fail();
    feed.send(event("never"));
    stream.expect(&frame(&before), "the event");
    stream.expect_end();
}

/// `OnError::CloseWith`: the given frame, then a clean end.
fn error_close_with_sends_final_frame(framework: &Framework) {
    let server = start(framework);
    let last = Event::new()
        .event("error")
        .expect("valid name")
        .data("boom");
    let options = FeedOptions {
        on_error: OnError::CloseWith(last.encode()),
        ..FeedOptions::default()
    };
    let (feed, mut stream) = live(&server, options);
    let before = event("before");
    feed.send(before.clone());
    feed.fail();
    stream.expect(&frame(&before), "the event");
    stream.expect(&frame(&last), "the final frame");
    stream.expect_end();
}

// ---------------------------------------------------------------------------------------
// Last-Event-ID

/// The data of the one message `target` answers with.
fn extracted(server: &Server, target: &str, headers: &[(&str, &[u8])]) -> String {
    let (mut conn, head) = get(server, target, headers);
    assert_eq!(head.status, 200, "{target}");
    let body = conn.read_body(LIVE).expect("body");
    match decode_all(&body).as_slice() {
        [Frame::Message(m)] => m.data.clone(),
        other => panic!("{target}: one message expected, got {other:?}"),
    }
}

fn last_event_id_from_header(framework: &Framework) {
    let server = start(framework);
    assert_eq!(
        extracted(&server, "/last-event-id", &[("last-event-id", b"41")]),
        r#"Some("41")"#
    );
    assert_eq!(extracted(&server, "/last-event-id", &[]), "None");
}

fn last_event_id_from_query(framework: &Framework) {
    let server = start(framework);
    let got = extracted(&server, "/last-event-id?topic=x&lastEventId=a%20b%2Fc", &[]);
    assert_eq!(got, r#"Some("a b/c")"#);
}

fn last_event_id_header_wins(framework: &Framework) {
    let server = start(framework);
    let got = extracted(
        &server,
        "/last-event-id?lastEventId=7",
        &[("last-event-id", b"41")],
    );
    assert_eq!(got, r#"Some("41")"#);
}

/// Oversize, non-UTF-8 and control-character ids count as absent (a garbage header
/// then falls back to the query).
fn last_event_id_garbage_is_absent(framework: &Framework) {
    let server = start(framework);
    let oversize = "x".repeat(1025);
    let at_limit = "y".repeat(1024);
    let path = "/last-event-id";
    assert_eq!(
        extracted(&server, path, &[("last-event-id", oversize.as_bytes())]),
        "None"
    );
    assert_eq!(
        extracted(&server, path, &[("last-event-id", at_limit.as_bytes())]),
        format!("Some({at_limit:?})")
    );
    assert_eq!(
        extracted(&server, path, &[("last-event-id", b"\xff\xfe")]),
        "None"
    );
    assert_eq!(
        extracted(&server, "/last-event-id?lastEventId=%01", &[]),
        "None"
    );
    assert_eq!(
        extracted(&server, &format!("{path}?lastEventId={oversize}"), &[]),
        "None"
    );
    assert_eq!(
        extracted(
            &server,
            "/last-event-id?lastEventId=9",
            &[("last-event-id", b"\xff")]
        ),
        r#"Some("9")"#
    );
}

// ---------------------------------------------------------------------------------------
// CORS

/// An allowed origin gets its exact echo, credentials and `Vary: Origin`, and the stream.
fn cors_allowed_origin(framework: &Framework) {
    let server = start(framework);
    let (mut conn, head) = get(&server, "/cors", &[("origin", ALLOWED_ORIGIN.as_bytes())]);
    assert_eq!(head.status, 200);
    assert!(
        head.grants_with_credentials(ALLOWED_ORIGIN),
        "{:?}",
        head.headers
    );
    assert!(
        head.has_token("vary", "origin"),
        "vary: {:?}",
        head.all("vary")
    );
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    assert_eq!(text(&conn.read_body(LIVE).expect("body")), "data: cors\n\n");
}

/// An unlisted origin gets no CORS header at all (only `Vary: Origin`).
fn cors_unlisted_origin(framework: &Framework) {
    let server = start(framework);
    for origin in ["http://evil.example", "http://allowed.example.evil", "null"] {
        let (_conn, head) = get(&server, "/cors", &[("origin", origin.as_bytes())]);
        assert_eq!(head.status, 200);
        assert!(
            head.access_control().is_empty(),
            "{origin}: {:?}",
            head.headers
        );
        assert!(head.has_token("vary", "origin"), "{origin}");
    }
}

/// A preflight from an allowed origin asking for `last-event-id` is allowed.
fn cors_preflight_allows_last_event_id(framework: &Framework) {
    let server = start(framework);
    let mut conn = Conn::connect(server.addr).expect("connect");
    let headers: [(&str, &[u8]); 3] = [
        ("origin", ALLOWED_ORIGIN.as_bytes()),
        ("access-control-request-method", b"GET"),
        ("access-control-request-headers", b"last-event-id"),
    ];
    conn.send("OPTIONS", "/cors", &headers, None).expect("send");
    let head = conn.read_head(LIVE).expect("head");
    assert_eq!(head.status, 204);
    assert!(
        head.grants_with_credentials(ALLOWED_ORIGIN),
        "{:?}",
        head.headers
    );
    assert_eq!(head.header("access-control-allow-methods"), Some("GET"));
    let allowed = head
        .header("access-control-allow-headers")
        .unwrap_or_default();
    assert!(
        head.has_token("access-control-allow-headers", "last-event-id"),
        "{allowed}"
    );
    assert!(head.has_token("vary", "origin"));
}

/// A preflight from an unlisted origin is refused: 403, a JSON reason, no CORS header.
fn cors_preflight_rejected(framework: &Framework) {
    let server = start(framework);
    let mut conn = Conn::connect(server.addr).expect("connect");
    let headers: [(&str, &[u8]); 2] = [
        ("origin", b"http://evil.example"),
        ("access-control-request-method", b"GET"),
    ];
    conn.send("OPTIONS", "/cors", &headers, None).expect("send");
    let head = conn.read_head(LIVE).expect("head");
    assert_eq!(head.status, 403);
    assert_eq!(head.header("content-type"), Some("application/json"));
    assert!(head.access_control().is_empty(), "{:?}", head.headers);
    let body = conn.read_body(LIVE).expect("body");
    let json: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
    assert!(json["error"].is_string(), "{json}");
}

// ---------------------------------------------------------------------------------------
// Compression, disconnect, shutdown

/// Under the framework's compression middleware, a client accepting gzip gets each event
/// while the stream is still open: the next event is only sent after the previous one
/// was read, so a middleware that buffered would time the read out.
fn compression_passes_events_promptly(framework: &Framework) {
    let server = start(framework);
    let mut feed = server.scenario.feeds.push(FeedOptions::default());
    let (conn, head) = get(&server, "/compressed", &[("accept-encoding", b"gzip")]);
    assert_eq!(head.status, 200);
    let encoding = head.header("content-encoding");
    assert_eq!(
        encoding, framework.compressed_encoding,
        "{:?}",
        head.headers
    );
    let mut stream = Stream::new(EventReader::new(conn, encoding).expect("a known encoding"));
    for n in 0..3 {
        let e = event(&format!("event {n}"));
        feed.send(e.clone());
        stream.expect(&frame(&e), "the event, at once");
    }
    feed.end();
    stream.expect_end();
}

/// While its client reads, the stream lives (an event sent after a keep-alive still
/// arrives); a client that goes away makes the server drop the event stream (the
/// source's drop guard fires) within a few keep-alive intervals.
fn client_disconnect_drops_stream(framework: &Framework) {
    let server = start(framework);
    let interval = Duration::from_millis(200);
    let (feed, mut stream) = live(&server, keep_alive_every(interval));
    stream.expect(&keep_alive_frame(), "a keep-alive");
    let still = event("still there");
    feed.send(still.clone());
    stream.expect(&frame(&still), "an event while the client reads");
    stream.reader.conn.close();
    assert!(
        feed.dropped_within(interval * 15),
        "the stream outlived its client"
    );
}

/// Graceful shutdown alone waits on an open stream: once the server has stopped
/// accepting connections, the stream still delivers and the server has not returned.
/// Cancelling the shutdown token ends the stream cleanly (terminating chunk) and the
/// server's graceful shutdown returns.
fn shutdown_ends_streams(framework: &Framework) {
    let mut server = start(framework);
    let (feed, mut stream) = live(&server, FeedOptions::default());
    let first = event("first");
    feed.send(first.clone());
    stream.expect(&frame(&first), "the event");
    let _ = server.stop_without_token(Duration::ZERO);
    wait_until_not_serving(&server);
    let during = event("during the graceful shutdown");
    feed.send(during.clone());
    stream.expect(
        &frame(&during),
        "an event after the server stopped accepting",
    );
    assert!(
        !server.finished_within(Duration::ZERO),
        "graceful shutdown returned while a stream was open"
    );
    server.scenario.shutdown.cancel();
    stream.expect_end();
    assert!(
        server.finished_within(Duration::from_secs(10)),
        "graceful shutdown did not return"
    );
}

/// Waits (up to [`LIVE`]) until a new request to `server` gets no answer: its graceful
/// shutdown has begun.
fn wait_until_not_serving(server: &Server) {
    let deadline = Instant::now() + LIVE;
    let probe = Duration::from_millis(500);
    while client::try_request(server.addr, "GET", "/last-event-id", &[], None, probe).is_ok() {
        assert!(
            Instant::now() < deadline,
            "still serving new requests {LIVE:?} after the graceful shutdown began"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------------------------------

/// One `#[test]` per case for a framework, in a module named after it.
macro_rules! conformance {
    ($module:ident, $framework:expr) => {
        mod $module {
            conformance!(@cases $framework;
                headers_exact,
                body_bytes_exact,
                keep_alive_cadence,
                keep_alive_resets_after_event,
                stream_end_closes_cleanly,
                error_aborts_without_terminating_chunk,
                error_close_ends_cleanly,
                error_close_with_sends_final_frame,
                last_event_id_from_header,
                last_event_id_from_query,
                last_event_id_header_wins,
                last_event_id_garbage_is_absent,
                cors_allowed_origin,
                cors_unlisted_origin,
                cors_preflight_allows_last_event_id,
                cors_preflight_rejected,
                compression_passes_events_promptly,
                client_disconnect_drops_stream,
                shutdown_ends_streams,
            );
        }
    };
    (@cases $framework:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                super::$case(&$framework);
            }
        )*
    };
}

conformance!(axum, sse_conformance::AXUM);
conformance!(actix, sse_conformance::ACTIX);
conformance!(warp, sse_conformance::WARP);
