//! Live heap bytes, from the counting global allocator that the `sse-bench` binary
//! installs (`stats_alloc`); 0 in a process without it.

use stats_alloc::INSTRUMENTED_SYSTEM;

/// Bytes allocated and not yet freed, in this process. (`stats_alloc` adds a `realloc`'s
/// growth to the allocated bytes and its shrinking to the freed bytes, so their
/// difference is the live heap.)
#[must_use]
pub fn live() -> i64 {
    let stats = INSTRUMENTED_SYSTEM.stats();
    let allocated = i64::try_from(stats.bytes_allocated).unwrap_or(i64::MAX);
    let freed = i64::try_from(stats.bytes_deallocated).unwrap_or(i64::MAX);
    allocated - freed
}
