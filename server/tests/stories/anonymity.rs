//! Attacks on anonymous surveys by people with access (an admin, an API token, the
//! database): each story tries to learn who gave which answer, and fails. The attacks on
//! the dashboards' figures are in `dashboards.rs` and `dashboard_filters.rs`.

use crate::harness::{client, public_slug, read_column, spawn_app};
use serde_json::{json, Value};

const IDS: &str = "SELECT id FROM responses WHERE survey_id = $1";

fn pulse_answer(n: u8) -> Value {
    json!({ "answers": { "workload": n, "recognition": n, "manager_support": n,
                          "growth": n, "belonging": n, "enps": 9 } })
}

/// Whoever watches the responses table as answers come in sees new rows; but a copy of
/// the database taken later must not give away the order answers came in, which an
/// invitation list (who was sent or reminded when) could be matched against.
async fn the_ids_of_anonymous_responses_do_not_follow_the_order_of_answers(database_url: &str) {
    let app = spawn_app(database_url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let survey = app.create_survey(&admin, "pulse").await;
    assert_eq!(survey["anonymous"], true);
    let id = survey["id"].as_i64().unwrap();
    app.set_status(&admin, id, "active").await;
    let slug = public_slug(&survey);

    let mut arrived: Vec<i64> = Vec::new();
    for n in 0..12_u8 {
        let mut body = pulse_answer(1 + n % 5);
        body["resume_key"] = json!(format!("{n:0>22}"));
        assert_eq!(app.answer_publicly(&slug, body).await.status(), 201);
        let now = read_column::<i64>(database_url, IDS, id).await;
        let new: Vec<i64> = now.into_iter().filter(|i| !arrived.contains(i)).collect();
        assert_eq!(new.len(), 1, "one new response");
        arrived.push(new[0]);
    }
    assert!(arrived.iter().all(|&i| i < 0), "{arrived:?}");
    let mut sorted = arrived.clone();
    sorted.sort_unstable();
    // Random ids in this order or its reverse: 2 chances in 12!, about 1 in 240 million.
    assert_ne!(arrived, sorted, "ids rise with arrival");
    sorted.reverse();
    assert_ne!(arrived, sorted, "ids fall with arrival");

    // Even knowing an id, the API and the page show no single anonymous response.
    for response in [arrived[0], 1, -1] {
        let res = admin
            .get(app.url(&format!("/api/v1/surveys/{id}/responses/{response}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let error: Value = res.json().await.unwrap();
        assert!(
            error["error"]
                .as_str()
                .unwrap()
                .contains("not shown one by one"),
            "the same answer whether the id exists or not: {error}"
        );
    }
}

on_both_databases!(the_ids_of_anonymous_responses_do_not_follow_the_order_of_answers);

/// The privacy export lists a contact's personal links. Polled before and after each
/// answer, an "answered" flag would pair each anonymous answer with its person.
async fn a_privacy_export_polled_around_an_answer_does_not_tell_who_answered(database_url: &str) {
    let app = spawn_app(database_url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let imported = app
        .import_contacts(&admin, "email,name,team\nana@example.com,Ana,Sales\n")
        .await;
    assert!(imported.status().is_success());
    let contacts = app.get_json(&admin, "/api/v1/contacts").await;
    let ana = contacts["contacts"][0]["id"].as_i64().unwrap();
    let survey = app.create_survey(&admin, "pulse").await;
    let id = survey["id"].as_i64().unwrap();
    let link = json!({ "contact_id": ana, "attributes": { "team": "Sales" } });
    let token = app.personal_token(&admin, id, link).await;

    let export = || async {
        let data = app
            .get_json(&admin, "/api/v1/privacy/ana@example.com")
            .await;
        assert_eq!(data["invitations"][0]["survey_id"], id, "{data}");
        data["invitations"].clone()
    };
    let before = export().await;
    let answered = client()
        .post(app.url(&format!("/api/v1/personal-answers/{token}")))
        .json(&pulse_answer(2))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 201);
    let after = export().await;
    assert_eq!(
        before, after,
        "nothing in the export changed with the answer"
    );
    assert_eq!(after[0]["answered"], Value::Null);
}

on_both_databases!(a_privacy_export_polled_around_an_answer_does_not_tell_who_answered);

/// How many answered an anonymous survey is a count like any other: polled around an
/// invitation, a small one would tell who answered. Below the minimum group it is not
/// shown, in the API or on the page; from the minimum on it is.
#[tokio::test]
async fn an_anonymous_surveys_response_count_shows_only_from_its_minimum_group() {
    let (_db, app, admin) = crate::harness::app_with_admin().await;
    let survey = app.create_survey(&admin, "pulse").await;
    let id = survey["id"].as_i64().unwrap();
    let slug = crate::harness::public_slug(&survey);
    let count = || async {
        let listed = app.get_json(&admin, "/api/v1/surveys").await;
        let report = app.get_json(&admin, &format!("/api/v1/surveys/{id}")).await;
        assert_eq!(
            listed[0]["response_count"],
            report["survey"]["response_count"]
        );
        report["survey"]["response_count"].clone()
    };
    for n in 1..=5 {
        let res = app.answer_publicly(&slug, pulse_answer(3)).await;
        assert_eq!(res.status(), 201);
        let expected = if n < 5 { Value::Null } else { json!(5) };
        assert_eq!(count().await, expected, "after {n} answers");
    }
    let page = app.page(&admin, &format!("/surveys/{id}")).await;
    let at = page
        .find("data-testid=\"responses\"")
        .expect("the count on the page");
    let shown: String = page[at..]
        .chars()
        .skip_while(|c| *c != '>')
        .take(12)
        .collect();
    assert!(shown.contains('5'), "the page shows it too: {shown}");
}
