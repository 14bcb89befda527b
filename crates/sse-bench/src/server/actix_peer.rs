//! actix-web 4: actix-web-lab's `Sse`, and `sse-actix`'s with and without the hub.

use std::convert::Infallible;
use std::io;
use std::sync::Arc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, Responder, web};
use actix_web_lab::sse as lab;
use futures_util::StreamExt;
use sse_actix::{KeepAlive, LastEventId, Sse};

use super::Source;
use crate::peer::Peer;

type Shared = web::Data<Arc<Source>>;

/// actix-web-lab's `Sse`, each stream building an `sse::Event` per event.
async fn lab_sse(source: Shared, request: HttpRequest) -> HttpResponse {
    let events = source
        .byte_str()
        .map(|data| Ok::<_, Infallible>(lab::Event::Data(lab::Data::new(data))));
    lab::Sse::from_stream(events)
        .with_keep_alive(source.keep_alive())
        .respond_to(&request)
}

/// `sse-actix` over events encoded once by the publisher.
async fn ours(source: Shared, request: HttpRequest) -> HttpResponse {
    Sse::new(source.encoded())
        .keep_alive(KeepAlive::new().interval(source.keep_alive()))
        .respond_to(&request)
}

/// `sse-actix` over a hub subscription, resumed from `Last-Event-ID`.
async fn ours_hub(source: Shared, last: Option<LastEventId>, request: HttpRequest) -> HttpResponse {
    match source.subscribe(last.as_ref().map(LastEventId::as_str)) {
        Ok(subscription) => Sse::new(subscription)
            .keep_alive(KeepAlive::new().interval(source.keep_alive()))
            .respond_to(&request),
        Err(e) => HttpResponse::ServiceUnavailable().body(e.to_string()),
    }
}

/// Runs `peer` on actix-web with `workers` workers.
pub(super) fn serve(
    peer: Peer,
    listener: std::net::TcpListener,
    source: Arc<Source>,
    workers: usize,
) -> io::Result<()> {
    let addr = listener.local_addr()?;
    actix_rt::System::new().block_on(async move {
        let data = web::Data::new(source.clone());
        let server = HttpServer::new(move || {
            let route = match peer {
                Peer::ActixLab => web::get().to(lab_sse),
                Peer::OursActix => web::get().to(ours),
                _ => web::get().to(ours_hub),
            };
            App::new().app_data(data.clone()).route("/events", route)
        })
        .workers(workers.max(1))
        .max_connections(100_000)
        .disable_signals()
        .listen(listener)?
        .run();
        actix_rt::spawn(super::control::run(addr, source));
        server.await
    })
}
