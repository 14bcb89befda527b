//! `sse-bench redis`: the hub in memory against the Redis backplane (one node, three
//! nodes) side by side in one run, in one process, without HTTP: what the backplane
//! itself costs.
//!
//! It starts its own `redis-server` (no persistence) on a free port. Each node is a
//! hub with `subscribers` subscriptions (one task each, reading its stream); a
//! publisher publishes at an offered rate with the send time in the payload, so the
//! latency is publish→delivery measured from the intended send time (no coordinated
//! omission). Reported per case: deliveries/s achieved, latency p50/p99/p99.9, node CPU
//! per delivery (this process) and Redis CPU per event (the server process). A second
//! table compares publishing into Redis pipelined (many publishes in flight on the
//! shared connection) against one at a time.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hdrhistogram::Histogram;
use sse_core::Event;
use sse_hub::{Hub, Topic};
use sse_redis::{RedisBackplane, RedisConfig};
use tokio::sync::Mutex;

use crate::sys::proc_usage;

/// What to run.
#[derive(Debug, Clone)]
pub struct RedisBenchOptions {
    /// Subscribers per node.
    pub subscribers: usize,
    /// Offered publish rates, events/s.
    pub rates: Vec<u64>,
    /// Seconds per rate.
    pub seconds: u64,
    /// Events for the pipelined-vs-serial publishing comparison.
    pub publishes: usize,
}

/// A `redis-server` owned by the benchmark.
#[derive(Debug)]
struct Server {
    port: u16,
    child: Child,
}

impl Server {
    fn start() -> std::io::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > until {
                return Err(std::io::Error::other("redis-server did not start"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Self { port, child })
    }

    fn cpu_ns(&self) -> u64 {
        proc_usage(self.child.id()).map_or(0, |u| u.cpu_ns)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One measured case.
#[derive(Debug, Clone)]
struct Row {
    case: String,
    offered: u64,
    published: u64,
    /// Deliveries made, of those due (published × subscribers).
    complete: f64,
    deliveries_per_s: f64,
    p50_us: u64,
    p99_us: u64,
    p999_us: u64,
    node_ns_per_delivery: f64,
    redis_ns_per_event: Option<f64>,
}

fn now_us(origin: Instant) -> u64 {
    u64::try_from(origin.elapsed().as_micros()).unwrap_or(u64::MAX)
}

async fn build(backplane: Option<RedisBackplane>) -> Hub {
    // No lag limit and a history that holds a whole run: a subscriber that falls
    // behind at saturation catches up instead of being disconnected, so every
    // published event is delivered and counted.
    let mut builder = Hub::builder()
        .history(400_000)
        .max_lag_events(None)
        .max_lag_bytes(None);
    if let Some(bp) = &backplane {
        builder = builder.backplane(bp.clone());
    }
    let hub = builder.build().expect("hub settings");
    if let Some(bp) = backplane {
        tokio::time::timeout(Duration::from_secs(10), bp.ready())
            .await
            .expect("the backplane is ready");
    }
    hub
}

/// Runs one case: `nodes` hubs (all in memory when `redis` is `None`), `subscribers`
/// each, events published on node 0 at `rate` for `seconds`.
async fn case(
    name: &str,
    redis: Option<(&Server, String)>,
    nodes: usize,
    options: &RedisBenchOptions,
    rate: u64,
) -> Row {
    let mut hubs = Vec::new();
    for _ in 0..nodes {
        let backplane = redis.as_ref().map(|(server, key)| {
            RedisBackplane::new(
                RedisConfig::new(format!("redis://127.0.0.1:{}/", server.port)).key(key.clone()),
            )
            .expect("url")
        });
        hubs.push(build(backplane).await);
    }
    let topic = Topic::from_static("bench");
    let origin = Instant::now();
    let histogram = Arc::new(Mutex::new(
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram"),
    ));
    let delivered = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    for hub in &hubs {
        for _ in 0..options.subscribers {
            let mut sub = hub.subscribe([&topic]).expect("subscribe");
            let (histogram, delivered) = (histogram.clone(), delivered.clone());
            readers.push(tokio::spawn(async move {
                let mut local = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("h");
                while let Some(frame) = sub.next().await {
                    let bytes = frame.as_bytes();
                    let Some(at) = memchr::memmem::find(bytes, b"data: ") else {
                        continue;
                    };
                    let digits = &bytes[at + 6..];
                    let end = digits.iter().position(|b| !b.is_ascii_digit()).unwrap_or(0);
                    let Some(sent) = std::str::from_utf8(&digits[..end])
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok())
                    else {
                        continue;
                    };
                    let _ = local.record(now_us(origin).saturating_sub(sent).max(1));
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
                let _ = histogram.lock().await.add(&local);
            }));
        }
    }
    let redis_before = redis.as_ref().map(|(s, _)| s.cpu_ns());
    let node_before = proc_usage(std::process::id()).map_or(0, |u| u.cpu_ns);
    let started = Instant::now();
    let total = rate * options.seconds;
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let mut pending = futures_util::stream::FuturesUnordered::new();
    let mut published = 0u64;
    for n in 0..total {
        // Intended send time: latency counts from it, even when publishing falls behind.
        let intended = started + interval.mul_f64(n as f64);
        tokio::time::sleep_until(intended.into()).await;
        let sent = u64::try_from((intended - origin).as_micros()).unwrap_or(0);
        pending.push(hubs[0].publish(&topic, Event::new().data(sent.to_string())));
        while let Some(Some(result)) = futures_util::FutureExt::now_or_never(pending.next()) {
            published += u64::from(result.is_ok());
        }
    }
    while let Some(result) = pending.next().await {
        published += u64::from(result.is_ok());
    }
    // Let the last deliveries land.
    let want = published * (nodes * options.subscribers) as u64;
    let drain = Instant::now();
    while delivered.load(Ordering::Relaxed) < want && drain.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let node_ns = proc_usage(std::process::id()).map_or(0, |u| u.cpu_ns) - node_before;
    let redis_ns = redis
        .as_ref()
        .zip(redis_before)
        .map(|((s, _), before)| s.cpu_ns().saturating_sub(before));
    for hub in &hubs {
        hub.shutdown();
    }
    for reader in readers {
        let _ = reader.await;
    }
    let histogram = histogram.lock().await;
    let deliveries = delivered.load(Ordering::Relaxed);
    Row {
        case: name.to_owned(),
        offered: rate,
        published,
        complete: deliveries as f64 / want.max(1) as f64,
        deliveries_per_s: deliveries as f64 / elapsed,
        p50_us: histogram.value_at_quantile(0.5),
        p99_us: histogram.value_at_quantile(0.99),
        p999_us: histogram.value_at_quantile(0.999),
        node_ns_per_delivery: node_ns as f64 / deliveries.max(1) as f64,
        redis_ns_per_event: redis_ns.map(|ns| ns as f64 / published.max(1) as f64),
    }
}

/// Publishes `count` events into Redis with at most `in_flight` publishes at once;
/// events/s.
async fn publish_rate(server: &Server, key: &str, count: usize, in_flight: usize) -> f64 {
    let backplane = RedisBackplane::new(
        RedisConfig::new(format!("redis://127.0.0.1:{}/", server.port)).key(key),
    )
    .expect("url");
    let hub = build(Some(backplane)).await;
    let topic = Topic::from_static("bench");
    let started = Instant::now();
    let mut pending = futures_util::stream::FuturesUnordered::new();
    let mut done = 0;
    for n in 0..count {
        pending.push(hub.publish(&topic, Event::new().data(n.to_string())));
        if pending.len() >= in_flight {
            let _ = pending.next().await;
            done += 1;
        }
    }
    while pending.next().await.is_some() {
        done += 1;
    }
    let rate = done as f64 / started.elapsed().as_secs_f64();
    hub.shutdown();
    rate
}

/// Runs the comparison and prints the tables (Markdown).
///
/// # Errors
///
/// When `redis-server` cannot be started.
pub async fn run(options: &RedisBenchOptions) -> std::io::Result<String> {
    let server = Server::start()?;
    let mut rows = Vec::new();
    for (k, &rate) in options.rates.iter().enumerate() {
        rows.push(case("in-memory, 1 node", None, 1, options, rate).await);
        let key = format!("bench:{k}:1");
        rows.push(case("redis, 1 node", Some((&server, key)), 1, options, rate).await);
        let key = format!("bench:{k}:3");
        rows.push(case("redis, 3 nodes", Some((&server, key)), 3, options, rate).await);
    }
    let mut out = String::new();
    out.push_str(&format!(
        "{} subscribers per node, in one process (no HTTP); latency from the intended send time.\n\n",
        options.subscribers
    ));
    out.push_str("| case | offered ev/s | published | delivered | deliveries/s | p50 µs | p99 µs | p99.9 µs | node CPU ns/delivery | Redis CPU µs/event |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for r in &rows {
        out.push_str(&format!(
            "| {} | {} | {} | {:.1} % | {:.0} | {} | {} | {} | {:.0} | {} |\n",
            r.case,
            r.offered,
            r.published,
            r.complete * 100.0,
            r.deliveries_per_s,
            r.p50_us,
            r.p99_us,
            r.p999_us,
            r.node_ns_per_delivery,
            r.redis_ns_per_event
                .map_or_else(|| "-".to_owned(), |ns| format!("{:.1}", ns / 1000.0))
        ));
    }
    let serial = publish_rate(&server, "bench:serial", options.publishes / 10, 1).await;
    let pipelined = publish_rate(&server, "bench:pipelined", options.publishes, 256).await;
    out.push_str(&format!(
        "\nPublishing into Redis from one node: one at a time {serial:.0} events/s, pipelined (256 in flight) {pipelined:.0} events/s: {:.1}x.\n",
        pipelined / serial
    ));
    Ok(out)
}
