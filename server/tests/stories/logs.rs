//! Logs never carry a capability. The real binary runs at trace level, its stdout and
//! stderr in a file, while a respondent opens and answers through a personal link and a
//! public one with a resume key, unsubscribes, and a cross-site form is refused; then no
//! token or key may appear anywhere in that file.

use crate::harness::smtp::SmtpSink;
use crate::harness::{client, free_port, public_slug, wait_healthy, TestApp, SECRET_KEY};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};

/// A `resonance serve` process whose whole output goes to a file.
struct Logged {
    child: Child,
}

impl Logged {
    /// SIGTERM, so the process ends as in production and its last lines are written.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

on_both_databases!(no_token_or_resume_key_reaches_the_log_even_at_trace_level);
async fn no_token_or_resume_key_reaches_the_log_even_at_trace_level(database_url: &str) {
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let log_path = dir.path().join("resonance.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let port = free_port();
    let process = Logged {
        child: Command::new(env!("CARGO_BIN_EXE_resonance"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url, "--secret-key", SECRET_KEY])
            .args(["--smtp-url", &sink.url()])
            .args(["--outbox-poll-ms", "20", "--scheduler-ms", "50"])
            .arg("--site-root")
            .arg(dir.path())
            .env("RESONANCE_LOG", "trace")
            .stdout(log.try_clone().expect("log file"))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("resonance starts"),
    };
    let base = format!("http://127.0.0.1:{port}");
    wait_healthy(&base).await;
    let app = TestApp {
        addr: ([127, 0, 0, 1], port).into(),
        base,
        client: client(),
    };
    let admin = client();
    app.set_up_admin(&admin).await;
    let imported = app
        .import_contacts(&admin, "email,name\nana@example.com,Ana\n")
        .await;
    assert_eq!(imported.status(), 200);
    let survey = app.create_survey(&admin, "nps").await;
    let (id, slug) = (survey["id"].as_i64().expect("id"), public_slug(&survey));
    let sent = admin
        .post(app.url(&format!("/api/v1/surveys/{id}/sends")))
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(sent.status(), 201);
    // One token is both the personal answer link and the unsubscribe link.
    let token = sink.wait_for(1).await[0].token();
    let respondent = client();

    // The personal link: opened, answered by the form and by the API.
    let personal = format!("/t/{token}?score=9");
    assert_eq!(app.page_status(&respondent, &personal).await, 200);
    let form = [
        ("link", format!("t/{token}")),
        ("step", "0".into()),
        ("resume_key", String::new()),
        ("lang", "en".into()),
        ("answer[0]", "9".into()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app
        .post_form(&respondent, &personal, "/rpc/answer", &pairs)
        .await;
    assert_eq!(res.status(), 302);
    let next = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(!next.contains("__err"), "{next}");
    assert_eq!(app.page_status(&respondent, &next).await, 200);
    let api = respondent
        .post(app.url(&format!("/api/v1/personal-answers/{token}")))
        .json(&json!({ "answers": { "nps": 10 } }))
        .send()
        .await
        .expect("request");
    assert_eq!(api.status(), 200);
    let forged = client()
        .post(app.url(&format!("/t/{token}")))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("answer", "0")])
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status(), 403);

    // The public link with a resume key: answered, reopened, changed by form and API.
    let first: Value = app
        .answer_publicly(&slug, json!({ "answers": { "nps": 7 } }))
        .await
        .json()
        .await
        .expect("json");
    let key = first["resume_key"].as_str().expect("resume key").to_owned();
    let public = format!("/s/{slug}?r={key}");
    assert_eq!(app.page_status(&respondent, &public).await, 200);
    let form = [
        ("link", format!("s/{slug}")),
        ("step", "0".into()),
        ("resume_key", key.clone()),
        ("lang", "en".into()),
        ("answer[0]", "8".into()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app
        .post_form(&respondent, &public, "/rpc/answer", &pairs)
        .await;
    let next = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(next.contains(&key) && !next.contains("__err"), "{next}");
    assert_eq!(app.page_status(&respondent, &next).await, 200);
    let again = app
        .answer_publicly(&slug, json!({ "answers": { "nps": 9 }, "resume_key": key }))
        .await;
    assert_eq!(again.status(), 200);

    // Unsubscribing: the page, then its button.
    let unsubscribe = format!("/u/{token}");
    assert_eq!(app.page_status(&respondent, &unsubscribe).await, 200);
    let res = app
        .post_form(&respondent, &unsubscribe, &unsubscribe, &[])
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());

    process.stop();
    let log = std::fs::read_to_string(&log_path).expect("the log");
    // Nothing this process uses logs at trace level today; debug shows every request.
    assert!(
        log.contains("DEBUG") && log.contains("started processing request"),
        "the log was written at the most verbose level"
    );
    for route in [
        "/t/{id}",
        "/s/{id}",
        "/u/{token}",
        "/rpc/answer",
        "/api/v1/answers/{slug}",
        "/api/v1/personal-answers/{token}",
    ] {
        assert!(
            log.contains(&format!("\"{route}\"")),
            "the log shows the requests to {route}"
        );
    }
    for (what, secret) in [("personal token", &token), ("resume key", &key)] {
        let leaks: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(secret.as_str()))
            .collect();
        assert!(
            leaks.is_empty(),
            "the {what} is in {} log lines, first:\n{}",
            leaks.len(),
            leaks.iter().take(5).copied().collect::<Vec<_>>().join("\n")
        );
    }
}
