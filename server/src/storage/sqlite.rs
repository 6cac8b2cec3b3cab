//! SQLite: one file, WAL, created on first start. The default backend.

use super::dialect::Dialect;
use super::{connect_error, OpenError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

pub const DIALECT: Dialect = Dialect {
    // One writer at a time: the claim's `UPDATE … RETURNING` is atomic as it is.
    claim_lock: "",
    merge_attributes: "json_patch(contacts.attributes, excluded.attributes)",
    attribute_value: ("json_extract(attributes, ", "$."),
    group_value: ("json_extract(r.groups, ", "$."),
    // SQLite's LIKE ignores the case of ASCII letters.
    like_any_case: "LIKE",
    // A deferred BEGIN that reads before it writes cannot wait for the write lock: it
    // fails at once with "database is locked". IMMEDIATE takes the lock first, waiting
    // up to the busy timeout.
    begin_write: "BEGIN IMMEDIATE",
    // An INTEGER PRIMARY KEY takes any id given; NULL takes the next one.
    chosen_id: "",
    next_response_id: "NULL",
    // randomblob() draws from SQLite's own strong generator (seeded by the OS).
    random_secret: "lower(hex(randomblob(32)))",
    // json_extract per attribute: SQLite has no containment operator.
    groups_contain: None,
    // SQLite's planner reads only what ANALYZE gathers; there is no visibility map.
    refresh_statistics: "ANALYZE",
};

/// Opens (creating if missing) the database file the URL names.
pub async fn connect(url: &str) -> Result<SqlitePool, OpenError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| OpenError::InvalidUrl(e.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        // Dashboards read many pages of the buckets' index: mapped, a page costs a memory
        // read instead of a read() call, and a larger cache keeps the hot ones.
        .pragma("mmap_size", "1073741824")
        .pragma("cache_size", "-16384");
    SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(connect_error)
}

pub async fn migrate(pool: &SqlitePool) -> Result<(), OpenError> {
    sqlx::migrate!("../migrations/sqlite")
        .run(pool)
        .await
        .map_err(|e| OpenError::Migrate(e.to_string()))
}
