//! A ticking clock over SSE with axum: `cargo run -p sse-examples --bin clock-axum`.

use std::time::Duration;

use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::{Router, routing::get};
use clap::Parser;
use sse_axum::{CancellationToken, KeepAlive, LastEventId, Sse};
use sse_examples::clock::{Args, PAGE, ticks};

async fn clock(
    State(shutdown): State<CancellationToken>,
    last: Option<LastEventId>,
) -> impl IntoResponse {
    Sse::new(ticks(last.as_ref()))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .shutdown(shutdown)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let shutdown = CancellationToken::new();
    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/clock", get(clock))
        .with_state(shutdown.clone());
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!("clock on http://{}/", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            shutdown.cancel();
        })
        .await
}
