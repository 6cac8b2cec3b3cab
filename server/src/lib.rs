//! The `resonance` server: configuration, storage backends, HTTP surface, the outbox
//! worker, the webhook deliverer and the scheduler.

pub mod charts;
pub mod config;
pub mod demo;
pub mod email;
pub mod http;
pub mod jobs;
pub mod serve;
pub mod storage;
pub mod telemetry;
pub mod tls;
pub mod webhooks;
