//! The storage contract (`app::ports::Store`) on two backends: SQLite, the zero-setup
//! default, and PostgreSQL, for many processes. The URL's scheme picks one.
//!
//! One file per aggregate implements its port trait once for both backends: `accounts`,
//! `surveys`, `contacts` (and segments, privacy), `responses` (personal links, answers,
//! day buckets), `inbox` (identified responses one by one), `cases` (and their history),
//! `sends` (the outbox), `imports`, `webhooks` (endpoints, and deliveries claimed as the
//! outbox's messages are). Each statement is written once with `$n`
//! parameters and run through `db`; where the backends must differ (the outbox claim,
//! JSON attributes, how a writing transaction begins) the shared code names the
//! backend's `Dialect`, declared with its reasons in `sqlite.rs` and `postgres.rs`.

mod accounts;
mod cases;
mod contacts;
pub mod db;
mod dialect;
mod digests;
mod imports;
mod inbox;
pub mod postgres;
mod responses;
mod rows;
mod sends;
pub mod sqlite;
mod surveys;
mod webhooks;

use app::ports::{Store, StoreError};
use db::{query, Db};
use std::sync::Arc;

/// The storage contract on an open database of either backend.
pub struct Storage {
    db: Db,
}

impl Storage {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait::async_trait]
impl Store for Storage {
    async fn ping(&self) -> Result<(), StoreError> {
        query("SELECT 1").execute(&self.db).await?;
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("unsupported database URL \"{0}\": use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database migration failed: {0}")]
    Migrate(String),
}

/// Opens the database the URL names; with `migrate`, applies the embedded migrations.
pub async fn open(url: &str, migrate: bool) -> Result<Arc<dyn Store>, OpenError> {
    let db = if url.starts_with("sqlite:") {
        let pool = sqlite::connect(url).await?;
        if migrate {
            sqlite::migrate(&pool).await?;
        }
        Db::Sqlite(pool)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = postgres::connect(url).await?;
        if migrate {
            postgres::migrate(&pool).await?;
        }
        Db::Postgres(pool)
    } else {
        return Err(OpenError::UnsupportedUrl(redact(url)));
    };
    Ok(Arc::new(Storage::new(db)))
}

/// A URL fit for an error message: any password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn connect_error(err: sqlx::Error) -> OpenError {
    match err {
        sqlx::Error::Configuration(e) => OpenError::InvalidUrl(e.to_string()),
        other => OpenError::Connect(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_password_in_a_database_url_never_reaches_an_error_message() {
        assert_eq!(
            redact("postgres://ana:s3cret@db.example/resonance"),
            "postgres://ana:***@db.example/resonance"
        );
        assert_eq!(redact("sqlite://resonance.db"), "sqlite://resonance.db");
    }
}
