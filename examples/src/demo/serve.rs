//! Serving the demo over HTTP/1.1: one accept loop on hyper's connection builder, with
//! graceful shutdown, shared by `demo-axum` and `demo-warp`.
//!
//! Why not `axum::serve` / `warp::serve`: both serve every connection with hyper-util's
//! `auto::Builder`, which reads the first 24 bytes to tell HTTP/1 from HTTP/2 and hands
//! them back through a rewinding reader. hyper then parses the head out of those 24
//! bytes, finds it incomplete, and reserves a full 8 KiB more in a buffer that holds
//! 24 bytes and 8,168 free: its 8 KiB read buffer doubles to 16 KiB, and an idle SSE
//! stream keeps that buffer for its whole life (measured: +8,235 B of live heap per open
//! stream against `http1::Builder` on the same service). Serving HTTP/1.1 only, with
//! hyper's own builder, avoids the detection and its cost. HTTP/2 without TLS (h2c) is
//! not offered: browsers only speak HTTP/2 over TLS, and the detection it needs is the
//! cost above.
//!
//! Two more things would sit in every connection for its whole life: a copy of the
//! service (warp's filter tree, with its captured state, is over 1 KB) and hyper's slot
//! for the request future, sized for the service's future type (1.2 KB for that tree)
//! even after the response head went out. So every connection holds the service behind
//! one shared [`Arc`], and the request future is boxed: the slot is a pointer, and the
//! future's memory is freed when the response head is ready.

use std::convert::Infallible;
use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpSocket};

/// The listen backlog: room for a reconnect storm of thousands of clients at once
/// (the kernel caps it at `net.core.somaxconn`).
pub const BACKLOG: u32 = 4096;

/// A request being answered: boxed, so hyper's per-connection slot for it is a pointer.
type Answer<B> = Pin<Box<dyn Future<Output = Result<Response<B>, Infallible>> + Send>>;

/// How long the loop pauses after an accept error that is not about one connection
/// (out of file descriptors, of memory), so that it does not spin while the shortage lasts.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// A listener on `addr` with a backlog of [`BACKLOG`] and `SO_REUSEADDR` (a restarted
/// demo can bind again at once while old connections sit in `TIME_WAIT`).
///
/// # Errors
///
/// When the socket cannot be made, bound or put to listen (e.g. the address is in use).
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Serves `service` (an axum `Router`, a `warp::service(..)`, any tower service of
/// hyper requests) on `listener` over HTTP/1.1 until `shutdown` resolves, then stops
/// accepting, asks every connection to close after its current response, and returns
/// when all are closed. Bound the wait with [`Demo::serve`](crate::demo::Demo::serve):
/// a stream that never ends keeps its connection open.
///
/// Errors never end the loop: a failed connection is dropped, and an accept error is
/// printed and retried (after a short pause when it is not about one connection).
pub async fn serve<S, B>(listener: TcpListener, service: S, shutdown: impl Future<Output = ()>)
where
    S: tower_service::Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let mut builder = http1::Builder::new();
    // With a timer, hyper closes a connection that has not sent a whole request head
    // within 30 s (its default), so idle sockets cannot pile up before a request.
    builder.timer(TokioTimer::new());
    let service = Arc::new(service);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    if !is_per_connection(&e) {
                        eprintln!("accept: {e}; retrying in {ACCEPT_BACKOFF:?}");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                    }
                    continue;
                }
            },
        };
        // Events go out as soon as they are written, not after Nagle's delay.
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let handler = service_fn(move |request| -> Answer<B> {
            let mut service = S::clone(&service);
            Box::pin(async move {
                std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
                service.call(request).await
            })
        });
        let connection = builder.serve_connection(TokioIo::new(stream), handler);
        // Spawned as it is: an `async move { connection.await }` around it would hold the
        // connection twice in the task (the captured value and the awaited one), about
        // 770 B more per connection. Its error (reset, bad request, timeout) ends only it.
        tokio::spawn(graceful.watch(connection));
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Accept errors that concern one connection (it was reset or aborted before it was
/// accepted), after which the next accept can follow at once.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::Arc;

    use axum::Router;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::Notify;

    /// `/` answers `hi`; `/slow` tells `entered`, then answers once `release` is notified.
    fn app(entered: Arc<Notify>, release: Arc<Notify>) -> Router {
        Router::new().route("/", get(|| async { "hi" })).route(
            "/slow",
            get(move || async move {
                entered.notify_one();
                release.notified().await;
                "slow"
            }),
        )
    }

    async fn get_text(addr: SocketAddr, path: &str) -> io::Result<String> {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await?;
        Ok(answer)
    }

    #[tokio::test]
    async fn serves_http1_and_survives_bad_connections() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let idle = Arc::new(Notify::new());
        let server = tokio::spawn(serve(
            listener,
            app(idle.clone(), idle),
            std::future::pending(),
        ));

        // One connection sends garbage (hyper answers 400 and closes), one hangs up at once.
        let mut bad = tokio::net::TcpStream::connect(addr).await.unwrap();
        bad.write_all(b"\x00\x01 not http\r\n\r\n").await.unwrap();
        let mut answer = Vec::new();
        let _ = bad.read_to_end(&mut answer).await;
        assert!(answer.starts_with(b"HTTP/1.1 400"), "{answer:?}");
        drop(tokio::net::TcpStream::connect(addr).await.unwrap());

        let answer = get_text(addr, "/").await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nhi"), "{answer}");
        assert!(!server.is_finished());
        server.abort();
    }

    #[tokio::test]
    async fn shutdown_stops_accepting_and_waits_for_the_response_in_flight() {
        let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let (entered, release, stop) = (
            Arc::new(Notify::new()),
            Arc::new(Notify::new()),
            Arc::new(Notify::new()),
        );
        let server = tokio::spawn({
            let stop = stop.clone();
            serve(
                listener,
                app(entered.clone(), release.clone()),
                async move {
                    stop.notified().await;
                },
            )
        });
        let slow = tokio::spawn(get_text(addr, "/slow"));
        entered.notified().await;

        stop.notify_one();
        // Liveness bound only: the listener closes as soon as the loop sees the signal.
        tokio::time::timeout(Duration::from_secs(10), async {
            while tokio::net::TcpStream::connect(addr).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("still accepting after shutdown");
        assert!(!server.is_finished(), "returned with a response in flight");

        release.notify_one();
        let answer = slow.await.unwrap().unwrap();
        assert!(answer.ends_with("\r\n\r\nslow"), "{answer}");
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("serve returns once the last connection closed")
            .unwrap();
    }
}
