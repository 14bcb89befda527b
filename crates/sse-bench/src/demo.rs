//! The demo-app check: many subscribers against a server that follows the demo's HTTP
//! contract (`GET /events?topic=T`, `POST /publish`, `GET /stats`), every event received
//! exactly once, the server's memory, and a clean disconnect; then waves of connect and
//! disconnect, after each of which the server's memory must be back where it started.
//!
//! `sse-bench demo --url http://127.0.0.1:3000 --subscribers 10000 --events 20 --pid PID`

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use sse_conformance::http1::{Part, ResponseReader};
use sse_core::{Decoder, Frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::http::request;
use crate::net::{connect, source_for};
use crate::sys::proc_usage;

/// What to run.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The server, `http://HOST:PORT` (a literal address).
    pub addr: SocketAddr,
    /// How many subscribers connect.
    pub subscribers: usize,
    /// How many events are published (one `POST /publish` each, one after another).
    pub events: usize,
    /// The topic subscribed and published to.
    pub topic: String,
    /// The server's process id, for its resident memory.
    pub pid: Option<u32>,
    /// How many loopback source addresses the subscribers spread over.
    pub sources: usize,
    /// How many connections are being opened at once at most.
    pub concurrency: usize,
    /// The limit for each waiting step (all connected, all delivered, all gone).
    pub timeout: Duration,
    /// Waves of `subscribers` connections opened together and closed together after the
    /// delivery check (0: none).
    pub waves: usize,
}

/// How far the server's memory may be above its start after a wave: its live heap when it
/// reports one on `/metrics` (`process_heap_live_bytes`), else its RSS.
pub const WAVE_TOLERANCE: u64 = 1 << 20;

/// The gauge of the server's live heap on `/metrics` (the demo binaries count their
/// allocations).
pub const HEAP_GAUGE: &str = "process_heap_live_bytes";

/// Parses `http://HOST:PORT[/]` with a literal IP address.
///
/// # Errors
///
/// A message naming what is wrong.
pub fn parse_url(url: &str) -> Result<SocketAddr, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url:?}: only http:// URLs are supported"))?;
    let host_port = rest.trim_end_matches('/');
    host_port
        .parse()
        .map_err(|_| format!("{url:?}: expected http://IP:PORT (a literal address and a port)"))
}

/// What one subscriber saw.
#[derive(Debug, Default)]
struct Seen {
    /// The sequence numbers of this run's events, in arrival order.
    seqs: Vec<u32>,
    /// Events of this run whose `id:` differed from the id other subscribers saw.
    id_mismatches: u32,
    /// `reset` events received.
    resets: u32,
    /// Whether the response head was 200 with `text/event-stream`.
    ok: bool,
    /// A failure of the connection or the stream, if any.
    error: Option<String>,
}

/// The result of a demo check.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    /// Subscribers asked for.
    pub subscribers: usize,
    /// Events asked for.
    pub events: usize,
    /// Subscribers whose stream opened (200, `text/event-stream`).
    pub connected: usize,
    /// Time to open every stream.
    pub connect_time: Duration,
    /// Events published (202 answers).
    pub published: usize,
    /// Time for all the `POST /publish` calls.
    pub publish_time: Duration,
    /// From the first publish until every subscriber had every event (or the time-out).
    pub delivery_time: Duration,
    /// Subscribers that received every event exactly once, in publish order, with the
    /// id the publish call returned.
    pub exact: usize,
    /// Events missing, summed over subscribers.
    pub missing: usize,
    /// Events received more than once, summed over subscribers.
    pub duplicates: usize,
    /// Subscribers that received the events out of order.
    pub out_of_order: usize,
    /// Events whose `id:` differed from the id the publish returned.
    pub wrong_ids: usize,
    /// `reset` events received (there should be none).
    pub resets: usize,
    /// The server's RSS before the subscribers connected, with them, and after delivery.
    pub rss: Option<(u64, u64, u64)>,
    /// The `subscribers` that `/stats` reported once all were connected.
    pub stats_subscribers: Option<u64>,
    /// Time from closing every connection until `/stats` said 0 subscribers, if it did.
    pub drain_time: Option<Duration>,
    /// The server's memory when the waves started (after the delivery check's
    /// disconnect), and the waves.
    pub waves: Option<(Memory, Vec<Wave>)>,
    /// Failures met on the way (first few).
    pub errors: Vec<String>,
}

/// The server's memory at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// Resident set size (0 when unknown).
    pub rss: u64,
    /// Live heap, from `/metrics`, when the server reports it.
    pub heap: Option<u64>,
}

impl Memory {
    /// What the waves compare: the live heap when known (RSS also holds what the C
    /// allocator keeps after `free`), else RSS.
    #[must_use]
    pub fn compared(self) -> u64 {
        self.heap.unwrap_or(self.rss)
    }
}

/// One wave: every connection opened, then every connection closed.
#[derive(Debug, Clone, Default)]
pub struct Wave {
    /// Streams that opened (200, `text/event-stream`).
    pub connected: usize,
    /// The server's memory with all of them open.
    pub open: Memory,
    /// The server's memory once `/stats` said 0 subscribers after they closed.
    pub after: Memory,
    /// Time from closing them until `/stats` said 0 subscribers, if it did.
    pub drain_time: Option<Duration>,
}

impl Wave {
    /// Whether the wave opened every stream, drained, and left the server's memory (live
    /// heap, else RSS) within [`WAVE_TOLERANCE`] of `start`.
    #[must_use]
    pub fn passed(&self, subscribers: usize, start: Memory) -> bool {
        self.connected == subscribers
            && self.drain_time.is_some()
            && self.after.compared() <= start.compared() + WAVE_TOLERANCE
    }
}

impl DemoReport {
    /// Whether every check passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.connected == self.subscribers
            && self.published == self.events
            && self.exact == self.subscribers
            && self.wrong_ids == 0
            && self.resets == 0
            && self.drain_time.is_some()
            && self.errors.is_empty()
            && self.waves.as_ref().is_none_or(|(start, waves)| {
                waves.iter().all(|w| w.passed(self.subscribers, *start))
            })
    }
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
        let mib = |b: u64| format!("{:.1} MiB", b as f64 / (1 << 20) as f64);
        writeln!(f, "| check | result |")?;
        writeln!(f, "|---|---|")?;
        writeln!(
            f,
            "| subscribers connected | {} / {} in {} |",
            self.connected,
            self.subscribers,
            ms(self.connect_time)
        )?;
        if let Some(n) = self.stats_subscribers {
            writeln!(f, "| `/stats` subscribers when connected | {n} |")?;
        }
        writeln!(
            f,
            "| events published | {} in {} |",
            self.published,
            ms(self.publish_time)
        )?;
        writeln!(
            f,
            "| every event exactly once, in order, right id | {} / {} subscribers (delivered in {}) |",
            self.exact,
            self.subscribers,
            ms(self.delivery_time)
        )?;
        writeln!(
            f,
            "| missing / duplicate / out-of-order / wrong id / reset | {} / {} / {} / {} / {} |",
            self.missing, self.duplicates, self.out_of_order, self.wrong_ids, self.resets
        )?;
        if let Some((before, connected, after)) = self.rss {
            let per = connected.saturating_sub(before) / self.connected.max(1) as u64;
            writeln!(
                f,
                "| server RSS before / connected / after delivery | {} / {} / {} ({per} B per subscriber) |",
                mib(before),
                mib(connected),
                mib(after)
            )?;
        }
        match self.drain_time {
            Some(d) => writeln!(
                f,
                "| `/stats` subscribers back to 0 after disconnect | {} |",
                ms(d)
            )?,
            None => writeln!(
                f,
                "| `/stats` subscribers back to 0 after disconnect | **no** |"
            )?,
        }
        for e in &self.errors {
            writeln!(f, "| error | {e} |")?;
        }
        if let Some((start, waves)) = &self.waves {
            let what = if start.heap.is_some() {
                "live heap (`/metrics`)"
            } else {
                "RSS (the server reports no live heap)"
            };
            let heap = |m: Memory| m.heap.map_or_else(|| "–".to_owned(), mib);
            let delta = |m: Memory| {
                let d = i128::from(m.compared()) - i128::from(start.compared());
                format!("{:+.2} MiB", d as f64 / (1 << 20) as f64)
            };
            writeln!(
                f,
                "\nWaves: {} connections opened together, then closed together; server {what} \
                 at the start {} (after the check above), each wave back within {} of it?\n",
                self.subscribers,
                mib(start.compared()),
                mib(WAVE_TOLERANCE)
            )?;
            writeln!(
                f,
                "| wave | connected | heap open | RSS open | drained | heap after | RSS after | \
                 after − start | ok |"
            )?;
            writeln!(f, "|---|---|---|---|---|---|---|---|---|")?;
            for (n, w) in waves.iter().enumerate() {
                let drained = w.drain_time.map_or_else(|| "**no**".to_owned(), ms);
                writeln!(
                    f,
                    "| {} | {} | {} | {} | {drained} | {} | {} | {} | {} |",
                    n + 1,
                    w.connected,
                    heap(w.open),
                    mib(w.open.rss),
                    heap(w.after),
                    mib(w.after.rss),
                    delta(w.after),
                    if w.passed(self.subscribers, *start) {
                        "yes"
                    } else {
                        "**no**"
                    }
                )?;
            }
        }
        writeln!(f, "\n{}", if self.passed() { "PASS" } else { "FAIL" })
    }
}

/// Shared by the subscriber tasks (one thread).
#[derive(Default)]
struct Shared {
    /// The id each sequence number was first seen with.
    ids: HashMap<u32, String>,
}

/// Runs the check. Needs a current-thread tokio runtime inside a `LocalSet`.
pub async fn run(options: &DemoOptions) -> DemoReport {
    let mut report = DemoReport {
        subscribers: options.subscribers,
        events: options.events,
        ..DemoReport::default()
    };
    let addr = options.addr;
    let run_id = crate::payload::now_ns() % 1_000_000_007;
    let rss = |pid: Option<u32>| pid.and_then(|p| proc_usage(p).ok()).map(|u| u.rss);
    let rss_before = rss(options.pid);

    // Connect every subscriber.
    let shared = Rc::new(RefCell::new(Shared::default()));
    let seen: Vec<Rc<RefCell<Seen>>> = (0..options.subscribers)
        .map(|_| Rc::new(RefCell::new(Seen::default())))
        .collect();
    let opened = Rc::new(tokio::sync::Notify::new());
    let gate = Rc::new(Semaphore::new(options.concurrency.max(1)));
    let path = format!("/events?topic={}", options.topic);
    let mut tasks = JoinSet::new();
    let start = Instant::now();
    for (n, seen) in seen.iter().enumerate() {
        let source = source_for(n, options.sources, addr);
        let task = Subscriber {
            addr,
            source,
            path: path.clone(),
            run_id,
            seen: seen.clone(),
            shared: shared.clone(),
            opened: opened.clone(),
            gate: gate.clone(),
        };
        tasks.spawn_local(task.run());
    }
    let all_open = || {
        seen.iter()
            .all(|s| s.borrow().ok || s.borrow().error.is_some())
    };
    let deadline = Instant::now() + options.timeout;
    while !all_open() && Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(50), opened.notified()).await;
    }
    report.connect_time = start.elapsed();
    report.connected = seen.iter().filter(|s| s.borrow().ok).count();

    // The server should count them all before anything is published.
    let stats_path = "/stats";
    let deadline = Instant::now() + options.timeout;
    loop {
        match request(addr, "GET", stats_path, None, Duration::from_secs(5)).await {
            Ok(reply) if reply.status == 200 => {
                let count = topic_subscribers(&reply.body, &options.topic);
                report.stats_subscribers = count;
                if count.is_some_and(|c| c >= report.connected as u64) || Instant::now() >= deadline
                {
                    break;
                }
            }
            Ok(reply) => {
                report
                    .errors
                    .push(format!("GET /stats answered {}", reply.status));
                break;
            }
            Err(e) => {
                report.errors.push(e.to_string());
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss_connected = rss(options.pid);

    // Publish, one after another (ids are then in publish order).
    let mut ids = Vec::with_capacity(options.events);
    let start = Instant::now();
    for seq in 0..options.events {
        let body = format!(
            r#"{{"topic":"{}","data":"sse-bench demo {run_id} {seq}"}}"#,
            options.topic
        );
        match request(
            addr,
            "POST",
            "/publish",
            Some(&body),
            Duration::from_secs(10),
        )
        .await
        {
            Ok(reply) if reply.status == 202 => {
                let id = serde_json::from_slice::<serde_json::Value>(&reply.body)
                    .ok()
                    .and_then(|v| v.get("id")?.as_str().map(str::to_owned));
                match id {
                    Some(id) => ids.push(id),
                    None => report.errors.push(format!(
                        "POST /publish: 202 without an id: {}",
                        String::from_utf8_lossy(&reply.body)
                    )),
                }
            }
            Ok(reply) => report.errors.push(format!(
                "POST /publish answered {}: {}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            )),
            Err(e) => report.errors.push(e.to_string()),
        }
    }
    report.publish_time = start.elapsed();
    report.published = ids.len();

    // Wait until every open subscriber has every event.
    let want = options.events;
    let done = || {
        seen.iter().all(|s| {
            let s = s.borrow();
            !s.ok || s.error.is_some() || s.seqs.len() >= want
        })
    };
    let deadline = Instant::now() + options.timeout;
    while !done() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    report.delivery_time = start.elapsed();
    // A little longer, to catch duplicates that trail behind.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss_after = rss(options.pid);
    if let (Some(a), Some(b), Some(c)) = (rss_before, rss_connected, rss_after) {
        report.rss = Some((a, b, c));
    }

    // Verify.
    let expected: Vec<u32> = (0..u32::try_from(want).unwrap_or(u32::MAX)).collect();
    {
        let shared = shared.borrow();
        report.wrong_ids = ids
            .iter()
            .enumerate()
            .filter(|(seq, id)| {
                u32::try_from(*seq)
                    .ok()
                    .and_then(|s| shared.ids.get(&s))
                    .is_some_and(|seen| seen != *id)
            })
            .count();
    }
    for s in &seen {
        let s = s.borrow();
        let check = check_sequence(&s.seqs, want);
        report.missing += check.missing;
        report.duplicates += check.duplicates;
        report.out_of_order += usize::from(check.out_of_order);
        report.wrong_ids += s.id_mismatches as usize;
        report.resets += s.resets as usize;
        if s.seqs == expected && s.id_mismatches == 0 && s.ok {
            report.exact += 1;
        }
        if let Some(e) = &s.error
            && report.errors.len() < 5
        {
            report.errors.push(e.clone());
        }
    }

    // Disconnect everyone; the server must notice.
    tasks.shutdown().await;
    report.drain_time = wait_drained(addr, options.timeout).await;

    if report.drain_time.is_some()
        && options.waves > 0
        && let Some(rss) = rss(options.pid)
    {
        let start = Memory {
            rss,
            heap: heap(addr).await,
        };
        let mut waves = Vec::with_capacity(options.waves);
        for n in 0..options.waves {
            let wave = run_wave(options, &path).await;
            eprintln!(
                "wave {}: {} connected, open {:?}, after {:?}",
                n + 1,
                wave.connected,
                wave.open,
                wave.after
            );
            let stop = wave.drain_time.is_none();
            waves.push(wave);
            if stop {
                break;
            }
        }
        report.waves = Some((start, waves));
    }
    report
}

/// Polls `/stats` until it says 0 subscribers; the time that took, or `None` at `limit`.
async fn wait_drained(addr: SocketAddr, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(reply) = request(addr, "GET", "/stats", None, Duration::from_secs(5)).await
            && total_subscribers(&reply.body) == Some(0)
        {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// One wave: opens `subscribers` streams of `path` (at most `concurrency` handshakes at
/// once), measures, closes them all, waits for `/stats` to say 0, and measures again.
async fn run_wave(options: &DemoOptions, path: &str) -> Wave {
    let rss = || {
        options
            .pid
            .and_then(|p| proc_usage(p).ok())
            .map_or(0, |u| u.rss)
    };
    let gate = Rc::new(Semaphore::new(options.concurrency.max(1)));
    let mut opening = JoinSet::new();
    for n in 0..options.subscribers {
        let (gate, path) = (gate.clone(), path.to_owned());
        let (addr, source) = (options.addr, source_for(n, options.sources, options.addr));
        let limit = options.timeout;
        opening.spawn_local(async move {
            let _permit = gate.acquire().await.ok()?;
            tokio::time::timeout(limit, open_stream(addr, source, &path))
                .await
                .ok()?
                .ok()
        });
    }
    let mut open = Vec::with_capacity(options.subscribers);
    while let Some(joined) = opening.join_next().await {
        if let Ok(Some(stream)) = joined {
            open.push(stream);
        }
    }
    let mut wave = Wave {
        connected: open.len(),
        open: Memory {
            rss: rss(),
            heap: heap(options.addr).await,
        },
        ..Wave::default()
    };
    drop(open);
    wave.drain_time = wait_drained(options.addr, options.timeout).await;
    // Let the server finish freeing what the closed connections held.
    tokio::time::sleep(Duration::from_millis(200)).await;
    wave.after = Memory {
        rss: rss(),
        heap: heap(options.addr).await,
    };
    wave
}

/// Sends `GET path` asking for an event stream.
async fn ask_for_stream(
    stream: &mut tokio::net::TcpStream,
    addr: SocketAddr,
    path: &str,
) -> Result<(), String> {
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("write: {e}"))
}

/// The server's live heap from its `/metrics` ([`HEAP_GAUGE`]), if it reports one.
async fn heap(addr: SocketAddr) -> Option<u64> {
    let reply = request(addr, "GET", "/metrics", None, Duration::from_secs(5))
        .await
        .ok()
        .filter(|r| r.status == 200)?;
    heap_gauge(&reply.body)
}

/// The value of [`HEAP_GAUGE`] in a Prometheus text body.
fn heap_gauge(body: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines().find_map(|line| {
        let value = line.strip_prefix(HEAP_GAUGE)?.strip_prefix(' ')?;
        let bytes: f64 = value.trim().parse().ok()?;
        // A byte count well inside f64's exact range.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        (bytes >= 0.0).then_some(bytes as u64)
    })
}

/// Connects, asks for `path`, and returns the socket once a 200 `text/event-stream`
/// head has arrived.
async fn open_stream(
    addr: SocketAddr,
    source: Option<std::net::Ipv4Addr>,
    path: &str,
) -> Result<tokio::net::TcpStream, String> {
    let mut stream = connect(addr, source, None)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    ask_for_stream(&mut stream, addr, path).await?;
    let mut buf = vec![0u8; 4096];
    let mut reader = ResponseReader::new();
    loop {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("closed before the response head".into());
        }
        let mut head = None;
        reader
            .feed(&buf[..n], &mut |part| {
                if let Part::Head(h) = part {
                    head = Some(h);
                }
            })
            .map_err(|e| e.to_string())?;
        if let Some(head) = head {
            let event_stream = head
                .first("content-type")
                .is_some_and(|t| t.starts_with("text/event-stream"));
            return if head.status == 200 && event_stream {
                Ok(stream)
            } else {
                Err(format!("GET {path} answered {}", head.status))
            };
        }
    }
}

/// `topics.<topic>.subscribers` of a `/stats` body.
fn topic_subscribers(body: &[u8], topic: &str) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("topics")?.get(topic)?.get("subscribers")?.as_u64()
}

/// `subscribers` of a `/stats` body.
fn total_subscribers(body: &[u8]) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("subscribers")?.as_u64()
}

/// How a subscriber's sequence numbers compare with `0..want`.
#[derive(Debug, PartialEq, Eq)]
struct SequenceCheck {
    missing: usize,
    duplicates: usize,
    out_of_order: bool,
}

fn check_sequence(seqs: &[u32], want: usize) -> SequenceCheck {
    let mut count = vec![0u32; want];
    let mut foreign = 0;
    for &s in seqs {
        match count.get_mut(s as usize) {
            Some(c) => *c += 1,
            None => foreign += 1,
        }
    }
    SequenceCheck {
        missing: count.iter().filter(|&&c| c == 0).count(),
        duplicates: count
            .iter()
            .map(|&c| c.saturating_sub(1) as usize)
            .sum::<usize>()
            + foreign,
        out_of_order: seqs.windows(2).any(|w| w[0] >= w[1]),
    }
}

/// One subscriber connection.
struct Subscriber {
    addr: SocketAddr,
    source: Option<std::net::Ipv4Addr>,
    path: String,
    run_id: u64,
    seen: Rc<RefCell<Seen>>,
    shared: Rc<RefCell<Shared>>,
    opened: Rc<tokio::sync::Notify>,
    gate: Rc<Semaphore>,
}

impl Subscriber {
    async fn run(self) {
        if let Err(e) = self.stream().await {
            self.seen.borrow_mut().error = Some(e);
        }
        self.opened.notify_waiters();
    }

    async fn stream(&self) -> Result<(), String> {
        let permit = self.gate.acquire().await.map_err(|e| e.to_string())?;
        let mut stream = connect(self.addr, self.source, None)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        ask_for_stream(&mut stream, self.addr, &self.path).await?;
        let mut buf = vec![0u8; 4096];
        let mut reader = ResponseReader::new();
        let mut decoder = Decoder::new();
        let mut permit = Some(permit);
        loop {
            let n = stream
                .read(&mut buf)
                .await
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 && permit.is_some() {
                return Err("closed before the response head".into());
            }
            let (mut head, mut ended) = (None, n == 0);
            reader
                .feed(&buf[..n], &mut |part| match part {
                    Part::Head(h) => head = Some(h),
                    Part::Body(bytes) => decoder.push(bytes),
                    Part::End => ended = true,
                })
                .map_err(|e| e.to_string())?;
            if let Some(head) = head {
                permit = None;
                let content_type = head.first("content-type");
                if head.status != 200
                    || !content_type.is_some_and(|t| t.starts_with("text/event-stream"))
                {
                    return Err(format!(
                        "GET {} answered {} {content_type:?}",
                        self.path, head.status
                    ));
                }
                self.seen.borrow_mut().ok = true;
                self.opened.notify_waiters();
            }
            while let Some(frame) = decoder.next_frame() {
                self.frame(&frame);
            }
            if ended {
                return Err("the server ended the stream".into());
            }
        }
    }

    fn frame(&self, frame: &Frame) {
        let Frame::Message(message) = frame else {
            return;
        };
        let mut seen = self.seen.borrow_mut();
        if message.event == "reset" {
            seen.resets += 1;
            return;
        }
        let Some(seq) = demo_seq(&message.data, self.run_id) else {
            return;
        };
        seen.seqs.push(seq);
        let mut shared = self.shared.borrow_mut();
        let id = shared
            .ids
            .entry(seq)
            .or_insert_with(|| message.last_event_id.clone());
        if *id != message.last_event_id {
            seen.id_mismatches += 1;
        }
    }
}

/// The sequence number of this run's demo event, from its data.
fn demo_seq(data: &str, run_id: u64) -> Option<u32> {
    let rest = data.strip_prefix("sse-bench demo ")?;
    let (run, seq) = rest.split_once(' ')?;
    (run.parse::<u64>().ok()? == run_id).then(|| seq.parse().ok())?
}

/// Renders `report` with the options it ran with.
#[must_use]
pub fn render(options: &DemoOptions, report: &DemoReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "demo check: {} subscribers of topic `{}` at http://{}, {} events\n",
        options.subscribers, options.topic, options.addr, options.events
    );
    let _ = write!(out, "{report}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            parse_url("http://127.0.0.1:3000/"),
            Ok("127.0.0.1:3000".parse().unwrap())
        );
        assert!(parse_url("https://127.0.0.1:3000").is_err());
        assert!(parse_url("http://localhost:3000").is_err());
    }

    #[test]
    fn sequence_checks_find_every_fault() {
        let ok = SequenceCheck {
            missing: 0,
            duplicates: 0,
            out_of_order: false,
        };
        assert_eq!(check_sequence(&[0, 1, 2], 3), ok);
        assert_eq!(
            check_sequence(&[0, 2], 3),
            SequenceCheck { missing: 1, ..ok }
        );
        assert_eq!(
            check_sequence(&[0, 1, 1, 2], 3),
            SequenceCheck {
                duplicates: 1,
                out_of_order: true,
                ..ok
            }
        );
        assert_eq!(
            check_sequence(&[1, 0, 2], 3),
            SequenceCheck {
                out_of_order: true,
                ..ok
            }
        );
        assert_eq!(
            check_sequence(&[0, 1, 2, 9], 3),
            SequenceCheck {
                duplicates: 1,
                ..ok
            }
        );
    }

    #[test]
    fn only_this_runs_events_count() {
        assert_eq!(demo_seq("sse-bench demo 42 7", 42), Some(7));
        assert_eq!(demo_seq("sse-bench demo 41 7", 42), None);
        assert_eq!(demo_seq("hello", 42), None);
        assert_eq!(demo_seq("sse-bench demo 42 x", 42), None);
    }

    #[test]
    fn the_heap_gauge_is_read_from_the_metrics_text() {
        let body = b"# TYPE process_heap_live_bytes gauge\nprocess_heap_live_bytes_other 1\n\
                     process_heap_live_bytes 123456\nsse_hub_subscriptions 0\n";
        assert_eq!(heap_gauge(body), Some(123_456));
        assert_eq!(
            heap_gauge(b"process_heap_live_bytes 1.5e6\n"),
            Some(1_500_000)
        );
        assert_eq!(heap_gauge(b"sse_hub_subscriptions 0\n"), None);
        assert_eq!(heap_gauge(b"process_heap_live_bytes -1\n"), None);
    }

    #[test]
    fn a_wave_compares_the_heap_when_known_else_rss() {
        let start = Memory {
            rss: 100 << 20,
            heap: Some(10 << 20),
        };
        let wave = |rss: u64, heap: Option<u64>| Wave {
            connected: 5,
            open: Memory::default(),
            after: Memory { rss, heap },
            drain_time: Some(Duration::ZERO),
        };
        // RSS far up but the heap back: passed (malloc keeps freed memory).
        assert!(wave(180 << 20, Some((10 << 20) + 1000)).passed(5, start));
        // Heap 2 MiB up: failed, whatever RSS says.
        assert!(!wave(100 << 20, Some(12 << 20)).passed(5, start));
        // No heap reported: RSS decides.
        let start = Memory {
            rss: 100 << 20,
            heap: None,
        };
        assert!(!wave(102 << 20, None).passed(5, start));
        assert!(wave(100 << 20, None).passed(5, start));
    }

    #[test]
    fn stats_fields() {
        let body =
            br#"{"subscribers":3,"published":1,"topics":{"t":{"subscribers":2,"published":1}}}"#;
        assert_eq!(topic_subscribers(body, "t"), Some(2));
        assert_eq!(topic_subscribers(body, "u"), None);
        assert_eq!(total_subscribers(body), Some(3));
    }
}
