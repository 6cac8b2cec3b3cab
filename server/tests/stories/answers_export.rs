//! The answers files: one row per response under the dashboard's filters, read back
//! unchanged from CSV and JSON across pages of the stream; and the attacks on an
//! anonymous survey's file, which must carry no person, no time finer than the day and
//! no group below the minimum, by itself or by subtraction.

use crate::harness::{client, response_on, spawn_app, TestApp};
use app::domain::export::{read_records, restore};
use app::domain::filter::answer_segments;
use app::domain::AnswerValue;
use app::ports::StoredAnswer;
use chrono::Utc;
use serde_json::Value;
use std::collections::BTreeMap;

async fn app_on(url: &str) -> (TestApp, reqwest::Client) {
    let app = spawn_app(url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    (app, admin)
}

/// A survey of `kind` grouped by team, and its first question's key.
async fn team_survey(
    app: &TestApp,
    admin: &reqwest::Client,
    db: &str,
    kind: &str,
) -> (i64, String) {
    let id = app.create_survey(admin, kind).await["id"].as_i64().unwrap();
    let store = server::storage::open(db, false).await.unwrap();
    let mut definition = store.survey(id).await.unwrap().unwrap().definition;
    definition.grouping_attributes = vec!["team".into()];
    let key = definition.questions[0].key.clone();
    store.save_definition(id, &definition).await.unwrap();
    (id, key)
}

/// Responses of people of `team` straight into the app's database, today: each a score
/// and a follow-up; the response keys are `{team}-{i}`.
async fn answered(db: &str, id: i64, key: &str, team: &str, answers: &[(u8, String)]) {
    let store = server::storage::open(db, false).await.unwrap();
    let anonymous = store
        .survey(id)
        .await
        .unwrap()
        .unwrap()
        .definition
        .anonymous;
    let groups = BTreeMap::from([("team".to_owned(), team.to_owned())]);
    let batches = answers
        .iter()
        .enumerate()
        .map(|(i, (score, note))| {
            let answer = StoredAnswer {
                question_key: key.into(),
                value: AnswerValue::Score(*score),
                follow_up: Some(note.clone()),
            };
            let mut batch = response_on(
                id,
                &format!("{team}-{i}"),
                Utc::now().date_naive(),
                vec![answer],
            );
            batch.segments = answer_segments(&groups, None, anonymous);
            batch.groups = groups.clone();
            batch
        })
        .collect();
    store.record_answers_in_bulk(batches).await.unwrap();
}

/// Survey `id`'s answers file: `file` is its extension and query (`csv?range=all`).
async fn answers(app: &TestApp, c: &reqwest::Client, id: i64, file: &str) -> (u16, String) {
    let path = format!("/api/v1/surveys/{id}/answers.{file}");
    let res = c.get(app.url(&path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The file's records, each as column → cell (restored as an import restores them).
fn table(file: &str) -> Vec<BTreeMap<String, String>> {
    let mut records = read_records(file).into_iter();
    let header = records.next().expect("a header");
    records
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.iter().map(|c| restore(c).to_owned()))
                .collect()
        })
        .collect()
}

on_both_databases!(an_identified_surveys_answers_read_back_unchanged_across_pages_as_csv_and_json);
async fn an_identified_surveys_answers_read_back_unchanged_across_pages_as_csv_and_json(url: &str) {
    let (app, admin) = app_on(url).await;
    let (id, key) = team_survey(&app, &admin, url, "nps").await;
    // Text a spreadsheet would run, quotes, commas, line breaks and other scripts.
    let tricky = [
        "=HYPERLINK(\"http://evil\")",
        "+49 30 1234",
        "'quoted', \"twice\"",
        "line one\r\nline two",
        "Grüße, 你好",
        "",
    ];
    let sales: Vec<(u8, String)> = (0..1203)
        .map(|i| ((i % 11) as u8, tricky[i % tricky.len()].to_owned()))
        .collect();
    answered(url, id, &key, "Sales", &sales).await;
    answered(
        url,
        id,
        &key,
        "Ops",
        &[(3, "ops".into()), (10, "ops".into())],
    )
    .await;

    let (status, csv) = answers(&app, &admin, id, "csv?range=all").await;
    assert_eq!(status, 200, "{csv}");
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark for Excel");
    // Compressed on the way, as browsers ask for it, the file still arrives whole.
    let gzipped = admin
        .get(app.url(&format!("/api/v1/surveys/{id}/answers.csv?range=all")))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    let bytes = gzipped.bytes().await.expect("the whole compressed file");
    assert!(bytes.len() > 1000 && bytes.len() < csv.len());
    assert!(csv.contains("'=HYPERLINK"), "a formula stays text");
    let rows = table(&csv);
    assert_eq!(
        rows.len(),
        1205,
        "every response, across two pages of the stream"
    );
    let mut given: Vec<(String, String)> = sales
        .iter()
        .map(|(s, n)| (s.to_string(), n.clone()))
        .chain([("3".into(), "ops".into()), ("10".into(), "ops".into())])
        .collect();
    let mut read: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[&key].clone(), r[&format!("{key}:follow_up")].clone()))
        .collect();
    given.sort();
    read.sort();
    assert_eq!(read, given, "the round trip changes no value");
    let ids: std::collections::BTreeSet<&String> = rows.iter().map(|r| &r["response_id"]).collect();
    assert_eq!(ids.len(), 1205, "no response twice where pages meet");
    assert!(rows
        .iter()
        .all(|r| !r["submitted_at"].is_empty() || r["day"].len() == 10));
    assert_eq!(
        rows.iter().filter(|r| r["attribute:team"] == "Ops").count(),
        2
    );

    let (status, json) = answers(&app, &admin, id, "json?range=all&filter=team:Ops").await;
    assert_eq!(status, 200, "{json}");
    let objects: Vec<Value> = serde_json::from_str(&json).expect("a JSON array");
    assert_eq!(objects.len(), 2, "the filter holds");
    let mut scores: Vec<i64> = objects
        .iter()
        .map(|o| o["answers"][&key].as_i64().unwrap())
        .collect();
    scores.sort();
    assert_eq!(scores, vec![3, 10]);
    assert!(objects.iter().all(|o| o["attributes"]["team"] == "Ops"
        && o["follow_ups"][&key] == "ops"
        && o["response_id"].is_i64()));
    // A manager of Ops gets Ops's rows without asking, and never Sales's.
    let res = admin
        .post(app.url("/api/v1/users"))
        .json(
            &serde_json::json!({"name": "Otto", "email": "otto@example.com",
            "password": "correct horse battery", "role": "manager", "scope": ["team=Ops"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let otto = client();
    let res = otto
        .post(app.url("/rpc/login"))
        .form(&[
            ("email", "otto@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success() || res.status().is_redirection());
    let (status, json) = answers(&app, &otto, id, "json?range=all").await;
    assert_eq!(status, 200, "{json}");
    let objects: Vec<Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(objects.len(), 2);
    assert!(objects.iter().all(|o| o["attributes"]["team"] == "Ops"));
    let (status, _) = answers(&app, &otto, id, "csv?range=all&filter=team:Sales").await;
    assert_eq!(status, 403);
    let (status, body) = answers(&app, &admin, id, "csv?filter=team").await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("filter"), "{body}");
}

on_both_databases!(an_anonymous_surveys_answers_file_names_no_one_and_withholds_small_groups);
async fn an_anonymous_surveys_answers_file_names_no_one_and_withholds_small_groups(url: &str) {
    let (app, admin) = app_on(url).await;
    let (id, key) = team_survey(&app, &admin, url, "enps").await;
    let survey = app.get_json(&admin, &format!("/api/v1/surveys/{id}")).await;
    assert_eq!(survey["survey"]["anonymous"], true, "{survey}");
    let notes = |team: &str, n: usize| -> Vec<(u8, String)> {
        (0..n).map(|i| (9, format!("{team} note {i}"))).collect()
    };
    answered(url, id, &key, "Sales", &notes("Sales", 12)).await;
    answered(url, id, &key, "Ops", &notes("Ops", 3)).await;

    let (status, csv) = answers(&app, &admin, id, "csv?range=all").await;
    assert_eq!(status, 200, "{csv}");
    let header = &read_records(&csv)[0];
    for column in [
        "response_id",
        "submitted_at",
        "email",
        "name",
        "attribute:team",
    ] {
        assert!(
            !header.contains(&column.to_owned()),
            "{column} in {header:?}"
        );
    }
    let rows = table(&csv);
    assert_eq!(rows.len(), 15);
    assert!(
        rows.iter().all(|r| r["day"].len() == 10),
        "the day, nothing finer"
    );
    // Within the day, the order is the responses' keyed hashes', not their arrival.
    let by_key: Vec<String> = crate::harness::read_column(
        url,
        "SELECT a.follow_up FROM responses r JOIN answers a ON a.response_id = r.id \
         WHERE r.survey_id = $1 ORDER BY r.response_key",
        id,
    )
    .await;
    let exported: Vec<String> = rows
        .iter()
        .map(|r| r[&format!("{key}:follow_up")].clone())
        .collect();
    assert_eq!(exported, by_key);

    // Ops alone (3 people) is below the minimum of 5; Sales alone would leave Ops as
    // the difference to the whole file.
    for team in ["Ops", "Sales"] {
        let (status, body) = answers(
            &app,
            &admin,
            id,
            &format!("json?range=all&filter=team:{team}"),
        )
        .await;
        assert_eq!(status, 409, "{team}: {body}");
        assert!(body.contains("Hidden to protect anonymity"), "{body}");
        assert!(!body.contains("note"), "{body}");
    }
    let (status, json) = answers(&app, &admin, id, "json?range=all").await;
    assert_eq!(status, 200);
    let objects: Vec<Value> = serde_json::from_str(&json).unwrap();
    for o in &objects {
        let keys: Vec<&String> = o.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["answers", "completed", "day", "follow_ups", "locale"],
            "{o}"
        );
    }
}
