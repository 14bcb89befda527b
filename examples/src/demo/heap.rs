//! The process's live heap, for `GET /metrics`: bytes allocated and not yet freed.
//!
//! The demo binaries count their allocations: each installs [`COUNTING`] as its global
//! allocator (`stats_alloc` over the system allocator, a few atomic additions per
//! allocation). Live heap is what the process still holds; RSS also includes what the C
//! allocator keeps after `free` for later use, so only the live heap tells a leak from a
//! cache. `sse-bench demo`'s connect/disconnect waves read it here.

use std::alloc::System;

/// The counting allocator (`stats_alloc`'s instrumented system allocator). In a binary:
///
/// ```ignore
/// #[global_allocator]
/// static HEAP: &Counting = &COUNTING;
/// ```
pub use stats_alloc::INSTRUMENTED_SYSTEM as COUNTING;
use stats_alloc::StatsAlloc;

/// The type of [`COUNTING`].
pub type Counting = StatsAlloc<System>;

/// The gauge `GET /metrics` carries the live heap in.
pub const HEAP_LIVE_BYTES: &str = "process_heap_live_bytes";

/// Bytes allocated and not yet freed; `None` when the process did not install
/// [`COUNTING`] (nothing was counted).
#[must_use]
pub fn live_bytes() -> Option<u64> {
    let stats = COUNTING.stats();
    // stats_alloc adds a reallocation's growth to the allocated bytes and its shrinking to
    // the freed ones, so the difference is the live heap.
    (stats.allocations > 0).then(|| {
        stats
            .bytes_allocated
            .saturating_sub(stats.bytes_deallocated) as u64
    })
}

/// Sets the [`HEAP_LIVE_BYTES`] gauge, when the heap is counted.
pub(super) fn record() {
    if let Some(bytes) = live_bytes() {
        // Exact up to 2^53 bytes, far past any heap.
        #[allow(clippy::cast_precision_loss)]
        metrics::gauge!(HEAP_LIVE_BYTES).set(bytes as f64);
    }
}
