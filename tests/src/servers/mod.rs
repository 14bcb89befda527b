//! The scenario's routes in each framework, written with that framework's adapter.

pub mod actix;
pub mod axum;
pub mod warp;
