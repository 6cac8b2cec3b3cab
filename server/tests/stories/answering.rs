//! Answering over HTTP: each validation rule of the answer form and of the JSON API, the
//! versioning of edited surveys, and what an anonymous response keeps.

use crate::harness::{app_with_admin, client, public_slug, spawn_app, sqlite_db, TestApp};
use serde_json::{json, Value};

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.expect("json body")
}

/// A custom survey with one question of each answer type, opened for answers.
async fn mixed_survey(app: &TestApp, admin: &reqwest::Client) -> (i64, String) {
    let created = app.create_survey(admin, "custom").await;
    let id = created["id"].as_i64().unwrap();
    let mut definition = json_of(
        admin
            .get(app.url(&format!("/api/v1/surveys/{id}/definition")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let text = |en: &str, de: &str| json!({ "en": en, "de": de });
    let option = |key: &str, en: &str| json!({ "key": key, "label": text(en, en) });
    definition["questions"] = json!([
        { "key": "channel", "required": true, "text": text("How did you reach us?", "Wie haben Sie uns erreicht?"),
          "kind": { "type": "single_choice", "options": [option("phone", "Phone"), option("mail", "Email")] } },
        { "key": "topics", "required": false, "text": text("What was it about?", "Worum ging es?"),
          "kind": { "type": "multiple_choice", "max_selected": 2,
                    "options": [option("billing", "Billing"), option("delivery", "Delivery"), option("returns", "Returns")] } },
        { "key": "story", "required": false, "text": text("Tell us more", "Erzählen Sie mehr"),
          "kind": { "type": "free_text", "max_chars": 5000 } },
    ]);
    let saved = admin
        .put(app.url(&format!("/api/v1/surveys/{id}/definition")))
        .json(&definition)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    assert_eq!(
        json_of(saved).await,
        json!({ "version": 1, "new_version": false }),
        "no answers yet: the draft changes in place"
    );
    (id, public_slug(&created))
}

#[tokio::test]
async fn every_answer_rule_is_enforced_on_the_form_and_in_the_api() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let (id, slug) = mixed_survey(&app, &admin).await;
    let link = format!("s/{slug}");
    let key = "formkeyformkeyformkey1";

    // The form, as a browser without JavaScript sends it: the error comes back on the
    // page in the respondent's language, with what was typed.
    let page = |step: &str, fields: Vec<(&str, String)>| {
        let mut form = vec![
            ("link".to_owned(), link.clone()),
            ("step".to_owned(), step.to_owned()),
            ("resume_key".to_owned(), key.to_owned()),
            ("lang".to_owned(), "en".to_owned()),
        ];
        form.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
        let from = format!("/{link}?q={step}&r={key}");
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.post_form(&client(), &from, "/rpc/answer", &pairs).await
        }
    };
    for (step, fields, message) in [
        ("0", vec![], "Please answer this question."),
        (
            "0",
            vec![("answer[0]", "fax".to_owned())],
            "Please choose one of the options shown.",
        ),
        (
            "1",
            vec![
                ("answer[0]", "billing".to_owned()),
                ("answer[1]", "delivery".to_owned()),
                ("answer[2]", "returns".to_owned()),
            ],
            "You have chosen more options than allowed.",
        ),
        (
            "2",
            vec![("answer[0]", "x".repeat(5001))],
            "at most 5000 characters",
        ),
    ] {
        let res = page(step, fields).await;
        assert!(res.status().is_redirection());
        let html = app.follow(res).await;
        assert!(html.contains(message), "step {step}: {message}");
    }
    let kept = app
        .follow(
            page(
                "2",
                vec![("answer[0]", format!("Long story{}", "!".repeat(5000)))],
            )
            .await,
        )
        .await;
    assert!(kept.contains("Long story!!!"), "the text typed is kept");

    // Good pages move on and are stored at once, as a partial response.
    let res = page("0", vec![("answer[0]", "mail".to_owned())]).await;
    assert_eq!(
        res.headers()["location"],
        format!("/s/{slug}?q=1&lang=en&r={key}").as_str()
    );
    let res = page(
        "1",
        vec![
            ("answer[0]", "billing".to_owned()),
            ("answer[2]", "returns".to_owned()),
        ],
    )
    .await;
    assert_eq!(
        res.headers()["location"],
        format!("/s/{slug}?q=2&lang=en&r={key}").as_str()
    );
    let report = app.report(&admin, id).await;
    assert_eq!(report["survey"]["response_count"], 1);
    let counts: Vec<(String, u64)> = report["questions"][1]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["n"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("billing".into(), 1),
            ("delivery".into(), 0),
            ("returns".into(), 1)
        ]
    );
    // Coming back to a page shows what was chosen.
    let back = client()
        .get(app.url(&format!("/s/{slug}?q=1&r={key}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        back.contains("value=\"billing\" checked") && back.contains("value=\"returns\" checked")
    );
    assert!(!back.contains("value=\"delivery\" checked"));

    // The same rules in the API, as 422 with the question's field.
    let api = |body: Value| {
        let url = app.url(&format!("/api/v1/answers/{slug}"));
        async move { client().post(url).json(&body).send().await.unwrap() }
    };
    for (body, field) in [
        (
            json!({ "answers": { "topics": ["billing"] } }),
            "answers.channel",
        ),
        (
            json!({ "answers": { "channel": "fax" } }),
            "answers.channel",
        ),
        (
            json!({ "answers": { "channel": ["phone", "mail"] } }),
            "answers.channel",
        ),
        (
            json!({ "answers": { "channel": "phone", "topics": ["billing", "delivery", "returns"] } }),
            "answers.topics",
        ),
        (
            json!({ "answers": { "channel": "phone", "story": "x".repeat(5001) } }),
            "answers.story",
        ),
    ] {
        let res = api(body.clone()).await;
        assert_eq!(res.status(), 422, "{body}");
        let error = json_of(res).await;
        assert_eq!(error["field"], field, "{body}");
        assert!(
            error["error"].as_str().unwrap().len() > 10,
            "{body} explains itself"
        );
    }
    let ok =
        api(json!({ "answers": { "channel": "phone", "topics": ["delivery"], "story": "Fine" } }))
            .await;
    assert_eq!(ok.status(), 201);
}

#[tokio::test]
async fn editing_a_survey_with_answers_makes_a_new_version_and_keeps_the_answers() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let survey = app.create_survey(&admin, "nps").await;
    let id = survey["id"].as_i64().unwrap();
    let slug = public_slug(&survey);
    let answered = client()
        .post(app.url(&format!("/api/v1/answers/{slug}")))
        .json(&json!({ "answers": { "nps": 10 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 201);

    let url = app.url(&format!("/api/v1/surveys/{id}/definition"));
    let mut definition = json_of(admin.get(&url).send().await.unwrap()).await;
    definition["questions"][0]["text"]["en"] = json!("Would you recommend {company} to a friend?");
    let saved = admin.put(&url).json(&definition).send().await.unwrap();
    assert_eq!(
        json_of(saved).await,
        json!({ "version": 2, "new_version": true })
    );

    definition["questions"][0]["kind"] = json!({ "type": "rating", "min": 0, "max": 10 });
    let refused = admin.put(&url).json(&definition).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(json_of(refused).await["field"], "questions[0].kind");

    definition["questions"][0]["kind"] = json!({ "type": "nps" });
    definition["title"]["en"] = json!("");
    let invalid = admin.put(&url).json(&definition).send().await.unwrap();
    assert_eq!(invalid.status(), 422);
    assert_eq!(json_of(invalid).await["field"], "title.en");

    let report = app.report(&admin, id).await;
    assert_eq!(report["survey"]["version"], 2);
    assert_eq!(
        report["questions"][0]["text"], "Would you recommend Resonance to a friend?",
        "the report reads with the organisation's name"
    );
    assert_eq!(
        report["questions"][0]["score"]["result"]["promoters"], 1,
        "answers kept"
    );
}

#[tokio::test]
async fn an_anonymous_response_keeps_no_person_and_no_time_only_the_named_groups() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let survey = app.create_survey(&admin, "pulse").await;
    assert_eq!(survey["anonymous"], true, "pulses are anonymous by default");
    let id = survey["id"].as_i64().unwrap();
    let link = json_of(
        admin
            .post(app.url(&format!("/api/v1/surveys/{id}/links")))
            .json(&json!({ "contact_id": 7, "locale": "de",
                           "attributes": { "team": "Sales", "name": "Grace" } }))
            .send()
            .await
            .unwrap(),
    )
    .await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let token = link.rsplit('/').next().unwrap().to_string();
    assert!(token.len() >= 43, "at least 256 bits, URL-safe");

    let page = client()
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("lang=\"de\""), "the contact's language");
    let answer = |body: Value| {
        let url = app.url(&format!("/api/v1/personal-answers/{token}"));
        async move { client().post(url).json(&body).send().await.unwrap() }
    };
    let all = |n: u8| {
        json!({ "answers": { "workload": n, "recognition": n, "manager_support": n,
                              "growth": n, "belonging": n, "enps": 9 } })
    };
    assert_eq!(answer(all(4)).await.status(), 201);
    let changed = answer(all(2)).await;
    assert_eq!(changed.status(), 200, "one response per personal link");
    assert_eq!(json_of(changed).await["resume_key"], Value::Null);
    let unknown = client()
        .post(app.url("/api/v1/personal-answers/not-a-real-token-at-all"))
        .json(&all(3))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        client()
            .get(app.url("/t/not-a-real-token-at-all"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    type Kept = (Option<i64>, Option<String>, String, Option<i64>);
    let rows: Vec<Kept> =
        sqlx::query_as("SELECT contact_id, submitted_at, groups, send_id FROM responses")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [(None, None, r#"{"team":"Sales"}"#.to_owned(), None)],
        "no contact, no time, no send, only the grouping attribute the survey names"
    );
    // Its counts: everyone's and its team's, never its send's or a pair.
    let segments: Vec<(String,)> =
        sqlx::query_as("SELECT DISTINCT segment FROM answer_buckets ORDER BY segment")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(segments, [("".to_owned(),), ("team=Sales".to_owned(),)]);
    let answered: Vec<(bool,)> = sqlx::query_as("SELECT answered FROM invitations")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        answered,
        [(true,)],
        "the invitation only learns that it was answered"
    );
    // The changed answer replaced the first in the counts: one answer, now a 2.
    let counted: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT score, n FROM answer_buckets WHERE question_key = 'workload' AND segment = '' AND n <> 0",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(counted, [(2, 1)]);
    // One person is fewer than the minimum group: the report says nothing about them,
    // not even that one person answered.
    let report = app.report(&admin, id).await;
    let workload = &report["questions"][0];
    assert_eq!(workload["withheld"], "anonymity");
    assert_eq!(
        (&workload["score"], &workload["answered"]),
        (&Value::Null, &Value::Null)
    );
    let page = app.page(&admin, &format!("/surveys/{id}")).await;
    assert!(page.contains("Hidden to protect anonymity"));
    assert!(!page.contains(r#"data-testid="n""#), "no count on the page");
}

#[tokio::test]
async fn a_response_that_skipped_a_required_question_is_complete_only_once_it_is_answered() {
    let (db, app, admin) = app_with_admin().await;
    let (_, slug) = mixed_survey(&app, &admin).await;
    let key = "skipperskipperskipper1";
    let send = |step: &'static str, answer: &'static str| {
        let app = &app;
        let slug = slug.clone();
        async move {
            let from = format!("/s/{slug}?q={step}&r={key}");
            let form = [
                ("link", format!("s/{slug}")),
                ("step", step.to_owned()),
                ("resume_key", key.to_owned()),
                ("lang", "de".to_owned()),
                ("answer[0]", answer.to_owned()),
            ];
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&client(), &from, "/rpc/answer", &pairs).await
        }
    };
    let completed = || async {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        let rows: Vec<(bool,)> = sqlx::query_as("SELECT completed FROM responses")
            .fetch_all(&pool)
            .await
            .unwrap();
        rows
    };

    // Straight to the last page by its URL: the answer is kept, but the respondent is
    // sent back to the required question, in their language.
    let res = send("2", "Ich habe Seite 1 übersprungen").await;
    let back = format!("/s/{slug}?q=0&lang=de&r={key}&missing=1");
    assert_eq!(res.headers()["location"], back.as_str());
    assert_eq!(completed().await, vec![(false,)]);
    let page = app.page(&client(), &back).await;
    assert!(
        page.contains("Bitte beantworten Sie diese Frage."),
        "{page}"
    );

    // Answered, the first page moves on as usual; the last page then completes it.
    let res = send("0", "phone").await;
    assert_eq!(
        res.headers()["location"],
        format!("/s/{slug}?q=1&lang=de&r={key}").as_str()
    );
    let res = send("2", "Jetzt vollständig").await;
    assert_eq!(
        res.headers()["location"],
        format!("/s/{slug}/thanks?lang=de&r={key}").as_str()
    );
    assert_eq!(completed().await, vec![(true,)]);
}

#[tokio::test]
async fn a_resume_key_with_a_stray_line_break_still_answers_and_moves_on() {
    let (_db, app, admin) = app_with_admin().await;
    let (_, slug) = mixed_survey(&app, &admin).await;
    let key = "linebreaklinebreak1234";
    let form = [
        ("link", format!("s/{slug}")),
        ("step", "0".to_owned()),
        ("resume_key", format!("{key}\r\n")),
        ("lang", "en".to_owned()),
        ("answer[0]", "phone".to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let from = format!("/s/{slug}?q=0&r={key}");
    let res = app.post_form(&client(), &from, "/rpc/answer", &pairs).await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        res.headers()["location"],
        format!("/s/{slug}?q=1&lang=en&r={key}").as_str()
    );
}

#[tokio::test]
async fn a_public_resume_key_of_another_survey_is_refused_with_a_clear_error() {
    let (_db, app, admin) = app_with_admin().await;
    let first = public_slug(&app.create_survey(&admin, "nps").await);
    let second = public_slug(&app.create_survey(&admin, "nps").await);
    let key = "sharedkeysharedkey1234";
    let body = json!({ "answers": { "nps": 9 }, "resume_key": key });
    assert_eq!(
        app.answer_publicly(&first, body.clone()).await.status(),
        201
    );
    let reused = app.answer_publicly(&second, body).await;
    assert_eq!(reused.status(), 409);
    let error: Value = reused.json().await.unwrap();
    assert_eq!(error["field"], "resume_key", "{error}");
    assert!(
        !error.to_string().contains("UNIQUE") && !error.to_string().contains("duplicate"),
        "{error}"
    );
}

/// Posts one page of the mixed survey as a browser without JavaScript does.
async fn answer_page(
    app: &TestApp,
    slug: &str,
    key: &str,
    step: usize,
    answer: &str,
) -> reqwest::Response {
    let form = [
        ("link", format!("s/{slug}")),
        ("step", step.to_string()),
        ("resume_key", key.to_owned()),
        ("lang", "en".to_owned()),
        ("answer[0]", answer.to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let from = format!("/s/{slug}?q={step}&r={key}");
    app.post_form(&client(), &from, "/rpc/answer", &pairs).await
}

on_both_databases!(an_office_behind_one_address_answers_page_after_page_without_being_refused);
async fn an_office_behind_one_address_answers_page_after_page_without_being_refused(url: &str) {
    let app = spawn_app(url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let (id, slug) = mixed_survey(&app, &admin).await;
    // Twenty colleagues, one NAT address, each through all three pages at once.
    for colleague in 0..20 {
        let key = format!("colleaguecolleague{colleague:04}");
        for (step, answer) in [(0, "phone"), (1, "billing"), (2, "All good")] {
            let res = answer_page(&app, &slug, &key, step, answer).await;
            let location = res.headers()["location"].to_str().unwrap().to_owned();
            assert!(
                !location.contains("__err"),
                "colleague {colleague}, page {step}: {location}"
            );
        }
    }
    let report = app.report(&admin, id).await;
    for page in 0..3 {
        assert_eq!(report["questions"][page]["answered"], 20, "page {page}");
    }
}

on_both_databases!(a_burst_of_answers_from_one_address_is_refused_with_retry_after_per_survey);
async fn a_burst_of_answers_from_one_address_is_refused_with_retry_after_per_survey(url: &str) {
    let app = spawn_app(url, &["--answer-burst", "5", "--answer-rate", "0.001"]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let (id, slug) = mixed_survey(&app, &admin).await;
    let other = public_slug(&app.create_survey(&admin, "nps").await);

    // A respondent going page by page uses three of the five.
    let key = "pagebypagepagebypage12";
    for (step, answer) in [(0, "phone"), (1, "billing"), (2, "All good")] {
        let res = answer_page(&app, &slug, key, step, answer).await;
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(!location.contains("__err"), "page {step}: {location}");
    }
    let whole = json!({ "answers": { "channel": "mail" } });
    for _ in 0..2 {
        assert_eq!(
            app.answer_publicly(&slug, whole.clone()).await.status(),
            201
        );
    }

    let refused = app.answer_publicly(&slug, whole.clone()).await;
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!(wait >= 1);
    let error = json_of(refused).await;
    assert_eq!(
        error["error"],
        "Too many answers from your network just now. Please try again in a minute."
    );

    // Personal links of the same survey count against the same address.
    let link = json_of(
        admin
            .post(app.url(&format!("/api/v1/surveys/{id}/links")))
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = link["url"].as_str().unwrap().rsplit('/').next().unwrap();
    let personal = client()
        .post(app.url(&format!("/api/v1/personal-answers/{token}")))
        .json(&whole)
        .send()
        .await
        .unwrap();
    assert_eq!(personal.status(), 429);
    assert!(personal.headers().contains_key("retry-after"));

    // The form shows the same sentence on the page, with JavaScript off.
    let res = answer_page(&app, &slug, "anotherrespondent12345", 0, "phone").await;
    let page = app.follow(res).await;
    assert!(
        page.contains("Too many answers from your network just now."),
        "{page}"
    );

    // Another survey from the same address has a budget of its own.
    let elsewhere = app
        .answer_publicly(&other, json!({ "answers": { "nps": 9 } }))
        .await;
    assert_eq!(elsewhere.status(), 201);
}

/// Behind a trusted load balancer, each client is limited by the address the balancer
/// names, so one client's burst refuses no one else; without trusting it, a header any
/// client can write changes nothing.
#[tokio::test]
async fn answer_limits_count_the_client_a_trusted_proxy_names_and_ignore_the_header_otherwise() {
    let db = sqlite_db();
    for trusted in [true, false] {
        let mut args = vec!["--answer-burst", "2", "--answer-rate", "0.001"];
        if trusted {
            args.extend(["--trusted-proxies", "127.0.0.0/8,::1"]);
        }
        let app = spawn_app(&db.url, &args).await;
        let admin = client();
        if trusted {
            app.set_up_admin(&admin).await;
        } else {
            let res = app
                .post_form(
                    &admin,
                    "/login",
                    "/rpc/login",
                    &[
                        ("email", "ada@example.com"),
                        ("password", "correct horse battery"),
                    ],
                )
                .await;
            assert!(res.status().is_redirection());
        }
        let survey = app.create_survey(&admin, "nps").await;
        let slug = public_slug(&survey);
        let answer = |forwarded: &'static str| {
            let url = app.url(&format!("/api/v1/answers/{slug}"));
            async move {
                client()
                    .post(url)
                    .header("x-forwarded-for", forwarded)
                    .json(&json!({ "answers": { "nps": 9 } }))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        // One client, seen through the balancer, uses its burst of two.
        assert_eq!(answer("198.51.100.1").await, 201);
        assert_eq!(
            answer("6.6.6.6, 198.51.100.1").await,
            201,
            "a forged first hop"
        );
        assert_eq!(answer("198.51.100.1").await, 429);
        // Another client, or the same one claiming to be someone else.
        let other = answer("198.51.100.2").await;
        // IPv6 clients in one /64 are one client.
        let first = answer("2001:db8:1:2::1").await;
        let same_block = answer("2001:db8:1:2:ffff::9").await;
        let third = answer("2001:db8:1:2::77").await;
        if trusted {
            assert_eq!(other, 201, "the balancer's other client is not refused");
            assert_eq!(
                (first, same_block, third),
                (201, 201, 429),
                "one /64, one burst"
            );
        } else {
            assert_eq!(other, 429, "the header is ignored: still the one peer");
            assert_eq!((first, same_block, third), (429, 429, 429));
        }
    }
}
