//! Fan-out through the hub alone (no HTTP): `subscribers` tasks each read one
//! subscription while one publisher publishes `events` events to their topic. Prints a
//! table: deliveries per second and memory per idle subscriber.
//!
//! `cargo run --release -p sse-hub --example fanout -- [subscribers] [events]`

use std::time::Instant;

use futures_util::StreamExt;
use sse_core::Event;
use sse_hub::{Hub, Topic};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let subscribers = args.next().and_then(Result::ok).unwrap_or(10_000);
    let events = args.next().and_then(Result::ok).unwrap_or(1_000);
    let hub = Hub::builder()
        .history(events.max(2))
        .max_lag_events(None)
        .max_lag_bytes(None)
        .build()
        .expect("valid settings");
    let topic = Topic::from_static("bench");

    let mut memory = 0;
    let readers: Vec<_> = (0..subscribers)
        .map(|_| {
            let mut sub = hub.subscribe([&topic]).expect("subscribed");
            memory = sub.memory();
            tokio::spawn(async move {
                // The first frame names the position (`id:` only); then the events.
                let _position = sub.next().await.expect("not ended");
                for _ in 0..events {
                    sub.next().await.expect("not ended");
                }
            })
        })
        .collect();
    // Let every reader reach its first wait.
    tokio::task::yield_now().await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    let payload = "x".repeat(64);
    let start = Instant::now();
    for n in 0..events {
        hub.publish(&topic, Event::new().data(payload.clone()))
            .await
            .expect("published");
        if n % 16 == 0 {
            tokio::task::yield_now().await;
        }
    }
    for reader in readers {
        reader.await.expect("reader finished");
    }
    let elapsed = start.elapsed();
    let stats = hub.stats();
    let deliveries = stats.delivered;
    println!(
        "| subscribers | events | deliveries | seconds | deliveries/s | bytes/idle subscriber |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {subscribers} | {events} | {deliveries} | {:.3} | {:.0} | {memory} |",
        elapsed.as_secs_f64(),
        deliveries as f64 / elapsed.as_secs_f64()
    );
}
