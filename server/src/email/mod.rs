//! Email: the templates (text and HTML pairs) and the outbox worker that sends them
//! over SMTP connections it keeps open. Mail leaves only through the outbox (principle 3).

pub mod smtp;
pub mod templates;
pub mod worker;

pub use worker::{MailSettings, Worker};
