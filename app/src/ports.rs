//! What the use cases need from the outside world. The server crate implements these
//! traits (SQLite, PostgreSQL) and hands them to every request as `Services`.

use crate::model::{Role, SurveyKind, SurveyStatus};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was hit (e.g. an email already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage failure: {0}")]
    Backend(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
}

#[derive(Clone, Debug)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

#[derive(Clone, Debug)]
pub struct NewSurvey {
    pub kind: SurveyKind,
    pub title: String,
    pub question: String,
    pub public_slug: String,
    pub anonymous: bool,
    pub created_by: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Survey {
    pub id: i64,
    pub kind: SurveyKind,
    pub title: String,
    pub question_id: i64,
    pub question: String,
    pub public_slug: String,
    pub anonymous: bool,
    pub default_locale: crate::domain::Locale,
    pub status: SurveyStatus,
    pub closes_at: Option<DateTime<Utc>>,
    pub response_cap: Option<i64>,
    pub response_count: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// Why a survey takes no answers right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotOpen {
    Draft,
    Closed,
    Full,
}

impl Survey {
    /// Open means active, before its close time, and under its response cap.
    pub fn accepting_answers(&self, now: DateTime<Utc>) -> Result<(), NotOpen> {
        match self.status {
            SurveyStatus::Draft => Err(NotOpen::Draft),
            SurveyStatus::Closed => Err(NotOpen::Closed),
            SurveyStatus::Active if self.closes_at.is_some_and(|at| at <= now) => {
                Err(NotOpen::Closed)
            }
            SurveyStatus::Active
                if self
                    .response_cap
                    .is_some_and(|cap| self.response_count >= cap) =>
            {
                Err(NotOpen::Full)
            }
            SurveyStatus::Active => Ok(()),
        }
    }
}

/// What an admin sets on a survey's lifecycle.
#[derive(Clone, Debug, PartialEq)]
pub struct SurveySettings {
    pub status: SurveyStatus,
    pub closes_at: Option<DateTime<Utc>>,
    pub response_cap: Option<i64>,
}

/// One submitted answer. For anonymous surveys `submitted_at` is None: only the day is
/// kept, so the row cannot be matched to a send time.
#[derive(Clone, Debug)]
pub struct NewAnswer {
    pub survey_id: i64,
    pub question_id: i64,
    pub score: Option<u8>,
    pub comment: Option<String>,
    pub submission_key: String,
    pub day: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    New,
    /// The same submission key was seen before: nothing was written.
    Duplicate,
    /// The survey reached its response cap: nothing was written.
    Full,
}

#[async_trait]
pub trait Store: Send + Sync {
    async fn ping(&self) -> Result<(), StoreError>;

    async fn count_users(&self) -> Result<i64, StoreError>;
    /// Creates the first admin only while no user exists (the setup page); Conflict after.
    async fn create_first_user(&self, user: NewUser) -> Result<User, StoreError>;
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError>;
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// The user and their password hash.
    async fn user_credentials(&self, email: &str) -> Result<Option<(User, String)>, StoreError>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Deletes sessions that expired and login attempts older than `attempts_before`.
    async fn prune_auth_records(
        &self,
        now: DateTime<Utc>,
        attempts_before: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn record_login_attempt(
        &self,
        account: &str,
        ip: &str,
        success: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Failed attempts since `since` for (this account, this IP).
    async fn login_failures_since(
        &self,
        account: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StoreError>;

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        prefix: &str,
        token_hash: &str,
    ) -> Result<ApiTokenRecord, StoreError>;
    async fn list_api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError>;
    /// True when a live token was revoked.
    async fn revoke_api_token(&self, id: i64) -> Result<bool, StoreError>;
    /// The owner of a live token; marks it used.
    async fn api_token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;

    async fn create_survey(&self, survey: NewSurvey) -> Result<Survey, StoreError>;
    async fn list_surveys(&self) -> Result<Vec<Survey>, StoreError>;
    async fn survey(&self, id: i64) -> Result<Option<Survey>, StoreError>;
    async fn survey_by_slug(&self, slug: &str) -> Result<Option<Survey>, StoreError>;
    /// False when no survey has this id.
    async fn update_survey_settings(
        &self,
        id: i64,
        settings: &SurveySettings,
    ) -> Result<bool, StoreError>;

    /// Stores the answer, counts it against the survey's cap and bumps its day bucket, in
    /// one transaction.
    async fn record_answer(&self, answer: NewAnswer) -> Result<Recorded, StoreError>;
    /// Count of answers per score 0..=10 for a question, read from the day buckets.
    async fn score_histogram(&self, question_id: i64) -> Result<[u64; 11], StoreError>;
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
}

impl Settings {
    /// HMAC-SHA256 of a token's secret under the instance key, hex-encoded.
    pub fn token_hash(&self, secret: &str) -> String {
        use hmac::{Mac, SimpleHmac};
        use sha2::Sha256;
        let mut mac = <SimpleHmac<Sha256> as Mac>::new_from_slice(&self.secret_key.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(secret.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Everything a request handler needs, provided as Leptos context and axum state.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
}
