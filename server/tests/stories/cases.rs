//! Closing the loop: a critical answer opens a case for the manager of the respondent's
//! team, the alert reaches the survey's recipients and the case's owner, the owner writes
//! to the respondent through the outbox (a real SMTP server on loopback) in their
//! language, notes what was done and resolves it; the dashboard times it. Nobody outside
//! the response's reach sees the case, and an anonymous survey never opens one.

use crate::harness::smtp::{Mail, SmtpSink};
use crate::harness::{read_column, TestApp};
use crate::sending::app_sending_to;
use serde_json::{json, Value};

async fn put_json(c: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let res = c.put(app.url(path)).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn post_json(c: &reqwest::Client, app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let res = c.post(app.url(path)).json(&body).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, Value) {
    let res = c.get(app.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Answers through a new personal link for `contact` of `team`, in `lang`.
#[allow(clippy::too_many_arguments)]
async fn answer(
    app: &TestApp,
    admin: &reqwest::Client,
    s: &(i64, String),
    contact: Option<i64>,
    team: &str,
    lang: &str,
    score: u8,
    comment: &str,
) {
    let link = json!({ "contact_id": contact, "attributes": { "team": team }, "locale": lang });
    app.answer_by_link(admin, s, link, score, Some(comment))
        .await;
}

async fn contact_id(app: &TestApp, admin: &reqwest::Client, email: &str) -> i64 {
    let contacts = app.get_json(admin, "/api/v1/contacts").await;
    contacts["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == email)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

fn detractors(due_hours: u32) -> Value {
    json!({ "rule": { "scores": { "from": 0, "to": 6 }, "any_comment": false, "due_hours": due_hours },
            "alert_recipients": ["ada@example.com"] })
}

on_both_databases!(
    a_detractor_answer_opens_a_case_for_the_teams_manager_who_writes_back_and_resolves_it
);
async fn a_detractor_answer_opens_a_case_for_the_teams_manager_who_writes_back_and_resolves_it(
    url: &str,
) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(url, &sink).await;
    let imported = app
        .import_contacts(
            &admin,
            "email,name,team,locale\nana@example.com,Ana,Sales,de\nbo@example.com,Bo,Ops,en\n",
        )
        .await;
    assert_eq!(imported.status(), 200);
    let ana = contact_id(&app, &admin, "ana@example.com").await;
    let bo = contact_id(&app, &admin, "bo@example.com").await;
    let sales = app
        .signed_in_user(&admin, "sales@example.com", "manager", &["team=Sales"])
        .await;
    let ops = app
        .signed_in_user(&admin, "ops@example.com", "manager", &["team=Ops"])
        .await;
    let viewer = app
        .signed_in_user(&admin, "viewer@example.com", "viewer", &[])
        .await;
    let s = app.survey_by_team(&admin, false).await;
    let id = s.0;
    let (status, settings) = put_json(
        &admin,
        &app,
        &format!("/api/v1/surveys/{id}/case-settings"),
        detractors(48),
    )
    .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["alert_recipients"], json!(["ada@example.com"]));
    let (status, _) = put_json(
        &admin,
        &app,
        &format!("/api/v1/surveys/{id}/settings"),
        json!({ "status": "active", "closes_at": null, "response_cap": null, "detractor_alerts": true }),
    )
    .await;
    assert_eq!(status, 200);

    // A promoter opens nothing; Ana of Sales, a detractor answering in German, opens one.
    answer(&app, &admin, &s, Some(bo), "Ops", "en", 10, "Great").await;
    answer(
        &app,
        &admin,
        &s,
        Some(ana),
        "Sales",
        "de",
        3,
        "Viel zu langsam",
    )
    .await;

    // The alert reaches the listed recipient and the case's owner, each once, with the case.
    let mails = sink.wait_for(2).await;
    let mut alerted: Vec<&str> = mails.iter().map(Mail::to).collect();
    alerted.sort();
    assert_eq!(alerted.len(), 2, "{alerted:?}");
    assert!(
        alerted[0].contains("ada@example.com") && alerted[1].contains("sales@example.com"),
        "{alerted:?}"
    );
    assert!(
        mails.iter().all(|m| m.text.contains("/cases/")),
        "the alert links to its case"
    );

    // The Sales manager owns it; the Ops manager and a viewer see nothing of it.
    let (status, list) = get(&sales, &app, "/api/v1/cases").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 1, "{list}");
    let case = &list["cases"][0];
    let case_id = case["id"].as_i64().unwrap();
    assert_eq!(case["owner"], "sales");
    assert_eq!(case["state"], "open");
    assert_eq!(case["score"], 3);
    assert_eq!(case["comment"], "Viel zu langsam");
    assert_eq!(case["language"], "de");
    assert_eq!(case["respondent"], "Ana <ana@example.com>");
    assert_eq!(case["overdue"], false);
    let (status, theirs) = get(&ops, &app, "/api/v1/cases").await;
    assert_eq!((status, theirs["total"].clone()), (200, json!(0)));
    assert_eq!(
        get(&ops, &app, &format!("/api/v1/cases/{case_id}")).await.0,
        403
    );
    assert_eq!(get(&viewer, &app, "/api/v1/cases").await.0, 403);
    assert_eq!(
        get(&viewer, &app, &format!("/api/v1/cases/{case_id}"))
            .await
            .0,
        403
    );
    assert_eq!(
        post_json(
            &ops,
            &app,
            &format!("/api/v1/cases/{case_id}/notes"),
            json!({ "text": "mine now" })
        )
        .await
        .0,
        403
    );

    // The owner writes back: the email goes to Ana in German, replies come back to Sales.
    let (status, detail) = post_json(
        &sales,
        &app,
        &format!("/api/v1/cases/{case_id}/replies"),
        json!({ "body": "Danke, Ana. Wir haben das behoben.\n\nIhr Sales-Team" }),
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["case"]["state"], "contacted");
    assert!(detail["case"]["first_contact_at"].is_string());
    let mails = sink.wait_for(3).await;
    let reply = mails
        .iter()
        .find(|m| m.to().contains("ana@example.com"))
        .expect("the reply");
    assert!(reply.text.starts_with("Guten Tag Ana,"), "{}", reply.text);
    assert!(reply.text.contains("Wir haben das behoben."));
    assert!(
        reply
            .header("reply-to")
            .unwrap_or_default()
            .contains("sales@example.com"),
        "{:?}",
        reply.headers
    );
    assert!(reply
        .header("subject")
        .unwrap_or_default()
        .starts_with("Re: "));
    assert!(
        reply.header("list-unsubscribe").is_none(),
        "a personal reply is not a campaign"
    );

    // A note, then resolved; a resolved case may only be reopened.
    let (status, _) = post_json(
        &sales,
        &app,
        &format!("/api/v1/cases/{case_id}/notes"),
        json!({ "text": "Called her too." }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, error) = post_json(
        &sales,
        &app,
        &format!("/api/v1/cases/{case_id}/notes"),
        json!({ "text": "  " }),
    )
    .await;
    assert_eq!((status, error["field"].clone()), (422, json!("text")));
    let (status, detail) = post_json(
        &sales,
        &app,
        &format!("/api/v1/cases/{case_id}/state"),
        json!({ "state": "resolved" }),
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["case"]["state"], "resolved");
    assert_eq!(detail["next_states"], json!(["open"]));
    let (status, error) = post_json(
        &sales,
        &app,
        &format!("/api/v1/cases/{case_id}/state"),
        json!({ "state": "contacted" }),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "reply", "note", "state"]);
    let reply_event = &detail["events"][1];
    assert_eq!(reply_event["who"], "sales");
    assert!(reply_event["text"]
        .as_str()
        .unwrap()
        .contains("Wir haben das behoben."));

    // The dashboard counts it: one opened, none open, a first contact and a resolution.
    let dashboard = app
        .get_json(&admin, &format!("/api/v1/surveys/{id}/trends"))
        .await;
    let cases = &dashboard["cases"];
    assert_eq!(cases["all"]["opened"], 1, "{cases}");
    assert_eq!(cases["all"]["open"], 0);
    assert_eq!(cases["all"]["overdue"], 0);
    assert!(cases["all"]["median_hours_to_contact"].as_f64().unwrap() >= 0.0);
    assert!(cases["all"]["median_hours_to_resolve"].as_f64().unwrap() >= 0.0);
    assert_eq!(cases["team_attribute"], "team");
    assert_eq!(cases["teams"][0]["team"], "Sales");
    // The Ops manager's view of the dashboard holds no Sales case.
    let theirs = app
        .get_json(&ops, &format!("/api/v1/surveys/{id}/trends"))
        .await;
    assert_eq!(theirs["cases"]["all"]["opened"], 0, "{}", theirs["cases"]);

    // Ana asks what is kept of her: the case, what she was written and what was noted.
    let (status, export) = get(&admin, &app, "/api/v1/privacy/ana@example.com").await;
    assert_eq!(status, 200, "{export}");
    let kept = &export["cases"][0];
    assert_eq!(kept["comment"], "Viel zu langsam");
    let texts: Vec<&str> = kept["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("Wir haben das behoben")),
        "{texts:?}"
    );
    assert!(texts.contains(&"Called her too."), "{texts:?}");

    // Ana asks to be forgotten: the case stays for the figures, but nothing she wrote or
    // was written to her, and no longer who she is.
    let res = admin
        .delete(app.url("/api/v1/privacy/ana@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let (status, after) = get(&sales, &app, &format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(status, 200, "{after}");
    assert!(after["case"]["comment"].is_null(), "{after}");
    assert!(after["case"]["respondent"].is_null(), "{after}");
    let text = after.to_string();
    for said in [
        "Viel zu langsam",
        "Wir haben das behoben",
        "Called her too",
        "Ana",
    ] {
        assert!(!text.contains(said), "{said} is gone: {text}");
    }
    assert_eq!(after["case"]["state"], "resolved");
}

on_both_databases!(
    an_overdue_case_is_listed_as_overdue_and_a_respondent_who_unsubscribed_gets_no_reply
);
async fn an_overdue_case_is_listed_as_overdue_and_a_respondent_who_unsubscribed_gets_no_reply(
    url: &str,
) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(url, &sink).await;
    app.import_contacts(&admin, "email,name,team\ncy@example.com,Cy,Legal\n")
        .await;
    let cy = contact_id(&app, &admin, "cy@example.com").await;
    let s = app.survey_by_team(&admin, false).await;
    let id = s.0;
    // Any comment opens a case; nobody manages Legal, so the survey's owner gets it.
    let rule = json!({ "rule": { "scores": null, "any_comment": true, "due_hours": 1 }, "alert_recipients": [] });
    assert_eq!(
        put_json(
            &admin,
            &app,
            &format!("/api/v1/surveys/{id}/case-settings"),
            rule
        )
        .await
        .0,
        200
    );
    answer(
        &app,
        &admin,
        &s,
        Some(cy),
        "Legal",
        "en",
        9,
        "Please call me",
    )
    .await;
    let (_, list) = get(&admin, &app, "/api/v1/cases?state=open").await;
    assert_eq!(list["total"], 1, "{list}");
    let case_id = list["cases"][0]["id"].as_i64().unwrap();
    assert_eq!(list["cases"][0]["owner"], "Ada Admin");
    // Due an hour after the answer: make it two hours old.
    let shift = match url.starts_with("postgres") {
        true => "UPDATE cases SET opened_at = opened_at - INTERVAL '2 hours', due_at = due_at - INTERVAL '2 hours' WHERE id = $1 RETURNING id",
        false => "UPDATE cases SET opened_at = datetime(opened_at, '-2 hours'), due_at = datetime(due_at, '-2 hours') WHERE id = $1 RETURNING id",
    };
    let _: Vec<i64> = read_column(url, shift, case_id).await;
    let (_, overdue) = get(&admin, &app, "/api/v1/cases?state=overdue").await;
    assert_eq!(overdue["total"], 1, "{overdue}");
    assert_eq!(overdue["cases"][0]["overdue"], true);
    let dashboard = app
        .get_json(&admin, &format!("/api/v1/surveys/{id}/trends"))
        .await;
    assert_eq!(
        dashboard["cases"]["all"]["overdue"], 1,
        "{}",
        dashboard["cases"]
    );

    // Cy asks for no more email: the reply is refused and nothing is queued.
    let res = admin
        .put(app.url(&format!("/api/v1/contacts/{cy}/suppression")))
        .json(&json!({ "suppressed": "unsubscribed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
    let (status, error) = post_json(
        &admin,
        &app,
        &format!("/api/v1/cases/{case_id}/replies"),
        json!({ "body": "Hello" }),
    )
    .await;
    assert_eq!(status, 409, "{error}");
    let queued: Vec<i64> = read_column(
        url,
        "SELECT id FROM outbox WHERE kind = 'case_reply' AND survey_id = $1",
        id,
    )
    .await;
    assert!(queued.is_empty());
    let (_, detail) = get(&admin, &app, &format!("/api/v1/cases/{case_id}")).await;
    assert_eq!(
        detail["case"]["state"], "open",
        "a refused reply contacts nobody"
    );
}

on_both_databases!(an_anonymous_survey_opens_no_case_whatever_its_answers);
async fn an_anonymous_survey_opens_no_case_whatever_its_answers(url: &str) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(url, &sink).await;
    let s = app.survey_by_team(&admin, true).await;
    let id = s.0;
    // A rule is refused outright: a case is about one person's answer.
    let (status, error) = put_json(
        &admin,
        &app,
        &format!("/api/v1/surveys/{id}/case-settings"),
        detractors(48),
    )
    .await;
    assert_eq!(
        (status, error["field"].clone()),
        (422, json!("case_scores")),
        "{error}"
    );
    // Even a rule set while the survey was identified opens nothing once it is anonymous.
    let (identified, _) = app.survey_by_team(&admin, false).await;
    assert_eq!(
        put_json(
            &admin,
            &app,
            &format!("/api/v1/surveys/{identified}/case-settings"),
            detractors(48)
        )
        .await
        .0,
        200
    );
    let mut definition = app
        .get_json(&admin, &format!("/api/v1/surveys/{identified}/definition"))
        .await;
    definition["anonymous"] = json!(true);
    let res = admin
        .put(app.url(&format!("/api/v1/surveys/{identified}/definition")))
        .json(&definition)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let question = definition["questions"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    for team in ["Sales", "Ops"] {
        answer(
            &app,
            &admin,
            &(identified, question.clone()),
            None,
            team,
            "en",
            0,
            "Awful",
        )
        .await;
        answer(&app, &admin, &s, None, team, "en", 0, "Awful").await;
    }
    let cases: Vec<i64> = read_column(url, "SELECT id FROM cases WHERE survey_id >= $1", 0).await;
    assert!(cases.is_empty(), "no case holds an anonymous answer");
    let (_, list) = get(&admin, &app, "/api/v1/cases?state=all").await;
    assert_eq!(list["total"], 0);
    let (status, _) = get(&admin, &app, &format!("/api/v1/cases?survey={id}")).await;
    assert_eq!(status, 422, "an anonymous survey has no case list");
    let dashboard = app
        .get_json(&admin, &format!("/api/v1/surveys/{id}/trends"))
        .await;
    assert!(dashboard["cases"].is_null(), "{}", dashboard["cases"]);
}
