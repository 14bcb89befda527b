//! The report of one suite run: an introduction, then each benchmark described as a
//! [`Table`] (and a [`Bars`] chart), then the targets.

use std::fmt::Write as _;

use super::chart::Bars;
use super::summary::{Summary, format_number};
use super::table::{Format, Runs, Table, Target};
use crate::peer::Peer;
use crate::proto::Percentiles;
use crate::results::{IdleRun, LatencyPoint, ReconnectRun, Results, SlowRun, StreamRun};

/// The report: Markdown, and the charts by file name.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The generated part of `BENCHMARKS.md`.
    pub markdown: String,
    /// `(file name, chart)` for `docs/bench/`.
    pub charts: Vec<(String, Bars)>,
}

/// Renders every part of `results` that has runs.
#[must_use]
pub fn render(results: &Results) -> Rendered {
    let mut out = Rendered::default();
    introduction(&mut out.markdown, results);
    let mut targets = Vec::new();
    if !results.streams.is_empty() {
        fanout(&mut out, &results.streams, &mut targets);
        latency(&mut out, &results.streams, &mut targets);
    }
    if !results.idle.is_empty() {
        idle(&mut out, &results.idle, &mut targets);
    }
    if !results.reconnect.is_empty() {
        reconnect(&mut out.markdown, &results.reconnect, &mut targets);
    }
    if !results.slow.is_empty() {
        slow(&mut out.markdown, &results.slow, &mut targets);
    }
    if !targets.is_empty() {
        let md = &mut out.markdown;
        let _ = writeln!(md, "### Targets\n\n| target | measured | |\n|---|---|---|");
        for t in &targets {
            let met = if t.met { "**met**" } else { "**missed**" };
            let _ = writeln!(md, "| {} | {} | {met} |", t.what, t.measured);
        }
        let _ = writeln!(md);
    }
    out
}

fn introduction(md: &mut String, results: &Results) {
    let _ = writeln!(md, "## Server benchmarks: results of the last run\n");
    let load: Vec<String> = results
        .run
        .load
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|(a, b, c)| format!("{a:.2} {b:.2} {c:.2}"))
                .collect::<Vec<_>>()
                .join(" → ")
        })
        .collect();
    let _ = writeln!(
        md,
        "Measured {} on {} at commit `{}`, with `{}` ({:.0} s). Load average (1, 5, 15 min) before → after: {}.\n",
        results.run.date,
        results.run.machine,
        results.run.commit,
        results.run.command,
        results.run.seconds,
        load.join("; ")
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
}

/// `n` with thousands separators.
fn count(n: usize) -> String {
    format_number(n as f64, 0)
}

/// The values of `summary(peer)` for each peer of `runs`, a chart row each.
fn chart_rows<R>(
    runs: &Runs<'_, R>,
    values: impl Fn(Peer) -> Vec<Option<Summary>>,
) -> Vec<(String, Vec<Option<Summary>>)> {
    runs.peers()
        .into_iter()
        .map(|p| (p.to_string(), values(p)))
        .collect()
}

fn fanout(out: &mut Rendered, all: &[StreamRun], targets: &mut Vec<Target>) {
    let runs = Runs::new(all, |r| r.peer);
    let subscribers = count(all.iter().map(|r| r.subscribers).max().unwrap_or(0));
    let sat = |r: &StreamRun| r.saturation().map(|s| s.delivered);
    let cpu = |i: usize| move |r: &StreamRun| r.fanout.get(i).map(|f| f.cpu_us);
    let md = &mut out.markdown;
    let _ = writeln!(
        md,
        "### Fan-out: 1 publisher, {subscribers} subscribers\n\n\
         Saturation: a burst of events offered far above capacity (open loop); deliveries per \
         second from the first event's due time to the last arrival. Then 25 %, 50 % and 80 % \
         of that rate. Server CPU from `/proc/<pid>/stat` (utime+stime) over the step; write \
         system calls (write, writev, sendto, sendmsg) counted by `strace -c -f` attached to \
         every server thread while 3 events go out at 2 events/s (traced, each event is \
         fanned out before the next: the count per event, without batching). The load \
         client's CPU shows when the client, not the server, is the limit.\n"
    );
    Table::new(runs)
        .value("deliveries/s at saturation", Format::digits(0), sat)
        .ratio("× axum-sse", move |runs, p| {
            runs.ratio(p, Peer::AxumSse, sat)
        })
        .ratio("× raw", move |runs, p| runs.ratio(p, Peer::Raw, sat))
        .value(
            "server CPU µs/delivery at saturation",
            Format::digits(2),
            cpu(0),
        )
        .ratio(
            "deliveries per CPU-second ÷ axum-sse",
            move |runs, peer| runs.ratio(Peer::AxumSse, peer, cpu(0)),
        )
        .value("at 25 %", Format::digits(2), cpu(1))
        .value("at 80 %", Format::digits(2), cpu(3))
        .value("write syscalls/delivery", Format::digits(2), |r| {
            r.syscalls_per_delivery
        })
        .value(
            "client CPU at saturation",
            Format::scaled(100.0, 0).then(" %"),
            |r| r.saturation().map(|f| f.client_cpu),
        )
        .column("delivered", |runs, peer| {
            let fewest = runs
                .of(peer)
                .flat_map(|r| r.fanout.iter().map(|f| f.completeness))
                .fold(f64::INFINITY, f64::min);
            if fewest.is_finite() {
                format!("{:.1} %", fewest * 100.0)
            } else {
                "–".into()
            }
        })
        .targets(move |runs, peer| {
            if peer == Peer::OursAxumHubMetrics {
                // What the hub's metrics cost: CPU per delivery against the same peer
                // without them, and throughput.
                return [
                    Target::at_most(
                        format!(
                            "metrics: `{peer}` server CPU per delivery ≤ 1.05× `ours-axum-hub`"
                        ),
                        runs.ratio(peer, Peer::OursAxumHub, cpu(0)),
                        1.05,
                    ),
                    Target::at_least(
                        format!("metrics: `{peer}` fan-out ≥ 0.95× `ours-axum-hub`"),
                        runs.ratio(peer, Peer::OursAxumHub, sat),
                        0.95,
                    ),
                ]
                .into_iter()
                .flatten()
                .collect();
            }
            if !peer.uses_hub() {
                return Vec::new();
            }
            [
                Target::at_least(
                    format!("fan-out `{peer}` ≥ 1.5× `axum-sse`"),
                    runs.ratio(peer, Peer::AxumSse, sat),
                    1.5,
                ),
                Target::at_least(
                    format!("fan-out `{peer}` ≥ 0.6× `raw`"),
                    runs.ratio(peer, Peer::Raw, sat),
                    0.6,
                ),
            ]
            .into_iter()
            .flatten()
            .collect()
        })
        .render(md, targets);
    let _ = writeln!(md, "![fan-out throughput](docs/bench/fanout.svg)\n");
    out.charts.push((
        "fanout.svg".into(),
        Bars {
            title: format!("Fan-out at saturation, {subscribers} subscribers (median, min–max)"),
            unit: "million deliveries per second".into(),
            series: vec!["deliveries/s".into()],
            rows: chart_rows(&runs, |p| vec![runs.summary(p, sat)]),
            scale: 1e-6,
        },
    ));
}

fn latency(out: &mut Rendered, all: &[StreamRun], targets: &mut Vec<Target>) {
    let runs = Runs::new(all, |r| r.peer);
    let rates: Vec<(f64, u64)> = all
        .iter()
        .max_by_key(|r| r.latency.len())
        .map(|r| r.latency.iter().map(|l| (l.rate, l.events)).collect())
        .unwrap_or_default();
    let subscribers = count(all.iter().map(|r| r.subscribers).max().unwrap_or(0));
    let md = &mut out.markdown;
    let _ = writeln!(
        md,
        "### Publish-to-delivery latency, {subscribers} subscribers\n\n\
         Each event carries its due time (open-loop schedule), so a late publisher counts \
         against the server (no coordinated omission). Percentiles over every delivery \
         (HdrHistogram); *last subscriber*: per event, the latency of the last subscriber to \
         get it (median event, worst event). Milliseconds.\n"
    );
    let ms = Format::scaled(1e-3, 2);
    // The metric `f` of the latency point at rate number `i`.
    let at = |i: usize, f: fn(&LatencyPoint) -> f64| move |r: &StreamRun| r.latency.get(i).map(f);
    for (i, (rate, events)) in rates.iter().enumerate() {
        let rate = *rate;
        let p99 = at(i, |l| l.latency.p99);
        let worst_last = at(i, |l| l.last_subscriber.max);
        let _ = writeln!(md, "#### {rate} events/s ({events} events)\n");
        Table::new(runs)
            .value("p50", ms, at(i, |l| l.latency.p50))
            .value("p99", ms, p99)
            .value("p99.9", ms, at(i, |l| l.latency.p999))
            .value("max", ms, at(i, |l| l.latency.max))
            .value(
                "last subscriber, median event",
                ms,
                at(i, |l| l.last_subscriber.p50),
            )
            .value("last subscriber, worst event", ms, worst_last)
            .ratio("p99 × axum-sse", move |runs, p| {
                runs.ratio(p, Peer::AxumSse, p99)
            })
            .value(
                "delivered",
                Format::scaled(100.0, 1).then(" %"),
                at(i, |l| l.delivered),
            )
            .targets(move |runs, peer| {
                if !peer.uses_hub() {
                    return Vec::new();
                }
                let last = runs.summary(peer, worst_last).map(|last| {
                    Target::new(
                        format!("last subscriber ≤ 75 ms, `{peer}`, {rate} events/s (worst event)"),
                        format!("{:.1} ms", last.median / 1000.0),
                        last.median <= 75_000.0,
                    )
                });
                let p99 = Target::at_most(
                    format!("p99 ≤ 0.5× `axum-sse`, `{peer}`, {rate} events/s"),
                    runs.ratio(peer, Peer::AxumSse, p99),
                    0.5,
                );
                [last, p99].into_iter().flatten().collect()
            })
            .render(md, targets);
    }
    // Chart: the middle rate (10 events/s in the full suite).
    let Some(i) = (!rates.is_empty()).then(|| rates.len().min(2) - 1) else {
        return;
    };
    let _ = writeln!(md, "![latency percentiles](docs/bench/latency.svg)\n");
    let percentiles: [fn(&Percentiles) -> f64; 4] = [|l| l.p50, |l| l.p99, |l| l.p999, |l| l.max];
    out.charts.push((
        "latency.svg".into(),
        Bars {
            title: format!(
                "Latency at {} events/s, {subscribers} subscribers (median, min–max)",
                rates[i].0
            ),
            unit: "milliseconds".into(),
            series: ["p50", "p99", "p99.9", "max"].map(String::from).to_vec(),
            rows: chart_rows(&runs, |p| {
                percentiles
                    .iter()
                    .map(|q| runs.summary(p, |r| r.latency.get(i).map(|l| q(&l.latency))))
                    .collect()
            }),
            scale: 1e-3,
        },
    ));
}

fn idle(out: &mut Rendered, all: &[IdleRun], targets: &mut Vec<Target>) {
    let runs = Runs::new(all, |r| r.peer);
    let sizes: Vec<usize> = all
        .iter()
        .max_by_key(|r| r.points.len())
        .map(|r| r.points.iter().map(|p| p.conns).collect())
        .unwrap_or_default();
    let heap = |i: usize| move |r: &IdleRun| r.points.get(i).map(|x| x.heap_per_conn);
    let rss = |i: usize| move |r: &IdleRun| r.points.get(i).map(|x| x.rss_per_conn);
    let md = &mut out.markdown;
    let _ = writeln!(
        md,
        "### Memory per idle stream\n\n\
         Streams open and idle (keep-alive set to 15 s where the peer has one); bytes per \
         stream over the same server with none: live heap from a counting global allocator \
         in the server process, and RSS from `/proc/<pid>/status`.\n"
    );
    // The size the targets and the chart look at: 10,000 streams, or the largest.
    let at = sizes
        .iter()
        .position(|&s| s >= 10_000)
        .unwrap_or(sizes.len().saturating_sub(1));
    let mut heap_table = Table::new(runs);
    let mut rss_table = Table::new(runs);
    for (i, &size) in sizes.iter().enumerate() {
        let (heap_header, rss_header) = if i == 0 {
            (
                format!("live heap, bytes/stream at {}", count(size)),
                format!("RSS, bytes/stream at {}", count(size)),
            )
        } else {
            (count(size), count(size))
        };
        heap_table = heap_table.value(heap_header, Format::digits(0), heap(i));
        rss_table = rss_table.value(rss_header, Format::digits(0), rss(i));
    }
    if let Some(&size) = sizes.get(at) {
        heap_table = heap_table.targets(move |runs, peer| idle_targets(runs, peer, at, size));
    }
    heap_table.render(md, targets);
    rss_table.render(md, targets);
    let Some(&size) = sizes.get(at) else { return };
    let _ = writeln!(md, "![memory per stream](docs/bench/memory.svg)\n");
    out.charts.push((
        "memory.svg".into(),
        Bars {
            title: format!(
                "Memory per idle stream at {} streams (median, min–max)",
                count(size)
            ),
            unit: "bytes per stream".into(),
            series: vec!["live heap".into(), "RSS".into()],
            rows: chart_rows(&runs, |p| {
                vec![runs.summary(p, heap(at)), runs.summary(p, rss(at))]
            }),
            scale: 1.0,
        },
    ));
}

/// The memory targets of a hub peer at the size numbered `at` (`size` streams).
fn idle_targets(runs: &Runs<'_, IdleRun>, ours: Peer, at: usize, size: usize) -> Vec<Target> {
    // The same responder over a broadcast, served the same way, for the hub's share.
    let plain = match ours {
        Peer::OursAxumHub => Some(Peer::OursAxum),
        Peer::OursActixHub => Some(Peer::OursActix),
        Peer::OursWarpHub => Some(Peer::OursWarp),
        Peer::OursAxumHubHttp1 => None,
        _ => return Vec::new(),
    };
    let heap = |peer| runs.summary(peer, |r| r.points.get(at).map(|x| x.heap_per_conn));
    let mut targets = Vec::new();
    if let (Some(o), Some(h)) = (heap(ours), heap(Peer::Hyper)) {
        let extra = o.median - h.median;
        targets.push(Target::new(
            format!(
                "heap ≤ `hyper` + 1 KiB per stream, `{ours}`, {} streams",
                count(size)
            ),
            format!("+{extra:.0} B"),
            extra <= 1024.0,
        ));
    }
    if let Some(hub) = runs.summary(ours, |r| r.hub_bytes.map(|b| b as f64)) {
        let difference = match (heap(ours), plain.and_then(heap)) {
            (Some(o), Some(p)) => format!(
                "; heap of `{ours}` − `{}` (hub subscription instead of a broadcast receiver): {:+.0} B",
                plain.map_or("", Peer::name),
                o.median - p.median
            ),
            _ => String::new(),
        };
        targets.push(Target::new(
            format!("hub state ≤ 1 KiB per subscriber, `{ours}`"),
            format!("{:.0} B (`Subscription::memory`){difference}", hub.median),
            hub.median <= 1024.0,
        ));
    }
    targets
}

fn reconnect(md: &mut String, all: &[ReconnectRun], targets: &mut Vec<Target>) {
    let runs = Runs::new(all, |r| r.peer);
    let modes: Vec<String> = all
        .iter()
        .max_by_key(|r| r.waves.len())
        .map(|r| r.waves.iter().map(|w| w.mode.clone()).collect())
        .unwrap_or_default();
    let clients = all.iter().map(|r| r.clients).max().unwrap_or(0);
    let _ = writeln!(
        md,
        "### Reconnect storm, {} clients\n\n\
         Every client closes its stream; K events are published; every client reconnects at \
         once (at most 1024 handshakes in flight) with its `Last-Event-ID`, or without one \
         (`plain`, nothing missed). Milliseconds until every client has every event it \
         missed (for `plain` and K=0: its response head).\n",
        count(clients)
    );
    let wave = |mode: &str| {
        let mode = mode.to_owned();
        move |r: &ReconnectRun| {
            r.waves
                .iter()
                .find(|w| w.mode == mode)
                .and_then(|w| w.caught_up_ms)
        }
    };
    let overflows = |runs: &Runs<'_, ReconnectRun>, peer| -> u64 {
        runs.of(peer)
            .flat_map(|r| &r.waves)
            .map(|w| w.listen_overflows)
            .sum()
    };
    let mut table = Table::new(runs);
    for mode in &modes {
        table = table.value(mode.as_str(), Format::digits(0), wave(mode));
    }
    table
        .ratio("K=10 ÷ plain", move |runs, peer| {
            runs.ratio_within(peer, wave("K=10"), wave("plain"))
        })
        .column("failed connections", |runs, peer| {
            let failed: usize = runs.of(peer).flat_map(|r| &r.waves).map(|w| w.failed).sum();
            failed.to_string()
        })
        .column("listen overflows", move |runs, peer| {
            overflows(runs, peer).to_string()
        })
        .targets(move |runs, peer| {
            let resumed = runs.ratio_within(peer, wave("K=10"), wave("plain"));
            let overflows = overflows(runs, peer);
            Target::at_most(
                format!("reconnect K=10 ≤ 1.1× plain, `{peer}`"),
                resumed,
                1.1,
            )
            .into_iter()
            .chain([Target::new(
                format!("zero listen overflows in the storm, `{peer}`"),
                overflows.to_string(),
                overflows == 0,
            )])
            .collect()
        })
        .render(md, targets);
}

fn slow(md: &mut String, all: &[SlowRun], targets: &mut Vec<Target>) {
    let runs = Runs::new(all, |r| r.peer);
    let Some(first) = all.first() else { return };
    let _ = writeln!(
        md,
        "### Slow consumers: {} of {} subscribers stop reading\n\n\
         The slow subscribers have a 4 KiB receive buffer and stop reading after a warm-up \
         and a baseline phase; then two phases of the same publishing ({} events of {} B at \
         {} events/s each). Healthy subscribers' p99 latency (ms), and the server's live heap \
         and RSS at the end of each phase (MiB).\n",
        first.slow, first.subscribers, first.events, first.size, first.rate
    );
    let ms = Format::scaled(1e-3, 2);
    let worst = |r: &SlowRun| {
        let worst = r.with_slow.iter().map(|p| p.p99).fold(0.0, f64::max);
        (r.baseline.p99 > 0.0).then(|| worst / r.baseline.p99)
    };
    // The medians of three phases' figures, in MiB: `1.0 / 1.2 / 1.3`.
    let phases = |f: fn(&SlowRun, usize) -> Option<f64>| {
        move |runs: &Runs<'_, SlowRun>, peer| {
            (0..3)
                .map(|i| {
                    runs.summary(peer, |r| f(r, i)).map_or("–".into(), |s| {
                        format!("{:.1}", s.median / f64::from(1 << 20))
                    })
                })
                .collect::<Vec<_>>()
                .join(" / ")
        }
    };
    Table::new(runs)
        .value("p99 baseline", ms, |r| Some(r.baseline.p99))
        .value("p99 slow phase 1", ms, |r| r.with_slow.first().map(|p| p.p99))
        .value("p99 slow phase 2", ms, |r| r.with_slow.get(1).map(|p| p.p99))
        .value("worst ÷ baseline", Format::digits(2).then("×"), worst)
        .column(
            "heap: baseline / slow 1 / slow 2",
            phases(|r, i| r.heap.get(i).map(|&h| h as f64)),
        )
        .column(
            "RSS: baseline / slow 1 / slow 2",
            phases(|r, i| r.rss.get(i).map(|&h| h as f64)),
        )
        .value("streams open at end", Format::digits(0), |r| {
            Some(r.open_at_end as f64)
        })
        .value(
            "healthy delivered",
            Format::scaled(100.0, 1).then(" %"),
            |r| Some(r.healthy_delivered),
        )
        .targets(move |runs, peer| {
            if !peer.uses_hub() {
                return Vec::new();
            }
            let worst = runs.summary(peer, worst).map(|w| w.median);
            let growth = Summary::of(runs.of(peer).map(|r| {
                let h = |i: usize| r.heap.get(i).copied().unwrap_or(0) as f64;
                h(2) - h(1)
            }));
            let memory = growth.map(|g| {
                Target::new(
                    format!("slow consumers: memory bounded (heap growth from slow phase 1 to 2 ≤ 1 MiB), `{peer}`"),
                    format!("{:+.2} MiB", g.median / f64::from(1 << 20)),
                    g.median <= f64::from(1 << 20),
                )
            });
            Target::at_most(
                format!("slow consumers: healthy p99 ≤ 1.2× baseline, `{peer}`"),
                worst,
                1.2,
            )
            .into_iter()
            .chain(memory)
            .collect()
        })
        .render(md, targets);
}
