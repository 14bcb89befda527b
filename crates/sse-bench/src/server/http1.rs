//! One HTTP/1.1 accept loop on hyper's `http1::Builder`: the hyper baseline's, and the
//! one `ours-axum-hub-http1` serves its axum `Router` with (as the sse-axum README shows),
//! so the two differ only in what answers the request.

use std::error::Error as StdError;
use std::io;

use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// Serves every connection `listener` accepts with the service `service` makes for it,
/// until accepting fails for a reason that is not one connection's.
pub(super) async fn serve<S, B>(listener: TcpListener, service: impl Fn() -> S) -> io::Result<()>
where
    S: Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) if super::raw::is_transient(&e) => continue,
            Err(e) => return Err(e),
        };
        // Spawned as it is: an `async` block awaiting it would hold the connection twice
        // (captured, then pinned for the await), 512 more bytes per connection.
        tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service()));
    }
}
