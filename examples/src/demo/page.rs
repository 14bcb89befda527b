//! `GET /`: the demo page (chat, online count, clock, connection state), no external assets.

/// The page's HTML.
pub const PAGE: &str = include_str!("../../assets/demo.html");
