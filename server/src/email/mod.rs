//! Email: the templates (text and HTML pairs) and the outbox worker that sends them
//! through a pooled SMTP transport. Mail leaves only through the outbox (principle 3).

pub mod templates;
pub mod worker;

pub use worker::{MailSettings, Worker};
