//! Digests reach a real SMTP server on loopback: the survey's headline score with the
//! same numbers as its dashboard, the trend as an inline PNG with the numbers in the text
//! too, in the user's language, narrowed to a manager's team, never a withheld group's
//! comments, and a stop link that only a POST follows. The scheduler queues a due digest
//! once and moves it to its next time.

use crate::harness::smtp::{Mail, SmtpSink};
use crate::harness::{client, read_column, TestApp};
use crate::sending::app_sending_to;
use serde_json::{json, Value};

async fn answer(
    app: &TestApp,
    admin: &reqwest::Client,
    s: &(i64, String),
    team: &str,
    score: u8,
    comment: &str,
) {
    let link = json!({ "attributes": { "team": team } });
    app.answer_by_link(admin, s, link, score, Some(comment))
        .await;
}

async fn subscribe(app: &TestApp, c: &reqwest::Client, body: Value) -> i64 {
    let res = c
        .post(app.url("/api/v1/me/digests"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let made: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{made}");
    made["id"].as_i64().unwrap()
}

async fn send_now(app: &TestApp, c: &reqwest::Client, id: i64) {
    let res = c
        .post(app.url(&format!("/api/v1/me/digests/{id}/send")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
}

/// The message to `to` whose subject starts with `subject`.
fn mail_to<'a>(mails: &'a [Mail], to: &str, subject: &str) -> &'a Mail {
    mails
        .iter()
        .find(|m| {
            m.to().contains(to) && m.header("subject").unwrap_or_default().starts_with(subject)
        })
        .unwrap_or_else(|| {
            panic!(
                "no \"{subject}\" to {to} in {:?}",
                mails
                    .iter()
                    .map(|m| m.header("subject"))
                    .collect::<Vec<_>>()
            )
        })
}

/// This week so far, as a weekly digest sent now covers it.
fn this_week() -> (String, String) {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    (monday.to_string(), today.to_string())
}

on_both_databases!(a_digest_arrives_with_its_trend_as_an_inline_png_and_the_dashboards_numbers_in_the_users_language);
async fn a_digest_arrives_with_its_trend_as_an_inline_png_and_the_dashboards_numbers_in_the_users_language(
    url: &str,
) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(url, &sink).await;
    let s = app.survey_by_team(&admin, false).await;
    let id = s.0;
    answer(&app, &admin, &s, "Sales", 2, "Too slow").await;
    answer(&app, &admin, &s, "Sales", 10, "Lovely").await;
    answer(&app, &admin, &s, "Sales", 9, "Good").await;
    answer(&app, &admin, &s, "Ops", 0, "Ops is unhappy").await;

    let digest = subscribe(
        &app,
        &admin,
        json!({ "survey_id": id, "frequency": "weekly" }),
    )
    .await;
    send_now(&app, &admin, digest).await;
    let mails = sink.wait_for(1).await;
    let mail = mail_to(&mails, "ada@example.com", "Weekly digest: ");

    // The headline as the dashboard has it for the same days.
    let (from, to) = this_week();
    let dashboard = app
        .get_json(
            &admin,
            &format!("/api/v1/surveys/{id}/trends?range=custom&from={from}&to={to}"),
        )
        .await;
    let tile = &dashboard["questions"][0]["tile"];
    let nps = format!("{:.0}", tile["value"].as_f64().unwrap());
    assert_eq!(tile["n"], 4);
    let line = format!("NPS: {nps} points");
    assert!(mail.text.contains(&line), "{line} in {}", mail.text);
    assert!(mail.text.contains("(n = 4)"), "{}", mail.text);
    assert!(mail.html.contains(&line));
    assert!(
        mail.text.contains("\"Ops is unhappy\""),
        "recent comments: {}",
        mail.text
    );
    assert!(mail
        .text
        .contains(&format!("/surveys/{id}?range=custom&from={from}&to={to}")));

    // The trend is an inline PNG the HTML shows by its Content-ID.
    assert_eq!(mail.images.len(), 1, "one chart");
    let (cid, png) = &mail.images[0];
    assert!(
        mail.html.contains(&format!("src=\"cid:{cid}\"")),
        "{}",
        mail.html
    );
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (600, 375));

    // The stop link: opening it stops nothing; the one-click POST does.
    let unsubscribe = mail.header("list-unsubscribe").expect("a stop link");
    let stop = unsubscribe.trim_matches(['<', '>']).to_owned();
    assert!(stop.contains("/d/"), "{stop}");
    let page = client()
        .get(&stop)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Stop the weekly digest of"), "{page}");
    let listed = app.get_json(&admin, "/api/v1/me/digests").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let res = client()
        .post(&stop)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let listed = app.get_json(&admin, "/api/v1/me/digests").await;
    assert_eq!(listed, json!([]));
    let page = client()
        .get(&stop)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("stops nothing any more"), "{page}");

    // A manager of Sales who reads German: the digest is German and Sales's alone.
    let res = admin
        .post(app.url("/api/v1/users"))
        .json(
            &json!({ "name": "Mia", "email": "mia@example.com", "password": "correct horse battery",
                       "role": "manager", "scope": ["team=Sales"] }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let mia = client();
    let res = mia
        .post(app.url("/rpc/login"))
        .form(&[
            ("email", "mia@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_some());
    let res = mia
        .put(app.url("/api/v1/me/language"))
        .json(&json!({ "locale": "de" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let theirs = subscribe(
        &app,
        &mia,
        json!({ "survey_id": id, "frequency": "monthly" }),
    )
    .await;
    send_now(&app, &mia, theirs).await;
    let mails = sink.wait_for(2).await;
    let german = mail_to(&mails, "mia@example.com", "Monatlicher Überblick: ");
    assert!(german.text.starts_with("Guten Tag Mia,"), "{}", german.text);
    assert!(
        german.text.contains("(n = 3)"),
        "Sales's three answers: {}",
        german.text
    );
    assert!(
        !german.text.contains("Ops is unhappy"),
        "no other team's comment"
    );
    assert!(german.text.contains("Diesen Überblick abbestellen"));
    // A filter outside her scope is refused, as the dashboard refuses it.
    let res = mia
        .post(app.url("/api/v1/me/digests"))
        .json(&json!({ "survey_id": id, "frequency": "weekly", "filter": ["team:Ops"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = mia
        .post(app.url("/api/v1/me/digests"))
        .json(&json!({ "survey_id": id, "frequency": "daily" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
}

on_both_databases!(
    a_due_digest_is_queued_once_by_the_scheduler_and_never_shows_a_withheld_groups_comments
);
async fn a_due_digest_is_queued_once_by_the_scheduler_and_never_shows_a_withheld_groups_comments(
    url: &str,
) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(url, &sink).await;
    // Three answers to an anonymous survey whose minimum group is five.
    let s = app.survey_by_team(&admin, true).await;
    for comment in ["secret one", "secret two", "secret three"] {
        answer(&app, &admin, &s, "Sales", 3, comment).await;
    }
    let digest = subscribe(
        &app,
        &admin,
        json!({ "survey_id": s.0, "frequency": "weekly" }),
    )
    .await;
    // Due a minute ago: the scheduler (every 50 ms here) queues it, once.
    let due = match url.starts_with("postgres") {
        true => "UPDATE digest_subscriptions SET next_run_at = now() - INTERVAL '1 minute' WHERE id = $1 RETURNING id",
        false => "UPDATE digest_subscriptions SET next_run_at = datetime('now', '-1 minute') WHERE id = $1 RETURNING id",
    };
    let _: Vec<i64> = read_column(url, due, digest).await;
    let mails = sink.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 1, "queued once");
    let mail = mail_to(&mails, "ada@example.com", "Weekly digest: ");
    for part in [&mail.text, &mail.html] {
        assert!(
            !part.contains("secret"),
            "a withheld group's comment: {part}"
        );
    }
    // The week before has no answers at all: nothing to draw, nothing to say of anyone.
    assert!(mail.images.is_empty());
    let listed = app.get_json(&admin, "/api/v1/me/digests").await;
    let next = listed[0]["next_at"].as_str().unwrap().to_owned();
    assert!(
        next > chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        "moved on to {next}"
    );

    // This week so far, on request: the group is still below five, so hidden.
    send_now(&app, &admin, digest).await;
    let mails = sink.wait_for(2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.text.contains("Hidden to protect anonymity")),
        "{:?}",
        mails.iter().map(|m| &m.text).collect::<Vec<_>>()
    );
    for m in &mails {
        assert!(!m.text.contains("secret") && !m.html.contains("secret"));
    }
}
