//! Benchmark: the answer page (GET) and the answer POST, on SQLite and PostgreSQL, each
//! against the raw rate at which the same database takes the same rows, measured in the
//! same run. Prints figures; asserts nothing. Loopback only, fixed request counts.

use clap::Parser;
use server::config::{Cli, Command};
use server::storage;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

// The stories' harness: fresh databases on both backends.
#[path = "../tests/stories/harness/mod.rs"]
mod harness;

const CONCURRENCY: usize = 8;
const PAGE_REQUESTS: usize = 1_000;
const ANSWER_REQUESTS: usize = 2_000;
const RAW_INSERTS: usize = 2_000;

struct Figures {
    per_second: f64,
    p99: Duration,
}

/// Runs `n` calls of `op` on `CONCURRENCY` workers; returns throughput and p99 latency.
async fn measure<F, Fut>(n: usize, op: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(Mutex::new(0usize));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let start = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (op, next, latencies) = (op.clone(), next.clone(), latencies.clone());
            tokio::spawn(async move {
                loop {
                    let i = {
                        let mut next = next.lock().await;
                        if *next >= n {
                            break;
                        }
                        *next += 1;
                        *next
                    };
                    let t = Instant::now();
                    op(i).await;
                    latencies.lock().await.push(t.elapsed());
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("worker");
    }
    let elapsed = start.elapsed();
    let mut l = latencies.lock().await.clone();
    l.sort();
    Figures {
        per_second: n as f64 / elapsed.as_secs_f64(),
        p99: l[(l.len() * 99 / 100).min(l.len() - 1)],
    }
}

/// The raw limit: the rows one answer writes (response, answer, day bucket), in one
/// transaction, straight through sqlx with no HTTP or application code in the way.
async fn raw_inserts(url: &str, survey_id: i64) -> Figures {
    macro_rules! raw {
        ($pool:expr) => {{
            let pool = $pool;
            measure(RAW_INSERTS, move |i| {
                let pool = pool.clone();
                async move {
                    let mut tx = pool.begin().await.expect("begin");
                    let day = chrono::Utc::now().date_naive();
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO responses (survey_id, version, response_key, locale, day, submitted_at) \
                         VALUES ($1, 1, $2, 'en', $3, $4) RETURNING id",
                    )
                    .bind(survey_id)
                    .bind(format!("raw-{i}"))
                    .bind(day)
                    .bind(chrono::Utc::now())
                    .fetch_one(&mut *tx)
                    .await
                    .expect("response");
                    sqlx::query(
                        "INSERT INTO answers (response_id, question_key, score, value) \
                         VALUES ($1, 'nps', 7, '{\"type\":\"score\",\"value\":7}')",
                    )
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .expect("answer");
                    sqlx::query(
                        "INSERT INTO answer_buckets (survey_id, question_key, day, segment, score, n) \
                         VALUES ($1, 'nps', $2, 'raw', 7, 1) \
                         ON CONFLICT (survey_id, question_key, day, segment, score) \
                         DO UPDATE SET n = answer_buckets.n + 1",
                    )
                    .bind(survey_id)
                    .bind(day)
                    .execute(&mut *tx)
                    .await
                    .expect("bucket");
                    tx.commit().await.expect("commit");
                }
            })
            .await
        }};
    }
    if url.starts_with("sqlite:") {
        let pool = storage::sqlite::connect(url).await.expect("sqlite");
        raw!(pool)
    } else {
        let pool = storage::postgres::connect(url).await.expect("postgres");
        raw!(pool)
    }
}

async fn bench_backend(name: &str, url: &str) {
    let site = tempfile::tempdir().expect("site dir");
    let argv = [
        "resonance",
        "serve",
        "--database-url",
        url,
        "--bind",
        "127.0.0.1:0",
        "--secret-key",
        "bench-secret-key-0123456789abcdef-0123456789",
        "--site-root",
        site.path().to_str().expect("utf-8"),
        "--log-level",
        "error",
        // Every answer comes from one address: the limit per address would measure
        // itself, not the answer path.
        "--answer-burst",
        "4000000000",
        "--answer-rate",
        "1000000",
    ];
    let Command::Serve(args) = Cli::try_parse_from(argv).expect("arguments").command else {
        unreachable!("serve")
    };
    let bound = server::serve::bind(&args).await.expect("server starts");
    let base = format!("http://{}", bound.addr);
    tokio::spawn(bound.serve(std::future::pending()));

    let store = storage::open(url, false).await.expect("store");
    let admin = store
        .create_first_user(app::ports::NewUser {
            email: "bench@example.com".into(),
            name: "Bench".into(),
            password_hash: "unused".into(),
            role: app::model::Role::Admin,
            scope: Default::default(),
        })
        .await
        .expect("user");
    let open = app::ports::SurveySettings {
        status: app::model::SurveyStatus::Active,
        closes_at: None,
        response_cap: None,
        notifications: Default::default(),
    };
    let mut surveys = Vec::new();
    for (kind, slug) in [
        (app::model::SurveyKind::Nps, "bench-slug"),
        (app::model::SurveyKind::Pulse, "bench-pulse"),
    ] {
        let survey = store
            .create_survey(app::ports::NewSurvey {
                definition: app::domain::template(kind),
                public_slug: slug.into(),
                created_by: admin.id,
            })
            .await
            .expect("survey");
        store
            .update_survey_settings(survey.id, &open)
            .await
            .expect("open");
        surveys.push(survey);
    }

    let raw = raw_inserts(url, surveys[0].id).await;
    let client = reqwest::Client::new();
    let page = {
        let (client, url) = (client.clone(), format!("{base}/s/bench-slug?score=7"));
        measure(PAGE_REQUESTS, move |_| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let res = client.get(url).send().await.expect("page");
                assert_eq!(res.status(), 200);
                res.bytes().await.expect("body");
            }
        })
        .await
    };
    let post = {
        let (client, url) = (client.clone(), format!("{base}/api/v1/answers/bench-slug"));
        measure(ANSWER_REQUESTS, move |i| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let res = client
                    .post(url)
                    .json(&serde_json::json!({ "answers": { "nps": i % 11 } }))
                    .send()
                    .await
                    .expect("answer");
                assert_eq!(res.status(), 201);
            }
        })
        .await
    };
    // A whole pulse response: five Likert statements, eNPS and a comment in one POST.
    let pulse = {
        let (client, url) = (client.clone(), format!("{base}/api/v1/answers/bench-pulse"));
        measure(ANSWER_REQUESTS, move |i| {
            let (client, url) = (client.clone(), url.clone());
            async move {
                let s = 1 + i % 5;
                let body = serde_json::json!({ "answers": {
                    "workload": s, "recognition": s, "manager_support": s, "growth": s,
                    "belonging": s, "enps": i % 11, "comments": "More focus time"
                } });
                let res = client.post(url).json(&body).send().await.expect("answer");
                assert_eq!(res.status(), 201);
            }
        })
        .await
    };
    let row = |what: &str, f: &Figures| {
        println!(
            "{name:<10} {what:<26} {:>9.0}/s   p99 {:>7.2} ms   {:>5.2} × raw insert rate",
            f.per_second,
            f.p99.as_secs_f64() * 1e3,
            f.per_second / raw.per_second
        );
    };
    row("raw insert (3 rows, 1 tx)", &raw);
    row("GET answer page", &page);
    row("POST answer (API)", &post);
    row("POST pulse, 7 answers (API)", &pulse);
}

#[tokio::main]
async fn main() {
    println!(
        "concurrency {CONCURRENCY}; ratios are against the raw insert rate of the same backend"
    );
    let sqlite = harness::sqlite_db();
    let url = sqlite.url.clone();
    bench_backend("sqlite", &url).await;

    // The stories' harness makes (and drops) a fresh database; unreachable, it says so.
    match harness::postgres_db().await {
        Some(db) => bench_backend("postgres", &db.url).await,
        None => println!("postgres   skipped"),
    }
}
