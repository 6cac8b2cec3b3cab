//! The responses inbox: identified responses one by one, newest first, under the
//! dashboard's filters plus category, comment, case and search; a manager sees their
//! team's, a viewer none, and an anonymous survey's responses are never listed, whatever
//! is asked.

use crate::harness::{client, spawn_app, TestApp};
use serde_json::{json, Value};

async fn answer(
    app: &TestApp,
    admin: &reqwest::Client,
    s: &(i64, String),
    contact: Option<i64>,
    team: &str,
    score: u8,
    comment: Option<&str>,
) {
    let link = json!({ "contact_id": contact, "attributes": { "team": team } });
    app.answer_by_link(admin, s, link, score, comment).await;
}

async fn inbox(app: &TestApp, c: &reqwest::Client, query: &str) -> (u16, Value) {
    let res = c
        .get(app.url(&format!("/api/v1/responses?range=all&{query}")))
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

/// The respondents' addresses of an inbox page, in its order.
fn who(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("an inbox page: {page}"))
        .iter()
        .map(|i| {
            let r = i["respondent"].as_str().unwrap_or("—");
            r.split('<')
                .nth(1)
                .unwrap_or(r)
                .trim_end_matches('>')
                .to_owned()
        })
        .collect()
}

/// The respondents of the inbox under `query`, which must be accepted.
async fn only(app: &TestApp, c: &reqwest::Client, query: &str) -> Vec<String> {
    let (status, page) = inbox(app, c, query).await;
    assert_eq!(status, 200, "{query}: {page}");
    who(&page)
}

on_both_databases!(
    the_inbox_lists_identified_responses_newest_first_under_every_filter_and_never_an_anonymous_one
);
async fn the_inbox_lists_identified_responses_newest_first_under_every_filter_and_never_an_anonymous_one(
    url: &str,
) {
    let app = spawn_app(url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    app.import_contacts(
        &admin,
        "email,name,team\nana@example.com,Ana,Sales\nbo@example.com,Bo,Ops\ncy@example.com,Cy,Sales\n",
    )
    .await;
    let contacts = app.get_json(&admin, "/api/v1/contacts").await;
    let id_of = |email: &str| {
        contacts["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["email"] == email)
            .unwrap()["id"]
            .as_i64()
    };
    let s = app.survey_by_team(&admin, false).await;
    let rule = json!({ "rule": { "scores": { "from": 0, "to": 6 }, "any_comment": false, "due_hours": 48 } });
    let res = admin
        .put(app.url(&format!("/api/v1/surveys/{}/case-settings", s.0)))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    answer(
        &app,
        &admin,
        &s,
        id_of("ana@example.com"),
        "Sales",
        3,
        Some("Far too SLOW_ly"),
    )
    .await;
    answer(
        &app,
        &admin,
        &s,
        id_of("bo@example.com"),
        "Ops",
        9,
        Some("Fine"),
    )
    .await;
    answer(&app, &admin, &s, id_of("cy@example.com"), "Sales", 10, None).await;
    // An anonymous survey's answers, one with a comment that must never be listed.
    let anonymous = app.survey_by_team(&admin, true).await;
    for team in ["Sales", "Sales", "Ops"] {
        answer(
            &app,
            &admin,
            &anonymous,
            None,
            team,
            2,
            Some("secret complaint"),
        )
        .await;
    }

    let (status, all) = inbox(&app, &admin, "").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(
        who(&all),
        ["cy@example.com", "bo@example.com", "ana@example.com"]
    );
    assert_eq!(all["more"], false);
    let ana = &all["items"][2];
    assert_eq!(ana["score"], 3);
    assert_eq!(ana["category"], "low");
    assert_eq!(ana["comment"], "Far too SLOW_ly");
    assert_eq!(ana["case_state"], "open");
    assert!(ana["response_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/responses/{}", ana["response_id"])));

    assert_eq!(
        only(&app, &admin, "category=low").await,
        ["ana@example.com"]
    );
    assert_eq!(
        only(&app, &admin, "category=promoter").await,
        ["cy@example.com", "bo@example.com"]
    );
    assert_eq!(
        only(&app, &admin, "comment=with").await,
        ["bo@example.com", "ana@example.com"]
    );
    assert_eq!(
        only(&app, &admin, "comment=without").await,
        ["cy@example.com"]
    );
    assert_eq!(only(&app, &admin, "case=open").await, ["ana@example.com"]);
    assert_eq!(
        only(&app, &admin, "case=none").await,
        ["cy@example.com", "bo@example.com"]
    );
    assert_eq!(
        only(&app, &admin, "filter=team:Sales").await,
        ["cy@example.com", "ana@example.com"]
    );
    // Search ignores case, takes `_` and `%` as themselves, and reads addresses too.
    assert_eq!(only(&app, &admin, "q=slow_LY").await, ["ana@example.com"]);
    assert_eq!(only(&app, &admin, "q=%25").await, Vec::<String>::new());
    assert_eq!(
        only(&app, &admin, "q=bo%40example").await,
        ["bo@example.com"]
    );
    assert_eq!(only(&app, &admin, "q=secret").await, Vec::<String>::new());
    assert_eq!(
        only(&app, &admin, "category=low&filter=team:Ops").await,
        Vec::<String>::new()
    );
    assert_eq!(
        only(&app, &admin, &format!("survey={}", s.0)).await.len(),
        3
    );

    // Bad input says what is wrong; an anonymous survey is not listed one by one.
    for (query, field) in [
        ("category=worst", "category"),
        ("comment=maybe", "comment"),
        ("case=lost", "case"),
        ("page=0", "page"),
        ("send=1", "send"),
        ("filter=plan:Pro", "filter"),
        ("q=a%00b", "q"),
        ("filter=team:Sa%00les", "filter"),
    ] {
        let (status, error) = inbox(&app, &admin, query).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (422, Some(field)),
            "{query}: {error}"
        );
    }
    let (status, _) = inbox(&app, &admin, &format!("survey={}", anonymous.0)).await;
    assert_eq!(status, 422);

    // A manager of Sales reads Sales's responses; a viewer none.
    let sales = app
        .signed_in_user(&admin, "sales@example.com", "manager", &["team=Sales"])
        .await;
    let (status, theirs) = inbox(&app, &sales, "").await;
    assert_eq!(status, 200);
    assert_eq!(who(&theirs), ["cy@example.com", "ana@example.com"]);
    let viewer = app
        .signed_in_user(&admin, "viewer@example.com", "viewer", &[])
        .await;
    assert_eq!(inbox(&app, &viewer, "").await.0, 403);

    // 25 a page: the 26th response is on the next.
    for i in 0..23 {
        answer(&app, &admin, &s, None, "Ops", (i % 11) as u8, None).await;
    }
    let (_, first) = inbox(&app, &admin, "").await;
    assert_eq!(
        (
            first["items"].as_array().unwrap().len(),
            first["more"].clone()
        ),
        (25, json!(true))
    );
    let (_, second) = inbox(&app, &admin, "page=2").await;
    assert_eq!(who(&second), ["ana@example.com"]);
    assert_eq!(second["more"], false);
}
