//! Heap allocations per event for each peer of the `encode` benchmark, counted by a
//! counting global allocator (a separate program, so that counting never slows the timed
//! benchmark).
//!
//! ```text
//! cargo bench -p sse-core --bench allocs
//! ```
//!
//! Each cell is `allocations + reallocations / bytes requested` for one event, the least
//! of several runs: building the event, encoding it, and dropping both, as in the
//! `encode` benchmark's functions of the same names.

mod peers;

use std::alloc::System;
use std::hint::black_box;
use std::task::{Context, Waker};

use peers::{Case, axum_body, cases, ours, ours_body, poll_data, warp_body, warp_event};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (plus reallocations) and bytes requested by one call of `f`.
fn count(mut f: impl FnMut()) -> (usize, usize) {
    f(); // warm: a body's first poll may set up state once
    (0..5)
        .map(|_| {
            let region = Region::new(GLOBAL);
            f();
            let stats = region.change();
            (
                stats.allocations + stats.reallocations,
                // stats_alloc already adds a reallocation's growth to `bytes_allocated`.
                stats.bytes_allocated,
            )
        })
        .min()
        .unwrap_or_default()
}

fn cell((allocations, bytes): (usize, usize)) -> String {
    format!("{allocations} / {bytes} B")
}

fn row(case: Case) -> Vec<String> {
    let mut cx = Context::from_waker(Waker::noop());
    let mut ours_stream = ours_body(case);
    let mut axum_stream = axum_body(case);
    let mut warp_stream = warp_body(case);
    vec![
        case.name.to_owned(),
        ours(case).encode().len().to_string(),
        cell(count(|| drop(black_box(ours(black_box(case)).encode())))),
        cell(count(|| {
            drop(black_box(warp_event(black_box(case)).to_string()));
        })),
        cell(count(|| drop(poll_data(&mut ours_stream, &mut cx)))),
        cell(count(|| drop(poll_data(&mut axum_stream, &mut cx)))),
        cell(count(|| {
            drop(poll_data(warp_stream.body_mut(), &mut cx));
        })),
    ]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter or `--test` changes nothing here: the
    // count is cheap and exact.
    let header = [
        "case",
        "output bytes",
        "ours_encode",
        "warp_display",
        "ours_body",
        "axum_body",
        "warp_body",
    ];
    println!("\n## allocations per event (allocations + reallocations / bytes requested)\n");
    println!("| {} |", header.join(" | "));
    println!("|{}", "---|".repeat(header.len()));
    for case in cases() {
        println!("| {} |", row(case).join(" | "));
    }
}
