//! A ticking clock over SSE with warp: `cargo run -p sse-examples --bin clock-warp`.

use std::time::Duration;

use clap::Parser;
use sse_examples::clock::{Args, PAGE, ticks};
use sse_warp::{CancellationToken, KeepAlive, LastEventId, Sse, last_event_id};
use warp::Filter;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let page = warp::path::end().map(|| warp::reply::html(PAGE));
    let clock = warp::path!("clock")
        .and(last_event_id())
        .map(move |last: Option<LastEventId>| {
            Sse::new(ticks(last.as_ref()))
                .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
                .shutdown(token.clone())
        });
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!("clock on http://{}/", listener.local_addr()?);
    warp::serve(warp::get().and(page.or(clock)))
        .incoming(listener)
        .graceful(async move {
            let _ = tokio::signal::ctrl_c().await;
            shutdown.cancel();
        })
        .run()
        .await;
    Ok(())
}
