//! Dashboards: a question's trend in the JSON API, as an SVG chart and on the survey
//! page, each number checked against one worked out here; and the attacks on an anonymous
//! survey's trend, which must learn nothing about a group below the minimum.

use crate::harness::{app_with_admin, response_on, TestApp};
use app::domain::AnswerValue;
use app::ports::StoredAnswer;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

/// Answers `scores` to question `key` of survey `id`, dated `day`, straight into the
/// app's database (a test cannot wait for days to pass).
async fn answers_on(db_url: &str, id: i64, key: &str, day: NaiveDate, scores: &[u8]) {
    let store = server::storage::open(db_url, false).await.unwrap();
    for (i, &score) in scores.iter().enumerate() {
        let answer = StoredAnswer {
            question_key: key.into(),
            value: AnswerValue::Score(score),
            follow_up: None,
        };
        let batch = response_on(id, &format!("{key}-{day}-{i}"), day, vec![answer]);
        store.record_answers(batch).await.unwrap();
    }
}

/// A response on `day` that skipped every question.
async fn skipped_on(db_url: &str, id: i64, day: NaiveDate) {
    let store = server::storage::open(db_url, false).await.unwrap();
    let batch = response_on(id, &format!("skipped-{day}"), day, Vec::new());
    store.record_answers(batch).await.unwrap();
}

/// `promoters` 10s, `passives` 8s and `detractors` 3s.
pub(crate) fn scores(promoters: usize, passives: usize, detractors: usize) -> Vec<u8> {
    [(10, promoters), (8, passives), (3, detractors)]
        .into_iter()
        .flat_map(|(score, n)| std::iter::repeat_n(score, n))
        .collect()
}

/// The adjusted-Wald 95 % interval of an NPS in points, written out from its definition
/// (add 3 answers: ¾ promoter, ¾ detractor, 1½ passive), apart from the domain's code.
pub(crate) fn adjusted_wald(promoters: f64, detractors: f64, n: f64) -> (f64, f64) {
    let n = n + 3.0;
    let p = (promoters + 0.75) / n;
    let d = (detractors + 0.75) / n;
    let centre = p - d;
    let half = 1.96 * ((p + d - centre * centre) / n).sqrt();
    (100.0 * (centre - half), 100.0 * (centre + half))
}

/// The two-sided p-value of a standard normal z, by Abramowitz and Stegun's 7.1.26
/// (error below 1.5e-7): an approximation of its own, not the engine's series.
pub(crate) fn two_sided_p(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    poly * (-x * x).exp()
}

/// The whole dashboard of the API.
pub(crate) async fn dashboard(
    app: &TestApp,
    admin: &reqwest::Client,
    id: i64,
    query: &str,
) -> Value {
    let res = admin
        .get(app.url(&format!("/api/v1/surveys/{id}/trends?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The dashboard's questions.
pub(crate) async fn trends(app: &TestApp, admin: &reqwest::Client, id: i64, query: &str) -> Value {
    dashboard(app, admin, id, query).await["questions"].clone()
}

#[tokio::test]
async fn a_trend_scores_each_day_with_its_interval_in_the_api_the_chart_and_the_page() {
    let (db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    let today = Utc::now().date_naive();
    answers_on(
        &db.url,
        id,
        "nps",
        today - Duration::days(2),
        &scores(10, 4, 6),
    )
    .await;
    answers_on(&db.url, id, "nps", today, &scores(3, 0, 0)).await;
    skipped_on(&db.url, id, today).await;
    // The week before: 2 promoters and 8 detractors, an NPS of −60.
    answers_on(
        &db.url,
        id,
        "nps",
        today - Duration::days(10),
        &scores(2, 0, 8),
    )
    .await;

    let body = trends(&app, &admin, id, "range=7d").await;
    // The tile: 13 promoters, 4 passives and 6 detractors over the 7 days; the response
    // that skipped the question is counted apart, never in n.
    let tile = &body[0]["tile"];
    assert_eq!(
        (tile["n"].as_u64(), tile["skipped"].as_u64()),
        (Some(23), Some(1))
    );
    let nps = 100.0 * (13.0 - 6.0) / 23.0;
    assert!((tile["value"].as_f64().unwrap() - nps).abs() < 1e-9);
    let (low, high) = adjusted_wald(13.0, 6.0, 23.0);
    assert!((tile["ci"]["low"].as_f64().unwrap() - low).abs() < 1e-9);
    assert!((tile["ci"]["high"].as_f64().unwrap() - high).abs() < 1e-9);
    let change = &tile["change"];
    assert!((change["difference"].as_f64().unwrap() - (nps + 60.0)).abs() < 1e-9);
    assert_eq!(
        (
            change["previous_n"].as_u64(),
            change["significant"].as_bool()
        ),
        (Some(10), Some(true))
    );
    // z on the adjusted values, apart from the engine: 2.60, so p ≈ 0.009.
    let adjusted = |promoters: f64, detractors: f64, n: f64| {
        let (p, d) = (
            (promoters + 0.75) / (n + 3.0),
            (detractors + 0.75) / (n + 3.0),
        );
        (p - d, (p + d - (p - d) * (p - d)) / (n + 3.0))
    };
    let ((before, var_before), (now, var_now)) =
        (adjusted(2.0, 8.0, 10.0), adjusted(13.0, 6.0, 23.0));
    let z = (now - before) / (var_before + var_now).sqrt();
    let expected_p = two_sided_p(z);
    assert!(
        (change["p"].as_f64().unwrap() - expected_p).abs() < 1e-4,
        "{change} vs {expected_p}"
    );
    assert_eq!(
        body[0]["previous_to"],
        (today - Duration::days(7)).to_string()
    );
    let trend = &body[0]["trend"];
    assert_eq!(body[0]["question_key"], "nps");
    assert_eq!(
        (trend["grain"].as_str(), trend["measure"].as_str()),
        (Some("day"), Some("NPS"))
    );
    let points = trend["points"].as_array().unwrap();
    assert_eq!(
        points.len(),
        7,
        "one point a day, days without answers included"
    );
    assert_eq!(body[0]["svg"], Value::Null, "the chart has its own address");

    // The distribution over the same 7 days: a bar per score, counted as the engine does.
    let bars = body[0]["distribution"]["bars"].as_array().unwrap();
    assert_eq!(
        (body[0]["distribution"]["n"].as_u64(), bars.len()),
        (Some(23), 11)
    );
    let bar = |score: usize| (bars[score]["n"].as_u64(), bars[score]["category"].as_str());
    assert_eq!(bar(10), (Some(13), Some("promoter")));
    assert_eq!(bar(8), (Some(4), Some("passive")));
    assert_eq!(bar(3), (Some(6), Some("detractor")));
    assert!((bars[10]["share"].as_f64().unwrap() - 100.0 * 13.0 / 23.0).abs() < 1e-9);
    let svg = app
        .page(
            &admin,
            &format!("/api/v1/surveys/{id}/trends/nps/distribution.svg?range=7d"),
        )
        .await;
    let doc = roxmltree::Document::parse(&svg).expect("well-formed");
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("rect")).count(),
        3
    );

    let busy = &points[4];
    assert_eq!(busy["start"], (today - Duration::days(2)).to_string());
    assert_eq!(busy["n"], 20);
    // 10 promoters and 6 detractors of 20: 50 % − 30 % = 20 points.
    assert!((busy["value"].as_f64().unwrap() - 20.0).abs() < 1e-9);
    let (low, high) = adjusted_wald(10.0, 6.0, 20.0);
    assert!((busy["ci"]["low"].as_f64().unwrap() - low).abs() < 1e-9);
    assert!((busy["ci"]["high"].as_f64().unwrap() - high).abs() < 1e-9);
    assert_eq!(busy["too_few"], false);

    let quiet = &points[6];
    assert_eq!(
        (quiet["n"].as_u64(), quiet["too_few"].as_bool()),
        (Some(3), Some(true))
    );
    assert_eq!(points[5]["n"], 0);
    assert_eq!(points[5]["value"], Value::Null);

    // The chart: an SVG document with a title in words, its axes, and a point per day
    // with answers (the day with too few is drawn too, hollow).
    let res = admin
        .get(app.url(&format!(
            "/api/v1/surveys/{id}/trends/nps/chart.svg?range=7d"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let svg = res.text().await.unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the chart is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let title = root
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(title.starts_with("NPS by day from"), "{title}");
    assert!(
        title.contains("n = 3") && title.contains("not enough answers yet"),
        "{title}"
    );
    let texts: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    assert!(
        texts.contains(&"NPS (points)") && texts.contains(&"Day"),
        "{texts:?}"
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        2
    );

    // The survey page shows the same charts, described, with their tables.
    let page = app.page(&admin, &format!("/surveys/{id}?range=7d")).await;
    assert!(
        page.contains(r#"data-testid="tile""#)
            && page.contains(&format!("significant (p = {expected_p:.3})"))
    );
    assert!(
        page.contains(r#"data-testid="trend""#) && page.contains(r#"data-testid="distribution""#),
        "the trend is on the page"
    );
    assert!(page.contains(r#"role="img""#) && page.contains("NPS by day from"));
    assert!(
        page.contains("<td>20</td><td>20.0</td>"),
        "the table has the busy day"
    );
    assert!(page.contains("Not enough answers yet"));
}

#[tokio::test]
async fn a_trend_asked_for_with_an_unknown_range_or_period_says_which_is_wrong() {
    let (_db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "csat").await["id"]
        .as_i64()
        .unwrap();
    for (query, field) in [("range=forever", "range"), ("grain=hour", "grain")] {
        let res = admin
            .get(app.url(&format!("/api/v1/surveys/{id}/trends?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{query}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["field"], field, "{body}");
    }
    let unknown = admin
        .get(app.url(&format!("/api/v1/surveys/{id}/trends/nope/chart.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

/// The first day of the month `back` months before `day`'s.
fn month_start(day: NaiveDate, back: u32) -> NaiveDate {
    let months = day.year() * 12 + day.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1).unwrap()
}

#[tokio::test]
async fn an_anonymous_trend_never_reveals_a_month_below_the_minimum_group() {
    let (db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "enps").await["id"]
        .as_i64()
        .unwrap();
    let today = Utc::now().date_naive();
    // Created half a year ago, so its earlier months are in its life.
    let created = month_start(today, 6)
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE surveys SET created_at = $1 WHERE id = $2")
        .bind(created)
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    // 20 answers three months ago, 2 two months ago, 8 last month, 9 this month.
    for (back, n) in [(3, 20), (2, 2), (1, 8), (0, 9)] {
        answers_on(
            &db.url,
            id,
            "enps",
            month_start(today, back),
            &scores(n, 0, 0),
        )
        .await;
    }

    // Asked for days, it gets months: the 2 are withheld, and with them the 8, so the
    // total less what is shown (10) cannot be split.
    let body = trends(&app, &admin, id, "range=365d&grain=day").await;
    assert!(body[0]["note"].as_str().unwrap().contains("calendar month"));
    let trend = &body[0]["trend"];
    assert_eq!(trend["grain"], "month");
    let by_month: BTreeMap<String, &Value> = trend["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["start"].as_str().unwrap().to_owned(), p))
        .collect();
    let point = |back| by_month[&month_start(today, back).to_string()];
    assert_eq!(
        (point(3)["n"].as_u64(), point(0)["n"].as_u64()),
        (Some(20), Some(9))
    );
    for back in [2, 1] {
        let p = point(back);
        assert_eq!(p["withheld"], "anonymity");
        assert_eq!(
            (&p["n"], &p["value"], &p["ci"]),
            (&Value::Null, &Value::Null, &Value::Null)
        );
    }
    // A shorter range draws the same line: the withholding does not depend on it.
    let recent = trends(&app, &admin, id, "range=30d").await;
    for p in recent[0]["trend"]["points"].as_array().unwrap() {
        assert_eq!(
            p,
            by_month[p["start"].as_str().unwrap()],
            "the same month, the same figures"
        );
    }

    // Whatever the range, a tile counts only the months shown: its total less theirs is
    // nothing, so no subtraction finds a hidden month; it says how many it leaves out.
    for range in ["7d", "30d", "90d", "365d", "all"] {
        let body = trends(&app, &admin, id, &format!("range={range}")).await;
        let tile = &body[0]["tile"];
        let points = body[0]["trend"]["points"].as_array().unwrap();
        let hidden = points.iter().filter(|p| p["withheld"].is_string()).count();
        assert_eq!(
            tile["hidden_periods"].as_u64(),
            Some(hidden as u64),
            "{range}"
        );
        let Some(total) = tile["n"].as_u64() else {
            assert_eq!(tile["withheld"], "anonymity", "{range}");
            assert_eq!(
                hidden,
                points.iter().filter(|p| p["n"] != 0).count(),
                "{range}"
            );
            continue;
        };
        let shown: u64 = points.iter().filter_map(|p| p["n"].as_u64()).sum();
        assert_eq!(total, shown, "{range}");
        if hidden > 0 {
            assert_eq!(
                tile["skipped"],
                Value::Null,
                "{range}: skips would count the hidden"
            );
        }
    }

    // The chart draws only the months shown; the page's table hides the others.
    let svg = app
        .page(
            &admin,
            &format!("/api/v1/surveys/{id}/trends/enps/chart.svg?range=365d"),
        )
        .await;
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        2
    );
    let page = app.page(&admin, &format!("/surveys/{id}?range=365d")).await;
    // The two months, in the trend's table and in the shares' table.
    assert_eq!(page.matches("Hidden to protect anonymity").count(), 4);
    for hidden in ["<td>2</td>", "<td>8</td>"] {
        assert!(!page.contains(hidden), "{hidden} is on the page");
    }
}

fn demo_data(url: &str, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_resonance"))
        .args(["demo-data", "--database-url", url, "--contacts", "60"])
        .args(extra)
        .output()
        .expect("the binary runs")
}

#[tokio::test]
async fn demo_data_fills_an_empty_database_with_two_years_that_the_dashboard_reads() {
    let (db, app, admin) = app_with_admin().await;
    let out = demo_data(&db.url, &["--responses", "3000"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("demo-data: 60 contacts"), "{stdout}");
    assert!(
        stdout.contains("demo-data: 1500 of about 3000 responses"),
        "progress: {stdout}"
    );

    let surveys = app.get_json(&admin, "/api/v1/surveys").await;
    let by_kind = |kind: &str| {
        surveys
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == kind)
            .unwrap_or_else(|| panic!("a {kind} survey"))["id"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(surveys.as_array().unwrap().len(), 4);

    // All time is two years by month, and the customer NPS climbs: its second year's
    // months stand above its first year's.
    let nps = trends(&app, &admin, by_kind("nps"), "range=all").await;
    let points = nps[0]["trend"]["points"].as_array().unwrap();
    assert_eq!(nps[0]["trend"]["grain"], "month");
    assert!((24..=26).contains(&points.len()), "{} months", points.len());
    let values: Vec<f64> = points.iter().filter_map(|p| p["value"].as_f64()).collect();
    let half = values.len() / 2;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(
        mean(&values[half..]) > mean(&values[..half]) + 10.0,
        "{values:?}"
    );
    assert_eq!(
        nps[0]["tile"]["n"].as_u64(),
        Some(points.iter().filter_map(|p| p["n"].as_u64()).sum())
    );

    // The anonymous eNPS keeps no person, and its whole months are all large enough to
    // show. (The month under way may be too small yet in its first days, and withheld with
    // another to hide it, as it should be.)
    let this_month = Utc::now().date_naive().with_day(1).unwrap();
    let from = this_month
        .checked_sub_months(chrono::Months::new(23))
        .unwrap();
    let to = this_month - Duration::days(1);
    let whole = format!("range=custom&from={from}&to={to}");
    let enps = trends(&app, &admin, by_kind("enps"), &whole).await;
    let months = enps[0]["trend"]["points"].as_array().unwrap();
    assert_eq!(enps[0]["trend"]["grain"], "month");
    assert_eq!(months.len(), 23, "{months:?}");
    assert!(months.iter().all(|p| p["withheld"].is_null()), "{months:?}");
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let (named,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM responses r JOIN surveys s ON s.id = r.survey_id \
         WHERE s.id = $1 AND (r.contact_id IS NOT NULL OR r.submitted_at IS NOT NULL)",
    )
    .bind(by_kind("enps"))
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(named, 0);

    // A second run would mix demo data into it: refused, unless forced.
    let again = demo_data(&db.url, &["--responses", "10"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}

#[test]
fn demo_data_needs_the_first_admin_to_own_its_surveys() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let out = demo_data(&url, &["--responses", "10"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("create the first account"));
}

#[tokio::test]
async fn a_survey_sets_how_small_a_group_may_be_and_how_many_answers_make_a_score() {
    let (db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "enps").await["id"]
        .as_i64()
        .unwrap();
    let today = Utc::now().date_naive();
    answers_on(&db.url, id, "enps", today, &scores(3, 0, 1)).await;
    let settings = |extra: Value| {
        let mut body =
            serde_json::json!({ "status": "active", "closes_at": null, "response_cap": null });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        admin
            .put(app.url(&format!("/api/v1/surveys/{id}/settings")))
            .json(&body)
            .send()
    };
    // Four people are fewer than the default five: nothing about them is shown.
    let before = trends(&app, &admin, id, "range=30d").await;
    assert_eq!(before[0]["tile"]["withheld"], "anonymity");
    assert_eq!(
        app.report(&admin, id).await["questions"][0]["answered"],
        Value::Null
    );

    let refused = settings(serde_json::json!({ "min_group_size": 2 }))
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["field"], "min_group_size", "{body}");

    let saved = settings(serde_json::json!({ "min_group_size": 3, "min_meaningful": 3 }))
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(
        (
            saved["min_group_size"].as_i64(),
            saved["min_meaningful"].as_i64()
        ),
        (Some(3), Some(3))
    );

    // Now a group of four is large enough, and four answers a meaningful score.
    let after = trends(&app, &admin, id, "range=30d").await;
    let tile = &after[0]["tile"];
    assert_eq!(
        (tile["n"].as_u64(), tile["too_few"].as_bool()),
        (Some(4), Some(false))
    );
    assert_eq!(app.report(&admin, id).await["questions"][0]["answered"], 4);
    // Three 10s and one 3: the lone 3 is withheld, and the 10s with it, or the total
    // less the 10s would tell what that one person said.
    let bars = after[0]["distribution"]["bars"].as_array().unwrap();
    for score in [3, 10] {
        assert_eq!(bars[score]["withheld"], "anonymity", "{score}");
        assert_eq!(
            (&bars[score]["n"], &bars[score]["share"]),
            (&Value::Null, &Value::Null)
        );
    }
    let svg = app
        .page(
            &admin,
            &format!("/api/v1/surveys/{id}/trends/enps/distribution.svg?range=30d"),
        )
        .await;
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("rect")).count(),
        0
    );
}

#[tokio::test]
async fn the_overview_shows_each_surveys_headline_as_its_page_does_and_hides_what_it_hides() {
    let (db, app, admin) = app_with_admin().await;
    let nps = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    let enps = app.create_survey(&admin, "enps").await["id"]
        .as_i64()
        .unwrap();
    let today = Utc::now().date_naive();
    answers_on(&db.url, nps, "nps", today, &scores(12, 5, 3)).await;
    answers_on(
        &db.url,
        nps,
        "nps",
        today - Duration::days(100),
        &scores(5, 5, 10),
    )
    .await;
    // Two answers to the anonymous eNPS: below its minimum group.
    answers_on(&db.url, enps, "enps", today, &scores(2, 0, 0)).await;

    let rows = app.get_json(&admin, "/api/v1/overview").await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let row = |id: i64| {
        rows.iter()
            .find(|r| r["survey"]["id"] == id)
            .expect("the survey's row")
            .clone()
    };
    let page_tile = &trends(&app, &admin, nps, "").await[0]["tile"];
    assert_eq!(
        &row(nps)["tile"],
        page_tile,
        "the same tile as the page's default view"
    );
    assert_eq!(page_tile["n"], 20);
    assert!((page_tile["value"].as_f64().unwrap() - 45.0).abs() < 1e-9);
    assert_eq!(page_tile["change"]["previous_n"], 20);
    let hidden = row(enps);
    assert_eq!(hidden["tile"]["withheld"], "anonymity");
    assert_eq!(hidden["tile"]["n"], Value::Null);
    assert!(hidden["trend"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["n"].is_null() || p["n"] == 0));

    let page = app.page(&admin, "/surveys").await;
    assert_eq!(page.matches(r#"data-testid="overview-row""#).count(), 2);
    assert!(page.contains("NPS 45 ("), "the score with its interval");
    assert!(page.contains("Hidden to protect anonymity"));
    assert!(page.contains(r#"viewBox="0 0 120 32""#), "a sparkline");
}

#[tokio::test]
async fn wave_over_wave_the_same_people_are_followed_between_categories() {
    use app::domain::segments::SegmentFilter;
    use app::model::Repeat;
    use app::ports::{NewInvitation, NewSend};
    let (db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    let store = server::storage::open(&db.url, false).await.unwrap();
    let owner = store.list_users().await.unwrap()[0].id;
    let mut waves = Vec::new();
    for wave in 1..=2 {
        let send = store
            .create_send(&NewSend {
                survey_id: id,
                audience_name: "Everyone".into(),
                audience: SegmentFilter::default(),
                repeat: Repeat::Monthly,
                wave,
                reminders: vec![],
                per_minute: None,
                scheduled_at: Utc::now() - Duration::days(70 - 30 * wave),
                created_by: owner,
                salted_links: false,
            })
            .await
            .unwrap();
        store
            .start_send(
                send.id,
                Utc::now() - Duration::days(70 - 30 * wave),
                0,
                None,
            )
            .await
            .unwrap();
        waves.push(send.id);
    }
    // Contacts 1–4 answer wave 1; 1–3 and 5 answer wave 2.
    let answers = [
        (0, [(1, 3), (2, 9), (3, 7), (4, 10)].as_slice()),
        (1, [(1, 9), (2, 9), (3, 2), (5, 10)].as_slice()),
    ];
    for (wave, people) in answers {
        for &(contact, score) in people {
            let token = format!("w{wave}-c{contact}");
            let invitation = store
                .create_invitation(NewInvitation {
                    survey_id: id,
                    token_hash: token.clone(),
                    contact_id: Some(contact),
                    locale: None,
                    attributes: BTreeMap::new(),
                    send_id: Some(waves[wave]),
                })
                .await
                .unwrap();
            let answer = StoredAnswer {
                question_key: "nps".into(),
                value: AnswerValue::Score(score),
                follow_up: None,
            };
            let mut batch = response_on(id, &token, Utc::now().date_naive(), vec![answer]);
            batch.invitation_id = Some(invitation);
            batch.contact_id = Some(contact);
            batch.send_id = Some(waves[wave]);
            store.record_answers(batch).await.unwrap();
        }
    }
    let body = dashboard(&app, &admin, id, "range=90d").await;
    let m = &body["movement"];
    assert_eq!(m["categories"][0], "Detractors");
    // Ann 3 → 9, Bo 9 → 9, Cy 7 → 2; Dee left, Eve came.
    assert_eq!(
        m["counts"],
        serde_json::json!([[0, 0, 1], [1, 0, 0], [0, 0, 1]])
    );
    assert_eq!(m["no_longer_answering"], serde_json::json!([0, 0, 1]));
    assert_eq!(m["newly_answering"], serde_json::json!([0, 0, 1]));
    // Chosen as the filter, the first wave has none before it.
    let first = dashboard(&app, &admin, id, &format!("range=90d&send={}", waves[0])).await;
    assert_eq!(first["movement"], Value::Null);
    let page = app.page(&admin, &format!("/surveys/{id}")).await;
    assert!(page.contains("Movement from Everyone · wave 1"));
    assert!(page.contains("Newly answering"));
}
