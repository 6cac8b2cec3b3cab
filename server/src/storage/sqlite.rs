//! SQLite: one file, WAL, created on first start. The default backend.

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
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, OpenError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| OpenError::InvalidUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> Result<(), OpenError> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&self.pool)
            .await
            .map_err(|e| OpenError::Migrate(e.to_string()))
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// An upsert's attributes: the stored ones with the new values laid over them.
const MERGE_ATTRIBUTES: &str = "json_patch(contacts.attributes, excluded.attributes)";

/// A contact attribute's value: the expression's opening and the prefix of the bound
/// attribute name; the expression is closed with `)`.
const ATTRIBUTE_VALUE: (&str, &str) = ("json_extract(attributes, ", "$.");

/// SQLite has one writer at a time: the claim's `UPDATE … RETURNING` is atomic as it is.
const CLAIM_LOCK: &str = "";

impl_store!(SqliteStore, sqlx::Sqlite);
impl_sends!(SqliteStore, sqlx::Sqlite);
impl_imports!(SqliteStore, sqlx::Sqlite);
