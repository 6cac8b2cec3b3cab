//! Contact imports (`app::ports::Imports`): one-shot reports, and jobs that wait for
//! their column mapping and then run in chunks under a lease. The claim is one
//! `UPDATE … RETURNING` of a single row, atomic on both backends.

use super::contacts::upsert_contacts_in;
use super::db::query;
use super::rows::{corrupt, from_json, from_millis, millis, to_json};
use super::Storage;
use app::ports::{
    ImportJob, ImportOutcome, ImportRecord, ImportState, NewContact, StoreError, Upserted,
};
use chrono::{DateTime, Utc};

#[async_trait::async_trait]
impl app::ports::Imports for Storage {
    async fn save_import(
        &self,
        file_name: &str,
        outcome: &ImportOutcome,
        user_id: i64,
    ) -> Result<i64, StoreError> {
        query(
            "INSERT INTO contact_imports (file_name, report, created_by, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(file_name)
        .bind(to_json(outcome)?)
        .bind(user_id)
        .bind(Utc::now())
        .scalar(&self.db)
        .await
    }

    async fn create_pending_import(
        &self,
        file_name: &str,
        file: &[u8],
        rows_total: i64,
        user_id: i64,
    ) -> Result<i64, StoreError> {
        query(
            "INSERT INTO contact_imports (file_name, report, created_by, created_at, \
             state, file, rows_total) VALUES ($1, 'null', $2, $3, 'pending', $4, $5) \
             RETURNING id",
        )
        .bind(file_name)
        .bind(user_id)
        .bind(Utc::now())
        .bind(file)
        .bind(rows_total)
        .scalar(&self.db)
        .await
    }

    async fn contact_import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError> {
        let row: Option<(String, String, DateTime<Utc>, String, i64, i64)> = query(
            "SELECT file_name, report, created_at, state, rows_total, rows_done \
                 FROM contact_imports WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.db)
        .await?;
        let Some((file_name, report, created_at, state, rows_total, rows_done)) = row else {
            return Ok(None);
        };
        let state = match state.as_str() {
            "pending" => ImportState::Pending,
            "running" => ImportState::Running,
            "done" => ImportState::Done(from_json("report", &report)?),
            other => return Err(corrupt("import state", other)),
        };
        Ok(Some(ImportRecord {
            id,
            file_name,
            created_at,
            state,
            rows_total,
            rows_done,
        }))
    }

    async fn import_file(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let file: Option<Option<Vec<u8>>> = query("SELECT file FROM contact_imports WHERE id = $1")
            .bind(id)
            .scalar_optional(&self.db)
            .await?;
        Ok(file.flatten())
    }

    async fn start_import(&self, id: i64, mapping: &str) -> Result<bool, StoreError> {
        let done = query(
            "UPDATE contact_imports SET state = 'running', mapping = $2 \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(mapping)
        .execute(&self.db)
        .await?;
        Ok(done == 1)
    }

    async fn discard_import(&self, id: i64) -> Result<bool, StoreError> {
        let done = query("DELETE FROM contact_imports WHERE id = $1 AND state = 'pending'")
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(done == 1)
    }

    async fn drop_pending_imports(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = query("DELETE FROM contact_imports WHERE state = 'pending' AND created_at < $1")
            .bind(before)
            .execute(&self.db)
            .await?;
        Ok(done)
    }

    async fn claim_import(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ImportJob>, StoreError> {
        let row: Option<(i64, Option<Vec<u8>>, Option<String>, i64, i64, i64, i64)> = query(
            "UPDATE contact_imports SET lease_until = $2 WHERE id = \
                 (SELECT id FROM contact_imports WHERE state = 'running' \
                  AND (lease_until IS NULL OR lease_until <= $1) ORDER BY id LIMIT 1) \
                 AND state = 'running' AND (lease_until IS NULL OR lease_until <= $1) \
                 RETURNING id, file, mapping, rows_done, inserted, updated, lease_until",
        )
        .bind(millis(now))
        .bind(millis(lease_until))
        .fetch_optional(&self.db)
        .await?;
        row.map(|(id, file, mapping, rows_done, inserted, updated, lease)| {
            Ok(ImportJob {
                id,
                file: file.unwrap_or_default(),
                mapping: mapping.unwrap_or_default(),
                rows_done,
                inserted,
                updated,
                lease_until: from_millis(lease)?,
            })
        })
        .transpose()
    }

    async fn import_chunk(
        &self,
        id: i64,
        contacts: &[NewContact],
        rows_done: i64,
        rows_total: i64,
        held: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Upserted>, StoreError> {
        let mut tx = self.db.begin().await?;
        let done = upsert_contacts_in(&mut tx, contacts).await?;
        let progressed = query(
            "UPDATE contact_imports SET rows_total = $2, rows_done = $3, \
             inserted = inserted + $4, updated = updated + $5, lease_until = $6 \
             WHERE id = $1 AND state = 'running' AND lease_until = $7",
        )
        .bind(id)
        .bind(rows_total)
        .bind(rows_done)
        .bind(i64::try_from(done.inserted).unwrap_or(i64::MAX))
        .bind(i64::try_from(done.updated).unwrap_or(i64::MAX))
        .bind(millis(lease_until))
        .bind(millis(held))
        .execute(&mut tx)
        .await?;
        if progressed == 0 {
            // Another process holds the job now: dropping the transaction rolls the
            // chunk back, and that process imports it.
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(done))
    }

    async fn finish_import(
        &self,
        id: i64,
        outcome: &ImportOutcome,
        held: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let finished = query(
            "UPDATE contact_imports SET state = 'done', report = $2, file = NULL, \
             lease_until = NULL WHERE id = $1 AND state = 'running' AND lease_until = $3",
        )
        .bind(id)
        .bind(to_json(outcome)?)
        .bind(millis(held))
        .execute(&self.db)
        .await?;
        Ok(finished == 1)
    }
}
