//! The storage contract (`app::ports::Store`) on two backends: SQLite, the zero-setup
//! default, and PostgreSQL, for many processes. The URL's scheme picks one.

mod rows;
#[macro_use]
mod shared;
#[macro_use]
mod outbox;
#[macro_use]
mod imports;
pub mod postgres;
pub mod sqlite;

use app::ports::{Store, StoreError};
use std::sync::Arc;

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
    if url.starts_with("sqlite:") {
        let store = sqlite::SqliteStore::connect(url).await?;
        if migrate {
            store.migrate().await?;
        }
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = postgres::PgStore::connect(url).await?;
        if migrate {
            store.migrate().await?;
        }
        Ok(Arc::new(store))
    } else {
        Err(OpenError::UnsupportedUrl(redact(url)))
    }
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

fn backend(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        other => StoreError::Backend(other.to_string()),
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
