//! Shared pieces of the examples: the clock's event stream, its page and its flags.
//!
//! Run one with `cargo run -p sse-examples --bin clock-axum` (or `clock-actix`,
//! `clock-warp`), then open <http://127.0.0.1:3000/>.

pub mod clock;
