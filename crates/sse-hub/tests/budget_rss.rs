//! The memory budget bounds the process, not just the hub's own count: publishing far
//! more than the budget (1 MiB events over 1,000 topics) keeps the peak RSS of this
//! process (this file is its own test binary, with this one test) under the budget plus
//! 64 MiB. Linux only (it reads `/proc/self/status`).

#![cfg(target_os = "linux")]

mod common;

use common::{last, topic};
use sse_core::Event;
use sse_hub::{Hub, ResetReason, Start};

const MIB: usize = 1 << 20;
/// The figure is 2 GiB over a 256 MiB budget (8 budgets); 16 budgets of 64 MiB
/// keep the test quick in a debug build.
const BUDGET: usize = 64 * MIB;
const PUBLISHED: usize = 1024 * MIB;
const TOPICS: usize = 1000;

/// A field of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kib: usize = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kib * 1024
}

#[test]
fn publishing_sixteen_budgets_keeps_the_peak_rss_under_the_budget_plus_64_mib() {
    // One event is 1 MiB encoded: its data, with room for `data: `, `id: ...` and the
    // blank line. The data is shared, so the test allocates nothing per event but what
    // the hub does.
    let data: &'static str = "x".repeat(MIB - 64).leak();
    let hub = Hub::builder()
        .memory_budget_bytes(BUDGET)
        .history_bytes(64 * MIB)
        .max_topics(TOPICS)
        .build()
        .unwrap();
    let topics: Vec<_> = (0..TOPICS).map(|n| topic(&format!("t{n}"))).collect();
    let start = status_bytes("VmRSS:");

    let mut first = None;
    for n in 0..PUBLISHED / MIB {
        let id = hub
            .publish(&topics[n % TOPICS], Event::new().data(data))
            .into_ready()
            .unwrap()
            .unwrap();
        first.get_or_insert(id);
    }

    let stats = hub.stats();
    let held: usize = stats.topics.iter().map(|t| t.history_bytes).sum();
    assert!(held <= BUDGET, "{held} bytes of history held");
    assert!(held > BUDGET - 2 * MIB, "{held}: the budget is used");
    assert_eq!(stats.published as usize, PUBLISHED / MIB);

    let peak = status_bytes("VmHWM:");
    eprintln!(
        "published {} MiB over a {} MiB budget: RSS at start {} MiB, peak {} MiB",
        PUBLISHED / MIB,
        BUDGET / MIB,
        start / MIB,
        peak / MIB
    );
    assert!(
        peak < BUDGET + 64 * MIB,
        "peak RSS {} MiB over the budget + 64 MiB",
        peak / MIB
    );

    // Resuming after the first event needs the second (in `t1`), which left the history.
    let first = first.unwrap();
    let back = hub
        .resume(&topics[..2], Some(&last(first.as_str())))
        .unwrap();
    assert!(
        matches!(
            back.start(),
            Start::Reset {
                reason: ResetReason::Expired,
                ..
            }
        ),
        "{:?}",
        back.start()
    );
}
