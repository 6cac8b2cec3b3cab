//! Rows as both backends return them, and their mapping to the port's types.

use app::domain::access::Scope;
use app::domain::Locale;
use app::model::{Repeat, Role, SurveyStatus};
use app::ports::{
    ApiTokenRecord, CaseSettings, ClaimedMessage, Contact, Invitation, MessageKind, NewSend,
    Notifications, SendRecord, SessionRecord, StoreError, StoredAnswer, StoredResponse,
    StoredSendState, Survey, User,
};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub scope: String,
    pub disabled: bool,
    pub invited: bool,
    pub locale: String,
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
            scope: Scope::from_stored(&r.scope),
            disabled: r.disabled,
            invited: r.invited,
            locale: Locale::parse(&r.locale).unwrap_or(Locale::En),
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
    pub role: String,
    pub scope: String,
}

impl TryFrom<TokenRow> for ApiTokenRecord {
    type Error = StoreError;
    fn try_from(r: TokenRow) -> Result<Self, StoreError> {
        Ok(ApiTokenRecord {
            role: Role::parse(&r.role).ok_or_else(|| corrupt("role", &r.role))?,
            scope: Scope::from_stored(&r.scope),
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked: r.revoked_at.is_some(),
        })
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
    pub min_group_size: i64,
    pub min_meaningful: i64,
    pub weighting: Option<String>,
    pub thank_you_email: bool,
    pub detractor_alerts: bool,
    pub case_rule: Option<String>,
    pub alert_recipients: String,
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
            min_group_size: r.min_group_size,
            min_meaningful: r.min_meaningful,
            weighting: r
                .weighting
                .as_deref()
                .map(|w| from_json("weighting", w))
                .transpose()?,
            notifications: Notifications {
                thank_you_email: r.thank_you_email,
                detractor_alerts: r.detractor_alerts,
            },
            cases: CaseSettings {
                rule: r
                    .case_rule
                    .as_deref()
                    .map(|rule| from_json("case_rule", rule))
                    .transpose()?,
                alert_recipients: from_json("alert_recipients", &r.alert_recipients)?,
            },
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
    pub send_id: Option<i64>,
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
            send_id: r.send_id,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct AnswerRow {
    pub question_key: String,
    pub value: String,
    pub follow_up: Option<String>,
}

/// An answer with its response, for reading several responses' answers at once.
#[derive(sqlx::FromRow)]
pub struct ResponseAnswerRow {
    pub response_id: i64,
    #[sqlx(flatten)]
    pub answer: AnswerRow,
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

#[derive(sqlx::FromRow)]
pub struct ResponseRow {
    pub id: i64,
    pub survey_id: i64,
    pub version: i64,
    pub contact_id: Option<i64>,
    pub groups: String,
    pub locale: String,
    pub day: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub completed: bool,
}

impl ResponseRow {
    pub fn into_response(self, answers: Vec<StoredAnswer>) -> Result<StoredResponse, StoreError> {
        Ok(StoredResponse {
            id: self.id,
            survey_id: self.survey_id,
            version: self.version,
            contact_id: self.contact_id,
            groups: from_json("groups", &self.groups)?,
            locale: Locale::parse(&self.locale).ok_or_else(|| corrupt("locale", &self.locale))?,
            day: self.day,
            submitted_at: self.submitted_at,
            updated_at: self.updated_at,
            completed: self.completed,
            answers,
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

pub fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unexpected {column} {value:?} in the database"))
}

/// The response count is the sum of the survey's count rows (see `record_answers`).
pub const SURVEY_SELECT: &str = "SELECT id, public_slug, version, definition, status, \
     closes_at, response_cap, CAST((SELECT COALESCE(SUM(c.n), 0) FROM response_counts c \
     WHERE c.survey_id = surveys.id) AS BIGINT) AS response_count, \
     CAST(min_group_size AS BIGINT) AS min_group_size, \
     CAST(min_meaningful AS BIGINT) AS min_meaningful, weighting, thank_you_email, \
     detractor_alerts, case_rule, alert_recipients, created_by, created_at FROM surveys";

pub const USER_COLUMNS: &str =
    "id, email, name, role, scope, disabled_at IS NOT NULL AS disabled, \
     password_hash = '' AS invited, locale, created_at";

/// How many characters of a session's hash name it to its owner.
pub const SESSION_ID_CHARS: usize = 16;

#[derive(sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub client: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<SessionRow> for SessionRecord {
    fn from(r: SessionRow) -> Self {
        SessionRecord {
            id: r.token_hash.chars().take(SESSION_ID_CHARS).collect(),
            token_hash: r.token_hash,
            client: r.client,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}
pub const TOKEN_COLUMNS: &str =
    "id, user_id, name, prefix, created_at, last_used_at, revoked_at, role, scope";

/// Milliseconds since 1970: how the sending tables keep time (see migration 0006).
pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn from_millis(ms: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt("time", &ms.to_string()))
}

pub const SEND_COLUMNS: &str = "id, survey_id, audience_name, audience, repeat_every, wave, \
     reminders, reminders_sent, per_minute, state, paused_reason, scheduled_at, started_at, \
     created_by, link_salt IS NOT NULL AS salted_links";

#[derive(sqlx::FromRow)]
pub struct SendRow {
    pub id: i64,
    pub survey_id: i64,
    pub audience_name: String,
    pub audience: String,
    pub repeat_every: String,
    pub wave: i64,
    pub reminders: String,
    pub reminders_sent: i64,
    pub per_minute: Option<i64>,
    pub state: String,
    pub paused_reason: Option<String>,
    pub scheduled_at: i64,
    pub started_at: Option<i64>,
    pub created_by: i64,
    pub salted_links: bool,
}

impl TryFrom<SendRow> for SendRecord {
    type Error = StoreError;
    fn try_from(r: SendRow) -> Result<Self, StoreError> {
        let state = match r.state.as_str() {
            "scheduled" => StoredSendState::Scheduled,
            "started" => StoredSendState::Started,
            "cancelled" => StoredSendState::Cancelled,
            other => return Err(corrupt("send state", other)),
        };
        Ok(SendRecord {
            id: r.id,
            new: NewSend {
                survey_id: r.survey_id,
                audience_name: r.audience_name,
                audience: from_json("audience", &r.audience)?,
                repeat: Repeat::parse(&r.repeat_every)
                    .ok_or_else(|| corrupt("repeat", &r.repeat_every))?,
                wave: r.wave,
                reminders: from_json("reminders", &r.reminders)?,
                per_minute: r.per_minute.and_then(|n| u32::try_from(n).ok()),
                scheduled_at: from_millis(r.scheduled_at)?,
                created_by: r.created_by,
                salted_links: r.salted_links,
            },
            reminders_sent: r.reminders_sent,
            state,
            paused_reason: r.paused_reason,
            started_at: r.started_at.map(from_millis).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct ClaimedRow {
    pub id: i64,
    pub kind: String,
    pub send_id: Option<i64>,
    pub survey_id: Option<i64>,
    pub attempts: i64,
    pub contact_id: Option<i64>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub locale: Option<String>,
    pub attributes: Option<String>,
    pub response_id: Option<i64>,
    pub link_salt: Option<String>,
    pub payload: String,
}

/// What an account link's message carries until it is finished.
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub struct AccountPayload {
    pub token: Option<String>,
}

/// A webhook notice's payload: the endpoint it is about.
#[derive(serde::Deserialize)]
struct WebhookPayload {
    endpoint: Option<i64>,
}

impl TryFrom<ClaimedRow> for ClaimedMessage {
    type Error = StoreError;
    fn try_from(r: ClaimedRow) -> Result<Self, StoreError> {
        let kind = MessageKind::parse(&r.kind).ok_or_else(|| corrupt("message kind", &r.kind))?;
        Ok(ClaimedMessage {
            id: r.id,
            send_id: r.send_id,
            survey_id: r.survey_id,
            attempts: r.attempts,
            contact_id: r.contact_id,
            email: r.email.unwrap_or_default(),
            name: r.name.unwrap_or_default(),
            locale: parse_locale(r.locale)?,
            attributes: match r.attributes {
                Some(json) => from_json("attributes", &json)?,
                None => Default::default(),
            },
            response_id: r.response_id,
            link_salt: r.link_salt,
            account_token: match kind {
                MessageKind::AccountInvite | MessageKind::PasswordReset => {
                    from_json::<AccountPayload>("payload", &r.payload)?.token
                }
                _ => None,
            },
            digest: match kind {
                MessageKind::Digest => Some(from_json("payload", &r.payload)?),
                _ => None,
            },
            webhook_endpoint: match kind {
                MessageKind::WebhookDisabled => {
                    from_json::<WebhookPayload>("payload", &r.payload)?.endpoint
                }
                _ => None,
            },
            kind,
        })
    }
}
