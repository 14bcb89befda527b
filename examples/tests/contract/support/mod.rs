//! What the contract suite needs around the demo binaries: starting them
//! ([`server`]), event-stream subscriptions decoded by `sse_core::Decoder` ([`sse`]),
//! the demo's JSON API ([`api`]), checks shared by several areas ([`check`]) and
//! RFC 3339 timestamps ([`time`]); the raw HTTP/1.1 client is the conformance suite's
//! (`sse_conformance::client`).

pub(crate) mod api;
pub(crate) mod check;
pub(crate) mod server;
pub(crate) mod sse;
pub(crate) mod time;

use std::time::Duration;

/// The most any single wait may take before a case fails (a liveness bound, far above
/// what a healthy server needs).
pub(crate) const LIVE: Duration = Duration::from_secs(10);
