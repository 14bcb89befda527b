//! hyper 1 alone: the smallest HTTP server that streams pre-encoded events, the
//! baseline for memory per connection.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body::Frame;
use http_body_util::StreamBody;
use hyper::Response;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use super::Source;

/// Runs the hyper baseline.
pub(super) fn serve(
    listener: std::net::TcpListener,
    source: Arc<Source>,
    workers: usize,
) -> io::Result<()> {
    super::tokio_runtime(workers)?.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        tokio::spawn(super::control::run(listener.local_addr()?, source.clone()));
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) if super::raw::is_transient(&e) => continue,
                Err(e) => return Err(e),
            };
            let source = source.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_request| {
                    let body = StreamBody::new(
                        source
                            .bytes()
                            .map(|event: Bytes| Ok::<_, Infallible>(Frame::data(event))),
                    );
                    async move {
                        Response::builder()
                            .header("content-type", "text/event-stream")
                            .header("cache-control", "no-cache")
                            .body(body)
                    }
                });
                let _closed = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
