//! The survey editor over HTTP: its form posts one step at a time, keeps what was typed
//! even when it is invalid, shows each problem beside its field, and saves in place or as
//! a new version.

use crate::harness::{app_with_admin, client, public_slug, TestApp};
use app::domain::editor::SurveyForm;
use app::domain::SurveyDefinition;
use serde_json::json;

async fn definition(app: &TestApp, admin: &reqwest::Client, id: i64) -> SurveyDefinition {
    let res = admin
        .get(app.url(&format!("/api/v1/surveys/{id}/definition")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Posts the editor's form with `fields` and the button `op`, as a browser does.
async fn step(
    app: &TestApp,
    user: &reqwest::Client,
    id: i64,
    fields: &[(String, String)],
    op: &str,
) -> reqwest::Response {
    let mut form = fields.to_vec();
    form.push(("op".into(), op.into()));
    user.post(app.url(&format!("/surveys/{id}/editor")))
        .header("origin", app.base.clone())
        .form(&form)
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), 303, "every step redirects back to the editor");
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn editor_page(app: &TestApp, user: &reqwest::Client, id: i64) -> String {
    app.page(user, &format!("/surveys/{id}/edit")).await
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    let field = fields
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no field {name}"));
    field.1 = value.to_owned();
}

#[tokio::test]
async fn an_invalid_edit_is_kept_with_its_errors_until_it_is_fixed_and_saved() {
    let (_db, app, admin) = app_with_admin().await;
    let created = app.create_survey(&admin, "pulse").await;
    let id = created["id"].as_i64().unwrap();
    let saved = definition(&app, &admin, id).await;
    let page = editor_page(&app, &admin, id).await;
    assert!(page.contains(r#"name="questions[0].text.de""#), "{page}");
    assert!(page.contains(&saved.questions[0].text.de.replace('\'', "&#x27;")));
    assert!(page.contains("Nobody has answered yet: saving changes version 1 in place."));

    // Add a free-text question: the working copy has it, respondents do not yet.
    let form = SurveyForm::from_definition(&saved);
    let mut fields = form.to_fields();
    set(&mut fields, "title.de", "Puls im Dezember");
    let res = step(&app, &admin, id, &fields, "add").await;
    let n = saved.questions.len();
    assert_eq!(location(&res), format!("/surveys/{id}/edit#q{n}"));
    let page = editor_page(&app, &admin, id).await;
    assert!(page.contains("You have unsaved changes"));
    assert!(
        page.contains("Puls im Dezember"),
        "typed text survives a step"
    );
    assert!(page.contains(&format!(r#"name="questions[{n}].text.en""#)));
    assert!(!page.contains("problems to fix"), "no errors before saving");
    assert_eq!(definition(&app, &admin, id).await, saved);

    // Saving the new question without its text: refused, the problem shown at the field.
    let mut form = SurveyForm::from_definition(&saved);
    form.title.de = "Puls im Dezember".into();
    form.apply(&app::domain::editor::EditOp::Add, "free_text");
    form.questions[0].text.en = "Typed but the German is gone".into();
    let mut fields = form.to_fields();
    set(&mut fields, "questions[0].text.de", "");
    set(&mut fields, "brand_color", "teal");
    let res = step(&app, &admin, id, &fields, "save").await;
    assert_eq!(location(&res), format!("/surveys/{id}/edit#problems"));
    let page = editor_page(&app, &admin, id).await;
    // German may stay empty (it falls back to English, the default language).
    assert!(page.contains("2 problems to fix before saving"), "{page}");
    assert!(page.contains(&format!(r#"id="questions[{n}].text.en-error""#)));
    assert!(page.contains(r#"id="brand_color-error""#));
    assert!(page.contains("Use a colour written as #rrggbb"));
    assert!(page.contains(r#"value="teal""#), "the bad value is kept");
    assert!(page.contains("Typed but the German is gone"));
    assert_eq!(definition(&app, &admin, id).await, saved, "nothing saved");

    // Fixed: saved in place (nobody has answered), and the working copy is gone.
    let mut form = form.clone();
    form.questions[n].text = app::domain::LocalizedText::new("Anything else?", "Sonst noch etwas?");
    form.questions[n].required = false;
    let res = step(&app, &admin, id, &form.to_fields(), "save").await;
    assert_eq!(location(&res), format!("/surveys/{id}/edit?saved=1"));
    let now = definition(&app, &admin, id).await;
    assert_eq!(now.questions.len(), n + 1);
    assert_eq!(now.title.de, "Puls im Dezember");
    assert_eq!(now.questions[n].text.de, "Sonst noch etwas?");
    assert!(!now.questions[n].required);
    let page = editor_page(&app, &admin, id).await;
    assert!(!page.contains("You have unsaved changes"));
    assert_eq!(app.report(&admin, id).await["survey"]["version"], 1);
}

#[tokio::test]
async fn steps_move_and_remove_questions_and_discarding_returns_to_the_saved_survey() {
    let (_db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "pulse").await["id"]
        .as_i64()
        .unwrap();
    let saved = definition(&app, &admin, id).await;
    let keys = |def: &SurveyDefinition| {
        def.questions
            .iter()
            .map(|q| q.key.clone())
            .collect::<Vec<_>>()
    };
    let fields = SurveyForm::from_definition(&saved).to_fields();
    assert_eq!(
        location(&step(&app, &admin, id, &fields, "down:0").await),
        format!("/surveys/{id}/edit#q1")
    );
    let page = editor_page(&app, &admin, id).await;
    let first = &saved.questions[0].key;
    let second = &saved.questions[1].key;
    let at = |key: &str| page.find(&format!(r#"value="{key}""#)).unwrap();
    assert!(at(second) < at(first), "the first question moved down");

    // Discarding drops the working copy; the survey is as it was.
    assert_eq!(
        location(&step(&app, &admin, id, &fields, "discard").await),
        format!("/surveys/{id}/edit")
    );
    assert!(!editor_page(&app, &admin, id)
        .await
        .contains("unsaved changes"));

    let res = step(&app, &admin, id, &fields, "remove:1").await;
    assert_eq!(location(&res), format!("/surveys/{id}/edit#q1"));
    let mut form = SurveyForm::from_definition(&saved);
    form.questions.remove(1);
    step(&app, &admin, id, &form.to_fields(), "save").await;
    let mut expected = keys(&saved);
    expected.remove(1);
    assert_eq!(keys(&definition(&app, &admin, id).await), expected);

    // Unknown steps are refused, not guessed.
    let res = step(&app, &admin, id, &fields, "explode").await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn once_answered_a_save_is_a_new_version_and_types_and_anonymity_are_fixed() {
    let (_db, app, admin) = app_with_admin().await;
    let created = app.create_survey(&admin, "enps").await;
    let id = created["id"].as_i64().unwrap();
    let saved = definition(&app, &admin, id).await;
    assert!(saved.anonymous, "eNPS is anonymous by default");
    let slug = public_slug(&created);
    let res = app
        .answer_publicly(
            &slug,
            json!({ "answers": { saved.questions[0].key.clone(): 9 } }),
        )
        .await;
    assert!(res.status().is_success(), "answer: {}", res.status());

    let page = editor_page(&app, &admin, id).await;
    assert!(
        // An anonymous survey's count is not shown below its minimum group.
        page.contains("This survey has answers. Saving makes version 2"),
        "{page}"
    );
    assert!(page.contains("Type (fixed: this question has answers)"));
    assert!(
        !page.contains(r#"<select id="questions[0].kind""#),
        "an answered question's type cannot be picked"
    );

    // A hand-made post cannot withdraw the anonymity promised to those who answered.
    let mut fields = SurveyForm::from_definition(&saved).to_fields();
    fields.retain(|(name, _)| name != "anonymous");
    step(&app, &admin, id, &fields, "save").await;
    let page = editor_page(&app, &admin, id).await;
    assert!(page.contains("so it stays anonymous"), "{page}");
    assert_eq!(definition(&app, &admin, id).await, saved);

    // A new wording is a new version; the answer keeps its own.
    let mut form = SurveyForm::from_definition(&saved);
    form.questions[0].text.en = "Would you recommend working here?".into();
    let res = step(&app, &admin, id, &form.to_fields(), "save").await;
    assert_eq!(location(&res), format!("/surveys/{id}/edit?saved=1"));
    let report = app.report(&admin, id).await;
    assert_eq!(report["survey"]["version"], 2);
    // Withheld (one person is below the minimum group) rather than empty: the answer is
    // still counted, under the new version.
    assert_eq!(report["questions"][0]["withheld"], "anonymity");
    let page = app
        .page(&admin, &format!("/surveys/{id}/edit?saved=1"))
        .await;
    assert!(
        page.contains("Version 2 is what respondents see now"),
        "{page}"
    );
}

#[tokio::test]
async fn a_complete_working_copy_is_what_the_preview_shows_and_respondents_do_not_see_it() {
    let (_db, app, admin) = app_with_admin().await;
    let created = app.create_survey(&admin, "nps").await;
    let id = created["id"].as_i64().unwrap();
    let public = created["public_url"].as_str().unwrap().to_owned();
    let mut form = SurveyForm::from_definition(&definition(&app, &admin, id).await);
    form.title.en = "Working title not yet saved".into();
    step(&app, &admin, id, &form.to_fields(), "update").await;

    let preview = admin
        .get(format!("{public}?lang=en&preview=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(preview.contains("Working title not yet saved"));
    let respondent = client()
        .get(&public)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!respondent.contains("Working title not yet saved"));
    assert!(editor_page(&app, &admin, id)
        .await
        .contains("Previews show your unsaved changes."));
}

#[tokio::test]
async fn only_signed_in_survey_managers_on_our_own_pages_may_edit() {
    let (_db, app, admin) = app_with_admin().await;
    let id = app.create_survey(&admin, "csat").await["id"]
        .as_i64()
        .unwrap();
    let fields = SurveyForm::from_definition(&definition(&app, &admin, id).await).to_fields();

    let stranger = client();
    let res = step(&app, &stranger, id, &fields, "save").await;
    assert_eq!(location(&res), "/login");
    let res = stranger
        .get(app.url(&format!("/surveys/{id}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/login");

    let res = admin
        .post(app.url(&format!("/surveys/{id}/editor")))
        .header("origin", "https://evil.example")
        .form(&[("op", "discard")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "cross-site posts are refused");

    let res = step(&app, &admin, id + 99, &fields, "save").await;
    assert_eq!(res.status(), 404);

    // A viewer reads results but may not edit.
    let res = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({ "email": "vic@example.com", "name": "Vic", "password": "correct horse battery", "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let viewer = client();
    let res = app
        .post_form(
            &viewer,
            "/login",
            "/rpc/login",
            &[
                ("email", "vic@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert!(res.status().is_redirection());
    assert_eq!(res.headers()["location"], "/surveys");
    let res = step(&app, &viewer, id, &fields, "save").await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.text().await.unwrap(), "Your role does not allow this.");
}

#[tokio::test]
async fn the_type_of_an_answered_question_cannot_change_but_a_new_question_can_be_added() {
    let (_db, app, admin) = app_with_admin().await;
    let created = app.create_survey(&admin, "custom").await;
    let id = created["id"].as_i64().unwrap();
    let slug = public_slug(&created);
    let res = app
        .answer_publicly(&slug, json!({ "answers": { "feedback": "Keep it up" } }))
        .await;
    assert!(res.status().is_success(), "answer: {}", res.status());
    let saved = definition(&app, &admin, id).await;

    let mut fields = SurveyForm::from_definition(&saved).to_fields();
    set(&mut fields, "questions[0].kind", "single_choice");
    for (name, value) in [
        ("questions[0].options[0].key", "yes"),
        ("questions[0].options[0].label.en", "Yes"),
        ("questions[0].options[1].key", "no"),
        ("questions[0].options[1].label.en", "No"),
    ] {
        fields.push((name.to_owned(), value.to_owned()));
    }
    step(&app, &admin, id, &fields, "save").await;
    let page = editor_page(&app, &admin, id).await;
    assert!(page.contains(r#"id="questions[0].kind-error""#), "{page}");
    assert!(page.contains("its type cannot change"));
    assert_eq!(definition(&app, &admin, id).await, saved);

    let mut form = SurveyForm::from_definition(&saved);
    form.apply(&app::domain::editor::EditOp::Add, "csat");
    let res = step(&app, &admin, id, &form.to_fields(), "save").await;
    assert_eq!(location(&res), format!("/surveys/{id}/edit?saved=1"));
    let now = definition(&app, &admin, id).await;
    assert_eq!(now.questions.len(), 2);
    assert_eq!(app.report(&admin, id).await["survey"]["version"], 2);
}
