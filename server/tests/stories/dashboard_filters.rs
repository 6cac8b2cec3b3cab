//! Filters and breakdowns: a view narrowed to a team, a tier or a send reads the same
//! counts as the answers given, each row of a breakdown is tested against the rest; and
//! the attacks on an anonymous survey's filtered views, which must learn nothing about a
//! group below the minimum, by itself or by subtraction.

use crate::dashboards::{adjusted_wald, dashboard, scores, trends, two_sided_p};
use crate::harness::{app_with_admin, response_on, TestApp};
use app::domain::filter::answer_segments;
use app::domain::AnswerValue;
use app::ports::StoredAnswer;
use chrono::Utc;
use serde_json::Value;
use std::collections::BTreeMap;

/// `scores` answers to `key` of survey `id` today, from people whose grouping attributes
/// are `groups`, by invitations of send `send`, straight into the app's database.
async fn grouped(
    db_url: &str,
    id: i64,
    key: &str,
    groups: &[(&str, &str)],
    send: Option<i64>,
    scores: &[u8],
) {
    let store = server::storage::open(db_url, false).await.unwrap();
    let anonymous = store
        .survey(id)
        .await
        .unwrap()
        .unwrap()
        .definition
        .anonymous;
    let groups: BTreeMap<String, String> = groups
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let today = Utc::now().date_naive();
    for (i, &score) in scores.iter().enumerate() {
        let answer = StoredAnswer {
            question_key: key.into(),
            value: AnswerValue::Score(score),
            follow_up: None,
        };
        let name = format!("{key}-{groups:?}-{send:?}-{i}");
        let mut batch = response_on(id, &name, today, vec![answer]);
        batch.segments = answer_segments(&groups, send, anonymous);
        batch.send_id = send.filter(|_| !anonymous);
        batch.groups = groups.clone();
        store.record_answers(batch).await.unwrap();
    }
}

/// A survey of `kind` whose results are grouped by `attributes`.
async fn grouped_survey(
    app: &TestApp,
    admin: &reqwest::Client,
    db: &str,
    kind: &str,
    attributes: &[&str],
) -> i64 {
    let id = app.create_survey(admin, kind).await["id"].as_i64().unwrap();
    let store = server::storage::open(db, false).await.unwrap();
    let mut definition = store.survey(id).await.unwrap().unwrap().definition;
    definition.grouping_attributes = attributes.iter().map(|a| a.to_string()).collect();
    store.save_definition(id, &definition).await.unwrap();
    id
}

fn nps(promoters: f64, detractors: f64, n: f64) -> f64 {
    100.0 * (promoters - detractors) / n
}

/// The engine's test of two NPS, written out apart from it: z on the adjusted values.
fn p_between(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    let adjusted = |(promoters, detractors, n): (f64, f64, f64)| {
        let (p, d) = (
            (promoters + 0.75) / (n + 3.0),
            (detractors + 0.75) / (n + 3.0),
        );
        (p - d, (p + d - (p - d) * (p - d)) / (n + 3.0))
    };
    let ((x, vx), (y, vy)) = (adjusted(a), adjusted(b));
    two_sided_p((y - x) / (vx + vy).sqrt())
}

async fn refused(app: &TestApp, admin: &reqwest::Client, id: i64, query: &str) -> Value {
    let res = admin
        .get(app.url(&format!("/api/v1/surveys/{id}/trends?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "{query}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_view_narrowed_by_team_tier_and_send_scores_exactly_the_answers_it_holds() {
    let (db, app, admin) = app_with_admin().await;
    let id = grouped_survey(&app, &admin, &db.url, "nps", &["team", "tier"]).await;
    // Sales: the worked example 100/60/40 (NPS 30), half in tier A, half in B, by send 1.
    // Support: 60/45/45 (NPS 10), all in tier A, by send 2.
    for tier in ["A", "B"] {
        grouped(
            &db.url,
            id,
            "nps",
            &[("team", "Sales"), ("tier", tier)],
            Some(1),
            &scores(50, 30, 20),
        )
        .await;
    }
    grouped(
        &db.url,
        id,
        "nps",
        &[("team", "Support"), ("tier", "A")],
        Some(2),
        &scores(60, 45, 45),
    )
    .await;

    let tile = |body: &Value| body[0]["tile"].clone();
    let view = |query: &'static str| {
        let (app, admin) = (&app, &admin);
        async move { tile(&trends(app, admin, id, &format!("range=7d&{query}")).await) }
    };
    let everyone = view("").await;
    assert_eq!(everyone["n"], 350);
    let sales = view("filter=team:Sales").await;
    assert_eq!(sales["n"], 200);
    assert!((sales["value"].as_f64().unwrap() - 30.0).abs() < 1e-9);
    let (low, high) = adjusted_wald(100.0, 40.0, 200.0);
    assert!((sales["ci"]["low"].as_f64().unwrap() - low).abs() < 1e-9);
    assert!((sales["ci"]["high"].as_f64().unwrap() - high).abs() < 1e-9);
    let tier_a = view("filter=tier:A").await;
    assert_eq!(tier_a["n"], 250);
    assert!((tier_a["value"].as_f64().unwrap() - nps(110.0, 65.0, 250.0)).abs() < 1e-9);
    let sales_a = view("filter=team:Sales&filter=tier:A").await;
    assert_eq!(sales_a["n"], 100);
    let by_send = view("send=2").await;
    assert_eq!(by_send["n"], 150);
    assert!((by_send["value"].as_f64().unwrap() - 10.0).abs() < 1e-9);
    assert_eq!(view("send=2&filter=team:Sales").await["n"], 0);
    // Three conditions are not counted together: read from the answers, the same numbers.
    let three = view("send=1&filter=team:Sales&filter=tier:A").await;
    assert_eq!(three["n"], 100);
    assert!((three["value"].as_f64().unwrap() - 30.0).abs() < 1e-9);
    let three = view("send=2&filter=team:Support&filter=tier:A").await;
    assert_eq!(three["n"], 150);
    assert!((three["value"].as_f64().unwrap() - 10.0).abs() < 1e-9);
    assert_eq!(view("send=2&filter=team:Sales&filter=tier:A").await["n"], 0);
    // And a breakdown of a two-condition view, row by row.
    let body = dashboard(
        &app,
        &admin,
        id,
        "range=7d&send=1&filter=team:Sales&by=tier",
    )
    .await;
    let rows = body["questions"][0]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    let mut ns: Vec<(&str, i64)> = rows
        .iter()
        .map(|r| (r["value"].as_str().unwrap(), r["n"].as_i64().unwrap()))
        .collect();
    ns.sort();
    assert_eq!(ns, [("A", 100), ("B", 100)]);

    // Per team: each against the rest of the view, the worked example both ways.
    let body = dashboard(&app, &admin, id, "range=7d&by=team&sort=score").await;
    let rows = body["questions"][0]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    let names: Vec<&str> = rows.iter().map(|r| r["value"].as_str().unwrap()).collect();
    assert_eq!(names, ["Sales", "Support"], "highest score first");
    let expected_p = p_between((60.0, 45.0, 150.0), (100.0, 40.0, 200.0));
    for (row, difference) in rows.iter().zip([20.0, -20.0]) {
        let versus = &row["versus_rest"];
        assert!(
            (versus["difference"].as_f64().unwrap() - difference).abs() < 1e-9,
            "{row}"
        );
        assert!(
            (versus["p"].as_f64().unwrap() - expected_p).abs() < 1e-4,
            "{row}"
        );
        assert_eq!(versus["significant"], true);
    }
    assert_eq!(rows[0]["n"], 200);
    // Tiers within Sales: the same answers, no difference.
    let body = dashboard(&app, &admin, id, "range=7d&filter=team:Sales&by=tier").await;
    let rows = body["questions"][0]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row["n"], 100);
        assert!(row["versus_rest"]["difference"].as_f64().unwrap().abs() < 1e-9);
        assert_eq!(row["versus_rest"]["significant"], false);
    }
    // The choices: every value, and the sends' filter.
    let choices = &body["choices"];
    assert_eq!(choices["max_conditions"], 2);
    assert_eq!(choices["attributes"][0][0], "team");
    assert_eq!(choices["attributes"][0][1][1]["param"], "team:Support");
    assert_eq!(body["query"]["filter"][0], "team:Sales");

    // What cannot be counted is refused, naming the parameter.
    for (query, field) in [
        ("filter=region:EU", "filter"),
        ("filter=team:Sales&filter=team:Support", "filter"),
        ("send=first", "send"),
        ("by=region", "by"),
        ("filter=team:Sales&by=team", "by"),
        ("filter=team:Sales&filter=tier:A&by=team", "by"),
        ("range=custom&from=2026-13-01&to=2026-12-01", "from"),
    ] {
        assert_eq!(
            refused(&app, &admin, id, query).await["field"],
            field,
            "{query}"
        );
    }

    // The page: the filter chosen in the form, the breakdown as a table with sort links.
    let page = app
        .page(
            &admin,
            &format!("/surveys/{id}?range=7d&filter=team%3ASales&by=tier"),
        )
        .await;
    assert!(
        page.contains(r#"<option value="team:Sales" selected"#),
        "{page}"
    );
    assert!(page.contains("NPS by tier"));
    assert!(page.contains("sort=score"));
    assert!(
        page.contains(">200<") || page.contains("n = 200"),
        "the filtered tile"
    );
    // A refused filter keeps the form, with the reason.
    let page = app
        .page(&admin, &format!("/surveys/{id}?filter=region%3AEU"))
        .await;
    assert!(page.contains("not grouped by"));
    assert!(page.contains(r#"data-testid="trend-filters""#));
}

#[tokio::test]
async fn an_anonymous_team_filter_never_shows_a_team_whose_colleagues_could_be_subtracted() {
    let (db, app, admin) = app_with_admin().await;
    // eNPS is anonymous, grouped by team, minimum group 5.
    let id = app.create_survey(&admin, "enps").await["id"]
        .as_i64()
        .unwrap();
    // A team of 12 split 9 and 3, and a team of 20: the 3 must not be learnt, from their
    // own view or by taking the 9 from the total.
    grouped(
        &db.url,
        id,
        "enps",
        &[("team", "Ops")],
        None,
        &scores(5, 2, 2),
    )
    .await;
    grouped(&db.url, id, "enps", &[("team", "Legal")], None, &[0, 0, 0]).await;
    grouped(
        &db.url,
        id,
        "enps",
        &[("team", "Sales")],
        None,
        &scores(10, 5, 5),
    )
    .await;

    let body = dashboard(&app, &admin, id, "range=this_month").await;
    let offered: Vec<&str> = body["choices"]["attributes"][0][1]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["param"].as_str().unwrap())
        .collect();
    assert_eq!(
        offered,
        ["team:Ops", "team:Sales"],
        "a team of 3 is not offered"
    );
    assert_eq!(body["questions"][0]["tile"]["n"], 32);

    for team in ["Legal", "Ops"] {
        let view = trends(
            &app,
            &admin,
            id,
            &format!("range=this_month&filter=team:{team}"),
        )
        .await;
        let tile = &view[0]["tile"];
        assert_eq!(tile["withheld"], "anonymity", "{team}: {tile}");
        for field in ["n", "value", "ci", "skipped", "score"] {
            assert_eq!(tile[field], Value::Null, "{team}: {field}");
        }
        assert!(view[0]["distribution"].is_null());
        for point in view[0]["trend"]["points"].as_array().unwrap() {
            assert_eq!(point["n"], Value::Null, "{team}: {point}");
        }
        let svg = app
            .page(&admin, &format!("/api/v1/surveys/{id}/trends/enps/chart.svg?range=this_month&filter=team:{team}"))
            .await;
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("circle"))
                .count(),
            0,
            "{team}"
        );
        let shares = app
            .page(&admin, &format!("/api/v1/surveys/{id}/trends/enps/shares.svg?range=this_month&filter=team:{team}"))
            .await;
        let doc = roxmltree::Document::parse(&shares).unwrap();
        assert_eq!(
            doc.descendants().filter(|n| n.has_tag_name("rect")).count(),
            0,
            "{team}: shares"
        );
        assert!(view[0]["shares"]["points"][0]["shares"].is_null());
    }
    let sales = trends(&app, &admin, id, "range=this_month&filter=team:Sales").await;
    assert_eq!(sales[0]["tile"]["n"], 20);

    // The breakdown withholds the same two; what it shows leaves 12, not 3, to subtract.
    let body = dashboard(&app, &admin, id, "range=this_month&by=team").await;
    let rows = body["questions"][0]["breakdown"]["rows"]
        .as_array()
        .unwrap()
        .clone();
    let shown: Vec<(&str, Option<u64>)> = rows
        .iter()
        .map(|r| (r["value"].as_str().unwrap(), r["n"].as_u64()))
        .collect();
    assert_eq!(shown, [("Sales", Some(20)), ("Legal", None), ("Ops", None)]);
    let page = app
        .page(&admin, &format!("/surveys/{id}?range=this_month&by=team"))
        .await;
    let start = page
        .find(r#"data-testid="breakdown""#)
        .expect("the breakdown table");
    let table = &page[start..start + page[start..].find("</table>").unwrap()];
    assert_eq!(
        table.matches("Hidden to protect anonymity").count(),
        2,
        "two rows"
    );
    assert!(!table.contains("<td>9</td>") && !table.contains("<td>3</td>"));

    // Views that would cross two groupings are refused, not computed.
    for (query, field) in [("send=1", "send"), ("filter=team:Ops&by=team", "by")] {
        assert_eq!(
            refused(&app, &admin, id, query).await["field"],
            field,
            "{query}"
        );
    }
}

/// A response to `key` of survey `id` today scoring `score`, with `comment` as its
/// follow-up, from someone in `team`; named `name` (its response key).
async fn commented(
    db_url: &str,
    id: i64,
    key: &str,
    name: &str,
    team: &str,
    score: u8,
    comment: &str,
) {
    let store = server::storage::open(db_url, false).await.unwrap();
    let anonymous = store
        .survey(id)
        .await
        .unwrap()
        .unwrap()
        .definition
        .anonymous;
    let groups = BTreeMap::from([("team".to_owned(), team.to_owned())]);
    let answer = StoredAnswer {
        question_key: key.into(),
        value: AnswerValue::Score(score),
        follow_up: Some(comment.to_owned()),
    };
    let mut batch = response_on(id, name, Utc::now().date_naive(), vec![answer]);
    batch.segments = answer_segments(&groups, None, anonymous);
    batch.groups = groups;
    batch.at = (!anonymous).then(Utc::now);
    store.record_answers(batch).await.unwrap();
}

fn texts(dashboard: &Value) -> Vec<String> {
    dashboard["comments"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn comments_follow_the_filters_by_category_and_text_a_page_at_a_time() {
    let (db, app, admin) = app_with_admin().await;
    let id = grouped_survey(&app, &admin, &db.url, "nps", &["team"]).await;
    for i in 0..25 {
        let score = if i % 5 == 0 { 2 } else { 9 };
        let text = if i == 7 {
            "Setup was SLOW".to_owned()
        } else {
            format!("sales {i}")
        };
        commented(
            &db.url,
            id,
            "nps",
            &format!("s{i:02}"),
            "Sales",
            score,
            &text,
        )
        .await;
    }
    commented(&db.url, id, "nps", "o1", "Ops", 1, "ops detractor").await;

    let all = dashboard(&app, &admin, id, "range=7d&filter=team:Sales").await;
    let first = texts(&all);
    assert_eq!(first.len(), 20);
    assert_eq!(all["comments"]["has_more"], true);
    assert!(
        !first.contains(&"ops detractor".to_owned()),
        "filtered by team"
    );
    let item = &all["comments"]["items"][0];
    assert!(item["at"].is_string(), "an identified comment has its time");
    assert!(item["response_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("/surveys/{id}/responses/")));
    let second = texts(&dashboard(&app, &admin, id, "range=7d&filter=team:Sales&page=2").await);
    assert_eq!(second.len(), 5);
    assert!(
        second.iter().all(|t| !first.contains(t)),
        "no comment on both pages"
    );

    let detractors = dashboard(
        &app,
        &admin,
        id,
        "range=7d&filter=team:Sales&category=detractor",
    )
    .await;
    let mut found = texts(&detractors);
    found.sort();
    assert_eq!(
        found,
        ["sales 0", "sales 10", "sales 15", "sales 20", "sales 5"]
    );
    assert!(detractors["comments"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["category"] == "detractor"));
    let searched = dashboard(&app, &admin, id, "range=7d&q=slow").await;
    assert_eq!(texts(&searched), ["Setup was SLOW"], "any case");
    assert_eq!(
        refused(&app, &admin, id, "category=angry").await["field"],
        "category"
    );
    assert_eq!(refused(&app, &admin, id, "page=0").await["field"], "page");

    let page = app
        .page(&admin, &format!("/surveys/{id}?range=7d&q=slow"))
        .await;
    assert!(page.contains("Setup was SLOW") && !page.contains("sales 3<"));
}

#[tokio::test]
async fn an_anonymous_surveys_comments_carry_only_the_day_in_no_order_of_arrival_and_only_for_groups_that_may_be_shown(
) {
    let (db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "enps").await["id"]
        .as_i64()
        .unwrap();
    // Twenty in Sales, given one after another (their keys do not follow that order), and
    // three in Legal.
    for i in 0..20 {
        let name = format!("k{:02}", (i * 7) % 20);
        let score = if i < 3 { 2 } else { 9 };
        commented(
            &db.url,
            id,
            "enps",
            &name,
            "Sales",
            score,
            &format!("arrived {i:02}"),
        )
        .await;
    }
    for i in 0..3 {
        commented(
            &db.url,
            id,
            "enps",
            &format!("legal{i}"),
            "Legal",
            9,
            "legal comment",
        )
        .await;
    }
    // Ten in Ops, withheld with Legal so that Legal cannot be worked out from the rest.
    grouped(
        &db.url,
        id,
        "enps",
        &[("team", "Ops")],
        None,
        &scores(5, 3, 2),
    )
    .await;

    let sales = dashboard(&app, &admin, id, "range=this_month&filter=team:Sales").await;
    let items = sales["comments"]["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 20);
    for item in &items {
        assert_eq!(item["at"], Value::Null, "no time");
        assert_eq!(item["response_url"], Value::Null, "no response to open");
        assert_eq!(item["day"], Utc::now().date_naive().to_string());
    }
    let order: Vec<String> = texts(&sales);
    let mut arrival = order.clone();
    arrival.sort();
    assert_ne!(order, arrival, "not in the order they came");
    arrival.reverse();
    assert_ne!(order, arrival, "nor newest first");

    // Legal's three and Sales' three detractors are groups too small to show.
    for query in ["filter=team:Legal", "filter=team:Sales&category=detractor"] {
        let view = dashboard(&app, &admin, id, &format!("range=this_month&{query}")).await;
        assert_eq!(view["comments"]["withheld"], "anonymity", "{query}");
        assert!(texts(&view).is_empty(), "{query}");
    }
    let page = app
        .page(
            &admin,
            &format!("/surveys/{id}?range=this_month&filter=team%3ALegal"),
        )
        .await;
    assert!(!page.contains("legal comment"));
    assert!(page.contains("this group is too small for its comments"));
}
