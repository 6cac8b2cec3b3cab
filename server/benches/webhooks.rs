//! Benchmark: webhook deliveries a second, on SQLite and PostgreSQL, from the deliverer
//! (claim, write the body from the database, sign, POST, record) to a receiver on
//! loopback, against that receiver's raw rate measured in the same run: as many clients
//! as the deliverer has requests in flight, POSTing bodies of the same size straight to
//! it, once over kept-alive connections (the receiver's limit) and once with a new
//! connection per request (as the deliverer makes them: one connection each, to the
//! address it checked).
//!
//! Prints figures; checks only that every message arrived, never a time.

use app::domain::webhooks::Event;
use app::model::{Role, SurveyKind, SurveyStatus};
use app::ports::{
    AnswerBatch, NewEndpoint, NewSurvey, NewUser, SecretKey, Services, Settings, StoredAnswer,
    SurveySettings,
};
use axum::routing::post;
use bytes::Bytes;
use chrono::Utc;
use http_body_util::Full;
use hyper::Request;
use hyper_util::rt::TokioIo;
use server::storage;
use server::webhooks::delivery::{Deliverer, DeliverySettings};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// The stories' harness: fresh databases on both backends.
#[path = "../tests/stories/harness/mod.rs"]
mod harness;

const MESSAGES: usize = 5_000;
/// Requests in flight, the deliverer's default.
const CONCURRENCY: usize = 16;

/// A receiver that answers 204 to every POST and counts them.
async fn start_receiver() -> (u16, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    let router = axum::Router::new().route(
        "/hook",
        post(move |_body: Bytes| {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("its address").port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (port, count)
}

fn request(port: u16, body: &Bytes) -> Request<Full<Bytes>> {
    Request::post("/hook")
        .header("host", format!("127.0.0.1:{port}"))
        .header("content-type", "application/json")
        .header("webhook-id", "msg_raw")
        .header("webhook-timestamp", "1")
        .header("webhook-signature", "v1,raw")
        .body(Full::new(body.clone()))
        .expect("a request")
}

/// Requests a second straight to the receiver, `CONCURRENCY` clients at once.
async fn raw_rate(port: u16, body: Bytes, keep_alive: bool) -> f64 {
    let start = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let body = body.clone();
        clients.spawn(async move {
            let connect = || async {
                let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .expect("connect");
                tcp.set_nodelay(true).expect("nodelay");
                let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
                    .await
                    .expect("handshake");
                tokio::spawn(connection);
                sender
            };
            let mut sender = connect().await;
            for _ in 0..MESSAGES / CONCURRENCY {
                if !keep_alive {
                    sender = connect().await;
                }
                let status = sender
                    .send_request(request(port, &body))
                    .await
                    .expect("a response")
                    .status();
                assert!(status.is_success());
            }
        });
    }
    while let Some(done) = clients.join_next().await {
        done.expect("a client");
    }
    (MESSAGES / CONCURRENCY * CONCURRENCY) as f64 / start.elapsed().as_secs_f64()
}

async fn bench_backend(name: &str, url: &str, port: u16, received: &AtomicUsize, raw: (f64, f64)) {
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
            webhook_hosts: vec!["127.0.0.1".into()],
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
    let survey = store
        .create_survey(NewSurvey {
            definition: app::domain::template(SurveyKind::Nps),
            public_slug: "hooks".into(),
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
    store
        .create_endpoint(&NewEndpoint {
            url: format!("http://127.0.0.1:{port}/hook"),
            description: "bench".into(),
            events: vec![Event::ResponseCompleted],
            created_by: user.id,
            at: Utc::now(),
        })
        .await
        .expect("endpoint");
    let question = survey.definition.questions[0].key.clone();
    // Each answer queues its message in its own transaction, as answering does.
    for i in 0..MESSAGES {
        let now = Utc::now();
        store
            .record_answers(AnswerBatch {
                id: None,
                survey_id: survey.id,
                version: survey.version,
                response_key: format!("bench-{i}"),
                invitation_id: None,
                contact_id: None,
                send_id: None,
                groups: BTreeMap::from([("team".to_owned(), format!("Team {}", i % 7))]),
                segments: Vec::new(),
                weight: None,
                locale: app::domain::Locale::En,
                day: now.date_naive(),
                at: Some(now),
                answers: vec![StoredAnswer {
                    question_key: question.clone(),
                    value: app::domain::AnswerValue::Score(u8::try_from(i % 11).unwrap_or(0)),
                    follow_up: Some("The delivery was late but support was kind.".into()),
                }],
                cleared: Vec::new(),
                completed: true,
                capped: false,
                on_completion: Vec::new(),
                open_case: None,
                webhook_payload: None,
            })
            .await
            .expect("an answer");
    }
    let deliverer = Deliverer::new(
        services,
        DeliverySettings {
            concurrency: CONCURRENCY,
            ..DeliverySettings::default()
        },
    );
    let before = received.load(Ordering::Relaxed);
    let start = Instant::now();
    // The deliverer as a server runs it, until the receiver has every message.
    let running = tokio::spawn(deliverer.run());
    while received.load(Ordering::Relaxed) - before < MESSAGES {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let took = start.elapsed().as_secs_f64();
    // Their outcomes recorded, nothing is left to deliver again.
    loop {
        let waiting: Vec<i64> = harness::read_column(
            url,
            "SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'delivered' AND $1 = 0",
            0,
        )
        .await;
        if waiting == [0] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    running.abort();
    let delivered = received.load(Ordering::Relaxed) - before;
    assert_eq!(delivered, MESSAGES, "every message arrived once");
    let rate = MESSAGES as f64 / took;
    let (kept_alive, fresh) = raw;
    println!(
        "{name:<10} webhooks   {rate:>8.0}/s  {:.2}× the receiver's raw rate ({kept_alive:.0}/s kept alive), \
         {:.2}× with a new connection each ({fresh:.0}/s)",
        rate / kept_alive,
        rate / fresh
    );
}

#[tokio::main]
async fn main() {
    let (port, received) = start_receiver().await;
    // A body of the size a response's message has.
    let body = Bytes::from(vec![b'x'; 700]);
    let kept_alive = raw_rate(port, body.clone(), true).await;
    let fresh = raw_rate(port, body, false).await;
    println!(
        "receiver   raw        {kept_alive:>8.0}/s kept alive, {fresh:.0}/s with a new connection each ({CONCURRENCY} clients)"
    );
    let sqlite = harness::sqlite_db();
    bench_backend("sqlite", &sqlite.url, port, &received, (kept_alive, fresh)).await;
    match harness::postgres_db().await {
        Some(db) => bench_backend("postgres", &db.url, port, &received, (kept_alive, fresh)).await,
        None => println!("postgres   skipped"),
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}
