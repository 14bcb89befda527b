//! The runnable programs of the workspace and their shared parts.
//!
//! * The demo app (a chat with online count and a live clock; its contract is in
//!   `examples/README.md`), one binary per framework:
//!   `cargo run --release -p sse-examples --bin demo-axum` (or `demo-actix`, `demo-warp`),
//!   then open <http://127.0.0.1:3000/>. Its shared code is [`demo`].
//! * A minimal ticking clock per framework: `cargo run -p sse-examples --bin clock-axum`
//!   (or `clock-actix`, `clock-warp`). Its shared code is [`clock`].

pub mod clock;
pub mod demo;
