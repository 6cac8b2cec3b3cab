//! Who may do what, walked cell by cell: every operation of the API document, every page
//! of the route table, every server function and every form route, for an admin, HR, a
//! manager of Sales, a manager of Ops (another team) and a viewer, on an employee survey
//! and a customer survey, each answered by a person of Sales. Each cell is checked
//! against the role table in the README, read from the README itself.

use crate::harness::{app_with_admin, client, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// What a refused page says; a refused call answers 403.
const REFUSED: &str = "Your role does not allow this.";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Viewer,
    Ops,
    Sales,
    Hr,
    Admin,
}

/// Fewest rights first: a refused call must change nothing that a later cell reads.
const EVERYONE: [Who; 5] = [Who::Viewer, Who::Ops, Who::Sales, Who::Hr, Who::Admin];

impl Who {
    fn column(self) -> &'static str {
        match self {
            Who::Admin => "admin",
            Who::Hr => "hr",
            Who::Sales | Who::Ops => "manager",
            Who::Viewer => "viewer",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Employees,
    Customers,
}

/// What a route needs: a row of the README's table (by how its first cell starts), any
/// signed-in user, or nobody (answer links, sign-in).
#[derive(Clone, Copy, Debug)]
enum Needs {
    Row(&'static str),
    SignedIn,
    Public,
}
use Needs::*;

const RESULTS: Needs = Row("results");
const RESPONSE: Needs = Row("one response");
const ANSWERS: Needs = Row("answers files");
const CASE: Needs = Row("a case:");
const CASE_LIST: Needs = Row("the cases list");
const INBOX: Needs = Row("the responses inbox");
const DIGESTS: Needs = Row("their own digests");
const SEND_COUNTS: Needs = Row("send counts");
const MANAGE: Needs = Row("create, edit and send");
const CONTACTS: Needs = Row("contacts, imports");
const USERS: Needs = Row("users, their roles");
const WEBHOOKS: Needs = Row("webhook endpoints");
const TOKENS: Needs = Row("their own API tokens");
const ACCOUNT: Needs = Row("their own password and sessions");

/// One call. Placeholders: `{S}` the survey, `{KIND}` a kind of its audience, `{R}` its
/// response from Sales, `{K}` the case that response opened, `{N}` its send, `{Q}` its question, `{DEF}` its definition; `{I}`
/// an import, `{C}` a contact, `{U}` a spare user, `{X}` an id nothing has, `{n}` a
/// number of its own, `{AT}` tomorrow. `sales`: the call asks for Sales's figures.
struct Call {
    method: &'static str,
    path: &'static str,
    body: &'static str,
    needs: Needs,
    sales: bool,
}

const fn call(method: &'static str, path: &'static str, body: &'static str, needs: Needs) -> Call {
    Call {
        method,
        path,
        body,
        needs,
        sales: false,
    }
}

const fn sales(method: &'static str, path: &'static str, body: &'static str, needs: Needs) -> Call {
    Call {
        method,
        path,
        body,
        needs,
        sales: true,
    }
}

/// Every operation of the API document.
const API: &[Call] = &[
    call("GET", "/api/v1/me", "", SignedIn),
    call("GET", "/api/v1/users", "", USERS),
    call(
        "POST",
        "/api/v1/users",
        r#"{"name":"New","email":"new{n}@example.com","password":"correct horse battery","role":"viewer"}"#,
        USERS,
    ),
    call(
        "PUT",
        "/api/v1/users/{U}/access",
        r#"{"role":"viewer"}"#,
        USERS,
    ),
    call(
        "PUT",
        "/api/v1/users/{U}/disabled",
        r#"{"disabled":false}"#,
        USERS,
    ),
    call("POST", "/api/v1/users/{U}/invitation", "", USERS),
    call("GET", "/api/v1/me/sessions", "", ACCOUNT),
    call("DELETE", "/api/v1/me/sessions/{X}", "", ACCOUNT),
    call(
        "PUT",
        "/api/v1/me/password",
        r#"{"current":"not my password","new":"a new password"}"#,
        ACCOUNT,
    ),
    call("GET", "/api/v1/surveys", "", SignedIn),
    call("POST", "/api/v1/surveys", r#"{"kind":"{KIND}"}"#, MANAGE),
    call("GET", "/api/v1/overview", "", SignedIn),
    call("GET", "/api/v1/surveys/{S}", "", RESULTS),
    call("GET", "/api/v1/surveys/{S}/definition", "", RESULTS),
    call("PUT", "/api/v1/surveys/{S}/definition", "{DEF}", MANAGE),
    call(
        "PUT",
        "/api/v1/surveys/{S}/settings",
        r#"{"status":"active","closes_at":null,"response_cap":null}"#,
        MANAGE,
    ),
    call(
        "PUT",
        "/api/v1/surveys/{S}/weighting",
        r#"{"attribute":null}"#,
        MANAGE,
    ),
    call(
        "POST",
        "/api/v1/surveys/{S}/links",
        r#"{"attributes":{"team":"Ops"}}"#,
        MANAGE,
    ),
    sales(
        "GET",
        "/api/v1/surveys/{S}/trends?filter=team:Sales",
        "",
        RESULTS,
    ),
    sales(
        "GET",
        "/api/v1/surveys/{S}/results.csv?filter=team:Sales",
        "",
        RESULTS,
    ),
    sales(
        "GET",
        "/api/v1/surveys/{S}/answers.csv?filter=team:Sales",
        "",
        ANSWERS,
    ),
    sales(
        "GET",
        "/api/v1/surveys/{S}/answers.json?filter=team:Sales",
        "",
        ANSWERS,
    ),
    sales(
        "GET",
        "/api/v1/surveys/{S}/trends/{Q}/chart.svg?filter=team:Sales",
        "",
        RESULTS,
    ),
    sales(
        "GET",
        "/api/v1/surveys/{S}/trends/{Q}/distribution.svg?filter=team:Sales",
        "",
        RESULTS,
    ),
    sales(
        "GET",
        "/api/v1/surveys/{S}/trends/{Q}/shares.svg?filter=team:Sales",
        "",
        RESULTS,
    ),
    call("GET", "/api/v1/surveys/{S}/funnel.svg", "", SEND_COUNTS),
    sales("GET", "/api/v1/surveys/{S}/responses/{R}", "", RESPONSE),
    call("GET", "/api/v1/surveys/{S}/sends", "", MANAGE),
    call(
        "POST",
        "/api/v1/surveys/{S}/sends",
        r#"{"at":"{AT}"}"#,
        MANAGE,
    ),
    call("GET", "/api/v1/sends/{N}", "", MANAGE),
    call("POST", "/api/v1/sends/{N}/pause", "", MANAGE),
    call("POST", "/api/v1/sends/{N}/resume", "", MANAGE),
    call("POST", "/api/v1/sends/{N}/cancel", "", MANAGE),
    call("GET", "/api/v1/frequency-rules", "", CONTACTS),
    call(
        "PUT",
        "/api/v1/frequency-rules",
        r#"{"kind":"nps","min_days":30}"#,
        CONTACTS,
    ),
    call("GET", "/api/v1/contacts", "", CONTACTS),
    call("GET", "/api/v1/contacts/export", "", CONTACTS),
    call(
        "POST",
        "/api/v1/contacts/import",
        "email,team\ncy{n}@example.com,Ops\n",
        CONTACTS,
    ),
    call(
        "POST",
        "/api/v1/contacts/imports",
        "email\ndee{n}@example.com\n",
        CONTACTS,
    ),
    call("GET", "/api/v1/contacts/imports/{I}", "", CONTACTS),
    call(
        "POST",
        "/api/v1/contacts/imports/{I}/start",
        r#"{"columns":["email"]}"#,
        CONTACTS,
    ),
    call("DELETE", "/api/v1/contacts/imports/{I}", "", CONTACTS),
    call(
        "PUT",
        "/api/v1/contacts/{C}/suppression",
        r#"{"suppressed":null}"#,
        CONTACTS,
    ),
    call("GET", "/api/v1/privacy/{EMAIL}", "", CONTACTS),
    call("DELETE", "/api/v1/privacy/nobody@example.com", "", CONTACTS),
    call("GET", "/api/v1/segments", "", CONTACTS),
    call(
        "POST",
        "/api/v1/segments",
        r#"{"name":"Segment {n}","conditions":[{"attribute":"team","value":"Sales"}]}"#,
        CONTACTS,
    ),
    call(
        "POST",
        "/api/v1/segments/count",
        r#"{"conditions":[{"attribute":"team","value":"Sales"}]}"#,
        CONTACTS,
    ),
    call("DELETE", "/api/v1/segments/{X}", "", CONTACTS),
    call("GET", "/api/v1/responses", "", INBOX),
    call("GET", "/api/v1/me/digests", "", DIGESTS),
    call(
        "POST",
        "/api/v1/me/digests",
        r#"{"survey_id":{S},"frequency":"weekly"}"#,
        RESULTS,
    ),
    call("DELETE", "/api/v1/me/digests/{X}", "", DIGESTS),
    call("POST", "/api/v1/me/digests/{X}/send", "", DIGESTS),
    call("PUT", "/api/v1/me/language", r#"{"locale":"en"}"#, DIGESTS),
    call("GET", "/api/v1/webhooks", "", WEBHOOKS),
    call(
        "POST",
        "/api/v1/webhooks",
        r#"{"url":"https://hooks.example.com/{n}","events":["case.opened"]}"#,
        WEBHOOKS,
    ),
    call("GET", "/api/v1/webhooks/{X}", "", WEBHOOKS),
    call(
        "PUT",
        "/api/v1/webhooks/{X}",
        r#"{"url":"https://hooks.example.com/{n}","events":["case.opened"]}"#,
        WEBHOOKS,
    ),
    call("DELETE", "/api/v1/webhooks/{X}", "", WEBHOOKS),
    call(
        "PUT",
        "/api/v1/webhooks/{X}/enabled",
        r#"{"enabled":false}"#,
        WEBHOOKS,
    ),
    call("POST", "/api/v1/webhooks/{X}/rotate", "", WEBHOOKS),
    call("POST", "/api/v1/webhooks/{X}/test", "", WEBHOOKS),
    call(
        "POST",
        "/api/v1/webhooks/{X}/deliveries/{MSG}/replay",
        "",
        WEBHOOKS,
    ),
    call("GET", "/api/v1/cases", "", CASE_LIST),
    sales("GET", "/api/v1/cases/{K}", "", CASE),
    sales(
        "POST",
        "/api/v1/cases/{K}/notes",
        r#"{"text":"note {n}"}"#,
        CASE,
    ),
    sales(
        "POST",
        "/api/v1/cases/{K}/state",
        r#"{"state":"contacted"}"#,
        CASE,
    ),
    sales(
        "POST",
        "/api/v1/cases/{K}/replies",
        r#"{"body":"Hello {n}"}"#,
        CASE,
    ),
    sales(
        "PUT",
        "/api/v1/cases/{K}/owner",
        r#"{"owner_id":{U}}"#,
        CASE,
    ),
    call("GET", "/api/v1/surveys/{S}/case-settings", "", MANAGE),
    call(
        "PUT",
        "/api/v1/surveys/{S}/case-settings",
        r#"{"rule":{"scores":{"from":0,"to":6},"any_comment":false,"due_hours":48},"alert_recipients":[]}"#,
        MANAGE,
    ),
    call("GET", "/api/v1/tokens", "", TOKENS),
    call("POST", "/api/v1/tokens", r#"{"name":"token {n}"}"#, TOKENS),
    call("DELETE", "/api/v1/tokens/{X}", "", TOKENS),
    call(
        "POST",
        "/api/v1/answers/{SLUG}",
        r#"{"answers":{}}"#,
        Public,
    ),
    call(
        "POST",
        "/api/v1/personal-answers/{TOKEN}",
        r#"{"answers":{}}"#,
        Public,
    ),
];

/// Every page of the route table.
const PAGES: &[Call] = &[
    call("GET", "/", "", Public),
    call("GET", "/setup", "", Public),
    call("GET", "/login", "", Public),
    call("GET", "/forgot", "", Public),
    call("GET", "/password/{TOKEN}", "", Public),
    call("GET", "/surveys", "", SignedIn),
    sales("GET", "/surveys/{S}?filter=team:Sales", "", RESULTS),
    call("GET", "/surveys/{S}/edit", "", MANAGE),
    call("GET", "/surveys/{S}/sends", "", MANAGE),
    call("GET", "/surveys/{S}/sends/{N}", "", MANAGE),
    sales("GET", "/surveys/{S}/responses/{R}", "", RESPONSE),
    call("GET", "/responses", "", INBOX),
    call("GET", "/cases", "", CASE_LIST),
    sales("GET", "/cases/{K}", "", CASE),
    call("GET", "/contacts", "", CONTACTS),
    call("GET", "/contacts/imports/{I}", "", CONTACTS),
    call("GET", "/settings/tokens", "", TOKENS),
    call("GET", "/settings/users", "", USERS),
    call("GET", "/settings/webhooks", "", WEBHOOKS),
    call("GET", "/settings/webhooks/{X}", "", WEBHOOKS),
    call("GET", "/settings/account", "", ACCOUNT),
    call("GET", "/s/{SLUG}", "", Public),
    call("GET", "/s/{SLUG}/thanks", "", Public),
    call("GET", "/t/{TOKEN}", "", Public),
    call("GET", "/t/{TOKEN}/thanks", "", Public),
    call("GET", "/u/{TOKEN}", "", Public),
    call("GET", "/d/{TOKEN}", "", Public),
];

/// Every server function (form-encoded, as a script posts them: errors keep their status).
const RPC: &[Call] = &[
    call("POST", "/rpc/respondent_page", "link=s/{SLUG}", Public),
    call(
        "POST",
        "/rpc/answer",
        "link=s/{SLUG}&step=0&resume_key=",
        Public,
    ),
    call("POST", "/rpc/thank_you", "link=s/{SLUG}", Public),
    call("POST", "/rpc/unsubscribe_page", "token={TOKEN}", Public),
    call("POST", "/rpc/needs_setup", "", Public),
    call("POST", "/rpc/me", "", Public),
    call("POST", "/rpc/setup_code", "", Public),
    call(
        "POST",
        "/rpc/setup",
        "name=M&email=m%40example.com&password=correct+horse+battery",
        Public,
    ),
    call(
        "POST",
        "/rpc/login",
        "email=nobody%40example.com&password=wrong+password",
        Public,
    ),
    call("POST", "/rpc/logout", "", Public),
    call(
        "POST",
        "/rpc/forgot_password",
        "email=nobody%40example.com",
        Public,
    ),
    call("POST", "/rpc/account_link", "token={TOKEN}", Public),
    call(
        "POST",
        "/rpc/set_password",
        "token={TOKEN}&password=correct+horse+battery&repeated=correct+horse+battery",
        Public,
    ),
    call("POST", "/rpc/users", "", USERS),
    call(
        "POST",
        "/rpc/create_user",
        "name=New&email=rpc{n}%40example.com&password=correct+horse+battery&role=viewer",
        USERS,
    ),
    call("POST", "/rpc/change_user", "id={U}&role=viewer", USERS),
    call("POST", "/rpc/disable_user", "id={U}&disabled=false", USERS),
    call("POST", "/rpc/invite_again", "id={U}", USERS),
    call("POST", "/rpc/account_sessions", "", ACCOUNT),
    call("POST", "/rpc/end_session", "id={X}", ACCOUNT),
    call(
        "POST",
        "/rpc/change_password",
        "current=not+mine&new=a+new+password",
        ACCOUNT,
    ),
    call("POST", "/rpc/inbox", "query[range]=all", INBOX),
    call("POST", "/rpc/digests", "", DIGESTS),
    call(
        "POST",
        "/rpc/subscribe_digest",
        "survey={S}&frequency=monthly",
        RESULTS,
    ),
    call("POST", "/rpc/stop_digest", "id={X}", DIGESTS),
    call("POST", "/rpc/send_digest_now", "id={X}", DIGESTS),
    call("POST", "/rpc/set_language", "locale=en", DIGESTS),
    call("POST", "/rpc/digest_stop_page", "token={TOKEN}", Public),
    call("POST", "/rpc/webhooks", "", WEBHOOKS),
    call("POST", "/rpc/webhook", "id={X}", WEBHOOKS),
    call(
        "POST",
        "/rpc/add_webhook",
        "url=https%3A%2F%2Fhooks.example.com%2F{n}&events[0]=case.opened",
        WEBHOOKS,
    ),
    call(
        "POST",
        "/rpc/change_webhook",
        "id={X}&url=https%3A%2F%2Fhooks.example.com%2F{n}&events[0]=case.opened",
        WEBHOOKS,
    ),
    call(
        "POST",
        "/rpc/webhook_action",
        "id={X}&action=disable",
        WEBHOOKS,
    ),
    call(
        "POST",
        "/rpc/replay_webhook",
        "id={X}&message=msg_none",
        WEBHOOKS,
    ),
    call("POST", "/rpc/cases", "", CASE_LIST),
    sales("POST", "/rpc/case", "id={K}", CASE),
    sales("POST", "/rpc/move_case", "id={K}&state=contacted", CASE),
    sales("POST", "/rpc/note_case", "id={K}&text=note+{n}", CASE),
    sales(
        "POST",
        "/rpc/reply_case",
        "id={K}&subject=&body=Hello+{n}",
        CASE,
    ),
    sales("POST", "/rpc/assign_case", "id={K}&owner={U}", CASE),
    call(
        "POST",
        "/rpc/case_settings",
        "id={S}&cases_on=on&case_scores=0-6&case_due_hours=48",
        MANAGE,
    ),
    call("POST", "/rpc/contacts", "", CONTACTS),
    call("POST", "/rpc/contact_import", "id={I}", CONTACTS),
    call("POST", "/rpc/segments", "", CONTACTS),
    call(
        "POST",
        "/rpc/create_segment",
        "name=Rpc+{n}&conditions=team%3DSales",
        CONTACTS,
    ),
    call("POST", "/rpc/frequency_rules", "", CONTACTS),
    call(
        "POST",
        "/rpc/set_frequency_rule",
        "kind=nps&min_days=30",
        CONTACTS,
    ),
    call("POST", "/rpc/survey_overview", "", SignedIn),
    call("POST", "/rpc/survey_report", "id={S}", RESULTS),
    sales(
        "POST",
        "/rpc/survey_dashboard",
        "id={S}&query[filter][0]=team%3ASales",
        RESULTS,
    ),
    sales("POST", "/rpc/response", "survey_id={S}&id={R}", RESPONSE),
    call(
        "POST",
        "/rpc/create_survey",
        "kind={KIND}&title=&subject=",
        MANAGE,
    ),
    call("POST", "/rpc/editor", "id={S}", MANAGE),
    call(
        "POST",
        "/rpc/survey_settings",
        "id={S}&status=active&closes_at=&response_cap=",
        MANAGE,
    ),
    call("POST", "/rpc/survey_sends", "survey_id={S}", MANAGE),
    call("POST", "/rpc/send", "id={N}", MANAGE),
    call(
        "POST",
        "/rpc/create_send",
        "survey_id={S}&segment=&at={AT}&repeat=none&reminders=&per_minute=",
        MANAGE,
    ),
    call("POST", "/rpc/change_send", "id={N}&action=pause", MANAGE),
    call("POST", "/rpc/tokens", "", TOKENS),
    call("POST", "/rpc/create_token", "name=rpc+{n}", TOKENS),
    call("POST", "/rpc/revoke_token", "id={X}", TOKENS),
];

/// The plain form routes (`server/src/http/forms.rs`).
const FORMS: &[Call] = &[
    call("POST", "/surveys/{S}/editor", "op=discard", MANAGE),
    call("POST", "/contacts/upload", "", CONTACTS),
    call("POST", "/contacts/imports/{I}", "action=cancel", CONTACTS),
    call("POST", "/contacts/{C}/suppression", "suppressed=", CONTACTS),
    call("POST", "/u/{TOKEN}", "", Public),
    call("POST", "/d/{TOKEN}", "", Public),
];

/// The README's role table: each row's first cell, and its cells by role.
fn role_table() -> Vec<(String, Vec<(String, String)>)> {
    let readme = include_str!("../../../README.md");
    let mut lines = readme
        .lines()
        .skip_while(|l| !l.starts_with("| What | admin |"));
    let header: Vec<String> = cells(lines.next().expect("the README has the role table"));
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let row = cells(l);
            let by_role = header[1..]
                .iter()
                .cloned()
                .zip(row[1..].iter().cloned())
                .collect();
            (row[0].clone(), by_role)
        })
        .collect()
}

fn cells(line: &str) -> Vec<String> {
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect()
}

/// Whether the table lets `who` make a call needing `needs` on a survey of `kind`.
fn allowed(
    table: &[(String, Vec<(String, String)>)],
    needs: Needs,
    who: Who,
    kind: Option<Kind>,
    asks_for_sales: bool,
) -> bool {
    let row = match needs {
        Public | SignedIn => return true,
        Row(row) => row,
    };
    let (_, by_role) = table
        .iter()
        .find(|(what, _)| what.starts_with(row))
        .unwrap_or_else(|| panic!("the README's table has no row \"{row}…\""));
    let cell = &by_role
        .iter()
        .find(|(role, _)| role == who.column())
        .expect("a column per role")
        .1;
    let their_teams =
        matches!(who, Who::Sales | Who::Ops) && (!asks_for_sales || who == Who::Sales);
    match cell.as_str() {
        "yes" | "all surveys" => true,
        "none" => false,
        "employee surveys" => kind == Some(Kind::Employees),
        "their teams" => their_teams,
        "customer surveys, their teams" => kind == Some(Kind::Customers) && their_teams,
        other => panic!("the README's table says \"{other}\", which this test cannot read"),
    }
}

/// The values the placeholders stand for.
struct World {
    surveys: Vec<(Kind, Survey)>,
    import: i64,
    contact: i64,
    spare_user: i64,
    tomorrow: String,
}

struct Survey {
    id: i64,
    slug: String,
    token: String,
    response: i64,
    case: i64,
    send: i64,
    question: String,
    definition: Value,
}

fn fill(text: &str, world: &World, survey: Option<&(Kind, Survey)>, n: usize) -> String {
    let mut text = text
        .replace("{I}", &world.import.to_string())
        .replace("{C}", &world.contact.to_string())
        .replace("{U}", &world.spare_user.to_string())
        .replace("{X}", "999999")
        .replace("{EMAIL}", "ana@example.com")
        .replace("{AT}", &world.tomorrow)
        .replace("{n}", &n.to_string());
    // Calls of no survey in particular still need an answer link: the first survey's.
    let (kind, s) = survey.unwrap_or(&world.surveys[0]);
    text = text
        .replace("{S}", &s.id.to_string())
        .replace("{R}", &s.response.to_string())
        .replace("{K}", &s.case.to_string())
        .replace("{N}", &s.send.to_string())
        .replace("{Q}", &s.question)
        .replace("{SLUG}", &s.slug)
        .replace("{TOKEN}", &s.token)
        .replace("{DEF}", &s.definition.to_string())
        .replace(
            "{KIND}",
            match kind {
                Kind::Employees => "enps",
                Kind::Customers => "nps",
            },
        );
    text
}

fn per_survey(call: &Call) -> bool {
    ["{S}", "{R}", "{K}", "{N}", "{KIND}", "{Q}"]
        .iter()
        .any(|p| call.path.contains(p) || call.body.contains(p))
}

async fn sign_in(app: &TestApp, email: &str) -> reqwest::Client {
    let c = client();
    let res = app
        .post_form(
            &c,
            "/login",
            "/rpc/login",
            &[("email", email), ("password", "correct horse battery")],
        )
        .await;
    assert!(
        res.headers().get("set-cookie").is_some(),
        "{email} signs in"
    );
    c
}

async fn add_user(
    admin: &reqwest::Client,
    app: &TestApp,
    email: &str,
    role: &str,
    scope: &[&str],
) -> i64 {
    let res = admin
        .post(app.url("/api/v1/users"))
        .json(
            &json!({ "name": email, "email": email, "password": "correct horse battery",
                       "role": role, "scope": scope }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{email}");
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// A survey of `kind` grouped by team, answered through a personal link by Ana of Sales
/// with a comment, and a send scheduled for tomorrow.
async fn survey(
    app: &TestApp,
    admin: &reqwest::Client,
    kind: Kind,
    ana: i64,
    tomorrow: &str,
) -> Survey {
    let summary = app.create_survey(admin, "nps").await;
    let id = summary["id"].as_i64().unwrap();
    let definition = group_by_team(app, admin, id, kind == Kind::Employees).await;
    let question = definition["questions"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    // Ana's answer opens a case.
    let rule = json!({ "rule": { "scores": { "from": 0, "to": 6 }, "any_comment": false, "due_hours": 48 } });
    let res = admin
        .put(app.url(&format!("/api/v1/surveys/{id}/case-settings")))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let link = json!({ "contact_id": ana, "attributes": { "team": "Sales" } });
    let token = answer_as(app, admin, id, link, 3, "Too slow").await;
    let cases = app
        .get_json(admin, &format!("/api/v1/cases?survey={id}"))
        .await;
    let case = cases["cases"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("Ana's answer opened a case: {cases}"));
    let dashboard = app
        .get_json(
            admin,
            &format!("/api/v1/surveys/{id}/trends?filter=team:Sales"),
        )
        .await;
    let url = dashboard["comments"]["items"][0]["response_url"]
        .as_str()
        .unwrap_or_else(|| panic!("the admin sees the comment with its response: {dashboard}"));
    let response = url.rsplit('/').next().unwrap().parse().unwrap();
    let send: Value = admin
        .post(app.url(&format!("/api/v1/surveys/{id}/sends")))
        .json(&json!({ "at": tomorrow }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Survey {
        id,
        slug: crate::harness::public_slug(&summary),
        token,
        response,
        case,
        send: send["send"]["id"].as_i64().unwrap(),
        question,
        definition,
    }
}

/// The part of a call's path an operation or a route is named by.
fn route_of(path: &str, names: &[(&str, &str)]) -> String {
    let mut path = path.split('?').next().unwrap().to_owned();
    for (from, to) in names {
        path = path.replace(from, to);
    }
    path
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_readmes_table_says() {
    let (_db, app, admin) = app_with_admin().await;
    let table = role_table();
    let imported = app
        .import_contacts(
            &admin,
            "email,name,team\nana@example.com,Ana,Sales\nbo@example.com,Bo,Ops\n",
        )
        .await;
    assert!(imported.status().is_success());
    let contacts = app.get_json(&admin, "/api/v1/contacts").await;
    let ana = contacts["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["email"] == "ana@example.com")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    add_user(&admin, &app, "hr@example.com", "hr", &[]).await;
    add_user(
        &admin,
        &app,
        "sales@example.com",
        "manager",
        &["team=Sales"],
    )
    .await;
    add_user(&admin, &app, "ops@example.com", "manager", &["team=Ops"]).await;
    add_user(&admin, &app, "viewer@example.com", "viewer", &[]).await;
    let spare_user = add_user(&admin, &app, "spare@example.com", "viewer", &[]).await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let employees = survey(&app, &admin, Kind::Employees, ana, &tomorrow).await;
    let customers = survey(&app, &admin, Kind::Customers, ana, &tomorrow).await;
    let import: Value = admin
        .post(app.url("/api/v1/contacts/imports"))
        .body("email\neve@example.com\n")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let world = World {
        surveys: vec![(Kind::Employees, employees), (Kind::Customers, customers)],
        import: import["id"].as_i64().unwrap(),
        contact: ana,
        spare_user,
        tomorrow,
    };
    let mut people = Vec::new();
    for who in EVERYONE {
        let c = match who {
            Who::Admin => admin.clone(),
            Who::Hr => sign_in(&app, "hr@example.com").await,
            Who::Sales => sign_in(&app, "sales@example.com").await,
            Who::Ops => sign_in(&app, "ops@example.com").await,
            Who::Viewer => sign_in(&app, "viewer@example.com").await,
        };
        people.push((who, c));
    }

    // Nothing routed goes unchecked: the API document, the page routes and the server
    // functions are each exactly what the lists above hold.
    let doc = app.get_json(&client(), "/api/v1/openapi.json").await;
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    let api_names = [
        ("/users/{U}", "/users/{id}"),
        ("{S}/responses/{R}", "{id}/responses/{response_id}"),
        ("{S}", "{id}"),
        ("{K}", "{id}"),
        ("{N}", "{id}"),
        ("{I}", "{id}"),
        ("{C}", "{id}"),
        ("{X}", "{id}"),
        ("{MSG}", "{message}"),
        ("{Q}", "{question}"),
        ("{EMAIL}", "{email}"),
        ("nobody@example.com", "{email}"),
        ("{SLUG}", "{slug}"),
        ("{TOKEN}", "{token}"),
    ];
    let listed: BTreeSet<String> = API
        .iter()
        .map(|c| format!("{} {}", c.method, route_of(c.path, &api_names)))
        .collect();
    assert_eq!(
        listed, documented,
        "every documented operation has its cells"
    );
    let pages: BTreeSet<String> = server::http::page_routes()
        .iter()
        .map(|r| r.path().to_owned())
        .collect();
    let page_names = [
        ("/surveys/{S}/sends/{N}", "/surveys/{id}/sends/{send}"),
        (
            "/surveys/{S}/responses/{R}",
            "/surveys/{id}/responses/{response}",
        ),
        ("{S}", "{id}"),
        ("{K}", "{id}"),
        ("{I}", "{id}"),
        ("{X}", "{id}"),
        ("/u/{TOKEN}", "/u/{token}"),
        ("/d/{TOKEN}", "/d/{token}"),
        ("/password/{TOKEN}", "/password/{token}"),
        ("{SLUG}", "{id}"),
        ("{TOKEN}", "{id}"),
    ];
    let listed: BTreeSet<String> = PAGES
        .iter()
        .map(|c| route_of(c.path, &page_names))
        .collect();
    assert_eq!(listed, pages, "every page has its cells");
    let functions: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let listed: BTreeSet<String> = RPC.iter().map(|c| c.path.to_owned()).collect();
    assert_eq!(listed, functions, "every server function has its cells");

    let mut n = 0;
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (calls, page) in [(API, false), (PAGES, true), (RPC, false), (FORMS, false)] {
        for call in calls {
            let surveys: Vec<Option<&(Kind, Survey)>> = match per_survey(call) {
                true => world.surveys.iter().map(Some).collect(),
                false => vec![None],
            };
            for survey in surveys {
                let kind = survey.map(|(k, _)| *k);
                let callers: Vec<(Option<Who>, reqwest::Client)> = match call.needs {
                    // Answer links and sign-in take no account (a sign-out would end one).
                    Public => vec![(None, client())],
                    _ => people.iter().map(|(w, c)| (Some(*w), c.clone())).collect(),
                };
                for (who, c) in callers {
                    n += 1;
                    let path = fill(call.path, &world, survey, n);
                    let body = fill(call.body, &world, survey, n);
                    let (status, text) = send(&app, &c, call, &path, body).await;
                    let refused = match page {
                        true => text.contains(REFUSED),
                        false => status == 403,
                    };
                    let expected =
                        who.is_none_or(|who| allowed(&table, call.needs, who, kind, call.sales));
                    checked += 1;
                    // A refused page answers 403 too, unless only its dashboard was.
                    let page_status = page
                        && refused
                        && status != 403
                        && !text.contains("data-testid=\"dashboard-error\"");
                    if refused == expected
                        || page_status
                        || status >= 500
                        || (who.is_some() && status == 401)
                    {
                        wrong.push(format!(
                            "{who:?} {} {path} on {kind:?}: {status}, expected {}",
                            call.method,
                            if expected { "allowed" } else { "refused" }
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {checked} cells differ from the README:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        checked > 400,
        "the whole matrix was walked: {checked} cells"
    );
    println!("{checked} cells, all as the README's table says");
}

async fn send(
    app: &TestApp,
    c: &reqwest::Client,
    call: &Call,
    path: &str,
    body: String,
) -> (u16, String) {
    let url = app.url(path);
    let req = match call.method {
        "GET" => c.get(url),
        "PUT" => c.put(url),
        "DELETE" => c.delete(url),
        _ => c.post(url),
    };
    let req = if path.starts_with("/rpc/") || (!path.starts_with("/api/") && call.method == "POST")
    {
        if path == "/contacts/upload" {
            // A form without its file.
            req.header("content-type", "multipart/form-data; boundary=x")
                .body("--x--\r\n")
        } else {
            req.header("content-type", "application/x-www-form-urlencoded")
                .body(body)
        }
    } else if body.is_empty() {
        req
    } else if body.starts_with('{') {
        req.header("content-type", "application/json").body(body)
    } else {
        req.header("content-type", "text/csv").body(body)
    };
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// Makes survey `id` group its results by team (and say whether employees answer it);
/// its definition as saved.
async fn group_by_team(app: &TestApp, admin: &reqwest::Client, id: i64, employee: bool) -> Value {
    let mut definition = app
        .get_json(admin, &format!("/api/v1/surveys/{id}/definition"))
        .await;
    definition["grouping_attributes"] = json!(["team"]);
    definition["employee"] = json!(employee);
    let saved = admin
        .put(app.url(&format!("/api/v1/surveys/{id}/definition")))
        .json(&definition)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    definition
}

/// Answers survey `id`'s first question with `score` and a follow-up `comment` through a
/// new personal link (`link`: its contact and attributes); the link's token.
async fn answer_as(
    app: &TestApp,
    admin: &reqwest::Client,
    id: i64,
    link: Value,
    score: u8,
    comment: &str,
) -> String {
    let definition = app
        .get_json(admin, &format!("/api/v1/surveys/{id}/definition"))
        .await;
    let question = definition["questions"][0]["key"].as_str().unwrap();
    let token = app.personal_token(admin, id, link).await;
    let res = client()
        .post(app.url(&format!("/api/v1/personal-answers/{token}")))
        .json(&json!({ "answers": { question: score }, "follow_ups": { question: comment } }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    token
}

/// What each role reads of one customer survey answered by Sales (three people) and Ops
/// (two): a manager their team's figures and comments only, a viewer no comments.
#[tokio::test]
async fn a_manager_reads_their_teams_results_and_a_viewer_reads_no_comments() {
    let (_db, app, admin) = app_with_admin().await;
    add_user(
        &admin,
        &app,
        "sales@example.com",
        "manager",
        &["team=Sales"],
    )
    .await;
    add_user(&admin, &app, "ops@example.com", "manager", &["team=Ops"]).await;
    add_user(&admin, &app, "viewer@example.com", "viewer", &[]).await;
    add_user(&admin, &app, "hr@example.com", "hr", &[]).await;
    let survey = app.create_survey(&admin, "nps").await;
    let id = survey["id"].as_i64().unwrap();
    group_by_team(&app, &admin, id, false).await;
    for (team, score, comment) in [
        ("Sales", 10, "Sales loves it"),
        ("Sales", 9, "Sales likes it"),
        ("Sales", 2, "Sales hates it"),
        ("Ops", 3, "Ops: too slow"),
        ("Ops", 4, "Ops: too dear"),
    ] {
        let link = json!({ "attributes": { "team": team } });
        answer_as(&app, &admin, id, link, score, comment).await;
    }
    let trends = format!("/api/v1/surveys/{id}/trends");
    let texts = |d: &Value| -> Vec<String> {
        d["comments"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap().to_owned())
            .collect()
    };

    let whole = app.get_json(&admin, &trends).await;
    assert_eq!(whole["questions"][0]["tile"]["n"], 5);

    let sales = sign_in(&app, "sales@example.com").await;
    let seen = app.get_json(&sales, &trends).await;
    assert_eq!(
        seen["query"]["filter"],
        json!(["team:Sales"]),
        "narrowed without asking"
    );
    assert_eq!(seen["questions"][0]["tile"]["n"], 3);
    let mut said = texts(&seen);
    said.sort();
    assert_eq!(said, ["Sales hates it", "Sales likes it", "Sales loves it"]);
    assert!(
        seen["comments"]["items"][0]["response_url"].is_string(),
        "a customer survey's responses, to follow up"
    );
    assert_eq!(
        seen["funnels"],
        json!([]),
        "send counts are the whole company's"
    );
    let offered = seen["choices"]["attributes"][0][1].as_array().unwrap();
    assert!(
        offered.iter().all(|c| c["label"] == "Sales"),
        "no other team is offered: {offered:?}"
    );
    let report = app.get_json(&sales, &format!("/api/v1/surveys/{id}")).await;
    assert_eq!(report["questions"][0]["withheld"], "scope");
    assert_eq!(
        report["survey"]["response_count"],
        Value::Null,
        "nor the whole count"
    );
    assert_eq!(report["questions"][0]["score"], Value::Null);
    let overview = app.get_json(&sales, "/api/v1/overview").await;
    assert_eq!(overview[0]["tile"]["n"], 3, "the overview is narrowed too");
    // The download holds the page's figures, narrowed the same way, to the last digit.
    let file = results_file(&app, &sales, id, "").await;
    let range = file.iter().find(|r| r[2] == "range").unwrap();
    assert_eq!(range[8], "3");
    assert_eq!(
        range[9].parse::<f64>().unwrap(),
        seen["questions"][0]["tile"]["value"].as_f64().unwrap()
    );
    assert!(file.iter().flatten().all(|cell| !cell.contains("Ops")));

    let ops = sign_in(&app, "ops@example.com").await;
    let other = ops
        .get(app.url(&format!("{trends}?filter=team:Sales")))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 403, "another team's view is refused");
    let own = app.get_json(&ops, &trends).await;
    assert_eq!(own["questions"][0]["tile"]["n"], 2);
    assert!(texts(&own).iter().all(|t| t.starts_with("Ops")));
    let response = seen["comments"]["items"][0]["response_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let across = ops
        .get(app.url(&format!("/api/v1/surveys/{id}/responses/{response}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        across.status(),
        403,
        "a response of Sales is not Ops's manager's to read"
    );
    let mine = sales
        .get(app.url(&format!("/api/v1/surveys/{id}/responses/{response}")))
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);

    let viewer = sign_in(&app, "viewer@example.com").await;
    let aggregated = app.get_json(&viewer, &trends).await;
    assert_eq!(aggregated["questions"][0]["tile"]["n"], 5);
    assert_eq!(aggregated["comments"]["withheld"], "role");
    assert_eq!(aggregated["comments"]["items"], json!([]));
    let page = app.page(&viewer, &format!("/surveys/{id}")).await;
    assert!(
        !page.contains("Sales hates it"),
        "no comment reaches the viewer's page"
    );
    assert!(page.contains("aggregated results only"));

    let hr = sign_in(&app, "hr@example.com").await;
    let csv = hr
        .get(app.url(&format!("/api/v1/surveys/{id}/results.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 403);
    let customer = hr.get(app.url(&trends)).send().await.unwrap();
    assert_eq!(customer.status(), 403, "a customer survey is not HR's");
    let listed = app.get_json(&hr, "/api/v1/surveys").await;
    assert_eq!(listed, json!([]), "nor is it in HR's list");
}

/// A token carries a role and scope chosen at creation, never more than its creator's,
/// and grants nothing once its owner's role is narrowed.
#[tokio::test]
async fn a_token_grants_no_more_than_its_creator_and_nothing_once_they_lose_it() {
    let (_db, app, admin) = app_with_admin().await;
    let sales_id = add_user(
        &admin,
        &app,
        "sales@example.com",
        "manager",
        &["team=Sales", "team=Ops"],
    )
    .await;
    let sales = sign_in(&app, "sales@example.com").await;
    let create = |body: Value| {
        let req = sales.post(app.url("/api/v1/tokens")).json(&body);
        async move { req.send().await.unwrap() }
    };
    let wider = create(json!({ "name": "wide", "role": "admin" })).await;
    assert_eq!(wider.status(), 403);
    assert_eq!(json_of(wider).await["field"], "role");
    let outside = create(json!({ "name": "other", "scope": ["team=Support"] })).await;
    assert_eq!(outside.status(), 403);
    let narrow = create(json!({ "name": "ops only", "scope": ["team=Ops"] })).await;
    assert_eq!(narrow.status(), 201);
    let narrow = json_of(narrow).await;
    assert_eq!(narrow["token"]["role"], "manager");
    assert_eq!(narrow["token"]["scope"], json!(["team=Ops"]));
    let secret = narrow["secret"].as_str().unwrap().to_owned();
    let me = |secret: String| {
        let req = client().get(app.url("/api/v1/me")).bearer_auth(secret);
        async move { req.send().await.unwrap() }
    };
    let as_token = json_of(me(secret.clone()).await).await;
    assert_eq!(
        as_token["scope"],
        json!(["team=Ops"]),
        "the token's scope, not its owner's"
    );

    let by_admin = admin
        .post(app.url("/api/v1/tokens"))
        .json(&json!({ "name": "bi", "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_admin.status(),
        201,
        "an admin's token may carry any role"
    );
    let viewer_secret = json_of(by_admin).await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let users = client()
        .get(app.url("/api/v1/users"))
        .bearer_auth(&viewer_secret)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 403, "a viewer token is a viewer");

    let narrowed = admin
        .put(app.url(&format!("/api/v1/users/{sales_id}/access")))
        .json(&json!({ "role": "manager", "scope": ["team=Sales"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(narrowed.status(), 200);
    assert_eq!(
        me(secret).await.status(),
        401,
        "Ops is no longer its owner's to grant"
    );
    let page = app.page(&sales, "/settings/tokens").await;
    assert!(
        page.contains("ops only"),
        "its owner still sees it, to revoke it"
    );
}

/// HR runs employee surveys only, and cannot turn one into a customer survey.
#[tokio::test]
async fn hr_keeps_an_employee_survey_marked_as_one() {
    let (_db, app, admin) = app_with_admin().await;
    add_user(&admin, &app, "hr@example.com", "hr", &[]).await;
    let hr = sign_in(&app, "hr@example.com").await;
    let customer = hr
        .post(app.url("/api/v1/surveys"))
        .json(&json!({ "kind": "csat" }))
        .send()
        .await
        .unwrap();
    assert_eq!(customer.status(), 403);
    let survey = app.create_survey(&hr, "custom").await;
    let id = survey["id"].as_i64().unwrap();
    // A custom survey is a customer survey unless marked; made by HR, it is marked.
    let mut definition = app
        .get_json(&admin, &format!("/api/v1/surveys/{id}/definition"))
        .await;
    assert_eq!(definition["employee"], true);
    definition["employee"] = json!(false);
    let unmarked = hr
        .put(app.url(&format!("/api/v1/surveys/{id}/definition")))
        .json(&definition)
        .send()
        .await
        .unwrap();
    assert_eq!(unmarked.status(), 403);
    assert_eq!(json_of(unmarked).await["field"], "employee");
    let kept = app
        .get_json(&admin, &format!("/api/v1/surveys/{id}/definition"))
        .await;
    assert_eq!(kept["employee"], true, "nothing was saved");
}

/// Signs `email` in from a browser named `agent`.
async fn sign_in_from(app: &TestApp, email: &str, password: &str, agent: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .user_agent(agent)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = c
        .post(app.url("/rpc/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert!(
        res.headers().get("set-cookie").is_some(),
        "{email} signs in from {agent}"
    );
    c
}

async fn status_of_me(app: &TestApp, c: &reqwest::Client) -> u16 {
    c.get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Disabling someone ends their sessions and their tokens at once; signing in then fails
/// as a wrong password does, and enabling them again revives no token.
#[tokio::test]
async fn a_disabled_user_is_signed_out_and_their_tokens_stop_at_once() {
    let (_db, app, admin) = app_with_admin().await;
    let id = add_user(&admin, &app, "val@example.com", "viewer", &[]).await;
    let val = sign_in(&app, "val@example.com").await;
    let token = json_of(
        val.post(app.url("/api/v1/tokens"))
            .json(&json!({ "name": "script" }))
            .send()
            .await
            .unwrap(),
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_token = || {
        let req = client().get(app.url("/api/v1/me")).bearer_auth(&token);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        (status_of_me(&app, &val).await, with_token().await),
        (200, 200)
    );

    let disabled = admin
        .put(app.url(&format!("/api/v1/users/{id}/disabled")))
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200);
    assert_eq!(json_of(disabled).await["disabled"], true);
    assert_eq!(status_of_me(&app, &val).await, 401, "the session ended");
    assert_eq!(with_token().await, 401, "the token stopped");
    let again = client()
        .post(app.url("/rpc/login"))
        .form(&[
            ("email", "val@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("The email or the password is not right."));
    let users = app.page(&admin, "/settings/users").await;
    assert!(
        users.contains("Enable"),
        "the users page offers to enable them again"
    );

    let me = json_of(admin.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    let myself = admin
        .put(app.url(&format!("/api/v1/users/{}/disabled", me["id"])))
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(myself.status(), 422, "an admin cannot lock themself out");

    let enabled = admin
        .put(app.url(&format!("/api/v1/users/{id}/disabled")))
        .json(&json!({ "disabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.status(), 200);
    let back = sign_in(&app, "val@example.com").await;
    assert_eq!(status_of_me(&app, &back).await, 200);
    assert_eq!(with_token().await, 401, "a token of before stays revoked");
}

/// People see where they are signed in, sign a browser out, and change their password,
/// which signs every other browser out.
#[tokio::test]
async fn a_new_password_signs_the_other_sessions_out_and_a_session_can_be_ended() {
    let (_db, app, admin) = app_with_admin().await;
    add_user(&admin, &app, "mo@example.com", "viewer", &[]).await;
    let old = "correct horse battery";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) \
         AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    let laptop = sign_in_from(&app, "mo@example.com", old, FIREFOX).await;
    let phone = sign_in_from(&app, "mo@example.com", old, IPHONE).await;
    let sessions = json_of(
        laptop
            .get(app.url("/api/v1/me/sessions"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let this = sessions.iter().find(|s| s["current"] == true).unwrap();
    assert_eq!(this["client"], FIREFOX);
    assert_eq!(this["browser"], "Firefox on Linux");
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    assert_eq!(other["browser"], "Safari on iOS");
    let page = app.page(&laptop, "/settings/account").await;
    assert!(page.contains("Safari on iOS") && page.contains("this one"));

    let ended = laptop
        .delete(app.url(&format!(
            "/api/v1/me/sessions/{}",
            other["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    assert_eq!(
        status_of_me(&app, &phone).await,
        401,
        "the phone is signed out"
    );
    let theirs = admin
        .delete(app.url(&format!(
            "/api/v1/me/sessions/{}",
            this["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404, "no one ends another's session");

    let tablet = sign_in_from(&app, "mo@example.com", old, "Tablet").await;
    let change = |current: &'static str, new: &'static str| {
        let req = laptop
            .put(app.url("/api/v1/me/password"))
            .json(&json!({ "current": current, "new": new }));
        async move { req.send().await.unwrap() }
    };
    let wrong = change("not my password", "a brand new password").await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(json_of(wrong).await["field"], "current");
    let short = change(old, "short").await;
    assert_eq!(json_of(short).await["field"], "new");
    assert_eq!(change(old, "a brand new password").await.status(), 204);
    assert_eq!(status_of_me(&app, &tablet).await, 401, "other sessions end");
    assert_eq!(status_of_me(&app, &laptop).await, 200, "this one goes on");
    let with_old = client()
        .post(app.url("/rpc/login"))
        .form(&[("email", "mo@example.com"), ("password", old)])
        .send()
        .await
        .unwrap();
    assert_eq!(with_old.status(), 401);
    sign_in_from(&app, "mo@example.com", "a brand new password", "Tablet").await;
}

/// Survey `id`'s results file under `query`, as the user of `c` downloads it: checked
/// to be UTF-8 with a byte-order mark and the documented header; its records after it.
async fn results_file(
    app: &TestApp,
    c: &reqwest::Client,
    id: i64,
    query: &str,
) -> Vec<Vec<String>> {
    use app::api::exports::RESULT_COLUMNS;
    use app::domain::export::{read_records, BOM};
    let res = c
        .get(app.url(&format!("/api/v1/surveys/{id}/results.csv{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = res.bytes().await.unwrap();
    let file = String::from_utf8(bytes.to_vec()).expect("UTF-8");
    assert!(file.starts_with(BOM), "a byte-order mark for Excel");
    let mut records = read_records(&file);
    assert_eq!(records.remove(0), RESULT_COLUMNS);
    records
}

/// An anonymous survey's file withholds what its page withholds: two answers are fewer
/// than the minimum group, so no count or score of them leaves the server.
#[tokio::test]
async fn an_anonymous_surveys_results_file_withholds_a_small_group() {
    let (_db, app, admin) = app_with_admin().await;
    let survey = app.create_survey(&admin, "enps").await;
    let id = survey["id"].as_i64().unwrap();
    for score in [2, 10] {
        let token = app
            .personal_token(&admin, id, json!({ "attributes": { "team": "Sales" } }))
            .await;
        let res = client()
            .post(app.url(&format!("/api/v1/personal-answers/{token}")))
            .json(&json!({ "answers": { "enps": score } }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let file = results_file(&app, &admin, id, "?range=all").await;
    assert!(!file.is_empty());
    for record in &file {
        assert_eq!(&record[8..12], ["", "", "", ""], "{record:?}");
        assert_eq!(record[13], "anonymity", "{record:?}");
    }
}

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.expect("json")
}
