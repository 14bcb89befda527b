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
use hyper::service::service_fn;

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
        super::http1::serve(listener, || {
            let source = source.clone();
            service_fn(move |_request| {
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
            })
        })
        .await
    })
}
