//! The cross-framework conformance suite's library: an I/O-free HTTP/1.1 response
//! reader ([`http1`], also what `sse-bench`'s load client reads with), a raw HTTP/1.1
//! client over it ([`client`]), event-stream bodies decoded by `sse_core::Decoder`
//! ([`events`]), the shared fixture (a fixed tricky event sequence and what a client
//! must make of it), live event feeds the tests push into, and one test server per
//! framework, all serving the same routes.
//!
//! The cases themselves are in `tests/conformance.rs`: each is written once and runs as
//! a separate `#[test]` against every framework.

pub mod client;
pub mod events;
pub mod feed;
pub mod fixture;
pub mod http1;
pub mod server;
pub mod servers;

pub use server::{ACTIX, AXUM, FRAMEWORKS, Framework, Scenario, Server, WARP};
