//! Sending surveys by email, end to end through a real SMTP server on loopback: what the
//! messages say, links that answer the survey, unsubscribing, retries, bounces, pauses,
//! the frequency rule, reminders, recurring waves — and a crash that loses nothing.

use crate::harness::smtp::SmtpSink;
use crate::harness::{client, spawn_app, TestApp, SECRET_KEY};
use app::domain::sending::MAX_ATTEMPTS;
use app::ports::{SecretKey, Services, Settings};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use server::email::{MailSettings, Worker};
use std::collections::HashMap;
use std::sync::Arc;

/// The app with a worker that sends to `sink` and looks for work every few milliseconds.
pub(crate) async fn app_sending_to(
    database_url: &str,
    sink: &SmtpSink,
) -> (TestApp, reqwest::Client) {
    let url = sink.url();
    let app = spawn_app(
        database_url,
        &[
            "--smtp-url",
            &url,
            "--mail-from",
            "Acme Surveys <surveys@acme.test>",
            "--organisation",
            "Acme",
            "--outbox-poll-ms",
            "20",
            "--scheduler-ms",
            "50",
            "--smtp-retry-ms",
            "50",
        ],
    )
    .await;
    let admin = client();
    app.set_up_admin(&admin).await;
    (app, admin)
}

async fn import(app: &TestApp, admin: &reqwest::Client, csv: &str) {
    let res = app.import_contacts(admin, csv).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

async fn send(
    app: &TestApp,
    admin: &reqwest::Client,
    survey: i64,
    body: Value,
) -> reqwest::Response {
    admin
        .post(app.url(&format!("/api/v1/surveys/{survey}/sends")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn created(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

async fn send_detail(app: &TestApp, admin: &reqwest::Client, id: i64) -> Value {
    app.get_json(admin, &format!("/api/v1/sends/{id}")).await
}

/// Polls a send until `done` holds for its detail (up to 30 s).
async fn wait_until(
    app: &TestApp,
    admin: &reqwest::Client,
    id: i64,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..300 {
        let detail = send_detail(app, admin, id).await;
        if done(&detail) {
            return detail;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "send {id} never got there: {}",
        send_detail(app, admin, id).await
    );
}

async fn contact(app: &TestApp, admin: &reqwest::Client, email: &str) -> Value {
    let page: Value = app.get_json(admin, "/api/v1/contacts").await;
    page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == email)
        .cloned()
        .unwrap_or_else(|| panic!("no contact {email}"))
}

/// The use cases over the same database, as a second process would run them.
async fn services(database_url: &str, base_url: &str) -> Services {
    Services {
        store: server::storage::open(database_url, false).await.unwrap(),
        settings: Arc::new(Settings {
            secret_key: SecretKey::new(SECRET_KEY.as_bytes()),
            base_url: base_url.to_owned(),
            secure_cookies: false,
            session_days: 14,
            organisation: "Acme".into(),
            setup_code: None,
            webhook_hosts: Vec::new(),
        }),
        answer_limits: Default::default(),
        charts: Arc::new(server::charts::Plotters::new().unwrap()),
    }
}

/// An outbox worker the test runs by hand, one message at a time, to the sink.
fn worker_for(services: Services, sink: &SmtpSink) -> Worker {
    worker_to(services, sink.url(), std::time::Duration::from_secs(10))
}

fn worker_to(services: Services, smtp_url: String, timeout: std::time::Duration) -> Worker {
    Worker::new(
        services,
        MailSettings {
            smtp_url,
            from: "Acme Surveys <surveys@acme.test>".parse().unwrap(),
            connections: 1,
            per_minute: None,
            retry_base: std::time::Duration::from_millis(50),
            lease: std::time::Duration::from_secs(60),
            poll: std::time::Duration::from_millis(20),
            timeout,
        },
    )
    .unwrap()
}

/// An app without a worker (no SMTP URL) whose one message to Ana is queued: the
/// survey's id and the send's id.
async fn one_message_queued(database_url: &str) -> (TestApp, reqwest::Client, i64, i64) {
    let app = spawn_app(database_url, &["--scheduler-ms", "50"]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    import(&app, &admin, "email\nana@example.com\n").await;
    let survey = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    let id = created(send(&app, &admin, survey, json!({})).await).await["send"]["id"]
        .as_i64()
        .unwrap();
    wait_until(&app, &admin, id, |d| d["send"]["counts"]["queued"] == 1).await;
    (app, admin, survey, id)
}

const PEOPLE: &str = "email;name;locale;team\n\
    ana@example.com;Ana;de;Sales\n\
    bo@example.com;Bo;en;Sales\n\
    cy@example.com;Cy;en;Support\n\
    bounce.dee@example.com;Dee;en;Sales\n";

async fn an_invitation_reaches_every_contact_and_its_links_answer_the_survey(database_url: &str) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(database_url, &sink).await;
    import(&app, &admin, PEOPLE).await;
    let cy = contact(&app, &admin, "cy@example.com").await;
    let res = admin
        .put(app.url(&format!("/api/v1/contacts/{}/suppression", cy["id"])))
        .json(&json!({ "suppressed": "unsubscribed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let survey = app.create_survey(&admin, "nps").await;
    let survey_id = survey["id"].as_i64().unwrap();

    let detail = created(send(&app, &admin, survey_id, json!({})).await).await;
    let id = detail["send"]["id"].as_i64().unwrap();
    assert_eq!(detail["send"]["counts"]["recipients"], 4);
    assert_eq!(detail["send"]["counts"]["skipped_suppressed"], 1);
    let detail = wait_until(&app, &admin, id, |d| d["send"]["state"] == "done").await;
    let counts = &detail["send"]["counts"];
    assert_eq!(
        (counts["sent"].as_i64(), counts["bounced"].as_i64()),
        (Some(2), Some(1))
    );
    let bounce = detail["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "bounced")
        .unwrap_or_else(|| panic!("the bounce is listed: {detail}"));
    assert!(
        bounce["reason"].as_str().unwrap().contains("No such user"),
        "{bounce}"
    );
    assert_eq!(
        contact(&app, &admin, "bounce.dee@example.com").await["suppressed"],
        "bounced"
    );

    let mails = sink.wait_for(2).await;
    assert_eq!(mails.len(), 2, "no email to the suppressed or the bounced");
    let by_to: HashMap<&str, _> = mails.iter().map(|m| (m.to(), m)).collect();
    let ana = by_to
        .iter()
        .find(|(to, _)| to.contains("ana@example.com"))
        .map(|(_, m)| *m)
        .expect("Ana's email");
    let bo = by_to
        .iter()
        .find(|(to, _)| to.contains("bo@example.com"))
        .map(|(_, m)| *m)
        .expect("Bo's email");
    assert_eq!(
        ana.header("from"),
        Some("\"Acme Surveys\" <surveys@acme.test>")
    );
    assert!(
        ana.text.starts_with("Guten Tag Ana,"),
        "Ana reads German: {}",
        ana.text
    );
    assert!(bo.text.starts_with("Hello Bo,"));
    let (ana_id, bo_id) = (
        ana.header("message-id").unwrap(),
        bo.header("message-id").unwrap(),
    );
    assert_ne!(ana_id, bo_id);
    assert!(ana_id.ends_with("@acme.test>"), "{ana_id}");
    let token = ana.token();
    let base = app.url("");
    assert_eq!(
        ana.header("list-unsubscribe"),
        Some(format!("<{base}/u/{token}>").as_str())
    );
    assert_eq!(
        ana.header("list-unsubscribe-post"),
        Some("List-Unsubscribe=One-Click")
    );
    for score in 0..=10 {
        let link = format!("{base}/t/{token}?score={score}");
        assert!(ana.text.contains(&link), "text part lacks {link}");
        assert!(
            ana.html.contains(&format!("href=\"{link}\"")),
            "html part lacks {link}"
        );
    }

    // A scanner opening every link records nothing; the respondent's answer counts.
    for score in [0, 9, 10] {
        let page = client()
            .get(app.url(&format!("/t/{token}?score={score}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
    }
    let answered = client()
        .post(app.url(&format!("/api/v1/personal-answers/{token}")))
        .json(&json!({ "answers": { "nps": 9 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 201);
    let detail = send_detail(&app, &admin, id).await;
    assert_eq!(detail["send"]["counts"]["answered"], 1);
    assert_eq!(detail["send"]["counts"]["response_rate"]["percent"], 50.0);

    // The dashboard: the send as a filter, its mark on the trend, and its funnel.
    let dashboard = app
        .get_json(
            &admin,
            &format!("/api/v1/surveys/{survey_id}/trends?send={id}"),
        )
        .await;
    assert_eq!(dashboard["questions"][0]["tile"]["n"], 1);
    assert_eq!(
        dashboard["questions"][0]["trend"]["marks"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let funnel = &dashboard["funnels"][0];
    assert_eq!(funnel["send_id"], id);
    assert_eq!(funnel["counts"], json!([4, 2, 1, 1]), "{funnel}");
    assert_eq!(funnel["rate"], 50.0);
    let svg = app
        .page(&admin, &format!("/api/v1/surveys/{survey_id}/funnel.svg"))
        .await;
    assert_eq!(svg.matches("<rect").count(), 4, "one bar per step");

    // Unsubscribing: opening the page changes nothing, the one-click POST does.
    let page = client()
        .get(app.url(&format!("/u/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("a***@example.com"),
        "only a hint of the address"
    );
    assert_eq!(
        contact(&app, &admin, "ana@example.com").await["suppressed"],
        Value::Null
    );
    // RFC 8058: webmail posts it from its own site.
    let one_click = client()
        .post(app.url(&format!("/u/{token}")))
        .header("origin", "https://webmail.example.net")
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), 200);
    assert_eq!(
        contact(&app, &admin, "ana@example.com").await["suppressed"],
        "unsubscribed"
    );
    let unknown = client()
        .post(app.url("/u/not-a-real-token-at-all"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

on_both_databases!(an_invitation_reaches_every_contact_and_its_links_answer_the_survey);

#[tokio::test]
async fn temporary_failures_are_retried_and_a_run_of_refusals_pauses_the_send() {
    let db = crate::harness::sqlite_db();
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(&db.url, &sink).await;
    let mut csv = String::from("email;team\nlater.ana@example.com;Later\n");
    for i in 0..12 {
        csv.push_str(&format!("refused{i}@example.com;Refused\n"));
    }
    import(&app, &admin, &csv).await;
    let segment = |name: &str| json!({ "name": name, "conditions": [{ "attribute": "team", "value": name }] });
    let mut ids = HashMap::new();
    for name in ["Later", "Refused"] {
        let res = admin
            .post(app.url("/api/v1/segments"))
            .json(&segment(name))
            .send()
            .await
            .unwrap();
        let body: Value = res.json().await.unwrap();
        ids.insert(name, body["id"].as_i64().unwrap());
    }
    let survey = app.create_survey(&admin, "csat").await["id"]
        .as_i64()
        .unwrap();

    // 451 twice, then accepted: delivered on the third attempt.
    let later =
        created(send(&app, &admin, survey, json!({ "segment_id": ids["Later"] })).await).await;
    let later_id = later["send"]["id"].as_i64().unwrap();
    let detail = wait_until(&app, &admin, later_id, |d| d["send"]["state"] == "done").await;
    assert_eq!(detail["send"]["counts"]["sent"], 1);
    assert_eq!(sink.wait_for(1).await.len(), 1);

    // 554 for everyone: the send pauses after ten failures in a row and says why.
    let refused = created(
        send(
            &app,
            &admin,
            survey,
            json!({ "segment_id": ids["Refused"] }),
        )
        .await,
    )
    .await;
    let refused_id = refused["send"]["id"].as_i64().unwrap();
    let detail = wait_until(&app, &admin, refused_id, |d| d["send"]["state"] == "paused").await;
    let why = detail["send"]["paused_reason"].as_str().unwrap();
    // Outcomes are recorded a batch at a time, so the run may pass ten within one.
    let run: u32 = why
        .strip_prefix("Paused after ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{why}"));
    assert!(
        run >= 10 && why.contains("failed attempts in a row") && why.contains("Relaying denied"),
        "{why}"
    );
    assert_eq!(
        detail["send"]["counts"]["queued"], 12,
        "nothing is lost while paused"
    );
    assert_eq!(
        detail["send"]["counts"]["bounced"], 0,
        "not the recipients' fault"
    );
    assert!(detail["problems"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["status"] == "retrying" && p["reason"].as_str().unwrap().contains("554")));
    let no_contact_suppressed = contact(&app, &admin, "refused0@example.com").await;
    assert_eq!(no_contact_suppressed["suppressed"], Value::Null);

    // Resumed, it tries again (and pauses again, since the server still refuses).
    let resumed = admin
        .post(app.url(&format!("/api/v1/sends/{refused_id}/resume")))
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 200);
    let resumed: Value = resumed.json().await.unwrap();
    assert_ne!(resumed["send"]["state"], "paused");
    wait_until(&app, &admin, refused_id, |d| d["send"]["state"] == "paused").await;
    let cancel = admin
        .post(app.url(&format!("/api/v1/sends/{refused_id}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cancel.status(),
        422,
        "a started send is paused, not cancelled"
    );
}

#[tokio::test]
async fn the_frequency_rule_reminders_and_recurring_waves_follow_the_calendar() {
    let db = crate::harness::sqlite_db();
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(&db.url, &sink).await;
    import(
        &app,
        &admin,
        "email;locale\nana@example.com;de\nbo@example.com;en\n",
    )
    .await;
    let survey = app.create_survey(&admin, "enps").await["id"]
        .as_i64()
        .unwrap();

    let first = created(
        send(
            &app,
            &admin,
            survey,
            json!({ "repeat": "monthly", "reminders": [3], "per_minute": 600 }),
        )
        .await,
    )
    .await;
    let first_id = first["send"]["id"].as_i64().unwrap();
    wait_until(&app, &admin, first_id, |d| d["send"]["counts"]["sent"] == 2).await;
    let mails = sink.wait_for(2).await;
    let ana = mails.iter().find(|m| m.to().contains("ana@")).unwrap();
    let token = ana.token();
    let answered = client()
        .post(app.url(&format!("/api/v1/personal-answers/{token}")))
        .json(&json!({ "answers": { "enps": 10 } }))
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_success());

    // The next wave is scheduled a month on; a second send now skips both for 30 days.
    let sends: Value = app
        .get_json(&admin, &format!("/api/v1/surveys/{survey}/sends"))
        .await;
    let wave_two = sends
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["wave"] == 2)
        .expect("wave 2 is scheduled");
    assert_eq!(wave_two["state"], "scheduled");
    let again = created(send(&app, &admin, survey, json!({})).await).await;
    assert_eq!(again["send"]["counts"]["skipped_frequency"], 2);
    assert!(again["problems"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["reason"].as_str().unwrap().contains("frequency rule")));

    // Four days on (the send's clock is moved back), the running scheduler reminds Bo
    // only, with the same personal link, once.
    let db_pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE sends SET next_reminder_at = next_reminder_at - $1 WHERE id = $2")
        .bind(Duration::days(4).num_milliseconds())
        .bind(first_id)
        .execute(&db_pool)
        .await
        .unwrap();
    let mails = sink.wait_for(3).await;
    let reminder = mails
        .iter()
        .find(|m| {
            m.header("subject")
                .unwrap_or_default()
                .starts_with("Reminder:")
        })
        .expect("a reminder");
    assert!(reminder.to().contains("bo@example.com"));
    let bo_first = mails
        .iter()
        .find(|m| m.to().contains("bo@") && !m.header("subject").unwrap().starts_with("Reminder"))
        .unwrap();
    assert_eq!(reminder.token(), bo_first.token());
    let services = services(&db.url, &app.url("")).await;
    app::api::sends::run_due(&services, Utc::now() + Duration::days(5))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.files().len(), 3, "a reminder goes once");

    // A month on, wave 2 starts by itself; with the rule at 0 days it reaches both.
    let rule = admin
        .put(app.url("/api/v1/frequency-rules"))
        .json(&json!({ "kind": "enps", "min_days": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(rule.status(), 200);
    let rules: Value = rule.json().await.unwrap();
    assert!(rules
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["kind"] == "nps" && r["min_days"] == 30));
    sqlx::query("UPDATE sends SET scheduled_at = scheduled_at - $1 WHERE wave = 2")
        .bind(Duration::days(32).num_milliseconds())
        .execute(&db_pool)
        .await
        .unwrap();
    let wave_two_id = wave_two["id"].as_i64().unwrap();
    let detail = wait_until(&app, &admin, wave_two_id, |d| {
        d["send"]["counts"]["sent"] == 2
    })
    .await;
    assert_eq!(detail["send"]["wave"], 2);
    assert_eq!(
        detail["send"]["counts"]["answered"], 0,
        "each wave has its own numbers"
    );
}

#[tokio::test]
async fn a_send_that_asks_for_the_impossible_is_refused_with_the_field() {
    let db = crate::harness::sqlite_db();
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(&db.url, &sink).await;
    let survey = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    for (body, field) in [
        (json!({ "reminders": [7, 3] }), "reminders"),
        (json!({ "per_minute": 0 }), "per_minute"),
        (json!({ "segment_id": 999 }), "segment_id"),
        (json!({ "at": "yesterday" }), "at"),
        (json!({ "at": "2020-01-01T09:00:00Z" }), "at"),
        (json!({ "repeat": "hourly" }), ""),
    ] {
        let res = send(&app, &admin, survey, body.clone()).await;
        assert!(
            res.status().is_client_error(),
            "{body} answered {}",
            res.status()
        );
        let error: Value = res.json().await.unwrap();
        if !field.is_empty() {
            assert_eq!(error["field"], field, "{body}: {error}");
        }
        assert!(error["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let missing = send(&app, &admin, 999, json!({})).await;
    assert_eq!(missing.status(), 404);

    // A send for later waits, and can be cancelled before it starts.
    let later = (Utc::now() + Duration::days(2)).to_rfc3339();
    let scheduled = created(send(&app, &admin, survey, json!({ "at": later })).await).await;
    assert_eq!(scheduled["send"]["state"], "scheduled");
    let id = scheduled["send"]["id"].as_i64().unwrap();
    let cancelled: Value = admin
        .post(app.url(&format!("/api/v1/sends/{id}/cancel")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["send"]["state"], "cancelled");
    let viewer = client();
    assert_eq!(
        viewer
            .get(app.url(&format!("/api/v1/sends/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn set_notifications(
    app: &TestApp,
    admin: &reqwest::Client,
    survey: i64,
    settings: Value,
) -> reqwest::Response {
    let mut body = json!({ "status": "active", "closes_at": null, "response_cap": null });
    body.as_object_mut()
        .unwrap()
        .extend(settings.as_object().unwrap().clone());
    admin
        .put(app.url(&format!("/api/v1/surveys/{survey}/settings")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The id at the end of the alert's link to the response.
fn response_link(alert: &crate::harness::smtp::Mail, base: &str, survey: i64) -> i64 {
    let prefix = format!("{base}/surveys/{survey}/responses/");
    let start = alert.text.find(&prefix).expect("a link to the response") + prefix.len();
    alert.text[start..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|id| id.parse().ok())
        .expect("a response id")
}

async fn after_an_answer_a_thank_you_and_a_detractor_alert_go_out(database_url: &str) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(database_url, &sink).await;
    import(&app, &admin, PEOPLE).await;
    let base = app.url("");
    let nps = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    let res = set_notifications(
        &app,
        &admin,
        nps,
        json!({ "thank_you_email": true, "detractor_alerts": true }),
    )
    .await;
    let settings: Value = res.json().await.unwrap();
    assert_eq!(
        (&settings["thank_you_email"], &settings["detractor_alerts"]),
        (&json!(true), &json!(true))
    );
    // A change that leaves them out keeps them.
    let kept = app.set_status(&admin, nps, "active").await;
    assert_eq!(kept["thank_you_email"], true);

    let id = created(send(&app, &admin, nps, json!({})).await).await["send"]["id"]
        .as_i64()
        .unwrap();
    wait_until(&app, &admin, id, |d| d["send"]["state"] == "done").await;
    let invitations = sink.wait_for(3).await;
    let token_of = |who: &str| {
        invitations
            .iter()
            .find(|m| m.to().contains(who))
            .unwrap_or_else(|| panic!("{who}'s invitation"))
            .token()
    };
    let (ana, bo) = (token_of("ana@"), token_of("bo@"));
    let answer = |token: String, body: Value| {
        let url = app.url(&format!("/api/v1/personal-answers/{token}"));
        async move { client().post(url).json(&body).send().await.unwrap() }
    };
    let res = answer(
        ana.clone(),
        json!({ "answers": { "nps": 3 }, "follow_ups": { "nps": "Zu langsam" } }),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        answer(bo, json!({ "answers": { "nps": 10 } }))
            .await
            .status(),
        201
    );
    let mails = sink.wait_for(6).await;
    // Changing a completed response sends nothing again (see the outbox contract).
    let res = answer(ana.clone(), json!({ "answers": { "nps": 2 } })).await;
    assert_eq!(res.status(), 200);
    let thanks: Vec<_> = mails
        .iter()
        .filter(|m| {
            m.header("subject")
                .is_some_and(|s| s.starts_with("Danke") || s.starts_with("Thank you"))
        })
        .collect();
    assert_eq!(thanks.len(), 2, "a thank-you to each respondent");
    let to_ana = thanks
        .iter()
        .find(|m| m.to().contains("ana@"))
        .expect("Ana's thank-you");
    assert!(to_ana.text.starts_with("Guten Tag Ana,"), "{}", to_ana.text);
    assert_eq!(
        to_ana.header("list-unsubscribe"),
        Some(format!("<{base}/u/{ana}>").as_str()),
        "the same unsubscribe page as her invitation"
    );
    let alerts: Vec<_> = mails
        .iter()
        .filter(|m| m.header("subject").is_some_and(|s| s.contains("alert")))
        .collect();
    assert_eq!(alerts.len(), 1, "only the detractor raises an alert");
    let alert = alerts[0];
    assert!(alert.to().contains("ada@example.com"), "to the owner");
    assert!(
        alert
            .header("subject")
            .unwrap()
            .starts_with("Detractor alert: ")
            && alert.header("subject").unwrap().ends_with("(3/10)"),
        "{:?}",
        alert.header("subject")
    );
    assert!(
        alert.text.contains("Ana <ana@example.com> answered"),
        "{}",
        alert.text
    );
    assert!(alert.text.contains("Zu langsam"));
    assert_eq!(alert.header("list-unsubscribe"), None);

    // The alert's link: the response, with who gave it.
    let response = response_link(alert, &base, nps);
    let view: Value = app
        .get_json(
            &admin,
            &format!("/api/v1/surveys/{nps}/responses/{response}"),
        )
        .await;
    assert_eq!(view["respondent"], "Ana <ana@example.com>");
    assert_eq!(view["answers"][0]["answer"], "2", "as it stands now");
    assert_eq!(view["answers"][0]["category"], "low");
    assert!(view["submitted_at"].is_string());
    let page = app
        .page(&admin, &format!("/surveys/{nps}/responses/{response}"))
        .await;
    assert!(
        page.contains("2 (low)") && page.contains("ana@example.com"),
        "{page}"
    );
    let stranger = client()
        .get(app.url(&format!("/api/v1/surveys/{nps}/responses/{response}")))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 401);
    let elsewhere = admin
        .get(app.url(&format!("/api/v1/surveys/{}/responses/{response}", nps + 1)))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 404);

    // Anonymous: no thank-you email and no alert, and the answer is not shown alone.
    let rule = admin
        .put(app.url("/api/v1/frequency-rules"))
        .json(&json!({ "kind": "enps", "min_days": 0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(rule.status(), 200);
    let enps = app.create_survey(&admin, "enps").await["id"]
        .as_i64()
        .unwrap();
    for field in ["thank_you_email", "detractor_alerts"] {
        let refused = set_notifications(&app, &admin, enps, json!({ field: true })).await;
        assert_eq!(refused.status(), 422);
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["field"], field, "{error}");
    }
    let id = created(send(&app, &admin, enps, json!({})).await).await["send"]["id"]
        .as_i64()
        .unwrap();
    wait_until(&app, &admin, id, |d| d["send"]["state"] == "done").await;
    sink.wait_for(6 + 3).await;
    let bo = sink
        .messages()
        .into_iter()
        .filter(|m| m.to().contains("bo@"))
        .find(|m| {
            m.text.contains("/t/") && m.header("subject").is_some_and(|s| s.contains("Working"))
        })
        .expect("Bo's eNPS invitation")
        .token();
    assert_eq!(
        answer(bo, json!({ "answers": { "enps": 1 } }))
            .await
            .status(),
        201
    );
    // An alert would have been queued in the answer's own transaction.
    let alerts = "SELECT COUNT(*) FROM outbox WHERE kind = 'alert' AND survey_id = $1";
    let alerts = crate::harness::read_column::<i64>(database_url, alerts, enps).await;
    assert_eq!(alerts, [0], "no alert about one anonymous answer");
    let ids = "SELECT id FROM responses WHERE survey_id = $1";
    let response = crate::harness::read_column::<i64>(database_url, ids, enps).await[0];
    assert!(response < 0, "an anonymous response's id is not counted up");
    let res = admin
        .get(app.url(&format!("/api/v1/surveys/{enps}/responses/{response}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "not shown one by one, even by its id");
    let error: Value = res.json().await.unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("anonymous"),
        "{error}"
    );
    let page = app
        .page_status(&admin, &format!("/surveys/{enps}/responses/{response}"))
        .await;
    assert_eq!(page, 404);
}

on_both_databases!(after_an_answer_a_thank_you_and_a_detractor_alert_go_out);

#[tokio::test]
async fn a_message_whose_process_dies_at_it_every_time_is_given_up_unsent() {
    let db = crate::harness::sqlite_db();
    // No SMTP URL: this process has no worker, the test plays the dying ones.
    let (app, admin, _, id) = one_message_queued(&db.url).await;
    let services = services(&db.url, &app.url("")).await;
    // Each claim's lease runs out at once, as if its process died before the reply.
    for attempt in 1..=MAX_ATTEMPTS {
        let now = Utc::now();
        let claimed = services.store.claim_messages(now, now, 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].attempts, attempt);
    }

    let sink = SmtpSink::start();
    let worker = worker_for(services, &sink);
    assert_eq!(worker.deliver_due().await.unwrap(), 1);
    let detail = wait_until(&app, &admin, id, |d| d["send"]["state"] == "done").await;
    assert_eq!(
        (
            detail["send"]["counts"]["failed"].as_i64(),
            detail["send"]["counts"]["sent"].as_i64()
        ),
        (Some(1), Some(0))
    );
    let reason = detail["problems"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("Given up after 8 attempts"), "{reason}");
    assert!(sink.files().is_empty(), "nothing was sent");
    assert_eq!(worker.deliver_due().await.unwrap(), 0, "nor will be");
}

#[tokio::test]
async fn a_send_due_after_its_survey_closed_sends_nothing_and_says_why_and_others_still_go() {
    let db = crate::harness::sqlite_db();
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(&db.url, &sink).await;
    import(&app, &admin, "email\nana@example.com\nbo@example.com\n").await;
    let later = (Utc::now() + Duration::days(1)).to_rfc3339();
    let mut sends = Vec::new();
    for _ in 0..3 {
        let survey = app.create_survey(&admin, "nps").await["id"]
            .as_i64()
            .unwrap();
        let scheduled = created(send(&app, &admin, survey, json!({ "at": later })).await).await;
        sends.push((survey, scheduled["send"]["id"].as_i64().unwrap()));
    }
    let [(broken_survey, broken), (closed_survey, closed), (_, open)] = sends[..] else {
        unreachable!()
    };
    app.set_status(&admin, closed_survey, "closed").await;
    // A survey the scheduler cannot read fails its send, which must not hold up the rest;
    // the sends fall due in this order.
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE surveys SET definition = 'not a definition' WHERE id = $1")
        .bind(broken_survey)
        .execute(&pool)
        .await
        .unwrap();
    for (order, id) in [broken, closed, open].into_iter().enumerate() {
        sqlx::query("UPDATE sends SET scheduled_at = $1 WHERE id = $2")
            .bind(Utc::now().timestamp_millis() - 60_000 + order as i64)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
    }

    wait_until(&app, &admin, open, |d| d["send"]["counts"]["sent"] == 2).await;
    let detail = send_detail(&app, &admin, closed).await;
    assert_eq!(detail["send"]["state"], "cancelled", "{detail}");
    assert_eq!(
        detail["send"]["paused_reason"],
        "Nothing was sent: the survey was closed before its time."
    );
    assert_eq!(detail["send"]["counts"]["recipients"], 0);
    let state: String = sqlx::query_scalar("SELECT state FROM sends WHERE id = $1")
        .bind(broken)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(state, "scheduled", "tried again at the next tick");
    assert_eq!(sink.wait_for(2).await.len(), 2);
}

#[tokio::test]
async fn a_message_whose_survey_cannot_be_read_is_given_up_not_claimed_forever() {
    let db = crate::harness::sqlite_db();
    // No SMTP URL: this process has no worker; the test runs one.
    let (app, _, survey, id) = one_message_queued(&db.url).await;
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE surveys SET definition = 'not a definition' WHERE id = $1")
        .bind(survey)
        .execute(&pool)
        .await
        .unwrap();

    let sink = SmtpSink::start();
    let worker = worker_for(services(&db.url, &app.url("")).await, &sink);
    assert_eq!(worker.deliver_due().await.unwrap(), 1);
    let (status, reply): (String, Option<String>) =
        sqlx::query_as("SELECT status, reply FROM outbox WHERE send_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    assert_eq!(reply.as_deref(), Some("The survey could not be read."));
    assert!(sink.files().is_empty(), "nothing was sent");
    assert_eq!(worker.deliver_due().await.unwrap(), 0, "nor will be");
}

#[tokio::test]
async fn a_server_that_never_answers_costs_the_message_a_retry_not_the_worker() {
    let db = crate::harness::sqlite_db();
    // No SMTP URL: this process has no worker; the test runs one.
    let (app, admin, _, id) = one_message_queued(&db.url).await;
    // Takes connections and says nothing, not even a greeting.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", silent.local_addr().unwrap());
    let listening = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = silent.accept().await {
            held.push(connection);
        }
    });

    let services = services(&db.url, &app.url("")).await;
    let worker = worker_to(services, url, std::time::Duration::from_millis(300));
    assert_eq!(worker.deliver_due().await.unwrap(), 1, "the claim ends");
    let detail = wait_until(&app, &admin, id, |d| {
        d["problems"][0]["status"] == "retrying"
    })
    .await;
    let reason = detail["problems"][0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("did not answer within"), "{reason}");
    assert_eq!(detail["send"]["counts"]["queued"], 1, "kept for the retry");
    listening.abort();
}

/// What someone holding a copy of the database and the instance key joins by working out
/// every contact's link in an anonymous send (with `salt`): (answers found, links found).
async fn offline_join(
    database_url: &str,
    settings: &Settings,
    survey: i64,
    send: i64,
    salt: Option<&str>,
) -> (usize, usize) {
    use crate::harness::read_column;
    let contacts: Vec<i64> =
        read_column(database_url, "SELECT id FROM contacts WHERE id > $1", 0).await;
    let keys: Vec<String> = read_column(
        database_url,
        "SELECT response_key FROM responses WHERE survey_id = $1",
        survey,
    )
    .await;
    let links: Vec<String> = read_column(
        database_url,
        "SELECT token_hash FROM invitations WHERE send_id = $1",
        send,
    )
    .await;
    // Erased contacts are gone from the table: their ids are guessed too.
    let guesses = (1..=contacts.iter().copied().max().unwrap_or(0) + 5).collect::<Vec<_>>();
    let tokens: Vec<String> = guesses
        .into_iter()
        .filter_map(|contact| settings.invitation_token(send, contact, salt))
        .collect();
    let answers = tokens
        .iter()
        .filter(|t| keys.contains(&settings.response_key(t)))
        .count();
    let found = tokens
        .iter()
        .filter(|t| links.contains(&settings.token_hash(t)))
        .count();
    (answers, found)
}

/// An anonymous send's links are salted. While the send keeps its salt (a reminder is still
/// to go), the database and the key join each answer to its person, so the attack is
/// real; an erased person's answer is safe even then. Once the last reminder is out, the
/// salt is forgotten: the same attack finds nothing, and the links still answer.
async fn a_copy_of_the_database_and_the_key_cannot_join_an_anonymous_answer_to_its_person(
    database_url: &str,
) {
    use crate::harness::read_column;
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(database_url, &sink).await;
    import(&app, &admin, PEOPLE).await;
    let enps = app.create_survey(&admin, "enps").await["id"]
        .as_i64()
        .unwrap();
    let send_id = created(send(&app, &admin, enps, json!({ "reminders": [3] })).await).await
        ["send"]["id"]
        .as_i64()
        .unwrap();
    let mails = sink.wait_for(3).await;
    // Once sent, the outbox keeps the day each person was mailed, not the moment.
    let column = |sql: &'static str| read_column::<i64>(database_url, sql, send_id);
    let mut sent = Vec::new();
    for _ in 0..200 {
        sent =
            column("SELECT sent_at FROM outbox WHERE send_id = $1 AND sent_at IS NOT NULL").await;
        if sent.len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let due = column("SELECT next_attempt_at FROM outbox WHERE send_id = $1").await;
    let today = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let midnight = today.and_utc().timestamp_millis();
    assert_eq!(sent, vec![midnight; 3], "the day alone");
    assert!(
        due.len() >= 3 && due.iter().all(|&d| d == midnight),
        "nor when each was due: {due:?}"
    );
    let token_of = |who: &str| {
        mails
            .iter()
            .find(|m| m.to().contains(who))
            .unwrap_or_else(|| panic!("{who}'s invitation"))
            .token()
    };
    let answer = |token: String| {
        let url = app.url(&format!("/api/v1/personal-answers/{token}"));
        async move {
            client()
                .post(url)
                .json(&json!({ "answers": { "enps": 3 } }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for who in ["ana@", "bo@"] {
        assert_eq!(answer(token_of(who)).await, 201);
    }
    // Two answers are fewer than the minimum group: the send says nothing of how many.
    let detail = app
        .get_json(&admin, &format!("/api/v1/sends/{send_id}"))
        .await;
    let counts = &detail["send"]["counts"];
    assert_eq!(
        (
            &counts["answered"],
            &counts["completed"],
            &counts["response_rate"]
        ),
        (&Value::Null, &Value::Null, &Value::Null),
        "{counts}"
    );
    assert_eq!(counts["sent"], 3, "deliveries are no answers: they stay");
    let dashboard = app
        .get_json(&admin, &format!("/api/v1/surveys/{enps}/trends"))
        .await;
    assert_eq!(dashboard["funnels"], json!([]));
    assert_eq!(dashboard["funnels_withheld"], 1);
    let settings = services(database_url, &app.url("")).await.settings;
    let salt: Vec<String> = read_column(
        database_url,
        "SELECT link_salt FROM sends WHERE id = $1",
        send_id,
    )
    .await;
    assert!(salt[0].len() >= 32, "a random salt: {salt:?}");
    let join = |salt: Option<String>| {
        let settings = settings.clone();
        async move { offline_join(database_url, &settings, enps, send_id, salt.as_deref()).await }
    };
    let (answers, links) = join(Some(salt[0].clone())).await;
    assert_eq!(answers, 2, "with the salt, both answers are found");
    assert!(links >= 3, "and the links: {links}");

    // Erased, Ana's answer gets a new key and her link dies, though the salt is kept.
    let erased = admin
        .delete(app.url("/api/v1/privacy/ana@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    assert_eq!(
        join(Some(salt[0].clone())).await,
        (1, links - 1),
        "only Bo's answer and the others' links"
    );

    // The reminder falls due (the send's clock moved), goes to Cy, and the salt goes.
    let due = "UPDATE sends SET next_reminder_at = 0 WHERE id = $1 RETURNING id";
    assert_eq!(
        read_column::<i64>(database_url, due, send_id).await,
        [send_id]
    );
    let mails = sink.wait_for(4).await;
    let reminder = mails
        .iter()
        .find(|m| {
            m.header("subject")
                .is_some_and(|s| s.starts_with("Reminder"))
        })
        .expect("the reminder");
    assert!(reminder.to().contains("cy@"));
    let forgotten = "SELECT COUNT(*) FROM sends WHERE id = $1 AND link_salt = ''";
    for _ in 0..300 {
        if read_column::<i64>(database_url, forgotten, send_id).await == [1] {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        read_column::<i64>(database_url, forgotten, send_id).await,
        [1],
        "the salt is forgotten once the last reminder is out"
    );
    assert_eq!(
        answer(reminder.token()).await,
        201,
        "the link still answers"
    );
    // A copy taken now holds an empty salt: no link can be worked out with it, nor the
    // way links were derived before salts.
    assert_eq!(join(Some(String::new())).await, (0, 0));
    assert_eq!(
        join(None).await,
        (0, 0),
        "the unsalted derivation finds nothing"
    );
}

on_both_databases!(
    a_copy_of_the_database_and_the_key_cannot_join_an_anonymous_answer_to_its_person
);
