//! Weighted NPS: contacts answer by their personal links, the survey is weighted by tier
//! and then by revenue, and the dashboard's weighted score, interval on Kish's effective
//! n and revenue at risk equal figures worked out here. Anonymous surveys refuse weights.

use crate::dashboards::trends;
use crate::harness::{app_with_admin, client, TestApp};
use serde_json::{json, Value};

/// Each contact of `people` (email, tier, revenue) answers survey `id` with `score`, by a
/// personal link that carries their attributes.
async fn answer_as(app: &TestApp, admin: &reqwest::Client, id: i64, who: &Value, score: u8) {
    let link: Value = admin
        .post(app.url(&format!("/api/v1/surveys/{id}/links")))
        .json(&json!({ "contact_id": who["id"], "attributes": who["attributes"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = link["url"].as_str().unwrap().rsplit('/').next().unwrap();
    let answered = client()
        .post(app.url(&format!("/api/v1/personal-answers/{token}")))
        .json(&json!({ "answers": { "nps": score } }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 201);
}

async fn set_weighting(
    app: &TestApp,
    admin: &reqwest::Client,
    id: i64,
    body: Value,
) -> reqwest::Response {
    admin
        .put(app.url(&format!("/api/v1/surveys/{id}/weighting")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn close(actual: &Value, expected: f64, what: &str) {
    let actual = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {actual}"));
    assert!(
        (actual - expected).abs() < 1e-6,
        "{what}: {actual} != {expected}"
    );
}

/// The weighted NPS worked out here from (score, weight) pairs, apart from the engine:
/// shares of the weight, Kish's n_eff, adjusted Wald on it.
fn worked(answers: &[(u8, f64)]) -> (f64, f64, f64, f64, f64) {
    let total: f64 = answers.iter().map(|a| a.1).sum();
    let squares: f64 = answers.iter().map(|a| a.1 * a.1).sum();
    let share = |keep: fn(u8) -> bool| -> f64 {
        answers
            .iter()
            .filter(|a| keep(a.0))
            .map(|a| a.1)
            .sum::<f64>()
            / total
    };
    let (p, d) = (share(|s| s >= 9), share(|s| s <= 6));
    let n = total * total / squares;
    let pa = (p * n + 0.75) / (n + 3.0);
    let da = (d * n + 0.75) / (n + 3.0);
    let half = 1.96 * ((pa + da - (pa - da).powi(2)) / (n + 3.0)).sqrt();
    (
        100.0 * (p - d),
        n,
        100.0 * (pa - da - half),
        100.0 * (pa - da + half),
        100.0 * d,
    )
}

#[tokio::test]
async fn the_weighted_nps_counts_big_customers_more_and_shows_the_revenue_at_risk() {
    let (_db, app, admin) = app_with_admin().await;
    app.import_contacts(
        &admin,
        "email,name,tier,revenue\n\
         a1@example.com,A1,A,120000\na2@example.com,A2,A,80000\n\
         b1@example.com,B1,B,30000\n\
         c1@example.com,C1,C,5000\nc2@example.com,C2,C,2500\nc3@example.com,C3,C,not known\n",
    )
    .await;
    let people = app.get_json(&admin, "/api/v1/contacts").await["contacts"].clone();
    let person = |email: &str| -> Value {
        people
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["email"] == email)
            .unwrap()
            .clone()
    };
    let survey = app.create_survey(&admin, "nps").await;
    let id = survey["id"].as_i64().unwrap();
    app.set_status(&admin, id, "active").await;
    // Half answer before the survey is weighted, half after: both count the same.
    let scores = [
        ("a1@example.com", 10),
        ("b1@example.com", 8),
        ("c1@example.com", 0),
        ("a2@example.com", 9),
        ("c2@example.com", 5),
        ("c3@example.com", 6),
    ];
    for (email, score) in &scores[..3] {
        answer_as(&app, &admin, id, &person(email), *score).await;
    }
    let weighted = set_weighting(
        &app,
        &admin,
        id,
        json!({ "attribute": "tier", "weights": { "A": 3, "B": 2, "C": 1 } }),
    )
    .await;
    assert_eq!(weighted.status(), 200);
    let summary: Value = weighted.json().await.unwrap();
    assert_eq!(summary["weighting"]["attribute"], "tier");
    for (email, score) in &scores[3..] {
        answer_as(&app, &admin, id, &person(email), *score).await;
    }

    let view = &trends(&app, &admin, id, "").await[0];
    assert_eq!(view["tile"]["n"], 6);
    close(&view["tile"]["value"], -100.0 / 6.0, "the plain NPS");
    let w = &view["weighted"];
    let (nps, n_eff, low, high, at_risk) =
        worked(&[(10, 3.0), (8, 2.0), (0, 1.0), (9, 3.0), (5, 1.0), (6, 1.0)]);
    close(&w["nps"], nps, "weighted NPS");
    close(&w["effective_n"], n_eff, "Kish's effective n");
    close(&w["ci"]["low"], low, "interval low");
    close(&w["ci"]["high"], high, "interval high");
    close(&w["at_risk_pct"], at_risk, "share held by detractors");
    assert_eq!(w["n"], 6);
    assert_eq!(w["too_few"], true, "n_eff {n_eff} is below 10");

    // By revenue: C3's "not known" carries no weight and is left out.
    let by_revenue = set_weighting(&app, &admin, id, json!({ "attribute": "revenue" })).await;
    assert_eq!(by_revenue.status(), 200);
    let w = trends(&app, &admin, id, "").await[0]["weighted"].clone();
    let answers = [
        (10, 120_000.0),
        (8, 30_000.0),
        (0, 5_000.0),
        (9, 80_000.0),
        (5, 2_500.0),
    ];
    let (nps, n_eff, low, high, at_risk) = worked(&answers);
    close(&w["nps"], nps, "revenue-weighted NPS");
    close(&w["effective_n"], n_eff, "effective n");
    close(&w["ci"]["low"], low, "interval low");
    close(&w["ci"]["high"], high, "interval high");
    close(&w["at_risk_pct"], at_risk, "revenue at risk, %");
    close(&w["at_risk"], 7_500.0, "revenue at risk");
    close(&w["total_weight"], 237_500.0, "revenue of the respondents");
    assert_eq!(
        (w["n"].as_u64(), w["amount"].as_bool()),
        (Some(5), Some(true))
    );

    // The page shows it beside the plain score.
    let page = app.page(&admin, &format!("/surveys/{id}")).await;
    assert!(page.contains("Weighted NPS by revenue"), "{page}");
    assert!(
        page.contains("7\u{202f}500 of 237\u{202f}500"),
        "revenue at risk on the page"
    );

    // Turned off: no weighted score.
    let off = set_weighting(&app, &admin, id, json!({ "attribute": null })).await;
    assert_eq!(off.status(), 200);
    assert_eq!(
        trends(&app, &admin, id, "").await[0]["weighted"],
        Value::Null
    );
}

#[tokio::test]
async fn a_weighting_that_could_single_people_out_or_makes_no_sense_is_refused() {
    let (_db, app, admin) = app_with_admin().await;
    let pulse = app.create_survey(&admin, "enps").await;
    let id = pulse["id"].as_i64().unwrap();
    assert_eq!(pulse["anonymous"], true);
    let refused = set_weighting(&app, &admin, id, json!({ "attribute": "salary" })).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["field"], "attribute", "{body}");
    assert!(body["error"].as_str().unwrap().contains("Anonymous"));
    assert_eq!(
        trends(&app, &admin, id, "").await[0]["weighted"],
        Value::Null
    );

    let nps = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    let negative = set_weighting(
        &app,
        &admin,
        nps,
        json!({ "attribute": "tier", "weights": { "A": -1 } }),
    )
    .await;
    assert_eq!(negative.status(), 422);
    let body: Value = negative.json().await.unwrap();
    assert_eq!(body["field"], "weights", "{body}");
    let missing = set_weighting(&app, &admin, nps + 100, json!({ "attribute": "tier" })).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_settings_form_sets_the_weights_and_shows_a_bad_one_with_what_was_typed() {
    let (_db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    let (page, id_text) = (format!("/surveys/{id}"), id.to_string());
    let save = |weights: &'static str| {
        let (app, admin, page, id_text) = (&app, &admin, page.clone(), id_text.clone());
        async move {
            let form = [
                ("id", id_text.as_str()),
                ("status", "active"),
                ("closes_at", ""),
                ("response_cap", ""),
                ("weight_attribute", "tier"),
                ("weights", weights),
            ];
            app.post_form(admin, &page, "/rpc/survey_settings", &form)
                .await
        }
    };
    let html = app.follow_with(&admin, save("A=3, B=lots").await).await;
    assert!(
        html.contains("\"lots\" is not a number of 0 or more."),
        "{html}"
    );
    assert!(html.contains("value=\"A=3, B=lots\""), "the input is kept");
    assert_eq!(
        app.get_json(&admin, &format!("/api/v1/surveys/{id}")).await["survey"]["weighting"],
        Value::Null,
        "nothing saved"
    );
    let html = app.follow_with(&admin, save("A=3\nB=2, C=1").await).await;
    assert!(html.contains("value=\"A=3, B=2, C=1\""), "shown as saved");
    let survey = app.get_json(&admin, &format!("/api/v1/surveys/{id}")).await;
    assert_eq!(
        survey["survey"]["weighting"],
        json!({ "attribute": "tier", "weights": { "A": 3.0, "B": 2.0, "C": 1.0 } })
    );
}
