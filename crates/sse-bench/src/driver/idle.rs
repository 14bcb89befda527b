//! Memory per idle stream: RSS and live heap of the server with 0, then N streams open.

use std::io;
use std::time::Duration;

use super::Session;
use crate::results::{IdlePoint, IdleRun};
use crate::sys::ListenCounters;

/// Opens streams up to each of `sizes` (cumulative) and measures the server after each.
pub(crate) fn run(session: &mut Session, sizes: &[usize], rep: usize) -> io::Result<IdleRun> {
    let before = ListenCounters::read().unwrap_or_default();
    std::thread::sleep(Duration::from_millis(200));
    let (heap0, _) = session.server_stats()?;
    let rss0 = session.server_usage()?.rss;
    let mut open = 0;
    let mut points = Vec::new();
    for &size in sizes {
        if size > open {
            open = session.connect(size - open, None)?;
        }
        session.wait_server_streams_at_least(open as u64, Duration::from_secs(10))?;
        // Let allocations made while connecting settle (buffers shrink after the head).
        std::thread::sleep(Duration::from_millis(300));
        let (heap, _) = session.server_stats()?;
        let rss = session.server_usage()?.rss;
        let n = open.max(1) as f64;
        points.push(IdlePoint {
            conns: open,
            heap_per_conn: (heap - heap0) as f64 / n,
            rss_per_conn: rss.saturating_sub(rss0) as f64 / n,
        });
    }
    let after = ListenCounters::read().unwrap_or_default();
    Ok(IdleRun {
        peer: session.peer(),
        rep,
        points,
        hub_bytes: session.hub_bytes()?,
        listen_overflows: after.since(before).overflows,
    })
}
