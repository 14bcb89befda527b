//! Placeholder replaced by the encode benchmark.
fn main() {}
