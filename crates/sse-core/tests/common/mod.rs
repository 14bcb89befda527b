//! Helpers shared by the integration tests: the encoding model, the reference client
//! and the strategies.
#![allow(dead_code)] // each test binary uses a different part

pub(crate) mod client;
pub(crate) mod model;
pub(crate) mod strategies;
