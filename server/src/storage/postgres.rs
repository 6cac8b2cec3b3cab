//! PostgreSQL: the scale-out backend, shared by many `resonance` processes.

use super::dialect::Dialect;
use super::{connect_error, OpenError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

pub const DIALECT: Dialect = Dialect {
    // Several processes claim at once: each skips the rows another one holds.
    claim_lock: " FOR UPDATE SKIP LOCKED",
    // Attributes are stored as JSON text (the column type both backends share).
    merge_attributes: "(contacts.attributes::jsonb || excluded.attributes::jsonb)::text",
    attribute_value: ("(attributes::jsonb ->> ", ""),
    group_value: ("(r.groups::jsonb ->> ", ""),
    // One containment test for all of a view's attributes: the planner counts it as one
    // condition (two `->>` tests multiply to an estimate of one row, and it then reads
    // the whole range to sort it), and the text is parsed once per row, not per test.
    groups_contain: Some(("r.groups::jsonb @> CAST(", " AS jsonb)")),
    like_any_case: "ILIKE",
    // Row locks are taken as rows are written; a plain BEGIN never fails for a writer
    // that got in first.
    begin_write: "BEGIN",
    // The id is GENERATED ALWAYS: a given one must override it, and then the next one
    // comes from its sequence by name.
    chosen_id: "OVERRIDING SYSTEM VALUE",
    next_response_id: "nextval(pg_get_serial_sequence('responses', 'id'))",
    // gen_random_uuid() (built in since PostgreSQL 13) draws 122 bits from the strong
    // random source; two of them, without the dashes.
    random_secret: "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')",
    // Statistics, and the visibility map: without it an index-only scan of the counts
    // visits the table for every row, until autovacuum gets there (in the middle of
    // someone's reading, on a busy machine).
    refresh_statistics: "VACUUM (ANALYZE)",
};

pub async fn connect(url: &str) -> Result<PgPool, OpenError> {
    let options =
        PgConnectOptions::from_str(url).map_err(|e| OpenError::InvalidUrl(e.to_string()))?;
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(connect_error)
}

pub async fn migrate(pool: &PgPool) -> Result<(), OpenError> {
    sqlx::migrate!("../migrations/postgres")
        .run(pool)
        .await
        .map_err(|e| OpenError::Migrate(e.to_string()))
}
