//! Benchmarks of the workspace's SSE crates against their peers, and the load client
//! that drives them.
//!
//! One binary, `sse-bench`, plays three parts, each in its own process:
//!
//! | part | command | what it does |
//! |---|---|---|
//! | driver | `sse-bench all` (or `smoke`, `fanout`, `idle`, `latency`, `reconnect`, `slow`) | starts a server and a load client per run, pinned to different cores, interleaves peers, repeats, writes `BENCHMARKS.md` and `docs/bench/*.svg` |
//! | server | `sse-bench serve --peer NAME` | one peer (framework + event source) on a listener with a backlog of 4096, publishing on command (JSON lines on stdin/stdout) |
//! | load client | `sse-bench load --addr ADDR` | thousands of subscribers from several `127.0.0.x` source addresses, latency histograms, on command |
//!
//! and a fourth, standalone: `sse-bench demo --url http://127.0.0.1:PORT`, which checks a
//! server that follows the demo app's HTTP contract with many subscribers.
//! `sse-bench instructions` runs the servers under callgrind instead and counts their
//! instructions per delivery.
//!
//! The library holds the pieces, so that each is tested on its own.

pub mod client;
pub mod demo;
pub mod driver;
pub mod heap;
pub mod http;
pub mod net;
pub mod payload;
pub mod peer;
pub mod proto;
pub mod redis;
pub mod report;
pub mod results;
pub mod scan;
pub mod server;
pub mod smoke;
pub mod sys;
