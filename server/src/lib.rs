//! The `resonance` server: configuration, storage backends, HTTP surface.

pub mod config;
pub mod http;
pub mod serve;
pub mod storage;
pub mod telemetry;
