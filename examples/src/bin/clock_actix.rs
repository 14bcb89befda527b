//! A ticking clock over SSE with actix-web: `cargo run -p sse-examples --bin clock-actix`.

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, Responder, web};
use clap::Parser;
use sse_actix::{CancellationToken, KeepAlive, LastEventId, Sse};
use sse_examples::clock::{Args, PAGE, ticks};

async fn clock(
    shutdown: web::Data<CancellationToken>,
    last: Option<LastEventId>,
) -> impl Responder {
    Sse::new(ticks(last.as_ref()))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .shutdown(shutdown.get_ref().clone())
}

async fn page() -> impl Responder {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let shutdown = CancellationToken::new();
    let data = web::Data::new(shutdown.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/", web::get().to(page))
            .route("/clock", web::get().to(clock))
    })
    .disable_signals()
    .bind(args.addr)?
    .run();
    println!("clock on http://{}/", args.addr);
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        shutdown.cancel();
        handle.stop(true).await;
    });
    server.await
}
