//! A crash loses nothing: `resonance` processes are killed with SIGKILL at random points of
//! a send, and restarted, until the send is done. Every recipient gets the invitation;
//! duplicates are only messages that were in flight at a kill.

use crate::harness::smtp::SmtpSink;
use crate::harness::{client, free_port, wait_healthy, SECRET_KEY};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RECIPIENTS: usize = 400;
/// `--smtp-connections`: each kill can interrupt at most one claimed batch (16 per
/// connection) of messages.
const CONNECTIONS: usize = 2;

struct Process {
    child: Child,
}

impl Process {
    fn start(database_url: &str, port: u16, smtp_url: &str, site: &std::path::Path) -> Process {
        let child = Command::new(env!("CARGO_BIN_EXE_resonance"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url, "--secret-key", SECRET_KEY])
            .args([
                "--smtp-url",
                smtp_url,
                "--smtp-connections",
                &CONNECTIONS.to_string(),
            ])
            .args(["--outbox-lease-secs", "1", "--outbox-poll-ms", "20"])
            .args(["--scheduler-ms", "50", "--smtp-retry-ms", "50"])
            .arg("--site-root")
            .arg(site)
            .env("RESONANCE_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .expect("resonance starts");
        Process { child }
    }

    fn kill(mut self) {
        // SIGKILL: no shutdown code runs, as in a power cut or an OOM kill.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small deterministic generator: kill points differ per round, runs repeat.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

async fn kill_and_restart_until_sent(database_url: &str, seed: u64) {
    let sink = SmtpSink::start();
    let site = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut process = Process::start(database_url, port, &sink.url(), site.path());
    wait_healthy(&base).await;

    let admin = client();
    let setup = admin
        .post(format!("{base}/rpc/setup"))
        .header("accept", "text/html")
        .header("referer", format!("{base}/setup"))
        .form(&[
            ("name", "Ada"),
            ("email", "ada@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert!(setup.status().is_redirection());
    let mut csv = String::from("email\n");
    for i in 0..RECIPIENTS {
        csv.push_str(&format!("person{i}@example.com\n"));
    }
    let imported = admin
        .post(format!("{base}/api/v1/contacts/import"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200);
    let survey: Value = admin
        .post(format!("{base}/api/v1/surveys"))
        .json(&json!({ "kind": "nps" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let survey_id = survey["id"].as_i64().unwrap();
    admin
        .put(format!("{base}/api/v1/surveys/{survey_id}/settings"))
        .json(&json!({ "status": "active", "closes_at": null, "response_cap": null }))
        .send()
        .await
        .unwrap();
    // Throttled to about 100 a second, so the kills land in the middle of the send.
    let send: Value = admin
        .post(format!("{base}/api/v1/surveys/{survey_id}/sends"))
        .json(&json!({ "per_minute": 6000 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let send_id = send["send"]["id"].as_i64().expect("a send");

    let mut random = Lcg(seed);
    let mut kills = 0;
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(150 + random.next(500))).await;
        let detail: Value = admin
            .get(format!("{base}/api/v1/sends/{send_id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if detail["send"]["state"] == "done" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the send never finished"
        );
        if kills < 6 {
            process.kill();
            kills += 1;
            process = Process::start(database_url, port, &sink.url(), site.path());
            wait_healthy(&base).await;
        }
    }
    drop(process);

    let mut received: HashMap<String, usize> = HashMap::new();
    for mail in sink.messages() {
        *received.entry(mail.to().to_owned()).or_default() += 1;
    }
    let lost = (0..RECIPIENTS)
        .filter(|i| !received.contains_key(&format!("person{i}@example.com")))
        .count();
    let duplicates: usize = received.values().map(|n| n - 1).sum();
    eprintln!(
        "crash test ({database_url}): {kills} kills, {RECIPIENTS} recipients, {lost} lost, \
         {duplicates} duplicated"
    );
    assert!(
        kills >= 3,
        "the send finished before the kills: make it slower"
    );
    assert_eq!(lost, 0, "every recipient gets the invitation");
    assert!(
        duplicates <= kills * CONNECTIONS * 16,
        "{duplicates} duplicates is more than the messages in flight at {kills} kills"
    );
}

#[tokio::test]
async fn a_crash_loses_no_invitation_on_sqlite() {
    let db = crate::harness::sqlite_db();
    kill_and_restart_until_sent(&db.url, 7).await;
}

#[tokio::test]
async fn a_crash_loses_no_invitation_on_postgres() {
    let Some(db) = crate::harness::postgres_db().await else {
        return;
    };
    kill_and_restart_until_sent(&db.url, 11).await;
}
