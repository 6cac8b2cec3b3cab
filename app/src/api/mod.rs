//! Server functions (what the pages call) and, beside each, the use case it wraps: a plain
//! async function over `Services` that the JSON API in the server crate calls too, so both
//! entry points share one implementation.

pub mod answers;
pub mod auth;
pub mod cases;
pub mod contacts;
#[cfg(feature = "ssr")]
pub mod context;
pub mod digests;
pub mod editor;
pub mod exports;
#[cfg(feature = "ssr")]
pub mod hashing;
pub mod imports;
pub mod inbox;
pub mod responses;
pub mod segments;
pub mod sends;
pub mod surveys;
pub mod tokens;
pub mod trends;
pub mod unsubscribe;
pub mod webhooks;
