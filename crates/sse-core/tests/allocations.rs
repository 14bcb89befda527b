//! Encoding allocates exactly once: the output buffer, sized up front.
//!
//! Counted with a counting global allocator, so this file holds a single test (other
//! tests running in parallel would add their allocations to the count).

use std::alloc::System;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use futures_util::Stream;
use sse_core::{Event, EventStream};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, Stats, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// What `f` allocated, the least of a few runs (a stray allocation by the test harness
/// on another thread can only add to one run).
fn allocations<T>(mut f: impl FnMut() -> T) -> (Stats, T) {
    let mut best: Option<(Stats, T)> = None;
    for _ in 0..5 {
        let region = Region::new(GLOBAL);
        let out = f();
        let stats = region.change();
        if best
            .as_ref()
            .is_none_or(|(b, _)| stats.allocations < b.allocations)
        {
            best = Some((stats, out));
        }
    }
    best.unwrap_or_else(|| unreachable!("five runs"))
}

fn small() -> Event {
    Event::new()
        .event("update")
        .and_then(|e| e.id("1234567"))
        .map(|e| e.data(r#"{"user":"ada","n":7,"ok":true}"#))
        .unwrap_or_else(|err| panic!("valid fields: {err}"))
}

fn with_data(data: &'static str) -> Event {
    small().data(data)
}

#[test]
fn encoding_allocates_only_its_output() {
    let big: &'static str = "0123456789abcdef".repeat(4096).leak();
    let lines: &'static str = format!("{}\n", "x".repeat(87)).repeat(1024).leak();
    let crlf: &'static str = "fourteen chars\r\n".repeat(64).leak();
    let cases = [
        ("small", small()),
        ("64 KiB line", with_data(big)),
        ("1024 lines", with_data(lines)),
        ("CRLF", with_data(crlf)),
        (
            "every field",
            small()
                .comment("a\r\nb")
                .retry(std::time::Duration::from_millis(1500)),
        ),
    ];
    // Building an event from borrowed text allocates nothing.
    let (built, _) = allocations(small);
    assert_eq!(built.allocations, 0, "building allocated");

    for (name, event) in &cases {
        let (stats, encoded) = allocations(|| event.encode());
        assert_eq!(
            (stats.allocations, stats.reallocations),
            (1, 0),
            "{name}: one allocation, never grown"
        );
        assert_eq!(
            stats.bytes_allocated,
            encoded.len(),
            "{name}: the allocation is the output's exact size"
        );
    }

    // Through the body stream: still one allocation per event.
    let mut body = pin!(EventStream::new(futures_util::stream::repeat_with(small)));
    let mut cx = Context::from_waker(Waker::noop());
    let (stats, polled) = allocations(|| body.as_mut().poll_next(&mut cx));
    assert!(matches!(polled, Poll::Ready(Some(Ok(_)))));
    assert_eq!(stats.allocations, 1, "one event through EventStream");

    // Sharing an encoded event copies nothing: every clone points at the same bytes.
    // (`bytes` allocates one small shared header on the first clone of a buffer.)
    let encoded = small().encode();
    let (stats, clones) = allocations(|| (0..100).map(|_| encoded.clone()).collect::<Vec<_>>());
    assert!(
        stats.allocations <= 2,
        "100 clones: the Vec holding them and at most one shared header, got {}",
        stats.allocations
    );
    assert!(
        clones
            .iter()
            .all(|c| c.as_bytes().as_ptr() == encoded.as_bytes().as_ptr())
    );
}
