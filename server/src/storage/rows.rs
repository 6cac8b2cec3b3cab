//! Rows as both backends return them, and their mapping to the port's types.

use app::domain::Locale;
use app::model::{Role, SurveyKind, SurveyStatus};
use app::ports::{ApiTokenRecord, StoreError, Survey, User};
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: r.id,
            role: Role::parse(&r.role).ok_or_else(|| corrupt("role", &r.role))?,
            email: r.email,
            name: r.name,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct CredentialsRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub password_hash: String,
}

#[derive(sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiTokenRecord {
    fn from(r: TokenRow) -> Self {
        ApiTokenRecord {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked: r.revoked_at.is_some(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct SurveyRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub question_id: i64,
    pub question: String,
    pub public_slug: String,
    pub anonymous: bool,
    pub default_locale: String,
    pub status: String,
    pub closes_at: Option<DateTime<Utc>>,
    pub response_cap: Option<i64>,
    pub response_count: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<SurveyRow> for Survey {
    type Error = StoreError;
    fn try_from(r: SurveyRow) -> Result<Self, StoreError> {
        Ok(Survey {
            id: r.id,
            kind: SurveyKind::parse(&r.kind).ok_or_else(|| corrupt("kind", &r.kind))?,
            status: SurveyStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            title: r.title,
            question_id: r.question_id,
            question: r.question,
            public_slug: r.public_slug,
            anonymous: r.anonymous,
            closes_at: r.closes_at,
            response_cap: r.response_cap,
            response_count: r.response_count,
            default_locale: Locale::parse(&r.default_locale)
                .ok_or_else(|| corrupt("default_locale", &r.default_locale))?,
            created_by: r.created_by,
            created_at: r.created_at,
        })
    }
}

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unexpected {column} {value:?} in the database"))
}

/// A survey with its first question, as the slice's one-question surveys need it.
pub const SURVEY_SELECT: &str =
    "SELECT s.id, s.kind, s.title, q.id AS question_id, q.text AS question, \
     s.public_slug, s.anonymous, s.default_locale, s.status, \
     s.closes_at, s.response_cap, s.response_count, s.created_by, s.created_at \
     FROM surveys s JOIN questions q ON q.survey_id = s.id AND q.position = 0";

pub const USER_COLUMNS: &str = "id, email, name, role, created_at";
