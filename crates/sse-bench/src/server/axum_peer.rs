//! axum 0.8: its own `Sse`, and `sse-axum`'s with and without the hub.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use sse_axum::{KeepAlive, LastEventId, Sse};
use tower_service::Service;

use super::Source;
use crate::peer::Peer;

/// axum's own `Sse`, each stream building an `axum::response::sse::Event` per event.
async fn axum_sse(State(source): State<Arc<Source>>) -> Response {
    let events = source
        .text()
        .map(|data| Ok::<_, Infallible>(axum::response::sse::Event::default().data(&*data)));
    axum::response::Sse::new(events)
        .keep_alive(axum::response::sse::KeepAlive::new().interval(source.keep_alive()))
        .into_response()
}

/// `sse-axum` over events encoded once by the publisher.
async fn ours(State(source): State<Arc<Source>>) -> Response {
    Sse::new(source.encoded())
        .keep_alive(KeepAlive::new().interval(source.keep_alive()))
        .into_response()
}

/// `sse-axum` over a hub subscription, resumed from `Last-Event-ID`.
async fn ours_hub(State(source): State<Arc<Source>>, last: Option<LastEventId>) -> Response {
    match source.subscribe(last.as_ref().map(LastEventId::as_str)) {
        Ok(subscription) => Sse::new(subscription)
            .keep_alive(KeepAlive::new().interval(source.keep_alive()))
            .into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response(),
    }
}

/// Runs `peer` on axum.
pub(super) fn serve(
    peer: Peer,
    listener: std::net::TcpListener,
    source: Arc<Source>,
    workers: usize,
) -> io::Result<()> {
    let route = match peer {
        Peer::AxumSse => get(axum_sse),
        Peer::OursAxum => get(ours),
        _ => get(ours_hub),
    };
    let app = Router::new()
        .route("/events", route)
        .with_state(source.clone());
    super::tokio_runtime(workers)?.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        tokio::spawn(super::control::run(listener.local_addr()?, source));
        if peer != Peer::OursAxumHubHttp1 {
            return axum::serve(listener, app).await;
        }
        // The router on hyper's HTTP/1.1 builder, as the sse-axum README shows, instead
        // of `axum::serve` (hyper-util's HTTP/1-or-2 `auto::Builder`).
        super::http1::serve(listener, || {
            let app = app.clone();
            service_fn(move |request: Request<Incoming>| {
                let mut app = app.clone();
                async move { app.call(request).await }
            })
        })
        .await
    })
}
