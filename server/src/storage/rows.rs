//! Rows as both backends return them, and their mapping to the port's types.

use app::domain::Locale;
use app::model::{Role, SurveyStatus};
use app::ports::{ApiTokenRecord, Contact, Invitation, StoreError, StoredAnswer, Survey, User};
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
    pub public_slug: String,
    pub version: i64,
    pub definition: String,
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
            status: SurveyStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            definition: from_json("definition", &r.definition)?,
            version: r.version,
            public_slug: r.public_slug,
            closes_at: r.closes_at,
            response_cap: r.response_cap,
            response_count: r.response_count,
            created_by: r.created_by,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ContactRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub locale: Option<String>,
    pub attributes: String,
    pub suppressed: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub const CONTACT_COLUMNS: &str = "id, email, name, locale, attributes, suppressed, created_at";

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(r: ContactRow) -> Result<Self, StoreError> {
        Ok(Contact {
            id: r.id,
            email: r.email,
            name: r.name,
            locale: parse_locale(r.locale)?,
            attributes: from_json("attributes", &r.attributes)?,
            suppressed: r.suppressed,
            created_at: r.created_at,
        })
    }
}

fn parse_locale(tag: Option<String>) -> Result<Option<Locale>, StoreError> {
    match tag {
        Some(tag) => Ok(Some(
            Locale::parse(&tag).ok_or_else(|| corrupt("locale", &tag))?,
        )),
        None => Ok(None),
    }
}

#[derive(sqlx::FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub survey_id: i64,
    pub contact_id: Option<i64>,
    pub locale: Option<String>,
    pub attributes: String,
    pub answered: bool,
}

impl TryFrom<InvitationRow> for Invitation {
    type Error = StoreError;
    fn try_from(r: InvitationRow) -> Result<Self, StoreError> {
        Ok(Invitation {
            id: r.id,
            survey_id: r.survey_id,
            contact_id: r.contact_id,
            locale: parse_locale(r.locale)?,
            attributes: from_json("attributes", &r.attributes)?,
            answered: r.answered,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct AnswerRow {
    pub question_key: String,
    pub value: String,
    pub follow_up: Option<String>,
}

impl TryFrom<AnswerRow> for StoredAnswer {
    type Error = StoreError;
    fn try_from(r: AnswerRow) -> Result<Self, StoreError> {
        Ok(StoredAnswer {
            value: from_json("value", &r.value)?,
            question_key: r.question_key,
            follow_up: r.follow_up,
        })
    }
}

pub fn from_json<T: serde::de::DeserializeOwned>(
    column: &str,
    json: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| corrupt(column, &e.to_string()))
}

pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(e.to_string()))
}

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unexpected {column} {value:?} in the database"))
}

/// The response count is the sum of the survey's count rows (see `record_answers`).
pub const SURVEY_SELECT: &str = "SELECT id, public_slug, version, definition, status, \
     closes_at, response_cap, CAST((SELECT COALESCE(SUM(c.n), 0) FROM response_counts c \
     WHERE c.survey_id = surveys.id) AS BIGINT) AS response_count, created_by, created_at \
     FROM surveys";

pub const USER_COLUMNS: &str = "id, email, name, role, created_at";
