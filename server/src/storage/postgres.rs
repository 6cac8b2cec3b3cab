//! PostgreSQL: the scale-out backend, shared by many `resonance` processes.

use super::outbox::{DAY_MS, INVITATION_CHUNK};
use super::rows::*;
use super::{backend, connect_error, OpenError};
use app::domain::segments::SegmentFilter;
use app::domain::sending;
use app::domain::survey::SurveyDefinition;
use app::domain::{Locale, SurveyKind};
use app::ports::{
    AnswerBatch, ApiTokenRecord, ClaimedMessage, Contact, ContactInvitation, ContactResponse,
    Delivery, EditorDraft, ImportJob, ImportOutcome, ImportRecord, ImportState, Invitation,
    NewContact, NewInvitation, NewMessage, NewSend, NewSurvey, NewUser, OutboxCounts,
    OutboxProblem, Recorded, ResponseRecord, SavedAs, Segment, SendRecord, StoreError,
    StoredAnswer, StoredResponse, Survey, SurveySettings, Upserted, User,
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self, OpenError> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| OpenError::InvalidUrl(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        sqlx::migrate!("../migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(|e| OpenError::Migrate(e.to_string()))
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// An upsert's attributes: the stored ones with the new values laid over them.
const MERGE_ATTRIBUTES: &str = "(contacts.attributes::jsonb || excluded.attributes::jsonb)::text";

/// A contact attribute's value: the expression's opening and the prefix of the bound
/// attribute name; the expression is closed with `)`.
const ATTRIBUTE_VALUE: (&str, &str) = ("(attributes::jsonb ->> ", "");

/// Several processes claim at once: each skips the rows another one holds.
const CLAIM_LOCK: &str = " FOR UPDATE SKIP LOCKED";

impl_store!(PgStore, sqlx::Postgres);
impl_sends!(PgStore, sqlx::Postgres);
impl_imports!(PgStore, sqlx::Postgres);
