//! warp 0.4: its own `warp::sse`, and `sse-warp`'s with and without the hub.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;

use futures_util::StreamExt;
use sse_warp::{KeepAlive, LastEventId, Sse, last_event_id};
use warp::Filter;
use warp::http::StatusCode;
use warp::reply::{Reply, Response};

use super::Source;
use crate::peer::Peer;

/// `warp::sse::reply`, each stream building a `warp::sse::Event` per event.
fn warp_sse(source: &Source) -> Response {
    let events = source
        .text()
        .map(|data| Ok::<_, Infallible>(warp::sse::Event::default().data(&*data)));
    warp::sse::reply(
        warp::sse::keep_alive()
            .interval(source.keep_alive())
            .stream(events),
    )
    .into_response()
}

/// `sse-warp` over events encoded once by the publisher.
fn ours(source: &Source) -> Response {
    Sse::new(source.encoded())
        .keep_alive(KeepAlive::new().interval(source.keep_alive()))
        .into_response()
}

/// `sse-warp` over a hub subscription, resumed from `Last-Event-ID`.
fn ours_hub(source: &Source, last: Option<&LastEventId>) -> Response {
    match source.subscribe(last.map(LastEventId::as_str)) {
        Ok(subscription) => Sse::new(subscription)
            .keep_alive(KeepAlive::new().interval(source.keep_alive()))
            .into_response(),
        Err(e) => {
            warp::reply::with_status(e.to_string(), StatusCode::SERVICE_UNAVAILABLE).into_response()
        }
    }
}

/// Runs `peer` on warp.
pub(super) fn serve(
    peer: Peer,
    listener: std::net::TcpListener,
    source: Arc<Source>,
    workers: usize,
) -> io::Result<()> {
    let shared = source.clone();
    let routes = warp::path("events")
        .and(warp::get())
        .and(last_event_id())
        .map(move |last: Option<LastEventId>| match peer {
            Peer::WarpSse => warp_sse(&shared),
            Peer::OursWarp => ours(&shared),
            _ => ours_hub(&shared, last.as_ref()),
        });
    super::tokio_runtime(workers)?.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        tokio::spawn(super::control::run(listener.local_addr()?, source));
        warp::serve(routes).incoming(listener).run().await;
        Ok(())
    })
}
