//! Slow consumers: some subscribers stop reading; the healthy ones' latency and the
//! server's memory, against a baseline phase in the same session.

use std::io;
use std::time::Duration;

use super::Session;
use super::stream::publish_and_wait;
use crate::proto::ClientCommand;
use crate::results::SlowRun;

/// What a slow-consumer run does.
#[derive(Debug, Clone)]
pub struct SlowPlan {
    /// Subscribers.
    pub subscribers: usize,
    /// Every `k`-th subscriber stops reading (20: 5 %).
    pub slow_every: usize,
    /// Events per second.
    pub rate: f64,
    /// Events per phase.
    pub events: u64,
    /// Bytes of data per event.
    pub size: usize,
}

/// Baseline phase, then the slow subscribers stop reading, then two phases.
pub(crate) fn run(session: &mut Session, plan: &SlowPlan, rep: usize) -> io::Result<SlowRun> {
    let open = session.connect(plan.subscribers, Some(plan.slow_every))?;
    session.wait_server_streams_at_least(open as u64, Duration::from_secs(10))?;
    let slow = plan.subscribers.div_ceil(plan.slow_every.max(1));
    let mut heap = Vec::new();
    let mut rss = Vec::new();
    let mut measure = |session: &mut Session| -> io::Result<()> {
        heap.push(session.server_stats()?.0);
        rss.push(session.server_usage()?.rss);
        Ok(())
    };

    // Warm up (first-touch allocations, caches) so that the baseline is steady.
    publish_and_wait(session, plan.rate * 2.0, plan.events / 2, plan.size)?;
    let baseline = publish_and_wait(session, plan.rate, plan.events, plan.size)?;
    measure(session)?;
    session.report(&ClientCommand::StopReading)?;
    let mut with_slow = Vec::new();
    let mut received = 0;
    let mut expected = 0;
    for _ in 0..2 {
        let report = publish_and_wait(session, plan.rate, plan.events, plan.size)?;
        measure(session)?;
        with_slow.push(report.latency);
        // Healthy streams only (the slow ones' events are not latencies).
        received += report.latency.count;
        expected += plan.events * report.healthy as u64;
    }
    let (_, open_at_end) = session.server_stats()?;
    Ok(SlowRun {
        peer: session.peer(),
        rep,
        subscribers: open,
        slow,
        events: plan.events,
        size: plan.size,
        rate: plan.rate,
        baseline: baseline.latency,
        with_slow,
        heap,
        rss,
        open_at_end,
        healthy_delivered: if expected == 0 {
            0.0
        } else {
            received as f64 / expected as f64
        },
    })
}
