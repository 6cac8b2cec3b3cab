//! Benchmark: sending surveys, on SQLite and PostgreSQL.
//! - Enqueueing a send to 100 000 contacts (one outbox row each, one transaction) against
//!   the raw rate at which the same database takes 100 000 prepared outbox rows.
//! - Messages a second through the outbox worker to two real SMTP servers on loopback,
//!   each against its own limit measured in the same run:
//!   - aiosmtpd writing a Maildir (the tests' server), against the rate it accepts the same
//!     messages sent straight over the worker's SMTP connections, with no database;
//!   - Postfix's `smtp-sink`, which accepts mail as fast as a server can, against the rate
//!     Postfix's own `smtp-source` reaches with as many sessions. `make bench` unpacks
//!     both from Debian's `postfix` package (`POSTFIX_DIR`); without it, this part says so.
//!
//! With each, the process's peak memory while it sends.
//!
//! Prints figures; checks only that every message went out, never a time.

use app::api::sends;
use app::model::{Role, SendRequest, SurveyKind, SurveyStatus};
use app::ports::{NewContact, NewSurvey, NewUser, SecretKey, Services, Settings, SurveySettings};
use lettre::message::Mailbox;
use lettre::Message;
use server::email::smtp::{Connections, Relay};
use server::email::{MailSettings, Worker};
use server::storage;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

// The stories' harness: fresh databases on both backends.
#[path = "../tests/stories/harness/mod.rs"]
mod harness;

const CONTACTS: usize = 100_000;
/// Messages sent to aiosmtpd (about 180 a second) and to smtp-sink.
const MESSAGES: usize = 3_000;
const FAST_MESSAGES: usize = 30_000;
const CONNECTIONS: u32 = 8;
/// About the size of an invitation with its text and HTML parts.
const MESSAGE_BYTES: usize = 4_000;

/// An SMTP server to send to, with its own limit measured in this run.
struct Sink {
    name: &'static str,
    url: String,
    raw_rate: f64,
    messages: usize,
    /// The contacts' `group` attribute that selects this many recipients.
    group: &'static str,
}

/// Postfix's `smtp-sink`, unpacked under `dir` (see `server/benches/postfix.sh`).
struct PostfixSink {
    dir: String,
    port: u16,
    process: std::process::Child,
}

impl PostfixSink {
    fn start(dir: &str) -> PostfixSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(format!("{dir}/usr/sbin/smtp-sink"));
        command.env("LD_LIBRARY_PATH", format!("{dir}/usr/lib/postfix"));
        // It will not run as root without a user to switch to.
        if is_root() {
            command.args(["-u", "nobody"]);
        }
        let process = command
            .args([&format!("127.0.0.1:{port}"), "1000"])
            .spawn()
            .expect("smtp-sink");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        PostfixSink {
            dir: dir.to_owned(),
            port,
            process,
        }
    }

    /// Postfix's own client, as many sessions as our worker has connections.
    fn raw_rate(&self) -> f64 {
        let start = Instant::now();
        let status = Command::new(format!("{}/usr/sbin/smtp-source", self.dir))
            .env("LD_LIBRARY_PATH", format!("{}/usr/lib/postfix", self.dir))
            .args(["-s", &CONNECTIONS.to_string()])
            .args(["-m", &FAST_MESSAGES.to_string()])
            .args(["-l", &MESSAGE_BYTES.to_string()])
            .args(["-f", "bench@example.com", "-t", "raw@example.com"])
            .arg(format!("127.0.0.1:{}", self.port))
            .status()
            .expect("smtp-source");
        assert!(status.success(), "smtp-source failed");
        FAST_MESSAGES as f64 / start.elapsed().as_secs_f64()
    }
}

impl Drop for PostfixSink {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Starts a new peak for [`peak_memory_mib`] (Linux: writing 5 to `clear_refs`).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident memory since the last reset, in MiB.
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The SMTP server's own limit: prepared messages, straight over SMTP connections.
async fn raw_smtp_rate(url: &str) -> f64 {
    let smtp = Arc::new(Connections::new(
        Relay::from_url(url).expect("smtp url"),
        Duration::from_secs(30),
    ));
    let from: Mailbox = "Bench <bench@example.com>".parse().expect("from");
    let messages: Vec<Message> = (0..MESSAGES)
        .map(|i| {
            Message::builder()
                .from(from.clone())
                .to(format!("raw{i}@example.com").parse().expect("to"))
                .subject("How likely are you to recommend us?")
                .body("x".repeat(MESSAGE_BYTES))
                .expect("message")
        })
        .collect();
    let slots = Arc::new(tokio::sync::Semaphore::new(CONNECTIONS as usize));
    let mut running = tokio::task::JoinSet::new();
    let start = Instant::now();
    for message in messages {
        let slot = slots.clone().acquire_owned().await.expect("slot");
        let smtp = smtp.clone();
        running.spawn(async move {
            let _slot = slot;
            smtp.send(&message).await.expect("raw send")
        });
    }
    while running.join_next().await.is_some() {}
    MESSAGES as f64 / start.elapsed().as_secs_f64()
}

/// The raw limit for enqueueing: prepared outbox rows in one transaction.
async fn raw_outbox_inserts(url: &str, survey_id: i64) -> Duration {
    macro_rules! raw {
        ($pool:expr, $db:ty) => {{
            let pool = $pool;
            let start = Instant::now();
            let mut tx = pool.begin().await.expect("begin");
            for chunk in (0..CONTACTS as i64).collect::<Vec<_>>().chunks(1000) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO outbox (kind, survey_id, status, next_attempt_at, created_at) ",
                );
                q.push_values(chunk, |mut row, i| {
                    row.push_bind("invitation")
                        .push_bind(survey_id)
                        .push_bind("skipped")
                        .push_bind(*i)
                        .push_bind(*i);
                });
                q.build().execute(&mut *tx).await.expect("insert");
            }
            tx.commit().await.expect("commit");
            let took = start.elapsed();
            sqlx::query("DELETE FROM outbox WHERE send_id IS NULL")
                .execute(&pool)
                .await
                .expect("clean up");
            took
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

async fn bench_backend(name: &str, url: &str, sinks: &[Sink]) {
    let store = storage::open(url, true).await.expect("store");
    let services = Services {
        store: store.clone(),
        settings: Arc::new(Settings {
            secret_key: SecretKey::new(b"bench-secret-key-0123456789abcdef".to_vec()),
            base_url: "http://127.0.0.1:3000".into(),
            secure_cookies: false,
            session_days: 14,
            organisation: "Bench".into(),
            setup_code: None,
            webhook_hosts: Vec::new(),
        }),
        answer_limits: Default::default(),
        charts: Arc::new(server::charts::Plotters::new().expect("chart font")),
    };
    let user = store
        .create_first_user(NewUser {
            email: "bench@example.com".into(),
            name: "Bench".into(),
            password_hash: "$argon2id$not-used".into(),
            role: Role::Admin,
            scope: Default::default(),
        })
        .await
        .expect("user");
    let mut surveys = Vec::new();
    for slug in ["everyone", "aiosmtpd", "smtp-sink"] {
        let survey = store
            .create_survey(NewSurvey {
                definition: app::domain::template(SurveyKind::Nps),
                public_slug: slug.into(),
                created_by: user.id,
            })
            .await
            .expect("survey");
        store
            .update_survey_settings(
                survey.id,
                &SurveySettings {
                    status: SurveyStatus::Active,
                    closes_at: None,
                    response_cap: None,
                    notifications: Default::default(),
                },
            )
            .await
            .expect("open");
        surveys.push(survey.id);
    }
    store
        .set_frequency_rule(SurveyKind::Nps, 0)
        .await
        .expect("rule");
    let contacts: Vec<NewContact> = (0..CONTACTS)
        .map(|i| NewContact {
            email: format!("person{i}@example.com"),
            name: format!("Person {i}"),
            locale: Some(if i % 3 == 0 {
                app::domain::Locale::De
            } else {
                app::domain::Locale::En
            }),
            attributes: BTreeMap::from([(
                "group".to_owned(),
                if i < MESSAGES {
                    "bench"
                } else if i < MESSAGES + FAST_MESSAGES {
                    "fast"
                } else {
                    "rest"
                }
                .to_owned(),
            )]),
        })
        .collect();
    for chunk in contacts.chunks(10_000) {
        store.upsert_contacts(chunk).await.expect("contacts");
    }
    let raw = raw_outbox_inserts(url, surveys[0]).await;

    let start = Instant::now();
    let everyone = sends::create(&services, &user, surveys[0], &SendRequest::default())
        .await
        .expect("send");
    let enqueue = start.elapsed();
    assert_eq!(everyone.send.counts.queued as usize, CONTACTS);
    store
        .set_paused(everyone.send.id, Some("benchmark"))
        .await
        .expect("pause");
    println!(
        "{name:<9} enqueue {CONTACTS} recipients   {:>6.2} s   raw insert {:>6.2} s   {:>5.2} × raw insert rate",
        enqueue.as_secs_f64(),
        raw.as_secs_f64(),
        raw.as_secs_f64() / enqueue.as_secs_f64()
    );

    for (sink, survey) in sinks.iter().zip(&surveys[1..]) {
        let segment = store
            .create_segment(
                sink.group,
                &app::domain::segments::SegmentFilter {
                    conditions: vec![app::domain::segments::Condition {
                        attribute: "group".into(),
                        value: sink.group.into(),
                    }],
                },
                user.id,
            )
            .await
            .expect("segment");
        let worker = Worker::new(
            services.clone(),
            MailSettings {
                smtp_url: sink.url.clone(),
                from: "Bench <bench@example.com>".parse().expect("from"),
                connections: CONNECTIONS,
                per_minute: None,
                retry_base: Duration::from_secs(60),
                lease: Duration::from_secs(300),
                poll: Duration::from_millis(10),
                timeout: Duration::from_secs(30),
            },
        )
        .expect("worker");
        let request = SendRequest {
            segment_id: Some(segment.id),
            ..SendRequest::default()
        };
        let send = sends::create(&services, &user, *survey, &request)
            .await
            .expect("send");
        reset_peak_memory();
        let start = Instant::now();
        while worker.deliver_due().await.expect("deliver") > 0 {}
        let took = start.elapsed();
        let peak = peak_memory_mib().map_or("?".to_owned(), |m| format!("{m:.0} MiB"));
        let counts = store.outbox_counts(send.send.id).await.expect("counts");
        assert_eq!(
            counts.sent as usize, sink.messages,
            "every message went out"
        );
        let rate = sink.messages as f64 / took.as_secs_f64();
        println!(
            "{name:<9} send {:>6} invitations to {:<9} {:>6.2} s   {:>6.0} msg/s   {:>5.2} × raw ({:.0} msg/s)   peak memory {peak}",
            sink.messages,
            sink.name,
            took.as_secs_f64(),
            rate,
            rate / sink.raw_rate,
            sink.raw_rate,
        );
    }
}

#[tokio::main]
async fn main() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
    let mut sink = Command::new("python3")
        .arg(script)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with aiosmtpd (installed by .ci/tools.sh)");
    let mut line = String::new();
    BufReader::new(sink.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("READY");
    let port: u16 = line
        .trim()
        .trim_start_matches("READY ")
        .parse()
        .expect("port");
    let smtp_url = format!("smtp://127.0.0.1:{port}");

    let raw_smtp = raw_smtp_rate(&smtp_url).await;
    println!("raw SMTP acceptance, aiosmtpd writing a Maildir ({CONNECTIONS} connections, no database): {raw_smtp:.0} msg/s");
    let mut sinks = vec![Sink {
        name: "aiosmtpd",
        url: smtp_url.clone(),
        raw_rate: raw_smtp,
        messages: MESSAGES,
        group: "bench",
    }];
    let postfix = std::env::var("POSTFIX_DIR")
        .ok()
        .map(|dir| PostfixSink::start(&dir));
    match &postfix {
        Some(postfix) => {
            let raw_rate = postfix.raw_rate();
            println!("raw SMTP acceptance, Postfix smtp-sink (smtp-source, {CONNECTIONS} sessions): {raw_rate:.0} msg/s");
            sinks.push(Sink {
                name: "smtp-sink",
                url: format!("smtp://127.0.0.1:{}", postfix.port),
                raw_rate,
                messages: FAST_MESSAGES,
                group: "fast",
            });
        }
        None => println!("smtp-sink  skipped: POSTFIX_DIR is not set (`make bench` sets it)"),
    }
    let sqlite = harness::sqlite_db();
    let url = sqlite.url.clone();
    bench_backend("sqlite", &url, &sinks).await;

    // The stories' harness makes (and drops) a fresh database; unreachable, it says so.
    match harness::postgres_db().await {
        Some(db) => bench_backend("postgres", &db.url, &sinks).await,
        None => println!("postgres   skipped"),
    }
    drop(postfix);
    let _ = sink.kill();
    let _ = sink.wait();
}
