//! Benchmark: the dashboard at scale, on SQLite and PostgreSQL. `resonance demo-data`
//! fills a fresh database with `DASHBOARD_ANSWERS` responses (default 1 000 000) over two
//! years; then p50 and p95 of the customer NPS dashboard, as the server-rendered page and
//! as its API call, for five views, each as a ratio to a full scan of the same survey's
//! answers measured in the same run. Prints figures; asserts nothing. Loopback only,
//! fixed request counts, one request at a time (a manager opening a page).
//!
//! Then the survey's answers file (`answers.csv`, every response) streamed through
//! HTTP: its rate against the scan, and the process's peak memory while writing it above
//! what it held before (the server runs in this process; the client keeps no body).
//!
//! `DASHBOARD_BACKENDS=postgres DASHBOARD_ANSWERS=10000000` runs the tenfold case.

use clap::Parser;
use server::config::{Cli, Command};
use std::time::{Duration, Instant};

#[path = "../tests/stories/harness/mod.rs"]
mod harness;

const REQUESTS: usize = 40;
const WARM_UP: usize = 3;
const SCANS: usize = 5;

/// The views measured: (name, query string).
/// The last is not counted together: it is read from the answers (a scan of the range).
const VIEWS: [(&str, &str); 6] = [
    ("no filter", ""),
    ("last 90 days", "range=90d"),
    ("one attribute", "filter=team:Sales"),
    ("breakdown by team", "by=team"),
    ("two attributes", "filter=team:Sales&filter=tier:A"),
    (
        "three attributes",
        "filter=team:Sales&filter=tier:A&filter=region:EMEA",
    ),
];

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// p50 and p95 of `REQUESTS` GETs of `url`, after a few to warm caches.
async fn latencies(client: &reqwest::Client, url: &str) -> Latencies {
    let mut times = Vec::with_capacity(REQUESTS);
    let mut bytes = 0;
    for i in 0..WARM_UP + REQUESTS {
        let t = Instant::now();
        let res = client.get(url).send().await.expect("request");
        assert_eq!(res.status(), 200, "{url}");
        bytes = res.bytes().await.expect("body").len();
        if i >= WARM_UP {
            times.push(t.elapsed());
        }
    }
    times.sort();
    (quantile(&times, 0.5), quantile(&times, 0.95), bytes)
}

/// The raw limit: one pass over every answer to the survey's NPS question, counting the
/// scores (what a dashboard without counts kept current would do per view), best of a few.
async fn full_scan(url: &str, survey_id: i64) -> (Duration, i64) {
    macro_rules! scan {
        ($pool:expr) => {{
            let pool = $pool;
            let sql = "SELECT a.score, COUNT(*) FROM answers a \
                       JOIN responses r ON r.id = a.response_id \
                       WHERE r.survey_id = $1 AND a.question_key = 'nps' GROUP BY a.score";
            let (mut best, mut answers) = (Duration::MAX, 0);
            for _ in 0..SCANS {
                let t = Instant::now();
                let rows: Vec<(Option<i32>, i64)> = sqlx::query_as(sql)
                    .bind(survey_id)
                    .fetch_all(&pool)
                    .await
                    .expect("scan");
                best = best.min(t.elapsed());
                answers = rows.iter().map(|r| r.1).sum();
            }
            (best, answers)
        }};
    }
    if url.starts_with("sqlite:") {
        scan!(server::storage::sqlite::connect(url).await.expect("sqlite"))
    } else {
        scan!(server::storage::postgres::connect(url)
            .await
            .expect("postgres"))
    }
}

async fn bench_backend(name: &str, url: &str, responses: u64) {
    let app = harness::spawn_app(url, &["--log-level", "error"]).await;
    let admin = harness::client();
    app.set_up_admin(&admin).await;

    let argv = [
        "resonance".to_owned(),
        "demo-data".to_owned(),
        "--database-url".to_owned(),
        url.to_owned(),
        "--responses".to_owned(),
        responses.to_string(),
        "--contacts".to_owned(),
        "20000".to_owned(),
    ];
    let Command::DemoData(args) = Cli::try_parse_from(argv).expect("arguments").command else {
        unreachable!("demo-data")
    };
    let t = Instant::now();
    server::demo::run(&args).await.expect("demo data");
    let load = t.elapsed();
    println!(
        "{name:<8} demo-data: {responses} responses in {:.0} s ({:.0} responses/s)",
        load.as_secs_f64(),
        responses as f64 / load.as_secs_f64()
    );

    let surveys = app.get_json(&admin, "/api/v1/surveys").await;
    let id = surveys
        .as_array()
        .expect("surveys")
        .iter()
        .find(|s| s["title"] == "Customer NPS (demo)")
        .and_then(|s| s["id"].as_i64())
        .expect("the demo's customer NPS");
    let (scan, answers) = full_scan(url, id).await;
    println!(
        "{name:<8} full scan of the survey's {answers} NPS answers: {:.1} ms (best of {SCANS})",
        ms(scan)
    );
    println!(
        "{name:<8} {:<18} {:>22} {:>22} {:>9}",
        "view", "page p50 / p95 ms", "API p50 / p95 ms", "page KB"
    );
    for (view, query) in VIEWS {
        let page = latencies(&admin, &app.url(&format!("/surveys/{id}?{query}"))).await;
        let api = latencies(
            &admin,
            &app.url(&format!("/api/v1/surveys/{id}/trends?{query}")),
        )
        .await;
        row(name, view, page, api, scan);
    }
    // Every survey's headline, sparkline and latest send on one page.
    let page = latencies(&admin, &app.url("/surveys")).await;
    let api = latencies(&admin, &app.url("/api/v1/overview")).await;
    row(name, "overview (4)", page, api, scan);
    answers_file(name, &app, &admin, id, scan, answers).await;
}

/// Streams the survey's whole answers file and prints its size, time and the memory the
/// process's peak grew by meanwhile.
async fn answers_file(
    name: &str,
    app: &harness::TestApp,
    admin: &reqwest::Client,
    id: i64,
    scan: Duration,
    answers: i64,
) {
    let before = memory_kib("VmRSS");
    // Linux: writing 5 here resets the peak (VmHWM) to what is resident now.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let t = Instant::now();
    let mut res = admin
        .get(app.url(&format!("/api/v1/surveys/{id}/answers.csv?range=all")))
        .send()
        .await
        .expect("answers file");
    assert_eq!(res.status(), 200, "the answers file");
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = res.chunk().await.expect("a chunk") {
        bytes += chunk.len();
        lines += chunk.iter().filter(|&&b| b == b'\n').count();
    }
    let took = t.elapsed();
    let peak = memory_kib("VmHWM");
    println!(
        "{name:<8} answers.csv of {answers} answers: {} rows, {:.1} MiB in {:.1} s \
         ({:.0} rows/s; {:.1}× the scan's time); peak memory {} MiB above the {} MiB before{}",
        lines.saturating_sub(1),
        bytes as f64 / 1_048_576.0,
        took.as_secs_f64(),
        lines as f64 / took.as_secs_f64(),
        took.as_secs_f64() / scan.as_secs_f64(),
        peak.saturating_sub(before) / 1024,
        before / 1024,
        if reset {
            ""
        } else {
            " (peak since start: clear_refs refused)"
        },
    );
}

/// A line of /proc/self/status in KiB (0 where there is none).
fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

type Latencies = (Duration, Duration, usize);

/// One view's line: page and API p50 / p95, each p95 against the scan, the page's size.
fn row(backend: &str, view: &str, page: Latencies, api: Latencies, scan: Duration) {
    println!(
        "{backend:<8} {view:<18} {:>7.1} / {:>6.1} ({:>4.2}×) {:>7.1} / {:>6.1} ({:>4.2}×) {:>9.1}",
        ms(page.0),
        ms(page.1),
        ms(page.1) / ms(scan),
        ms(api.0),
        ms(api.1),
        ms(api.1) / ms(scan),
        page.2 as f64 / 1024.0,
    );
}

#[tokio::main]
async fn main() {
    let responses: u64 = std::env::var("DASHBOARD_ANSWERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let backends = std::env::var("DASHBOARD_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    println!(
        "dashboard at {responses} responses; {REQUESTS} requests per view, one at a time; \
         (×) is p95 as a multiple of the full scan of the same backend"
    );
    if backends.contains("sqlite") {
        let sqlite = harness::sqlite_db();
        bench_backend("sqlite", &sqlite.url, responses).await;
    }
    if backends.contains("postgres") {
        match harness::postgres_db().await {
            Some(pg) => bench_backend("postgres", &pg.url, responses).await,
            None => println!("postgres: skipped (not reachable)"),
        }
    }
}
