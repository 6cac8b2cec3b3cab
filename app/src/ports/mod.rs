//! What the use cases need from the outside world. The server crate implements these
//! traits (SQLite, PostgreSQL) and hands them to every request as `Services`.

mod accounts;
mod cases;
mod charts;
mod contacts;
mod digests;
mod imports;
mod inbox;
mod limits;
mod responses;
mod sends;
mod surveys;
mod webhooks;

pub use accounts::*;
pub use cases::*;
pub use charts::*;
pub use contacts::*;
pub use digests::*;
pub use imports::*;
pub use inbox::*;
pub use limits::*;
pub use responses::*;
pub use sends::*;
pub use surveys::*;
pub use webhooks::*;

use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was hit (e.g. an email already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage failure: {0}")]
    Backend(String),
}

/// The whole storage contract, one trait per aggregate; a backend implements them all.
#[async_trait]
pub trait Store:
    Accounts
    + Cases
    + Surveys
    + Contacts
    + Digests
    + Inbox
    + Responses
    + Sends
    + Imports
    + Webhooks
    + Send
    + Sync
{
    async fn ping(&self) -> Result<(), StoreError>;
}

/// The instance's secret: keys the hashes of session and API-token secrets, so a copy of the
/// database alone cannot be used to check stolen tokens. Never printed.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// Process-wide settings the use cases need.
#[derive(Clone, Debug)]
pub struct Settings {
    pub secret_key: SecretKey,
    /// Public base URL without a trailing slash, used in links.
    pub base_url: String,
    /// Cookies get `Secure` when the base URL is https.
    pub secure_cookies: bool,
    pub session_days: i64,
    /// The organisation's name: what `{company}` says in survey texts.
    pub organisation: String,
    /// The one-time code creating the first account needs when the server listens beyond
    /// loopback (printed at start), so whoever reaches a fresh server first cannot take
    /// it over. None on loopback, or once an account exists.
    pub setup_code: Option<String>,
    /// Internal hosts an admin allows webhooks to reach by name (e.g. `hooks.internal`):
    /// every other endpoint must be, and resolve to, a public address.
    pub webhook_hosts: Vec<String>,
}

impl Settings {
    /// HMAC-SHA256 of `message` under the instance key.
    fn mac(&self, message: &[u8]) -> [u8; 32] {
        use hmac::{Mac, SimpleHmac};
        use sha2::Sha256;
        let mut mac = <SimpleHmac<Sha256> as Mac>::new_from_slice(&self.secret_key.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// HMAC-SHA256 of a token's secret under the instance key, hex-encoded.
    pub fn token_hash(&self, secret: &str) -> String {
        self.mac(secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The secret of a contact's personal link in a send: derived, so retries, reminders
    /// and a thank-you carry the same link with nothing stored. With the send's salt
    /// (`Some`) it can be worked out only while the send keeps it; `Some("")` is a salt
    /// forgotten, and then there is no link to make.
    pub fn invitation_token(&self, send: i64, contact: i64, salt: Option<&str>) -> Option<String> {
        match salt {
            None => Some(self.derived_secret(&format!("invitation:{send}:{contact}"))),
            Some("") => None,
            Some(salt) => Some(self.derived_secret(&format!("invitation:{send}:{contact}:{salt}"))),
        }
    }

    /// The key a response given through a link (or resumed with a key) is stored under.
    pub fn response_key(&self, secret: &str) -> String {
        self.token_hash(&format!("response:{secret}"))
    }

    /// The signing secret of a webhook endpoint's `generation`, as Standard Webhooks
    /// writes one (`whsec_` and a 24-byte key in base64): derived, so the database holds
    /// none, and rotating is moving to the next generation.
    pub fn webhook_secret(&self, endpoint: i64, generation: i64) -> String {
        use base64::Engine;
        let key = self.mac(format!("derive:webhook:{endpoint}:{generation}").as_bytes());
        let key = base64::engine::general_purpose::STANDARD.encode(&key[..24]);
        format!("whsec_{key}")
    }

    /// A secret only this instance can compute, for a purpose and a subject, e.g. the
    /// personal link of one contact in one send. Nothing needs storing to find it again.
    pub fn derived_secret(&self, purpose: &str) -> String {
        use base64::Engine;
        let mac = self.mac(format!("derive:{purpose}").as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac)
    }
}

/// Everything a request handler needs, provided as Leptos context and axum state.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    /// Answers per client address and survey, shared by every request of the process.
    pub answer_limits: Arc<AnswerLimits>,
    pub charts: Arc<dyn Charts>,
}
