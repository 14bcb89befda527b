//! SSE over HTTP/2: axum serving h2c (prior knowledge), read by hyper's HTTP/2-only client.
//! A stream, its keep-alive and its end arrive as DATA frames and END_STREAM; an error
//! of the source under `OnError::Abort` resets the stream (RST_STREAM), as documented.
//! Real time, with liveness bounds only.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Request, StatusCode, Version};
use axum::response::IntoResponse;
use axum::routing::get;
use http_body_util::BodyExt;
use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};
use sse_axum::{Event, KeepAlive, Sse};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

/// Far longer than anything here takes: a hang fails instead of blocking CI.
const LIVE: Duration = Duration::from_secs(10);

/// What the test pushes into a served stream.
type Item = Result<Event, io::Error>;

/// The source of the next stream served, put there by the test.
type NextSource = Arc<Mutex<Option<UnboundedReceiverStream<Item>>>>;

/// The test's end of the next stream served.
fn push_source(next: &NextSource) -> mpsc::UnboundedSender<Item> {
    let (tx, rx) = mpsc::unbounded_channel();
    *next.lock().unwrap_or_else(PoisonError::into_inner) = Some(UnboundedReceiverStream::new(rx));
    tx
}

fn take_source(next: &NextSource) -> UnboundedReceiverStream<Item> {
    let taken = next.lock().unwrap_or_else(PoisonError::into_inner).take();
    taken.unwrap_or_else(|| UnboundedReceiverStream::new(mpsc::unbounded_channel().1))
}

/// With an initial retry and a `: ka` keep-alive after 200 ms of silence.
async fn live(State(next): State<NextSource>) -> impl IntoResponse {
    Sse::new(take_source(&next))
        .retry(Duration::from_millis(1500))
        .keep_alive(
            KeepAlive::new()
                .interval(Duration::from_millis(200))
                .text("ka"),
        )
}

/// With the default error policy, `OnError::Abort`.
async fn aborting(State(next): State<NextSource>) -> impl IntoResponse {
    Sse::new(take_source(&next))
}

/// Serves the routes on `127.0.0.1:0`; axum's server speaks h2c to a client that opens
/// with the HTTP/2 preface.
async fn start() -> (std::net::SocketAddr, NextSource) {
    let next = NextSource::default();
    let app = Router::new()
        .route("/live", get(live))
        .route("/aborting", get(aborting))
        .with_state(Arc::clone(&next));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, next)
}

/// `GET path` over a fresh HTTP/2-only connection.
async fn get_h2(addr: std::net::SocketAddr, path: &str) -> hyper::Response<hyper::body::Incoming> {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) = http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
        .await
        .expect("an HTTP/2 handshake");
    tokio::spawn(connection);
    let request = Request::get(format!("http://{addr}{path}"))
        .body(http_body_util::Empty::<Bytes>::new())
        .expect("a request");
    let response = tokio::time::timeout(LIVE, sender.send_request(request))
        .await
        .expect("response head in time")
        .expect("a response");
    assert_eq!(response.version(), Version::HTTP_2);
    response
}

/// The next non-empty DATA frame's bytes, `Ok(None)` at END_STREAM, or the stream's
/// error. (hyper ends a stream with an empty DATA frame carrying END_STREAM.)
async fn next_data(body: &mut hyper::body::Incoming) -> Result<Option<Bytes>, hyper::Error> {
    loop {
        let frame = tokio::time::timeout(LIVE, body.frame())
            .await
            .expect("a frame in time");
        match frame {
            None => return Ok(None),
            Some(Err(error)) => return Err(error),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data()
                    && !data.is_empty()
                {
                    return Ok(Some(data));
                }
            }
        }
    }
}

#[tokio::test]
async fn events_keep_alives_and_the_end_travel_over_h2() {
    let (addr, next) = start().await;
    let tx = push_source(&next);

    let response = get_h2(addr, "/live").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["cache-control"], "no-cache, no-transform");
    for illegal_on_h2 in ["connection", "keep-alive", "transfer-encoding"] {
        assert!(!headers.contains_key(illegal_on_h2), "{illegal_on_h2}");
    }
    let mut body = response.into_body();
    let mut next = async || next_data(&mut body).await.expect("no error");

    assert_eq!(next().await, Some(Bytes::from_static(b"retry: 1500\n\n")));
    tx.send(Ok(Event::new().id("1").expect("an id").data("one\ntwo")))
        .expect("sent");
    assert_eq!(
        next().await,
        Some(Bytes::from_static(b"id: 1\ndata: one\ndata: two\n\n"))
    );
    // Silence: the keep-alive comes (the source has nothing to give).
    assert_eq!(next().await, Some(Bytes::from_static(b": ka\n\n")));
    tx.send(Ok(Event::new().data("three"))).expect("sent");
    assert_eq!(next().await, Some(Bytes::from_static(b"data: three\n\n")));
    // The source ends: the h2 stream ends cleanly (END_STREAM), not by a reset.
    drop(tx);
    let mut keep_alives_before_the_end = 0;
    while let Some(chunk) = next().await {
        // One keep-alive may race with the end; a stream that goes on is a failure.
        assert_eq!(chunk, Bytes::from_static(b": ka\n\n"));
        keep_alives_before_the_end += 1;
        assert!(keep_alives_before_the_end < 5, "the stream did not end");
    }
}

#[tokio::test]
async fn an_aborting_error_resets_the_h2_stream() {
    let (addr, next) = start().await;
    let tx = push_source(&next);
    let response = get_h2(addr, "/aborting").await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    tx.send(Ok(Event::new().data("ok"))).expect("sent");
    let first = next_data(&mut body).await.expect("the first event");
    assert_eq!(first, Some(Bytes::from_static(b"data: ok\n\n")));
    tx.send(Err(io::Error::other("the source failed")))
        .expect("sent");
    let error = next_data(&mut body)
        .await
        .expect_err("a reset, not a clean end");
    let reset = std::error::Error::source(&error)
        .and_then(|source| source.downcast_ref::<h2::Error>())
        .unwrap_or_else(|| panic!("an h2 error under {error:?}"));
    assert!(reset.is_reset() && reset.is_remote(), "{reset:?}");
    assert_eq!(reset.reason(), Some(h2::Reason::INTERNAL_ERROR));
}
