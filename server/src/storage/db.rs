//! Running SQL on either backend. The storage files write each statement once, with
//! numbered `$n` parameters (both backends accept them), bind plain Rust values and read
//! rows into `#[derive(sqlx::FromRow)]` types; this module sends the statement to the pool
//! or transaction it is given. What the two backends spell differently is not here but in
//! their `Dialect` (declared in `sqlite.rs` and `postgres.rs`), which the shared code names.

use super::dialect::Dialect;
use app::ports::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, FromRow, PgPool, Postgres, Sqlite, SqlitePool};

/// An open database: the pool of one backend and the SQL it speaks.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    pub fn dialect(&self) -> &'static Dialect {
        match self {
            Db::Sqlite(_) => &super::sqlite::DIALECT,
            Db::Postgres(_) => &super::postgres::DIALECT,
        }
    }

    /// A transaction for work that writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later
    /// fails with "database is locked" when another writer got in between, whatever the
    /// busy timeout; an immediate one waits its turn instead.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let statement = self.dialect().begin_write;
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with(statement).await.map_err(backend)?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin_with(statement).await.map_err(backend)?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// An open transaction; dropped without `commit`, it rolls back.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub fn dialect(&self) -> &'static Dialect {
        match self {
            Tx::Sqlite(_) => &super::sqlite::DIALECT,
            Tx::Postgres(_) => &super::postgres::DIALECT,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
        .map_err(backend)
    }
}

/// Where a statement runs: on the pool (its own implicit transaction) or in one.
pub enum On<'c> {
    Pool(&'c Db),
    Tx(&'c mut Tx),
}

impl On<'_> {
    pub fn dialect(&self) -> &'static Dialect {
        match self {
            On::Pool(db) => db.dialect(),
            On::Tx(tx) => tx.dialect(),
        }
    }
}

impl<'c> From<&'c Db> for On<'c> {
    fn from(db: &'c Db) -> Self {
        On::Pool(db)
    }
}

impl<'c> From<&'c mut Tx> for On<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        On::Tx(tx)
    }
}

/// A row type both backends can read: every `#[derive(sqlx::FromRow)]` struct and tuple
/// of plain values.
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// The parameters one multi-row statement binds at most. SQLite finds a parameter by
/// walking its list of names, so binding n of them costs n² / 2 steps: at a thousand
/// that is below the work of the rows themselves, and PostgreSQL still gets few round
/// trips.
const PARAMS_PER_STATEMENT: usize = 1_000;

/// How many rows of `columns` values one multi-row statement takes.
pub fn rows_per_statement(columns: usize) -> usize {
    (PARAMS_PER_STATEMENT / columns.max(1)).max(1)
}

/// A bound value. Nulls keep their type: PostgreSQL checks parameter types.
#[derive(Clone, Debug)]
pub enum Arg {
    Int(Option<i64>),
    Int32(Option<i32>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Time(Option<DateTime<Utc>>),
    Date(Option<NaiveDate>),
}

macro_rules! arg_from {
    ($variant:ident, $t:ty) => {
        impl From<$t> for Arg {
            fn from(v: $t) -> Self {
                Arg::$variant(Some(v.into()))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Self {
                Arg::$variant(v.map(Into::into))
            }
        }
    };
}

arg_from!(Int, i64);
arg_from!(Int32, i32);
arg_from!(Float, f64);
arg_from!(Bool, bool);
arg_from!(Text, String);
arg_from!(Text, &str);
arg_from!(Text, &String);
arg_from!(Bytes, Vec<u8>);
arg_from!(Bytes, &[u8]);
arg_from!(Time, DateTime<Utc>);
arg_from!(Date, NaiveDate);

impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Self {
        Arg::Text(v.clone())
    }
}

/// A statement and its parameters, built up in order: `bind` for a `$n` written in the
/// SQL, `push_bind` to append the next `$n` as the statement is composed.
#[derive(Clone, Debug, Default)]
pub struct Query {
    sql: String,
    args: Vec<Arg>,
}

/// A statement with numbered parameters, bound in order with `bind`.
pub fn query(sql: impl Into<String>) -> Query {
    Query {
        sql: sql.into(),
        args: Vec::new(),
    }
}

impl Query {
    pub fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends the next parameter's placeholder and binds the value to it.
    pub fn push_bind(&mut self, value: impl Into<Arg>) -> &mut Self {
        self.args.push(value.into());
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }

    /// Appends `(v1, v2, …)` with one parameter per value.
    pub fn push_tuple<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        self.push(")")
    }

    /// Appends `VALUES (…), (…)`: one tuple per row, its values from `row`.
    pub fn push_values<T>(
        &mut self,
        rows: impl IntoIterator<Item = T>,
        mut row: impl FnMut(T) -> Vec<Arg>,
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, item) in rows.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_tuple(row(item));
        }
        self
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute<'c>(self, on: impl Into<On<'c>>) -> Result<u64, StoreError> {
        let Query { sql, args } = self;
        let done = match on.into() {
            On::Pool(Db::Sqlite(pool)) => sqlx::query_with(&sql, sqlite_args(args)?)
                .execute(pool)
                .await
                .map(|d| d.rows_affected()),
            On::Pool(Db::Postgres(pool)) => sqlx::query_with(&sql, postgres_args(args)?)
                .execute(pool)
                .await
                .map(|d| d.rows_affected()),
            On::Tx(Tx::Sqlite(tx)) => sqlx::query_with(&sql, sqlite_args(args)?)
                .execute(&mut **tx)
                .await
                .map(|d| d.rows_affected()),
            On::Tx(Tx::Postgres(tx)) => sqlx::query_with(&sql, postgres_args(args)?)
                .execute(&mut **tx)
                .await
                .map(|d| d.rows_affected()),
        };
        done.map_err(backend)
    }

    pub async fn fetch_all<'c, R: Record>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Vec<R>, StoreError> {
        let Query { sql, args } = self;
        let rows = match on.into() {
            On::Pool(Db::Sqlite(pool)) => {
                sqlx::query_as_with(&sql, sqlite_args(args)?)
                    .fetch_all(pool)
                    .await
            }
            On::Pool(Db::Postgres(pool)) => {
                sqlx::query_as_with(&sql, postgres_args(args)?)
                    .fetch_all(pool)
                    .await
            }
            On::Tx(Tx::Sqlite(tx)) => {
                sqlx::query_as_with(&sql, sqlite_args(args)?)
                    .fetch_all(&mut **tx)
                    .await
            }
            On::Tx(Tx::Postgres(tx)) => {
                sqlx::query_as_with(&sql, postgres_args(args)?)
                    .fetch_all(&mut **tx)
                    .await
            }
        };
        rows.map_err(backend)
    }

    pub async fn fetch_optional<'c, R: Record>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Option<R>, StoreError> {
        let Query { sql, args } = self;
        let row = match on.into() {
            On::Pool(Db::Sqlite(pool)) => {
                sqlx::query_as_with(&sql, sqlite_args(args)?)
                    .fetch_optional(pool)
                    .await
            }
            On::Pool(Db::Postgres(pool)) => {
                sqlx::query_as_with(&sql, postgres_args(args)?)
                    .fetch_optional(pool)
                    .await
            }
            On::Tx(Tx::Sqlite(tx)) => {
                sqlx::query_as_with(&sql, sqlite_args(args)?)
                    .fetch_optional(&mut **tx)
                    .await
            }
            On::Tx(Tx::Postgres(tx)) => {
                sqlx::query_as_with(&sql, postgres_args(args)?)
                    .fetch_optional(&mut **tx)
                    .await
            }
        };
        row.map_err(backend)
    }

    pub async fn fetch_one<'c, R: Record>(self, on: impl Into<On<'c>>) -> Result<R, StoreError> {
        self.fetch_optional(on)
            .await?
            .ok_or_else(|| StoreError::Backend("the statement returned no row".into()))
    }

    /// The first column of the one row the statement returns.
    pub async fn scalar<'c, T>(self, on: impl Into<On<'c>>) -> Result<T, StoreError>
    where
        (T,): Record,
    {
        Ok(self.fetch_one::<(T,)>(on).await?.0)
    }

    /// The first column of the row the statement returns, if it returns one.
    pub async fn scalar_optional<'c, T>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Option<T>, StoreError>
    where
        (T,): Record,
    {
        Ok(self.fetch_optional::<(T,)>(on).await?.map(|(v,)| v))
    }

    /// The first column of every row the statement returns.
    pub async fn scalars<'c, T>(self, on: impl Into<On<'c>>) -> Result<Vec<T>, StoreError>
    where
        (T,): Record,
    {
        Ok(self
            .fetch_all::<(T,)>(on)
            .await?
            .into_iter()
            .map(|(v,)| v)
            .collect())
    }
}

fn sqlite_args(args: Vec<Arg>) -> Result<SqliteArguments<'static>, StoreError> {
    let mut out = SqliteArguments::default();
    for arg in args {
        add(&mut out, arg)?;
    }
    Ok(out)
}

fn postgres_args(args: Vec<Arg>) -> Result<PgArguments, StoreError> {
    let mut out = PgArguments::default();
    for arg in args {
        add(&mut out, arg)?;
    }
    Ok(out)
}

/// Binds one value; both backends encode every `Arg` type.
fn add<'q, A>(args: &mut A, arg: Arg) -> Result<(), StoreError>
where
    A: Arguments<'q>,
    Option<i64>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    Option<i32>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    Option<f64>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    Option<bool>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    Option<String>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    Option<Vec<u8>>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    Option<DateTime<Utc>>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
    Option<NaiveDate>: sqlx::Encode<'q, A::Database> + sqlx::Type<A::Database>,
{
    let added = match arg {
        Arg::Int(v) => args.add(v),
        Arg::Int32(v) => args.add(v),
        Arg::Float(v) => args.add(v),
        Arg::Bool(v) => args.add(v),
        Arg::Text(v) => args.add(v),
        Arg::Bytes(v) => args.add(v),
        Arg::Time(v) => args.add(v),
        Arg::Date(v) => args.add(v),
    };
    added.map_err(|e| StoreError::Backend(format!("cannot bind a parameter: {e}")))
}

/// A driver error as the port's error: a unique violation is a conflict the use case may
/// expect; anything else is a failure the client never sees the text of.
pub fn backend(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_string())
        }
        other => StoreError::Backend(other.to_string()),
    }
}
