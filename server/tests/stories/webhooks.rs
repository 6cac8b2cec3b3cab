//! Webhooks, as a receiver on loopback sees them: each delivery signed as Standard Webhooks
//! says (checked here with the endpoint's secret, and with both secrets while one
//! rotates), retried with the same `webhook-id` while the receiver is down until it is back,
//! replayable; cases and sends tell their events; an endpoint failing for days is turned
//! off and its creator told by email; a URL that reaches a private address is refused, at
//! registration and, for a name, at delivery. An anonymous survey's responses go out only
//! as a day's batch of at least the minimum group size, with nothing of who or when.

use crate::harness::smtp::SmtpSink;
use crate::harness::{client, free_port, read_column, spawn_app, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: i64,
    signatures: Vec<String>,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Whether one of its signatures is the one `secret` makes, as a receiver checks it.
    fn signed_by(&self, secret: &str) -> bool {
        let expected =
            server::webhooks::signature(secret, &self.id, self.timestamp, &self.body).unwrap();
        self.signatures.contains(&expected)
    }
}

type Log = Arc<Mutex<Vec<Received>>>;

async fn receive(
    State(log): State<Log>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    log.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp").parse().unwrap_or(0),
        signatures: header("webhook-signature")
            .split(' ')
            .map(str::to_owned)
            .collect(),
        body: body.to_vec(),
    });
    StatusCode::NO_CONTENT
}

/// A receiver listening on `port` of loopback, logging what it gets.
async fn start_receiver(port: u16, log: Log) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the receiver's port");
    // `/moved` sends the request on to `/hook`: a deliverer that followed it would log it.
    let router = axum::Router::new()
        .route("/hook", post(receive))
        .route(
            "/moved",
            post(|| async { (StatusCode::TEMPORARY_REDIRECT, [("location", "/hook")]) }),
        )
        .with_state(log);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    })
}

/// The app allowing loopback's literal address, retrying on a schedule 500 times faster.
async fn app(database_url: &str, extra: &[&str]) -> (TestApp, reqwest::Client) {
    let mut args = vec![
        "--webhook-allow-hosts",
        "127.0.0.1",
        "--webhook-retry-unit-ms",
        "2",
        "--scheduler-ms",
        "50",
        "--outbox-poll-ms",
        "20",
    ];
    args.extend_from_slice(extra);
    let app = spawn_app(database_url, &args).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    (app, admin)
}

async fn send_json(
    c: &reqwest::Client,
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = c.request(method, app.url(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn register(app: &TestApp, admin: &reqwest::Client, url: &str, events: &[&str]) -> Value {
    let (status, body) = send_json(
        admin,
        app,
        reqwest::Method::POST,
        "/api/v1/webhooks",
        Some(json!({ "url": url, "events": events, "description": "CRM" })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Polls `check` every 100 ms for up to 30 s.
async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..300 {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

/// The first request of event `kind` the receiver got, once it has one.
async fn arrived(log: &Log, kind: &str) -> Received {
    eventually(kind, async || {
        log.lock()
            .unwrap()
            .iter()
            .find(|r| r.json()["type"] == kind)
            .cloned()
    })
    .await
}

async fn deliveries(app: &TestApp, admin: &reqwest::Client, endpoint: i64) -> Vec<Value> {
    let detail = app
        .get_json(admin, &format!("/api/v1/webhooks/{endpoint}"))
        .await;
    detail["deliveries"].as_array().cloned().unwrap_or_default()
}

/// The endpoint's newest delivery, once `ready` holds for it.
async fn newest_delivery(
    app: &TestApp,
    admin: &reqwest::Client,
    endpoint: i64,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    eventually(what, async || {
        deliveries(app, admin, endpoint)
            .await
            .into_iter()
            .next()
            .filter(|d| ready(d))
    })
    .await
}

on_both_databases!(a_webhook_reaches_a_local_receiver_signed_and_survives_the_receiver_being_down);
async fn a_webhook_reaches_a_local_receiver_signed_and_survives_the_receiver_being_down(url: &str) {
    let (app, admin) = app(url, &[]).await;
    let port = free_port();
    let hook = format!("http://127.0.0.1:{port}/hook");
    let endpoint = register(
        &app,
        &admin,
        &hook,
        &["response.completed", "response.changed"],
    )
    .await;
    let id = endpoint["endpoint"]["id"].as_i64().unwrap();
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    // The secret is derived, not stored: no column of the table holds it.
    let stored: Vec<String> = read_column(
        url,
        "SELECT url || description || events FROM webhook_endpoints WHERE id = $1",
        id,
    )
    .await;
    assert!(!stored[0].contains(&secret[6..]));

    let survey = app.survey_by_team(&admin, false).await;
    app.answer_by_link(
        &admin,
        &survey,
        json!({ "attributes": { "team": "Sales" }, "locale": "en" }),
        4,
        Some("Too slow"),
    )
    .await;

    // The receiver is down: the delivery fails, and is tried again with its schedule.
    let failing = newest_delivery(&app, &admin, id, "two failed attempts", |d| {
        d["attempts"].as_i64() >= Some(2) && d["status"] == "queued"
    })
    .await;
    assert!(
        failing["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("Could not connect")),
        "{failing}"
    );
    assert!(failing["next_attempt"].is_string(), "{failing}");

    // It comes back: the next attempt gets through, with the same id and a valid signature.
    let log: Log = Arc::default();
    let receiver = start_receiver(port, log.clone()).await;
    let delivered = newest_delivery(&app, &admin, id, "the delivery", |d| {
        d["status"] == "delivered"
    })
    .await;
    assert_eq!(delivered["last_status"], 204);
    assert!(delivered["attempts"].as_i64().unwrap() >= 3, "{delivered}");
    let got = log.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one request once the receiver is up");
    let first = &got[0];
    assert_eq!(first.id, delivered["message_id"].as_str().unwrap());
    assert!(first.signed_by(&secret), "{first:?}");
    // A receiver rejects timestamps outside a tolerance: this one is now.
    assert!((chrono::Utc::now().timestamp() - first.timestamp).abs() < 60);
    let body = first.json();
    assert_eq!(body["type"], "response.completed");
    assert_eq!(body["data"]["survey"]["id"], survey.0);
    assert_eq!(body["data"]["response"]["attributes"]["team"], "Sales");
    assert_eq!(body["data"]["response"]["answers"][0]["score"], 4);
    assert_eq!(
        body["data"]["response"]["answers"][0]["follow_up"],
        "Too slow"
    );
    // A forged body does not verify.
    let mut forged = first.clone();
    forged.body = br#"{"type":"response.completed","data":{}}"#.to_vec();
    assert!(!forged.signed_by(&secret));

    // Replayed: the same id again.
    let message = first.id.clone();
    let (status, _) = send_json(
        &admin,
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/webhooks/{id}/deliveries/{message}/replay"),
        None,
    )
    .await;
    assert_eq!(status, 202);
    eventually("the replay", async || {
        (log.lock().unwrap().len() == 2).then_some(())
    })
    .await;
    assert_eq!(log.lock().unwrap()[1].id, message);

    // Rotated: during the overlap each delivery carries both signatures.
    let (status, rotated) = send_json(
        &admin,
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/webhooks/{id}/rotate"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    assert_eq!(rotated["previous_secret"], secret.as_str());
    send_json(
        &admin,
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/webhooks/{id}/deliveries/{message}/replay"),
        None,
    )
    .await;
    eventually("the rotated replay", async || {
        (log.lock().unwrap().len() == 3).then_some(())
    })
    .await;
    let third = log.lock().unwrap()[2].clone();
    assert_eq!(third.signatures.len(), 2, "{third:?}");
    assert!(third.signed_by(&new_secret) && third.signed_by(&secret));

    // A test event, asked for by the API and by the page's button without JavaScript,
    // reaches this endpoint signed, stamped with the moment, and listed by its id.
    let (status, queued) = send_json(
        &admin,
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/webhooks/{id}/test"),
        None,
    )
    .await;
    assert_eq!(status, 202, "{queued}");
    let page = format!("/settings/webhooks/{id}");
    let id_text = id.to_string();
    let res = app
        .post_form(
            &admin,
            &page,
            "/rpc/webhook_action",
            &[("id", id_text.as_str()), ("action", "test")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 302, "back to the endpoint's page");
    let tests = eventually("two test events", async || {
        let log = log.lock().unwrap();
        let tests: Vec<Received> = log
            .iter()
            .filter(|r| r.json()["type"] == "webhook.test")
            .cloned()
            .collect();
        (tests.len() == 2).then_some(tests)
    })
    .await;
    assert!(tests
        .iter()
        .any(|t| t.id == queued["message_id"].as_str().unwrap()));
    for test in &tests {
        assert!(test.signed_by(&new_secret), "{test:?}");
        assert!((chrono::Utc::now().timestamp() - test.timestamp).abs() < 60);
        let body = test.json();
        assert_eq!(body["data"]["endpoint"]["id"], id, "{body}");
    }
    let listed = deliveries(&app, &admin, id).await;
    assert_eq!(
        listed
            .iter()
            .filter(|d| d["event"] == "webhook.test")
            .count(),
        2,
        "{listed:?}"
    );
    assert!(app.page(&admin, &page).await.contains("Send a test event"));
    // Turned off, it gets no test: the admin is told to turn it on first.
    for (enabled, expected) in [(false, 409), (true, 202)] {
        let (status, _) = send_json(
            &admin,
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/webhooks/{id}/enabled"),
            Some(json!({ "enabled": enabled })),
        )
        .await;
        assert_eq!(status, 200);
        let (status, body) = send_json(
            &admin,
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/webhooks/{id}/test"),
            None,
        )
        .await;
        assert_eq!(status, expected, "{body}");
    }
    eventually("the third test event", async || {
        let log = log.lock().unwrap();
        (log.iter()
            .filter(|r| r.json()["type"] == "webhook.test")
            .count()
            == 3)
            .then_some(())
    })
    .await;
    receiver.abort();

    // Bad endpoints are refused with what is wrong, field by field.
    for (body, field) in [
        (
            json!({ "url": "ftp://example.com/x", "events": ["case.opened"] }),
            "url",
        ),
        (
            json!({ "url": "http://169.254.169.254/latest", "events": ["case.opened"] }),
            "url",
        ),
        (
            json!({ "url": "http://[::ffff:10.0.0.1]/", "events": ["case.opened"] }),
            "url",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "events": [] }),
            "events",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "events": ["everything"] }),
            "events",
        ),
    ] {
        let (status, error) = send_json(
            &admin,
            &app,
            reqwest::Method::POST,
            "/api/v1/webhooks",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{body}: {error}");
        assert_eq!(error["field"], field, "{body}: {error}");
    }
    // A name is checked where it resolves, at delivery: `localhost` is loopback, not
    // allowed by name here, so the receiver (up again) gets nothing from it.
    let log2: Log = Arc::default();
    let port2 = free_port();
    let _receiver2 = start_receiver(port2, log2.clone()).await;
    let named = register(
        &app,
        &admin,
        &format!("http://localhost:{port2}/hook"),
        &["response.completed"],
    )
    .await;
    let named_id = named["endpoint"]["id"].as_i64().unwrap();
    app.answer_by_link(
        &admin,
        &survey,
        json!({ "attributes": { "team": "Ops" }, "locale": "en" }),
        9,
        None,
    )
    .await;
    let refused = newest_delivery(&app, &admin, named_id, "the refused delivery", |d| {
        d["last_error"].is_string()
    })
    .await;
    assert!(
        refused["last_error"].as_str().unwrap().contains("loopback"),
        "{refused}"
    );
    // A redirect is a failure, never followed.
    let moved = register(
        &app,
        &admin,
        &format!("http://127.0.0.1:{port2}/moved"),
        &["response.completed"],
    )
    .await;
    let moved_id = moved["endpoint"]["id"].as_i64().unwrap();
    app.answer_by_link(
        &admin,
        &survey,
        json!({ "attributes": { "team": "Ops" }, "locale": "en" }),
        7,
        None,
    )
    .await;
    let redirected = newest_delivery(&app, &admin, moved_id, "the redirected delivery", |d| {
        d["last_status"] == 307
    })
    .await;
    assert_ne!(redirected["status"], "delivered", "{redirected}");
    assert!(
        log2.lock().unwrap().is_empty(),
        "the redirect was not followed"
    );

    // Only admins see or change endpoints.
    let manager = app
        .signed_in_user(&admin, "mia@example.com", "manager", &["team=Sales"])
        .await;
    let hr = app
        .signed_in_user(&admin, "hr@example.com", "hr", &[])
        .await;
    for c in [&manager, &hr] {
        let (status, _) = send_json(c, &app, reqwest::Method::GET, "/api/v1/webhooks", None).await;
        assert_eq!(status, 403);
        let (status, _) = send_json(
            c,
            &app,
            reqwest::Method::GET,
            &format!("/api/v1/webhooks/{id}"),
            None,
        )
        .await;
        assert_eq!(status, 403);
    }
}

on_both_databases!(
    cases_and_sends_tell_their_webhooks_and_an_endpoint_failing_for_days_is_turned_off
);
async fn cases_and_sends_tell_their_webhooks_and_an_endpoint_failing_for_days_is_turned_off(
    url: &str,
) {
    let sink = SmtpSink::start();
    let smtp = sink.url();
    let (app, admin) = app(
        url,
        &[
            "--smtp-url",
            &smtp,
            "--mail-from",
            "Acme <surveys@acme.test>",
        ],
    )
    .await;
    let port = free_port();
    let log: Log = Arc::default();
    let _receiver = start_receiver(port, log.clone()).await;
    let endpoint = register(
        &app,
        &admin,
        &format!("http://127.0.0.1:{port}/hook"),
        &["case.opened", "case.changed", "send.finished"],
    )
    .await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    let imported = app
        .import_contacts(&admin, "email,name,team\nana@example.com,Ana,Sales\n")
        .await;
    assert_eq!(imported.status(), 200);
    let survey = app.survey_by_team(&admin, false).await;
    let (status, _) = send_json(
        &admin,
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/surveys/{}/settings", survey.0),
        Some(json!({ "status": "active", "closes_at": null, "response_cap": null, "detractor_alerts": false })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = send_json(
        &admin,
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/surveys/{}/case-settings", survey.0),
        Some(json!({ "rule": { "scores": { "from": 0, "to": 6 }, "any_comment": false, "due_hours": 48 },
                     "alert_recipients": [] })),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // A send: when its last invitation has left, `send.finished` with its counts.
    let (status, send) = send_json(
        &admin,
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/surveys/{}/sends", survey.0),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 201, "{send}");
    let finished = arrived(&log, "send.finished").await;
    assert!(finished.signed_by(&secret));
    let data = finished.json()["data"].clone();
    assert_eq!(data["send"]["id"], send["send"]["id"]);
    assert_eq!(data["send"]["sent"], 1, "{data}");
    // A second send at once reaches no one (NPS's 30-day rule skips Ana): nothing leaves the
    // outbox, and it is finished all the same.
    let (status, again) = send_json(
        &admin,
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/surveys/{}/sends", survey.0),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 201, "{again}");
    let skipped = eventually("the second send.finished", async || {
        log.lock()
            .unwrap()
            .iter()
            .map(|r| r.json()["data"]["send"].clone())
            .find(|s| s["id"] == again["send"]["id"])
    })
    .await;
    assert_eq!(skipped["sent"], 0, "{skipped}");
    assert_eq!(skipped["skipped"], 1, "{skipped}");

    // A detractor opens a case; moving it changes it.
    app.answer_by_link(
        &admin,
        &survey,
        json!({ "attributes": { "team": "Sales" }, "locale": "en" }),
        2,
        Some("Broken"),
    )
    .await;
    let opened = arrived(&log, "case.opened").await;
    let case = opened.json()["data"]["case"].clone();
    assert_eq!(case["state"], "open");
    assert_eq!(case["score"], 2);
    assert_eq!(case["comment"], "Broken");
    let case_id = case["id"].as_i64().unwrap();
    let (status, _) = send_json(
        &admin,
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/cases/{case_id}/state"),
        Some(json!({ "state": "closed" })),
    )
    .await;
    assert_eq!(status, 200);
    let changed = arrived(&log, "case.changed").await;
    assert_eq!(changed.json()["data"]["case"]["state"], "closed");
    assert_ne!(changed.id, opened.id);

    // An endpoint whose receiver is gone, failing since four days: turned off at its next
    // failure, and its creator (the admin) told by email.
    let dead = register(
        &app,
        &admin,
        &format!("http://127.0.0.1:{}/hook", free_port()),
        &["case.changed"],
    )
    .await;
    let dead_id = dead["endpoint"]["id"].as_i64().unwrap();
    send_json(
        &admin,
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/cases/{case_id}/state"),
        Some(json!({ "state": "open" })),
    )
    .await;
    eventually("a first failure", async || {
        let since: Vec<Option<i64>> = read_column(
            url,
            "SELECT failing_since FROM webhook_endpoints WHERE id = $1",
            dead_id,
        )
        .await;
        since[0].map(|_| ())
    })
    .await;
    crate::harness::execute(
        url,
        "UPDATE webhook_endpoints SET failing_since = failing_since - 345600000 WHERE id = $1",
        dead_id,
    )
    .await;
    let turned_off = eventually("the endpoint turned off", async || {
        let d = app
            .get_json(&admin, &format!("/api/v1/webhooks/{dead_id}"))
            .await;
        (d["endpoint"]["enabled"] == false).then_some(d)
    })
    .await;
    assert_eq!(
        turned_off["endpoint"]["disabled_reason"],
        "Every delivery failed for days."
    );
    let notice = eventually("the notice", async || {
        sink.messages()
            .into_iter()
            .find(|m| m.header("subject") == Some("A webhook endpoint was turned off"))
    })
    .await;
    assert!(notice.to().contains("ada@example.com"), "{:?}", notice.to());
    assert!(notice
        .text
        .contains(&format!("/settings/webhooks/{dead_id}")));
    // Turned on again, it is tried afresh.
    let (status, on) = send_json(
        &admin,
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/webhooks/{dead_id}/enabled"),
        Some(json!({ "enabled": true })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(on["endpoint"]["enabled"], true);
    assert!(on["endpoint"]["failing_since"].is_null());
}

on_both_databases!(
    an_anonymous_surveys_responses_reach_a_webhook_only_as_a_days_batch_without_who_or_when
);
async fn an_anonymous_surveys_responses_reach_a_webhook_only_as_a_days_batch_without_who_or_when(
    url: &str,
) {
    let (app, admin) = app(url, &[]).await;
    let port = free_port();
    let log: Log = Arc::default();
    let _receiver = start_receiver(port, log.clone()).await;
    let endpoint = register(
        &app,
        &admin,
        &format!("http://127.0.0.1:{port}/hook"),
        &["response.completed", "response.changed"],
    )
    .await;
    let id = endpoint["endpoint"]["id"].as_i64().unwrap();
    let imported = app
        .import_contacts(
            &admin,
            "email,name,team\na@x.test,Ann Alder,Sales\nb@x.test,Ben Birch,Sales\n\
             c@x.test,Cy Cedar,Ops\nd@x.test,Di Dogwood,Ops\ne@x.test,Ed Elm,Ops\n",
        )
        .await;
    assert_eq!(imported.status(), 200);
    let survey = app.survey_by_team(&admin, true).await;
    let contacts = app.get_json(&admin, "/api/v1/contacts").await;
    let contacts: Vec<(i64, String)> = contacts["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["attributes"]["team"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    // Four answer today: held, whatever the scheduler does.
    for (i, (contact, team)) in contacts.iter().take(4).enumerate() {
        app.answer_by_link(
            &admin,
            &survey,
            json!({ "contact_id": contact, "attributes": { "team": team }, "locale": "en" }),
            u8::try_from(i).unwrap() + 6,
            Some(&format!("Comment {i}")),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing before the day is over"
    );
    let held = deliveries(&app, &admin, id).await;
    assert_eq!(held.len(), 4);
    assert!(held.iter().all(|d| d["status"] == "held"), "{held:?}");
    // The endpoint's page and API say the day only, and no time to try it at yet.
    for d in &held {
        let occurred = d["occurred"].as_str().unwrap();
        assert_eq!(occurred.len(), "2026-12-07".len(), "{d}");
        assert!(
            d["next_attempt"].is_null() && d["last_attempt"].is_null(),
            "{d}"
        );
    }
    // Someone holding the database sees no response, no contact, only a day.
    let refs: Vec<Option<i64>> = read_column(
        url,
        "SELECT response_id FROM webhook_messages WHERE survey_id = $1",
        survey.0,
    )
    .await;
    assert_eq!(refs, vec![None; 4]);
    let times: Vec<i64> = read_column(
        url,
        "SELECT occurred_at FROM webhook_messages WHERE survey_id = $1",
        survey.0,
    )
    .await;
    assert!(times.iter().all(|t| t % 86_400_000 == 0), "{times:?}");
    let payloads: Vec<String> = read_column(
        url,
        "SELECT payload FROM webhook_messages WHERE survey_id = $1",
        survey.0,
    )
    .await;
    for p in &payloads {
        for secret in [
            "@x.test", "Alder", "Birch", "Sales", "Ops", "\"team\"", "contact",
        ] {
            assert!(!p.contains(secret), "{secret} in {p}");
        }
    }

    // The day ends with four: fewer than the survey's minimum group (5), so they wait.
    let yesterday = "UPDATE webhook_messages SET occurred_at = occurred_at - 86400000 \
                     WHERE survey_id = $1";
    crate::harness::execute(url, yesterday, survey.0).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        log.lock().unwrap().is_empty(),
        "four is too few to tell apart"
    );

    // A fifth completes the group: the five go out together, once its day is over.
    let (contact, team) = &contacts[4];
    app.answer_by_link(
        &admin,
        &survey,
        json!({ "contact_id": contact, "attributes": { "team": team }, "locale": "en" }),
        10,
        None,
    )
    .await;
    crate::harness::execute(
        url,
        "UPDATE webhook_messages SET occurred_at = occurred_at - 86400000 \
         WHERE survey_id = $1 AND occurred_at >= (SELECT MAX(occurred_at) FROM webhook_messages)",
        survey.0,
    )
    .await;
    let got = eventually("the batch", async || {
        let got = log.lock().unwrap().clone();
        (got.len() == 5).then_some(got)
    })
    .await;
    let secret = endpoint["secret"].as_str().unwrap();
    let mut scores = Vec::new();
    for r in &got {
        assert!(r.signed_by(secret));
        assert!(r.id.starts_with("msg_") && r.id.len() == 36, "{}", r.id);
        let text = String::from_utf8(r.body.clone()).unwrap();
        for secret in [
            "@x.test",
            "Alder",
            "Elm",
            "Sales",
            "Ops",
            "contact",
            "attributes",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let body = r.json();
        assert_eq!(body["type"], "response.completed");
        let timestamp = body["timestamp"].as_str().unwrap();
        assert!(timestamp.ends_with("T00:00:00Z"), "{timestamp}");
        let response = &body["data"]["response"];
        assert!(response.get("id").is_none(), "{response}");
        assert!(response["day"].is_string());
        scores.push(response["answers"][0]["score"].as_i64().unwrap());
    }
    scores.sort();
    assert_eq!(scores, vec![6, 7, 8, 9, 10]);
}

/// A receiver on `port` of loopback that takes every connection and never answers; how
/// many it holds.
async fn start_silent_receiver(port: u16) -> Arc<AtomicUsize> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the silent receiver's port");
    let held = Arc::new(AtomicUsize::new(0));
    let counted = held.clone();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            open.push(stream);
        }
    });
    held
}

on_both_databases!(a_receiver_that_never_answers_holds_up_only_its_own_deliveries);
async fn a_receiver_that_never_answers_holds_up_only_its_own_deliveries(url: &str) {
    // Each request waits a minute for its answer, past the end of this story; four are in
    // flight at once, two at most for one endpoint.
    let (app, admin) = app(
        url,
        &["--webhook-timeout-secs", "60", "--webhook-concurrency", "4"],
    )
    .await;
    let silent_port = free_port();
    let held = start_silent_receiver(silent_port).await;
    let port = free_port();
    let log: Log = Arc::default();
    let _receiver = start_receiver(port, log.clone()).await;
    let silent = register(
        &app,
        &admin,
        &format!("http://127.0.0.1:{silent_port}/hook"),
        &["response.completed"],
    )
    .await;
    let answering = register(
        &app,
        &admin,
        &format!("http://127.0.0.1:{port}/hook"),
        &["response.completed"],
    )
    .await;
    let survey = app.survey_by_team(&admin, false).await;
    // Each answer reaches the receiver that answers while the silent one holds what it
    // was sent.
    for (n, team) in ["Sales", "Ops", "Support"].into_iter().enumerate() {
        let link = json!({ "attributes": { "team": team } });
        app.answer_by_link(&admin, &survey, link, 9, None).await;
        eventually(&format!("answer {} delivered", n + 1), async || {
            (log.lock().unwrap().len() > n).then_some(())
        })
        .await;
    }
    eventually("two requests held by the silent receiver", async || {
        (held.load(Ordering::SeqCst) == 2).then_some(())
    })
    .await;
    let id = |e: &Value| e["endpoint"]["id"].as_i64().unwrap();
    eventually("the answered deliveries recorded", async || {
        let list = deliveries(&app, &admin, id(&answering)).await;
        (list.len() == 3 && list.iter().all(|d| d["status"] == "delivered")).then_some(())
    })
    .await;
    // Its third waits for one of its two to end: the other endpoint keeps the rest.
    assert_eq!(held.load(Ordering::SeqCst), 2, "half of the slots at most");
    let waiting = deliveries(&app, &admin, id(&silent)).await;
    assert_eq!(waiting.len(), 3);
    assert!(
        waiting.iter().all(|d| d["status"] != "delivered"),
        "{waiting:?}"
    );
}
