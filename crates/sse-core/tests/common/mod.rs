//! Helpers shared by the integration tests: the client model and the strategies.
#![allow(dead_code)] // each test binary uses a different part

pub(crate) mod model;
pub(crate) mod strategies;
