//! Live heap bytes, from the counting global allocator that the `sse-bench` binary
//! installs (`stats_alloc`); 0 in a process without it.

use stats_alloc::INSTRUMENTED_SYSTEM;

/// Bytes allocated and not yet freed, in this process.
#[must_use]
pub fn live() -> i64 {
    let stats = INSTRUMENTED_SYSTEM.stats();
    let allocated = i64::try_from(stats.bytes_allocated).unwrap_or(i64::MAX);
    let freed = i64::try_from(stats.bytes_deallocated).unwrap_or(i64::MAX);
    let grown = i64::try_from(stats.bytes_reallocated).unwrap_or(0);
    allocated - freed + grown
}
