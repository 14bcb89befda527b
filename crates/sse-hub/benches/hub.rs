//! The hub's publish and delivery paths, in process (no sockets):
//!
//! * `publish/N`: publishes per second into the in-memory hub from N threads at once, each
//!   to its own topic (nobody subscribed), 100-byte events;
//! * `fanout`: deliveries per second of one topic to 10,000 subscriptions polled by two
//!   threads (a no-op waker), 8 events per round, each subscription drained to `Pending`
//!   (so its waker is registered) every round.
//!
//! Criterion prints its own lines first; then a table measured the same way, 5 runs each,
//! median with min and max, and the 4-publisher / 1-publisher ratio.
//!
//! `cargo bench -p sse-hub --bench hub`
//!
//! With `SSE_HUB_BENCH_ONCE=publish:<threads>:<events each>` or
//! `fanout:<rounds>:<events per round>` the
//! binary runs that workload once and exits, for an instruction count:
//! `SSE_HUB_BENCH_ONCE=fanout:10:8 valgrind --tool=callgrind target/release/deps/hub-*`.

// `criterion_group!` makes an undocumented public function.
#![allow(missing_docs)]

use std::pin::Pin;
use std::sync::Barrier;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use futures_core::Stream;
use sse_core::Event;
use sse_hub::{Hub, Subscription, Topic};

const DATA: &str = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";
const SUBSCRIBERS: usize = 10_000;
const POLLERS: usize = 2;
const PER_ROUND: usize = 8;

/// `threads` publishers, `per_thread` events each, started together: the time until the
/// last one is done.
fn publish(threads: usize, per_thread: u64) -> Duration {
    let hub = Hub::new();
    let topics: Vec<_> = (0..threads)
        .map(|n| Topic::new(&format!("p{n}")).unwrap())
        .collect();
    let start = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = topics
            .iter()
            .map(|topic| {
                let (hub, start) = (&hub, &start);
                scope.spawn(move || {
                    start.wait();
                    for _ in 0..per_thread {
                        let published = hub.publish(topic, Event::new().data(DATA)).into_ready();
                        assert!(matches!(published, Ok(Ok(_))));
                    }
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        for worker in workers {
            worker.join().unwrap();
        }
        began.elapsed()
    })
}

/// Takes every frame ready now; returns how many.
fn drain(sub: &mut Subscription, cx: &mut Context<'_>) -> usize {
    let mut n = 0;
    while let Poll::Ready(Some(_)) = Pin::new(&mut *sub).poll_next(cx) {
        n += 1;
    }
    n
}

/// `rounds` rounds of `PER_ROUND` events to `SUBSCRIBERS` subscriptions drained by
/// `POLLERS` threads: the time, and the deliveries.
fn fanout(rounds: u64, per_round: usize) -> (Duration, u64) {
    let hub = Hub::new();
    let topic = Topic::from_static("fan");
    let mut subs: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| hub.subscribe([&topic]).unwrap())
        .collect();
    let mut cx = Context::from_waker(Waker::noop());
    for sub in &mut subs {
        drain(sub, &mut cx); // the position frame
    }
    let chunks: Vec<_> = subs.chunks_mut(SUBSCRIBERS / POLLERS).collect();
    let (published, drained) = (Barrier::new(POLLERS + 1), Barrier::new(POLLERS + 1));
    std::thread::scope(|scope| {
        let pollers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let (published, drained) = (&published, &drained);
                scope.spawn(move || {
                    let mut cx = Context::from_waker(Waker::noop());
                    let mut delivered = 0u64;
                    for _ in 0..rounds {
                        published.wait();
                        for sub in chunk.iter_mut() {
                            delivered += drain(sub, &mut cx) as u64;
                        }
                        drained.wait();
                    }
                    delivered
                })
            })
            .collect();
        let began = Instant::now();
        for _ in 0..rounds {
            for _ in 0..per_round {
                let published = hub.publish(&topic, Event::new().data(DATA)).into_ready();
                assert!(matches!(published, Ok(Ok(_))));
            }
            published.wait();
            drained.wait();
        }
        let elapsed = began.elapsed();
        let delivered: u64 = pollers.into_iter().map(|p| p.join().unwrap()).sum();
        assert_eq!(delivered, rounds * (per_round * SUBSCRIBERS) as u64);
        (elapsed, delivered)
    })
}

fn per_second(n: u64, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64()
}

/// Five runs: (median, min, max) of `run`'s rate.
fn five(mut run: impl FnMut() -> f64) -> (f64, f64, f64) {
    let mut rates: Vec<f64> = (0..5).map(|_| run()).collect();
    rates.sort_by(f64::total_cmp);
    (rates[2], rates[0], rates[4])
}

fn table() {
    const PER_RUN: u64 = 400_000;
    let mut rows = Vec::new();
    for threads in [1, 4] {
        let per_thread = PER_RUN / threads as u64;
        let rate = five(|| per_second(per_thread * threads as u64, publish(threads, per_thread)));
        rows.push((
            format!("publish, {threads} publisher(s)"),
            "publishes/s",
            rate,
        ));
    }
    let rate = five(|| {
        let (elapsed, delivered) = fanout(50, PER_ROUND);
        per_second(delivered, elapsed)
    });
    rows.push((
        format!("fanout, {SUBSCRIBERS} subscriptions, {POLLERS} pollers"),
        "deliveries/s",
        rate,
    ));
    println!();
    println!("| case | unit | median | min | max |");
    println!("|---|---|---:|---:|---:|");
    for (case, unit, (median, min, max)) in &rows {
        println!("| {case} | {unit} | {median:.0} | {min:.0} | {max:.0} |");
    }
    let ratio = rows[1].2.0 / rows[0].2.0;
    println!();
    println!("4 publishers / 1 publisher: {ratio:.2}x (median over median)");
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("publish");
    group.throughput(Throughput::Elements(1));
    for threads in [1usize, 4] {
        group.bench_function(format!("{threads}"), |b| {
            b.iter_custom(|iters| publish(threads, iters.div_ceil(threads as u64)));
        });
    }
    group.finish();
    let mut group = c.benchmark_group("fanout");
    group.throughput(Throughput::Elements((PER_ROUND * SUBSCRIBERS) as u64));
    group.bench_function("10000x2", |b| {
        b.iter_custom(|iters| fanout(iters, PER_ROUND).0);
    });
    group.finish();
    table();
}

/// One workload, once, for an instruction count (`valgrind --tool=callgrind`):
/// `publish:<threads>:<events per thread>` or `fanout:<rounds>:<events per round>`.
fn once(work: &str) {
    let parts: Vec<_> = work.split(':').collect();
    let number = |i: usize| {
        parts
            .get(i)
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
    };
    match parts[0] {
        "publish" => {
            let threads = usize::try_from(number(1)).unwrap_or(1);
            publish(threads, number(2));
        }
        "fanout" => {
            let per_round = usize::try_from(number(2)).unwrap_or(PER_ROUND);
            fanout(number(1), per_round);
        }
        other => panic!("unknown workload {other:?}"),
    }
}

fn main() {
    if let Ok(work) = std::env::var("SSE_HUB_BENCH_ONCE") {
        once(&work);
        return;
    }
    hub();
    Criterion::default().configure_from_args().final_summary();
}

criterion_group! {
    name = hub;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = benches
}
