//! Contact imports from the admin area and the API: an upload is kept and previewed, its
//! columns are mapped (email, name, language, an attribute, or ignored), and then it runs
//! as a job in chunks, recording its progress, so a large file shows a progress bar and a
//! job whose process died is finished by another. The command line imports at once
//! (`contacts::import`).

use crate::error::AppError;
use crate::model::ImportView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::contacts::read_csv;
    use crate::domain::contacts::ColumnMapping;
    use crate::error::ErrorKind;
    use crate::model::{ImportPreview, ImportReport};
    use crate::ports::{ImportJob, ImportState, Store, User};
    use chrono::{TimeDelta, Utc};

    /// Rows shown in a preview.
    const SAMPLE_ROWS: usize = 5;
    /// Contacts upserted, and progress recorded, at a time.
    pub const IMPORT_CHUNK: usize = 5_000;
    /// How long a job is its process's before another may take it on.
    const LEASE_SECS: i64 = 60;
    /// How long an upload waits for its mapping before it and its file are dropped.
    pub const PENDING_DAYS: i64 = 7;

    fn not_found() -> AppError {
        AppError::not_found("There is no import with this id.")
    }

    /// Keeps an upload for its preview. A file that cannot be read is kept as a finished
    /// import with the reason, so its page says what to do. Returns the import id.
    /// Uploads never started within [`PENDING_DAYS`] are dropped here, as uploads come:
    /// each keeps a file of up to 100 MB in the database.
    #[tracing::instrument(skip_all, fields(user_id = user.id, bytes = bytes.len()), err(level = "info"))]
    pub async fn upload(
        store: &dyn Store,
        user: &User,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64, AppError> {
        store
            .drop_pending_imports(Utc::now() - TimeDelta::days(PENDING_DAYS))
            .await?;
        let name = file_name.chars().take(200).collect::<String>();
        let rows = match read_csv(bytes) {
            Ok(table) => table.data_rows(),
            Err(e) if e.kind == ErrorKind::BadInput => {
                return Ok(store.save_import(&name, &Err(e.message), user.id).await?);
            }
            Err(e) => return Err(e),
        };
        Ok(store
            .create_pending_import(
                &name,
                bytes,
                i64::try_from(rows).unwrap_or(i64::MAX),
                user.id,
            )
            .await?)
    }

    #[tracing::instrument(skip_all, fields(import_id = id), err(level = "info"))]
    pub async fn view(store: &dyn Store, id: i64) -> Result<ImportView, AppError> {
        let record = store.contact_import(id).await?.ok_or_else(not_found)?;
        let (state, preview, outcome) = match record.state {
            ImportState::Pending => ("pending", Some(preview(store, id).await?), None),
            ImportState::Running => ("running", None, None),
            ImportState::Done(outcome) => ("done", None, Some(outcome)),
        };
        Ok(ImportView {
            id,
            file_name: record.file_name,
            created_at: record.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            state: state.to_owned(),
            preview,
            rows_total: record.rows_total,
            rows_done: record.rows_done,
            report: outcome.clone().and_then(Result::ok),
            failure: outcome.and_then(Result::err),
        })
    }

    async fn preview(store: &dyn Store, id: i64) -> Result<ImportPreview, AppError> {
        let file = store.import_file(id).await?.ok_or_else(not_found)?;
        let table = read_csv(&file)?;
        Ok(ImportPreview {
            choices: ColumnMapping::suggest(&table.headers).choices(table.headers.len()),
            sample: table
                .rows
                .iter()
                .take(SAMPLE_ROWS)
                .map(|(_, cells)| cells.clone())
                .collect(),
            rows: table.data_rows(),
            headers: table.headers,
        })
    }

    /// Starts a pending import with one choice per column (see [`ColumnMapping::from_choices`]).
    #[tracing::instrument(skip_all, fields(import_id = id), err(level = "info"))]
    pub async fn start(
        store: &dyn Store,
        id: i64,
        choices: &[String],
    ) -> Result<ImportView, AppError> {
        let pending = preview_if_pending(store, id).await?;
        if choices.len() != pending.headers.len() {
            return Err(AppError::bad_input(
                "columns",
                format!(
                    "Choose a use for each of the file's {} columns.",
                    pending.headers.len()
                ),
            ));
        }
        let mapping = ColumnMapping::from_choices(choices)
            .map_err(|(field, message)| AppError::bad_input(&field, message))?;
        let mapping = serde_json::to_string(&mapping).map_err(|_| AppError::internal())?;
        if !store.start_import(id, &mapping).await? {
            return Err(started());
        }
        view(store, id).await
    }

    /// Drops a pending import and its file.
    #[tracing::instrument(skip_all, fields(import_id = id), err(level = "info"))]
    pub async fn discard(store: &dyn Store, id: i64) -> Result<(), AppError> {
        preview_if_pending(store, id).await?;
        match store.discard_import(id).await? {
            true => Ok(()),
            false => Err(started()),
        }
    }

    async fn preview_if_pending(store: &dyn Store, id: i64) -> Result<ImportPreview, AppError> {
        let record = store.contact_import(id).await?.ok_or_else(not_found)?;
        match record.state {
            ImportState::Pending => preview(store, id).await,
            _ => Err(started()),
        }
    }

    fn started() -> AppError {
        AppError::new(ErrorKind::Conflict, "This import has started already.")
    }

    /// Runs every import that is waiting for a process; returns how many it finished.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn run_imports(store: &dyn Store) -> Result<usize, AppError> {
        let mut finished = 0;
        loop {
            let now = Utc::now();
            let lease = now + TimeDelta::seconds(LEASE_SECS);
            let Some(job) = store.claim_import(now, lease).await? else {
                return Ok(finished);
            };
            run(store, job).await?;
            finished += 1;
        }
    }

    /// One job, from where it got to: rows before `rows_done` are in already (the bad
    /// rows count as done from the start, being only reported).
    async fn run(store: &dyn Store, mut job: ImportJob) -> Result<(), AppError> {
        let table = match read_csv(&job.file) {
            Ok(table) => table,
            Err(e) => {
                let failed = Err(e.message);
                store
                    .finish_import(job.id, &failed, job.lease_until)
                    .await?;
                return Ok(());
            }
        };
        let mapping: ColumnMapping = serde_json::from_str(&job.mapping).map_err(|e| {
            tracing::error!(import = job.id, error = %e, "unreadable import mapping");
            AppError::internal()
        })?;
        let rows = table.rows(&mapping);
        let bad = rows.problems.len() as i64;
        let total = bad + rows.good.len() as i64;
        let from = usize::try_from(job.rows_done - bad).unwrap_or(0);
        for chunk in rows
            .good
            .get(from..)
            .unwrap_or_default()
            .chunks(IMPORT_CHUNK)
        {
            job.rows_done = job.rows_done.max(bad) + chunk.len() as i64;
            let lease = Utc::now() + TimeDelta::seconds(LEASE_SECS);
            let Some(done) = store
                .import_chunk(job.id, chunk, job.rows_done, total, job.lease_until, lease)
                .await?
            else {
                // The lease ran out (a long parse, a slow database): another process
                // has the job and goes on from the last chunk recorded.
                tracing::warn!(
                    import = job.id,
                    "lost the import's lease; another process goes on"
                );
                return Ok(());
            };
            job.lease_until = lease;
            job.inserted += i64::try_from(done.inserted).unwrap_or(0);
            job.updated += i64::try_from(done.updated).unwrap_or(0);
        }
        let report = ImportReport {
            rows: rows.count,
            inserted: u64::try_from(job.inserted).unwrap_or(0),
            updated: u64::try_from(job.updated).unwrap_or(0),
            problems: rows.problems,
        };
        if !store
            .finish_import(job.id, &Ok(report), job.lease_until)
            .await?
        {
            tracing::warn!(import = job.id, "lost the import's lease before its report");
        }
        Ok(())
    }
}

#[server(prefix = "/rpc", endpoint = "contact_import")]
pub async fn load_contact_import(id: i64) -> Result<ImportView, AppError> {
    use crate::api::{auth::Action, context};
    let (services, _) = context::require(Action::ManageContacts)
        .await
        .or_else(context::fail)?;
    view(services.store.as_ref(), id)
        .await
        .or_else(context::fail)
}
