//! The Markdown tables and the charts of one suite run.

use std::fmt::Write as _;

use super::summary::{Summary, format_number};
use super::svg::{Bars, PALETTE};
use crate::peer::Peer;
use crate::results::{IdleRun, ReconnectRun, Results, SlowRun, StreamRun};

/// The report: Markdown, and SVG charts by file name.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The generated part of `BENCHMARKS.md`.
    pub markdown: String,
    /// `(file name, SVG)` for `docs/bench/`.
    pub charts: Vec<(String, String)>,
}

/// The peers present in `runs`, in report order.
fn peers_in<T>(runs: &[T], peer: impl Fn(&T) -> Peer) -> Vec<Peer> {
    Peer::ALL
        .into_iter()
        .filter(|p| runs.iter().any(|r| peer(r) == *p))
        .collect()
}

/// The summary of `metric` over `peer`'s runs.
fn over<T>(
    runs: &[T],
    peer: Peer,
    of: impl Fn(&T) -> Peer,
    metric: impl Fn(&T) -> Option<f64>,
) -> Option<Summary> {
    Summary::of(runs.iter().filter(|r| of(r) == peer).filter_map(metric))
}

fn show(s: Option<Summary>, scale: f64, digits: usize) -> String {
    s.map_or_else(|| "–".to_owned(), |s| s.show(scale, digits))
}

/// `a / b` of medians, shown as `1.23×`.
fn ratio(a: Option<Summary>, b: Option<Summary>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b.median > 0.0 => Some(a.median / b.median),
        _ => None,
    }
}

fn show_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×"))
}

fn yes(ok: bool) -> &'static str {
    if ok { "**met**" } else { "**missed**" }
}

/// Renders every part of `results` that has runs.
#[must_use]
pub fn render(results: &Results) -> Rendered {
    let mut out = Rendered::default();
    let md = &mut out.markdown;
    let _ = writeln!(md, "## Server benchmarks: results of the last run\n");
    let _ = writeln!(
        md,
        "Measured {} on {} at commit `{}`, with `{}` ({:.0} s). Load average (1, 5, 15 min) before → after: {}.\n",
        results.date,
        results.machine,
        results.commit,
        results.command,
        results.seconds,
        results
            .load
            .chunks(2)
            .map(|pair| {
                pair.iter()
                    .map(|(a, b, c)| format!("{a:.2} {b:.2} {c:.2}"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    let _ = writeln!(
        md,
        "Each run is a fresh server process (one peer, 1 worker thread, pinned to CPU 0) and a \
         fresh load-client process (pinned to CPU 1, connections spread over 8 `127.0.0.x` \
         source addresses); peers are interleaved in each repetition. Figures are the median \
         with [min–max] over repetitions; ratios are ratios of medians. Encoding alone: see \
         [encode](#encode).\n"
    );
    if !results.notes.is_empty() {
        let _ = writeln!(md, "Notes from this run:\n");
        for note in &results.notes {
            let _ = writeln!(md, "- {note}");
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "| peer | what it is |\n|---|---|");
    for peer in Peer::ALL {
        let _ = writeln!(md, "| `{peer}` | {} |", peer.description());
    }
    let _ = writeln!(md);

    let mut targets = Vec::new();
    if !results.streams.is_empty() {
        fanout(md, &mut out.charts, &results.streams, &mut targets);
        latency(md, &mut out.charts, &results.streams, &mut targets);
    }
    if !results.idle.is_empty() {
        idle(md, &mut out.charts, &results.idle, &mut targets);
    }
    if !results.reconnect.is_empty() {
        reconnect(md, &results.reconnect, &mut targets);
    }
    if !results.slow.is_empty() {
        slow(md, &results.slow, &mut targets);
    }
    if !targets.is_empty() {
        let _ = writeln!(md, "### Targets\n\n| target | measured | |\n|---|---|---|");
        for (target, measured, ok) in &targets {
            let _ = writeln!(md, "| {target} | {measured} | {} |", yes(*ok));
        }
        let _ = writeln!(md);
    }
    out
}

type Targets = Vec<(String, String, bool)>;

fn fanout(
    md: &mut String,
    charts: &mut Vec<(String, String)>,
    runs: &[StreamRun],
    targets: &mut Targets,
) {
    let peers = peers_in(runs, |r| r.peer);
    let subscribers = runs.iter().map(|r| r.subscribers).max().unwrap_or(0);
    let sat = |p| over(runs, p, |r| r.peer, |r| r.saturation().map(|s| s.delivered));
    let _ = writeln!(
        md,
        "### Fan-out: 1 publisher, {} subscribers\n\n\
         Saturation: a burst of events offered far above capacity (open loop); deliveries per \
         second from the first event's due time to the last arrival. Then 25 %, 50 % and 80 % \
         of that rate. Server CPU from `/proc/<pid>/stat` (utime+stime) over the step; write \
         system calls (write, writev, sendto, sendmsg) counted by `strace -c -f` attached to \
         every server thread while 3 events go out at 2 events/s (traced, each event is \
         fanned out before the next: the count per event, without batching). The load \
         client's CPU shows when the client, not the server, is the limit.\n",
        format_number(subscribers as f64, 0)
    );
    let _ = writeln!(
        md,
        "| peer | deliveries/s at saturation | × axum-sse | × raw | server CPU µs/delivery at saturation | deliveries per CPU-second ÷ axum-sse | at 25 % | at 80 % | write syscalls/delivery | client CPU at saturation | delivered |\n|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for &peer in &peers {
        let s = sat(peer);
        let cpu = |i: usize| {
            over(
                runs,
                peer,
                |r| r.peer,
                |r| r.fanout.get(i).map(|f| f.cpu_us),
            )
        };
        let complete = runs
            .iter()
            .filter(|r| r.peer == peer)
            .flat_map(|r| r.fanout.iter().map(|f| f.completeness))
            .fold(f64::INFINITY, f64::min);
        let _ = writeln!(
            md,
            "| `{peer}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            show(s, 1.0, 0),
            show_ratio(ratio(s, sat(Peer::AxumSse))),
            show_ratio(ratio(s, sat(Peer::Raw))),
            show(cpu(0), 1.0, 2),
            show_ratio(ratio(
                over(
                    runs,
                    Peer::AxumSse,
                    |r| r.peer,
                    |r| r.fanout.first().map(|f| f.cpu_us)
                ),
                cpu(0)
            )),
            show(cpu(1), 1.0, 2),
            show(cpu(3), 1.0, 2),
            show(
                over(runs, peer, |r| r.peer, |r| r.syscalls_per_delivery),
                1.0,
                2
            ),
            show(
                over(
                    runs,
                    peer,
                    |r| r.peer,
                    |r| r.saturation().map(|f| f.client_cpu)
                ),
                100.0,
                0
            ) + " %",
            if complete.is_finite() {
                format!("{:.1} %", complete * 100.0)
            } else {
                "–".into()
            },
        );
    }
    let _ = writeln!(md, "\n![fan-out throughput](docs/bench/fanout.svg)\n");
    charts.push((
        "fanout.svg".into(),
        Bars {
            title: format!(
                "Fan-out at saturation, {} subscribers (median, min–max)",
                format_number(subscribers as f64, 0)
            ),
            unit: "million deliveries per second".into(),
            series: vec![("deliveries/s".into(), PALETTE[0])],
            rows: peers
                .iter()
                .map(|&p| (p.to_string(), vec![sat(p)]))
                .collect(),
            log: false,
            scale: 1e-6,
        }
        .render(),
    ));
    for peer in Peer::HUB {
        if let Some(r) = ratio(sat(peer), sat(Peer::AxumSse)) {
            targets.push((
                format!("fan-out `{peer}` ≥ 1.5× `axum-sse`"),
                format!("{r:.2}×"),
                r >= 1.5,
            ));
        }
        if let Some(r) = ratio(sat(peer), sat(Peer::Raw)) {
            targets.push((
                format!("fan-out `{peer}` ≥ 0.6× `raw`"),
                format!("{r:.2}×"),
                r >= 0.6,
            ));
        }
    }
}

fn latency(
    md: &mut String,
    charts: &mut Vec<(String, String)>,
    runs: &[StreamRun],
    targets: &mut Targets,
) {
    let peers = peers_in(runs, |r| r.peer);
    let rates: Vec<(f64, u64)> = runs
        .iter()
        .max_by_key(|r| r.latency.len())
        .map(|r| r.latency.iter().map(|l| (l.rate, l.events)).collect())
        .unwrap_or_default();
    let subscribers = runs.iter().map(|r| r.subscribers).max().unwrap_or(0);
    let _ = writeln!(
        md,
        "### Publish-to-delivery latency, {} subscribers\n\n\
         Each event carries its due time (open-loop schedule), so a late publisher counts \
         against the server (no coordinated omission). Percentiles over every delivery \
         (HdrHistogram); *last subscriber*: per event, the latency of the last subscriber to \
         get it (median event, worst event). Milliseconds.\n",
        format_number(subscribers as f64, 0)
    );
    for (i, (rate, events)) in rates.iter().enumerate() {
        let point = |p: Peer, f: &dyn Fn(&crate::results::LatencyPoint) -> f64| {
            over(runs, p, |r| r.peer, |r| r.latency.get(i).map(f))
        };
        let _ = writeln!(
            md,
            "#### {rate} events/s ({events} events)\n\n| peer | p50 | p99 | p99.9 | max | last subscriber, median event | last subscriber, worst event | p99 × axum-sse | delivered |\n|---|---|---|---|---|---|---|---|---|"
        );
        for &peer in &peers {
            let p99 = point(peer, &|l| l.latency.p99);
            let _ = writeln!(
                md,
                "| `{peer}` | {} | {} | {} | {} | {} | {} | {} | {} |",
                show(point(peer, &|l| l.latency.p50), 1e-3, 2),
                show(p99, 1e-3, 2),
                show(point(peer, &|l| l.latency.p999), 1e-3, 2),
                show(point(peer, &|l| l.latency.max), 1e-3, 2),
                show(point(peer, &|l| l.last_subscriber.p50), 1e-3, 2),
                show(point(peer, &|l| l.last_subscriber.max), 1e-3, 2),
                show_ratio(ratio(p99, point(Peer::AxumSse, &|l| l.latency.p99))),
                show(point(peer, &|l| l.delivered), 100.0, 1) + " %",
            );
        }
        let _ = writeln!(md);
        for peer in Peer::HUB {
            if let Some(last) = point(peer, &|l| l.last_subscriber.max) {
                targets.push((
                    format!("last subscriber ≤ 75 ms, `{peer}`, {rate} events/s (worst event)"),
                    format!("{:.1} ms", last.median / 1000.0),
                    last.median <= 75_000.0,
                ));
            }
            if let Some(r) = ratio(
                point(peer, &|l| l.latency.p99),
                point(Peer::AxumSse, &|l| l.latency.p99),
            ) {
                targets.push((
                    format!("p99 ≤ 0.5× `axum-sse`, `{peer}`, {rate} events/s"),
                    format!("{r:.2}×"),
                    r <= 0.5,
                ));
            }
        }
    }
    // Chart: the middle rate (10 events/s in the full suite).
    if let Some(i) = (!rates.is_empty()).then(|| rates.len().min(2) - 1) {
        let q = |p: Peer, f: fn(&crate::proto::Percentiles) -> f64| {
            over(
                runs,
                p,
                |r| r.peer,
                |r| r.latency.get(i).map(|l| f(&l.latency)),
            )
        };
        let _ = writeln!(md, "![latency percentiles](docs/bench/latency.svg)\n");
        charts.push((
            "latency.svg".into(),
            Bars {
                title: format!(
                    "Latency at {} events/s, {} subscribers (median, min–max)",
                    rates[i].0,
                    format_number(subscribers as f64, 0)
                ),
                unit: "milliseconds".into(),
                series: vec![
                    ("p50".into(), PALETTE[0]),
                    ("p99".into(), PALETTE[1]),
                    ("p99.9".into(), PALETTE[2]),
                    ("max".into(), PALETTE[3]),
                ],
                rows: peers
                    .iter()
                    .map(|&p| {
                        (
                            p.to_string(),
                            vec![
                                q(p, |l| l.p50),
                                q(p, |l| l.p99),
                                q(p, |l| l.p999),
                                q(p, |l| l.max),
                            ],
                        )
                    })
                    .collect(),
                log: false,
                scale: 1e-3,
            }
            .render(),
        ));
    }
}

fn idle(
    md: &mut String,
    charts: &mut Vec<(String, String)>,
    runs: &[IdleRun],
    targets: &mut Targets,
) {
    let peers = peers_in(runs, |r| r.peer);
    let sizes: Vec<usize> = runs
        .iter()
        .max_by_key(|r| r.points.len())
        .map(|r| r.points.iter().map(|p| p.conns).collect())
        .unwrap_or_default();
    let heap = |p: Peer, i: usize| {
        over(
            runs,
            p,
            |r| r.peer,
            |r| r.points.get(i).map(|x| x.heap_per_conn),
        )
    };
    let rss = |p: Peer, i: usize| {
        over(
            runs,
            p,
            |r| r.peer,
            |r| r.points.get(i).map(|x| x.rss_per_conn),
        )
    };
    let _ = writeln!(
        md,
        "### Memory per idle stream\n\n\
         Streams open and idle (keep-alive set to 15 s where the peer has one); bytes per \
         stream over the same server with none: live heap from a counting global allocator \
         in the server process, and RSS from `/proc/<pid>/status`.\n"
    );
    let header: Vec<String> = sizes.iter().map(|s| format_number(*s as f64, 0)).collect();
    for (name, metric) in [
        (
            "live heap",
            &heap as &dyn Fn(Peer, usize) -> Option<Summary>,
        ),
        ("RSS", &rss),
    ] {
        let _ = writeln!(
            md,
            "| peer | {name}, bytes/stream at {} |\n|---|{}",
            header.join(" | "),
            "---|".repeat(sizes.len())
        );
        for &peer in &peers {
            let cells: Vec<String> = (0..sizes.len())
                .map(|i| show(metric(peer, i), 1.0, 0))
                .collect();
            let _ = writeln!(md, "| `{peer}` | {} |", cells.join(" | "));
        }
        let _ = writeln!(md);
    }
    let at = sizes
        .iter()
        .position(|&s| s >= 10_000)
        .unwrap_or(sizes.len().saturating_sub(1));
    if let Some(&size) = sizes.get(at) {
        let _ = writeln!(md, "![memory per stream](docs/bench/memory.svg)\n");
        charts.push((
            "memory.svg".into(),
            Bars {
                title: format!(
                    "Memory per idle stream at {} streams (median, min–max)",
                    format_number(size as f64, 0)
                ),
                unit: "bytes per stream".into(),
                series: vec![("live heap".into(), PALETTE[0]), ("RSS".into(), PALETTE[1])],
                rows: peers
                    .iter()
                    .map(|&p| (p.to_string(), vec![heap(p, at), rss(p, at)]))
                    .collect(),
                log: false,
                scale: 1.0,
            }
            .render(),
        ));
        let hyper = heap(Peer::Hyper, at);
        for (ours, plain) in [
            (Peer::OursAxumHub, Peer::OursAxum),
            (Peer::OursActixHub, Peer::OursActix),
            (Peer::OursWarpHub, Peer::OursWarp),
        ] {
            if let (Some(o), Some(h)) = (heap(ours, at), hyper) {
                let extra = o.median - h.median;
                targets.push((
                    format!(
                        "heap ≤ `hyper` + 1 KiB per stream, `{ours}`, {} streams",
                        format_number(size as f64, 0)
                    ),
                    format!("+{extra:.0} B"),
                    extra <= 1024.0,
                ));
            }
            let hub = over(runs, ours, |r| r.peer, |r| r.hub_bytes.map(|b| b as f64));
            if let Some(hub) = hub {
                let difference = match (heap(ours, at), heap(plain, at)) {
                    (Some(o), Some(p)) => format!(
                        "; heap of `{ours}` − `{plain}` (hub subscription instead of a broadcast receiver): {:+.0} B",
                        o.median - p.median
                    ),
                    _ => String::new(),
                };
                targets.push((
                    format!("hub state ≤ 1 KiB per subscriber, `{ours}`"),
                    format!("{:.0} B (`Subscription::memory`){difference}", hub.median),
                    hub.median <= 1024.0,
                ));
            }
        }
    }
}

fn reconnect(md: &mut String, runs: &[ReconnectRun], targets: &mut Targets) {
    let peers = peers_in(runs, |r| r.peer);
    let modes: Vec<String> = runs
        .iter()
        .max_by_key(|r| r.waves.len())
        .map(|r| r.waves.iter().map(|w| w.mode.clone()).collect())
        .unwrap_or_default();
    let clients = runs.iter().map(|r| r.clients).max().unwrap_or(0);
    let wave = |p: Peer, mode: &str| {
        over(
            runs,
            p,
            |r| r.peer,
            |r| {
                r.waves
                    .iter()
                    .find(|w| w.mode == mode)
                    .and_then(|w| w.caught_up_ms)
            },
        )
    };
    let _ = writeln!(
        md,
        "### Reconnect storm, {} clients\n\n\
         Every client closes its stream; K events are published; every client reconnects at \
         once (at most 1024 handshakes in flight) with its `Last-Event-ID`, or without one \
         (`plain`, nothing missed). Milliseconds until every client has every event it \
         missed (for `plain` and K=0: its response head).\n",
        format_number(clients as f64, 0)
    );
    let _ = writeln!(
        md,
        "| peer | {} | K=10 ÷ plain | failed connections | listen overflows |\n|---|{}---|---|---|",
        modes.join(" | "),
        "---|".repeat(modes.len())
    );
    for &peer in &peers {
        let cells: Vec<String> = modes.iter().map(|m| show(wave(peer, m), 1.0, 0)).collect();
        let mine = runs
            .iter()
            .filter(|r| r.peer == peer)
            .flat_map(|r| r.waves.iter());
        let (failed, overflows) =
            mine.fold((0, 0), |(f, o), w| (f + w.failed, o + w.listen_overflows));
        let r = ratio(wave(peer, "K=10"), wave(peer, "plain"));
        let _ = writeln!(
            md,
            "| `{peer}` | {} | {} | {failed} | {overflows} |",
            cells.join(" | "),
            show_ratio(r)
        );
        if let Some(r) = r {
            targets.push((
                format!("reconnect K=10 ≤ 1.1× plain, `{peer}`"),
                format!("{r:.2}×"),
                r <= 1.1,
            ));
        }
        targets.push((
            format!("zero listen overflows in the storm, `{peer}`"),
            overflows.to_string(),
            overflows == 0,
        ));
    }
    let _ = writeln!(md);
}

fn slow(md: &mut String, runs: &[SlowRun], targets: &mut Targets) {
    let peers = peers_in(runs, |r| r.peer);
    let Some(first) = runs.first() else { return };
    let _ = writeln!(
        md,
        "### Slow consumers: {} of {} subscribers stop reading\n\n\
         The slow subscribers have a 4 KiB receive buffer and stop reading after a warm-up \
         and a baseline phase; then two phases of the same publishing ({} events of {} B at \
         {} events/s each). Healthy subscribers' p99 latency (ms), and the server's live heap \
         and RSS at the end of each phase (MiB).\n",
        first.slow, first.subscribers, first.events, first.size, first.rate
    );
    let _ = writeln!(
        md,
        "| peer | p99 baseline | p99 slow phase 1 | p99 slow phase 2 | worst ÷ baseline | heap: baseline / slow 1 / slow 2 | RSS: baseline / slow 1 / slow 2 | streams open at end | healthy delivered |\n|---|---|---|---|---|---|---|---|---|"
    );
    let mib = |b: f64| format!("{:.1}", b / f64::from(1 << 20));
    for &peer in &peers {
        let base = over(runs, peer, |r| r.peer, |r| Some(r.baseline.p99));
        let phase = |i: usize| {
            over(
                runs,
                peer,
                |r| r.peer,
                |r| r.with_slow.get(i).map(|p| p.p99),
            )
        };
        let worst = over(
            runs,
            peer,
            |r| r.peer,
            |r| {
                let worst = r.with_slow.iter().map(|p| p.p99).fold(0.0, f64::max);
                (r.baseline.p99 > 0.0).then(|| worst / r.baseline.p99)
            },
        );
        let series = |f: &dyn Fn(&SlowRun, usize) -> Option<f64>| {
            (0..3)
                .map(|i| {
                    over(runs, peer, |r| r.peer, |r| f(r, i)).map_or("–".into(), |s| mib(s.median))
                })
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let heap = series(&|r, i| r.heap.get(i).map(|&h| h as f64));
        let rss = series(&|r, i| r.rss.get(i).map(|&h| h as f64));
        let open = over(runs, peer, |r| r.peer, |r| Some(r.open_at_end as f64));
        let delivered = over(runs, peer, |r| r.peer, |r| Some(r.healthy_delivered));
        let _ = writeln!(
            md,
            "| `{peer}` | {} | {} | {} | {} | {heap} | {rss} | {} | {} |",
            show(base, 1e-3, 2),
            show(phase(0), 1e-3, 2),
            show(phase(1), 1e-3, 2),
            show(worst, 1.0, 2) + "×",
            show(open, 1.0, 0),
            show(delivered, 100.0, 1) + " %",
        );
        if peer.uses_hub() {
            if let Some(w) = worst {
                targets.push((
                    format!("slow consumers: healthy p99 ≤ 1.2× baseline, `{peer}`"),
                    format!("{:.2}×", w.median),
                    w.median <= 1.2,
                ));
            }
            let growth = runs.iter().filter(|r| r.peer == peer).map(|r| {
                let h = |i: usize| r.heap.get(i).copied().unwrap_or(0) as f64;
                h(2) - h(1)
            });
            if let Some(g) = Summary::of(growth) {
                targets.push((
                    format!("slow consumers: memory bounded (heap growth from slow phase 1 to 2 ≤ 1 MiB), `{peer}`"),
                    format!("{:+.2} MiB", g.median / f64::from(1 << 20)),
                    g.median <= f64::from(1 << 20),
                ));
            }
        }
    }
    let _ = writeln!(md);
}
