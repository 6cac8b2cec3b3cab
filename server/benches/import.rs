//! Benchmark: a 100 000-row contact CSV imported (parsed, checked, upserted) on SQLite and
//! PostgreSQL, against the raw rate at which the same database takes the same rows in one
//! transaction, measured in the same run. Prints figures; checks only that every row
//! was imported, never a time.

use app::api::{contacts, imports};
use server::storage;
use std::time::{Duration, Instant};

// The stories' harness: fresh databases on both backends.
#[path = "../tests/stories/harness/mod.rs"]
mod harness;

const ROWS: usize = 100_000;
const CHUNK: usize = 1_000;

fn csv() -> Vec<u8> {
    let mut out = String::from("\u{feff}E-Mail;Name;Sprache;Team;Tier;Region;Revenue\r\n");
    let teams = ["Sales", "Ops", "Support", "Marketing", "Engineering"];
    for i in 0..ROWS {
        out.push_str(&format!(
            "person{i}@example.com;Person {i};{};{};{};{};{}\r\n",
            if i % 3 == 0 { "de" } else { "en" },
            teams[i % teams.len()],
            ["A", "B", "C"][i % 3],
            ["Nord", "Süd", "West", "Ost"][i % 4],
            (i * 37) % 100_000
        ));
    }
    out.into_bytes()
}

/// The raw limit: the same rows, already prepared, inserted in one transaction with
/// multi-row statements, no parsing or checking in the way.
async fn raw_inserts(url: &str) -> Duration {
    macro_rules! raw {
        ($pool:expr, $db:ty) => {{
            let pool = $pool;
            let now = chrono::Utc::now();
            let start = Instant::now();
            let mut tx = pool.begin().await.expect("begin");
            for chunk in (0..ROWS).collect::<Vec<_>>().chunks(CHUNK) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO contacts (email, name, locale, attributes, created_at, updated_at) ",
                );
                q.push_values(chunk, |mut row, i| {
                    row.push_bind(format!("raw{i}@example.com"))
                        .push_bind(format!("Person {i}"))
                        .push_bind("en")
                        .push_bind(r#"{"region":"Nord","revenue":"1","team":"Sales","tier":"A"}"#)
                        .push_bind(now)
                        .push_bind(now);
                });
                q.build().execute(&mut *tx).await.expect("insert");
            }
            tx.commit().await.expect("commit");
            start.elapsed()
        }};
    }
    if url.starts_with("sqlite:") {
        let pool = storage::sqlite::connect(url).await.expect("sqlite");
        raw!(pool, sqlx::Sqlite)
    } else {
        let pool = storage::postgres::connect(url).await.expect("postgres");
        raw!(pool, sqlx::Postgres)
    }
}

async fn bench_backend(name: &str, url: &str, file: &[u8]) {
    let store = storage::open(url, true).await.expect("store");
    let raw = raw_inserts(url).await;
    let rate = |d: Duration| ROWS as f64 / d.as_secs_f64();
    let row = |what: &str, d: Duration| {
        println!(
            "{name:<10} {what:<30} {:>7.2} s   {:>8.0} rows/s   {:>5.2} × raw insert rate",
            d.as_secs_f64(),
            rate(d),
            rate(d) / rate(raw)
        );
    };
    row("raw insert (1 tx)", raw);
    let start = Instant::now();
    let report = contacts::import(store.as_ref(), file, None)
        .await
        .expect("import");
    row("import CSV, all new", start.elapsed());
    assert_eq!(report.inserted as usize, ROWS);
    let start = Instant::now();
    let report = contacts::import(store.as_ref(), file, None)
        .await
        .expect("import");
    row("import CSV again, all updates", start.elapsed());
    assert_eq!(report.updated as usize, ROWS);

    // The admin area's way: upload, preview, start, and the job in chunks with progress.
    let user = store
        .create_first_user(app::ports::NewUser {
            email: "bench@example.com".into(),
            name: "Bench".into(),
            password_hash: "$argon2id$not-checked-here".into(),
            role: app::model::Role::Admin,
            scope: Default::default(),
        })
        .await
        .expect("user");
    let store = store.as_ref();
    let start = Instant::now();
    let id = imports::upload(store, &user, "bench.csv", file)
        .await
        .expect("upload");
    let preview = imports::view(store, id).await.expect("view").preview;
    let choices = preview.expect("a pending import").choices;
    imports::start(store, id, &choices).await.expect("start");
    imports::run_imports(store).await.expect("job");
    row("upload, preview, job (updates)", start.elapsed());
    let report = imports::view(store, id).await.expect("view").report;
    assert_eq!(report.expect("done").updated as usize, ROWS);
}

#[tokio::main]
async fn main() {
    let file = csv();
    println!(
        "{ROWS} contacts, {:.1} MB of CSV; ratios are against the raw insert rate of the same backend",
        file.len() as f64 / 1e6
    );
    let sqlite = harness::sqlite_db();
    let url = sqlite.url.clone();
    bench_backend("sqlite", &url, &file).await;

    // The stories' harness makes (and drops) a fresh database; unreachable, it says so.
    match harness::postgres_db().await {
        Some(db) => bench_backend("postgres", &db.url, &file).await,
        None => println!("postgres   skipped"),
    }
}
