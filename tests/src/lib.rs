//! The cross-framework conformance suite's library: a raw HTTP/1.1 client, the shared
//! fixture (a fixed tricky event sequence and what a client must make of it), live
//! event feeds the tests push into, and one test server per framework, all serving the
//! same routes.
//!
//! The cases themselves are in `tests/conformance.rs`: each is written once and runs as
//! a separate `#[test]` against every framework.

pub mod client;
pub mod feed;
pub mod fixture;
#[cfg(doctest)]
mod readme;
pub mod server;
pub mod servers;
pub mod stream_config;

pub use server::{ACTIX, AXUM, FRAMEWORKS, Framework, Scenario, Server, WARP};
