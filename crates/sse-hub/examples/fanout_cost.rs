//! The hub's cost per delivery with and without metrics: one thread, `subscribers`
//! subscriptions to one topic, each event published then read by every subscription as a
//! server reads it (next frame, then a poll that finds nothing and waits). Prints a table
//! of nanoseconds per delivery, median of `rounds` interleaved rounds, with min and max.
//!
//! Built without the `metrics` feature it measures that build alone; with it, it compares a
//! hub without a recorder and a hub whose series go to a Prometheus recorder:
//!
//! ```sh
//! cargo run --release -p sse-hub --example fanout_cost -- [subscribers] [events] [rounds]
//! cargo run --release -p sse-hub --features metrics,tracing --example fanout_cost
//! ```

use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use futures_core::Stream;
use sse_core::Event;
use sse_hub::{Hub, Subscription, Topic};

fn hub(events: usize) -> Hub {
    Hub::builder()
        .history(events.max(2))
        .max_lag_events(None)
        .max_lag_bytes(None)
        .build()
        .expect("valid settings")
}

/// Nanoseconds per delivery of one round on `hub`.
fn round(hub: &Hub, subscribers: usize, events: usize) -> f64 {
    let topic = Topic::from_static("bench");
    let mut cx = Context::from_waker(Waker::noop());
    let mut subs: Vec<Subscription> = (0..subscribers)
        .map(|_| hub.subscribe([&topic]).expect("subscribed"))
        .collect();
    for sub in &mut subs {
        // The position frame.
        assert!(matches!(
            Pin::new(sub).poll_next(&mut cx),
            Poll::Ready(Some(_))
        ));
    }
    let payload = "x".repeat(64);
    let start = Instant::now();
    for _ in 0..events {
        let published = hub.publish(&topic, Event::new().data(payload.clone()));
        assert!(matches!(published.into_ready(), Ok(Ok(_))));
        for sub in &mut subs {
            let mut sub = Pin::new(sub);
            assert!(matches!(
                sub.as_mut().poll_next(&mut cx),
                Poll::Ready(Some(_))
            ));
            assert!(sub.poll_next(&mut cx).is_pending());
        }
    }
    let elapsed = start.elapsed();
    #[allow(clippy::cast_precision_loss)]
    let deliveries = (subscribers * events) as f64;
    elapsed.as_secs_f64() * 1e9 / deliveries
}

fn summary(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    (
        samples[samples.len() / 2],
        samples[0],
        samples[samples.len() - 1],
    )
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let subscribers = args.next().and_then(Result::ok).unwrap_or(1000);
    let events = args.next().and_then(Result::ok).unwrap_or(1000);
    let rounds = args.next().and_then(Result::ok).unwrap_or(9).max(1);

    let plain = hub(events);
    #[cfg(feature = "metrics")]
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    // The hub registers its series when it is built and when it makes the topic: both
    // happen with the recorder current, so its handles go to the recorder afterwards.
    #[cfg(feature = "metrics")]
    let recorded = metrics::with_local_recorder(&recorder, || {
        let hub = hub(events);
        let _topic = hub.publish(&Topic::from_static("bench"), Event::new().data("warm-up"));
        hub
    });

    let mut without = Vec::new();
    #[cfg(feature = "metrics")]
    let mut with = Vec::new();
    for _ in 0..rounds {
        without.push(round(&plain, subscribers, events));
        #[cfg(feature = "metrics")]
        with.push(round(&recorded, subscribers, events));
    }
    let features = if cfg!(feature = "metrics") {
        "metrics"
    } else {
        "none"
    };
    println!(
        "{subscribers} subscribers, {events} events, {rounds} rounds interleaved; features: {features}"
    );
    println!("| hub | ns per delivery (median) | min | max |");
    println!("|---|---|---|---|");
    let (median, min, max) = summary(without);
    println!("| no recorder | {median:.1} | {min:.1} | {max:.1} |");
    #[cfg(feature = "metrics")]
    {
        let (with_median, min, max) = summary(with);
        println!("| Prometheus recorder | {with_median:.1} | {min:.1} | {max:.1} |");
        println!(
            "recorder / no recorder: {:+.1} %",
            (with_median / median - 1.0) * 100.0
        );
        let text = recorder.handle().render();
        let deliveries = text
            .lines()
            .find(|l| l.starts_with("sse_hub_deliveries_total "))
            .unwrap_or("sse_hub_deliveries_total missing");
        println!("recorder saw: {deliveries}");
    }
}
