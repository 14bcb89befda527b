//! Per-subscriber memory, measured with a counting allocator: an idle subscription
//! (waiting, its waker registered) must stay well under 1 KiB.
//!
//! One test only in this binary: the allocator counts every thread.
//! Run `cargo test -p sse-hub --test memory -- --nocapture` to see the table.

use std::alloc::System;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_util::Stream;
use sse_core::Event;
use sse_hub::{Hub, Subscription, Topic};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const N: usize = 10_000;

fn live_heap(region: &Region<'_, System>) -> isize {
    let change = region.change();
    // stats_alloc already adds a reallocation's growth (or shrinking) to these two.
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

/// Polls until the subscription waits (its waker registered), dropping what it yields.
fn settle(sub: &mut Subscription) {
    let mut cx = Context::from_waker(Waker::noop());
    while let Poll::Ready(Some(_)) = std::pin::Pin::new(&mut *sub).poll_next(&mut cx) {}
}

/// Heap bytes per subscription for `N` idle subscriptions to `topics`, plus what is left
/// once they are all dropped.
fn measure(hub: &Hub, topics: &[Topic]) -> (usize, isize, isize, usize) {
    // Warm up: the topics exist, and one subscription has come and gone.
    for t in topics {
        hub.publish(t, Event::new().data("warm"))
            .into_ready()
            .unwrap()
            .unwrap();
    }
    drop(hub.subscribe(topics).unwrap());
    let mut subs: Vec<Subscription> = Vec::with_capacity(N);
    let region = Region::new(GLOBAL);
    for _ in 0..N {
        let mut sub = hub.subscribe(topics).unwrap();
        settle(&mut sub);
        subs.push(sub);
    }
    let heap = live_heap(&region);
    let reported = subs[0].memory();
    subs.clear(); // drops the subscriptions, keeps the vector (allocated before the region)
    let left = live_heap(&region);
    (size_of::<Subscription>(), heap / N as isize, left, reported)
}

#[test]
fn an_idle_subscriber_takes_well_under_one_kibibyte() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _runtime = rt.enter(); // for the lifetime timer's Sleep

    let one = [Topic::from_static("one")];
    let two = [Topic::from_static("two-a"), Topic::from_static("two-b")];
    let rows = [
        ("1 topic", measure(&Hub::new(), &one)),
        ("2 topics", measure(&Hub::new(), &two)),
        (
            "1 topic, max lifetime",
            measure(
                &Hub::builder()
                    .max_lifetime(Some(Duration::from_secs(3600)))
                    .build()
                    .unwrap(),
                &one,
            ),
        ),
    ];
    println!("per idle subscription ({N} subscriptions, noop waker):");
    println!(
        "{:<24} {:>8} {:>8} {:>8} {:>10} {:>18}",
        "case", "struct", "heap", "total", "memory()", "left after drop"
    );
    for (name, (inline, heap, left, reported)) in rows {
        let total = inline as isize + heap;
        println!("{name:<24} {inline:>8} {heap:>8} {total:>8} {reported:>10} {left:>18}");
        assert!(total <= 1024, "{name}: {total} bytes");
        assert!(heap > 0, "{name}: the measurement saw the allocations");
        // Dropping every subscription returns all of it. The counter is global, so the
        // test harness's own threads can show up in it by a few hundred bytes; a leak of
        // even one byte per subscription would be over N bytes.
        assert!(
            left.unsigned_abs() < N / 2,
            "{name}: {left} bytes left after dropping {N} subscriptions"
        );
    }
    let (_, (inline, heap, _, reported)) = rows[0];
    let total = inline as isize + heap;
    assert!(
        (reported as isize - total).abs() <= 64,
        "Subscription::memory() ({reported}) should match the measurement ({total})"
    );
}
