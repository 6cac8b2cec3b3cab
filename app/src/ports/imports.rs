//! Contact imports: one-shot reports and jobs that run in chunks.

use super::{NewContact, StoreError, Upserted};
use crate::model::ImportReport;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// An import's report, or why its file could not be read at all.
pub type ImportOutcome = Result<ImportReport, String>;

/// An import as it is kept: waiting for its column mapping, running, or done.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRecord {
    pub id: i64,
    pub file_name: String,
    pub created_at: DateTime<Utc>,
    pub state: ImportState,
    /// Data rows, and how many of them the job has got through.
    pub rows_total: i64,
    pub rows_done: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportState {
    Pending,
    Running,
    Done(ImportOutcome),
}

/// A running import a process has taken on, with where it got to.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportJob {
    pub id: i64,
    pub file: Vec<u8>,
    /// The column mapping (JSON).
    pub mapping: String,
    pub rows_done: i64,
    pub inserted: i64,
    pub updated: i64,
    /// The lease this process holds: every write of the job is fenced on it.
    pub lease_until: DateTime<Utc>,
}

/// Contact imports that wait for their mapping and then run as jobs: the file is kept
/// until the job is done, and progress is recorded as it goes, so a job whose process
/// died is taken up again by another when its lease runs out.
#[async_trait]
pub trait Imports: Send + Sync {
    /// Keeps what an import did (its report, or why the file could not be read).
    async fn save_import(
        &self,
        file_name: &str,
        outcome: &ImportOutcome,
        user_id: i64,
    ) -> Result<i64, StoreError>;
    /// Keeps an upload until its mapping is chosen. Returns its id.
    async fn create_pending_import(
        &self,
        file_name: &str,
        file: &[u8],
        rows_total: i64,
        user_id: i64,
    ) -> Result<i64, StoreError>;
    async fn contact_import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError>;
    /// The file of an import that is not done yet.
    async fn import_file(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    /// Starts a pending import with its mapping. False when it is not pending.
    async fn start_import(&self, id: i64, mapping: &str) -> Result<bool, StoreError>;
    /// Drops a pending import. False when it is not pending.
    async fn discard_import(&self, id: i64) -> Result<bool, StoreError>;
    /// Drops the pending imports uploaded before `before`, with their files. Returns how many.
    async fn drop_pending_imports(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Takes on one running import that no process holds (or whose holder's lease ran
    /// out), leasing it until `lease_until`.
    async fn claim_import(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ImportJob>, StoreError>;
    /// Upserts one chunk of a job's contacts and records how far the job got (`rows_done`,
    /// and the chunk's inserts and updates added to its counts) in one transaction, so a
    /// job taken over after a crash neither loses nor recounts a chunk; extends the lease
    /// from `held` to `lease_until`. None, with nothing written, when the lease `held` is
    /// no longer the job's: it ran out and another process took the job on.
    async fn import_chunk(
        &self,
        id: i64,
        contacts: &[NewContact],
        rows_done: i64,
        rows_total: i64,
        held: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Upserted>, StoreError>;
    /// Keeps the report and drops the file; false, with nothing written, when the lease
    /// `held` is no longer the job's.
    async fn finish_import(
        &self,
        id: i64,
        outcome: &ImportOutcome,
        held: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}
