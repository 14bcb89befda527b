//! Latency and fan-out, in one session per peer (the subscribers connect once).

use std::io;
use std::time::{Duration, Instant};

use super::{DriverOptions, Session, strace};
use crate::proto::{ClientCommand, LoadReport};
use crate::results::{FanoutPoint, LatencyPoint, StreamRun};
use crate::sys::ListenCounters;

/// What a streaming run does.
#[derive(Debug, Clone)]
pub struct StreamPlan {
    /// Subscribers.
    pub subscribers: usize,
    /// Latency phases: (events per second, events).
    pub latency: Vec<(f64, u64)>,
    /// The saturation burst: (events per second offered, events).
    pub burst: (f64, u64),
    /// Further fan-out points, as fractions of the measured saturation throughput.
    pub curve: Vec<f64>,
    /// Seconds each further point lasts.
    pub step_seconds: f64,
    /// Bytes of data per event.
    pub size: usize,
    /// Count write system calls with strace: (events per second, events).
    pub strace: Option<(f64, u64)>,
}

/// Runs the plan on a fresh session.
pub(crate) fn run(
    session: &mut Session,
    plan: &StreamPlan,
    rep: usize,
    options: &DriverOptions,
) -> io::Result<StreamRun> {
    let before = ListenCounters::read().unwrap_or_default();
    let start = Instant::now();
    let open = session.connect(plan.subscribers, None)?;
    let connect_ms = start.elapsed().as_secs_f64() * 1000.0;
    session.wait_server_streams_at_least(open as u64, Duration::from_secs(10))?;

    // Warm up: every stream's first events (first-touch allocations, caches).
    publish_and_wait(session, 50.0, 5, plan.size)?;
    let phase = Instant::now();
    let mut latency = Vec::new();
    for &(rate, events) in &plan.latency {
        let report = publish_and_wait(session, rate, events, plan.size)?;
        latency.push(LatencyPoint {
            rate,
            events,
            latency: report.latency,
            last_subscriber: report.last_subscriber,
            delivered: ratio(report.events, events * report.healthy as u64),
        });
    }

    let latency_s = phase.elapsed().as_secs_f64();
    let phase = Instant::now();
    let mut fanout = Vec::new();
    let saturation = measure(session, plan.burst.0, plan.burst.1, plan.size)?;
    let capacity_events = saturation.delivered / plan.subscribers.max(1) as f64;
    fanout.push(saturation);
    for &fraction in &plan.curve {
        let rate = (capacity_events * fraction).max(1.0);
        let events = ((rate * plan.step_seconds).round() as u64).max(5);
        fanout.push(measure(session, rate, events, plan.size)?);
    }

    let fanout_s = phase.elapsed().as_secs_f64();
    let phase = Instant::now();
    let syscalls_per_delivery = match plan.strace {
        Some((rate, events)) if strace::available() => {
            match strace::writes_per_delivery(session, rate, events, plan.size) {
                Ok(n) => Some(n),
                Err(e) => {
                    options.note(&format!("strace on {}: {e}", session.peer()));
                    None
                }
            }
        }
        _ => None,
    };
    options.note(&format!(
        "  {}: connect {:.1} s, latency {latency_s:.1} s, fan-out {fanout_s:.1} s, strace {:.1} s",
        session.peer(),
        connect_ms / 1000.0,
        phase.elapsed().as_secs_f64()
    ));
    let after = ListenCounters::read().unwrap_or_default();
    Ok(StreamRun {
        peer: session.peer(),
        rep,
        subscribers: open,
        connect_ms,
        latency,
        fanout,
        syscalls_per_delivery,
        listen_overflows: after.since(before).overflows,
    })
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Resets the client's counters, publishes `events` at `rate`, waits until every
/// healthy subscriber has them (or a generous limit, longer for a wrapped server), and
/// reports.
pub(super) fn publish_and_wait(
    session: &mut Session,
    rate: f64,
    events: u64,
    size: usize,
) -> io::Result<LoadReport> {
    session.report(&ClientCommand::Reset)?;
    session.publish(rate, events, size)?;
    let limit =
        Duration::from_secs_f64(events as f64 / rate) + session.patience(Duration::from_secs(30));
    session.report(&ClientCommand::Wait {
        per_conn: events,
        timeout_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
    })
}

/// One fan-out point: deliveries per second from the first due time to the last
/// arrival, and CPU time per delivery.
fn measure(session: &mut Session, rate: f64, events: u64, size: usize) -> io::Result<FanoutPoint> {
    let server_before = session.server_usage()?;
    let client_before = session.client_usage()?;
    session.report(&ClientCommand::Reset)?;
    let published = session.publish(rate, events, size)?;
    let limit = Duration::from_secs_f64(events as f64 / rate) + Duration::from_secs(30);
    let report = session.report(&ClientCommand::Wait {
        per_conn: events,
        timeout_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
    })?;
    let server_after = session.server_usage()?;
    let client_after = session.client_usage()?;
    let span = report.last_ns.saturating_sub(published.start_ns).max(1) as f64 / 1e9;
    let deliveries = report.events.max(1) as f64;
    let subscribers = report.healthy.max(1) as f64;
    Ok(FanoutPoint {
        offered_events: rate,
        offered: rate * subscribers,
        delivered: report.events as f64 / span,
        cpu_us: server_after.cpu_ns.saturating_sub(server_before.cpu_ns) as f64
            / 1000.0
            / deliveries,
        client_cpu: client_after.cpu_ns.saturating_sub(client_before.cpu_ns) as f64 / 1e9 / span,
        completeness: report.events as f64 / (published.count as f64 * subscribers),
    })
}
