//! A test server of any framework, on `127.0.0.1:0`, in a thread of its own.
//!
//! Every framework serves the same routes from the same [`Scenario`]:
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | the browser check's page ([`BROWSER_PAGE`](crate::fixture::BROWSER_PAGE)) |
//! | `GET /expected` | what the page must receive, as JSON |
//! | `GET /fixed` | the fixed event sequence, then the end of the stream |
//! | `GET /live` | the next queued [`Feed`], with the scenario's shutdown token |
//! | `GET /compressed` | the same, under the framework's compression middleware |
//! | `GET /last-event-id` | one event whose data is the extracted id, `Some("..")` or `None` |
//! | `GET`, `OPTIONS /cors` | one event, under the SSE CORS policy allowing [`ALLOWED_ORIGIN`] |

use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use sse_core::{CancellationToken, CorsPolicy, Event, LastEventId};
use tokio::sync::oneshot;

use crate::feed::{Feed, Feeds};
use crate::fixture::ALLOWED_ORIGIN;
use crate::stream_config::StreamConfig;

/// What every framework's routes share: the queued feeds, the shutdown token and the
/// CORS policy.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Feeds for `/live` and `/compressed`.
    pub feeds: Feeds,
    /// Given to every live stream as its shutdown token.
    pub shutdown: CancellationToken,
    /// The policy of `/cors`.
    pub cors: CorsPolicy,
}

impl Scenario {
    /// A scenario with no feeds queued.
    ///
    /// # Errors
    ///
    /// When the CORS policy cannot be built (never, with the fixed origin).
    pub fn new() -> Result<Self, sse_core::CorsError> {
        Ok(Self {
            feeds: Feeds::default(),
            shutdown: CancellationToken::new(),
            cors: CorsPolicy::exact([ALLOWED_ORIGIN])?.allow_credentials()?,
        })
    }

    /// The stream and settings of the next live request, shutdown token included.
    #[must_use]
    pub fn next_feed(&self) -> (Feed, StreamConfig) {
        let (feed, mut config) = self.feeds.take();
        config.shutdown = Some(self.shutdown.clone());
        (feed, config)
    }
}

/// The single event `/last-event-id` answers with.
pub fn last_event_id_event(id: Option<&LastEventId>) -> Event {
    Event::new().data(format!("{:?}", id.map(LastEventId::as_str)))
}

/// The single event `/cors` answers with.
pub fn cors_event() -> Event {
    Event::new().data("cors")
}

/// Runs `serve` to its end on a tokio runtime with one worker thread, `listener` made a
/// tokio listener (for the frameworks on tokio: axum and warp).
///
/// # Panics
///
/// When no tokio runtime can be built or the listener cannot be used: this is for a test
/// server.
pub(crate) fn on_tokio<F>(listener: TcpListener, serve: impl FnOnce(tokio::net::TcpListener) -> F)
where
    F: Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
        serve(listener).await;
    });
}

/// One framework under test: how to serve the scenario, and the few facts in which the
/// frameworks legitimately differ (headers only: the body bytes are the same in all).
#[derive(Debug)]
pub struct Framework {
    /// Its name, as the `sse-test-server --framework` flag takes it.
    pub name: &'static str,
    /// Serves the scenario on `listener` until `stop` fires, then shuts down gracefully
    /// and returns.
    pub serve: fn(TcpListener, Scenario, oneshot::Receiver<()>),
    /// The headers of an SSE response beyond sse-core's three, with their values
    /// (`None`: any value, e.g. `date`).
    pub extra_headers: &'static [(&'static str, Option<&'static str>)],
    /// `Content-Encoding` of an SSE response under the framework's compression middleware
    /// for a client that accepts gzip (`None`: no such header).
    pub compressed_encoding: Option<&'static str>,
}

/// axum 0.8 over hyper 1: hyper adds `date` and, for a body of unknown length on
/// HTTP/1.1, `transfer-encoding: chunked`. tower-http's `CompressionLayer` skips
/// `text/event-stream`.
pub const AXUM: Framework = Framework {
    name: "axum",
    serve: crate::servers::axum::serve,
    extra_headers: &[("transfer-encoding", Some("chunked")), ("date", None)],
    compressed_encoding: None,
};

/// actix-web 4: actix-http adds `date` and `transfer-encoding: chunked`; the adapter adds
/// `content-encoding: identity` so that `Compress` passes the stream through.
pub const ACTIX: Framework = Framework {
    name: "actix",
    serve: crate::servers::actix::serve,
    extra_headers: &[
        ("transfer-encoding", Some("chunked")),
        ("date", None),
        ("content-encoding", Some("identity")),
    ],
    compressed_encoding: Some("identity"),
};

/// warp 0.4 over hyper 1: the same as axum's; `warp::compression::gzip()` compresses the
/// stream whatever the request says, flushing after each event (async-compression
/// flushes whenever its input is pending), so events still arrive one by one.
pub const WARP: Framework = Framework {
    name: "warp",
    serve: crate::servers::warp::serve,
    extra_headers: &[("transfer-encoding", Some("chunked")), ("date", None)],
    compressed_encoding: Some("gzip"),
};

/// Every framework under test.
pub const FRAMEWORKS: [&Framework; 3] = [&AXUM, &ACTIX, &WARP];

/// A running test server.
#[derive(Debug)]
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// What its routes serve.
    pub scenario: Scenario,
    stop: Option<oneshot::Sender<()>>,
    finished: std_mpsc::Receiver<()>,
}

impl Server {
    /// Starts `framework`'s server on `127.0.0.1:0`.
    ///
    /// # Errors
    ///
    /// When the socket cannot be bound.
    pub fn start(framework: &Framework) -> std::io::Result<Self> {
        let scenario = Scenario::new().map_err(std::io::Error::other)?;
        Self::start_with(framework, "127.0.0.1:0", scenario)
    }

    /// Starts `framework`'s server on `addr` with `scenario`.
    ///
    /// # Errors
    ///
    /// When the socket cannot be bound.
    pub fn start_with(
        framework: &Framework,
        addr: &str,
        scenario: Scenario,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, stop_rx) = oneshot::channel();
        let (finished_tx, finished) = std_mpsc::channel();
        let serve = framework.serve;
        let shared = scenario.clone();
        std::thread::Builder::new()
            .name(format!("{}-server", framework.name))
            .spawn(move || {
                serve(listener, shared, stop_rx);
                let _ = finished_tx.send(());
            })?;
        Ok(Self {
            addr,
            scenario,
            stop: Some(stop),
            finished,
        })
    }

    /// Cancels the shutdown token (ending every live stream), starts the framework's
    /// graceful shutdown, and waits up to `timeout` for it to return. True when it did.
    #[must_use]
    pub fn shutdown(mut self, timeout: Duration) -> bool {
        self.scenario.shutdown.cancel();
        self.stop_without_token(timeout)
    }

    /// Starts the graceful shutdown without cancelling the token, and waits up to
    /// `timeout` for it to return.
    #[must_use]
    pub fn stop_without_token(&mut self, timeout: Duration) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.finished.recv_timeout(timeout).is_ok()
    }

    /// Waits until `finished` or `timeout`.
    #[must_use]
    pub fn finished_within(&self, timeout: Duration) -> bool {
        self.finished.recv_timeout(timeout).is_ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.scenario.shutdown.cancel();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
