//! Contacts over HTTP and the command line: a CSV import keeps the good rows and reports
//! the bad ones by line, re-imports update by email, and the export is safe to open in a
//! spreadsheet.

use crate::harness::{app_with_admin, client, TestApp};
use serde_json::{json, Value};

async fn contacts(app: &TestApp, user: &reqwest::Client, query: &str) -> Value {
    let res = user
        .get(app.url(&format!("/api/v1/contacts{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// German Excel: a byte-order mark, semicolons, CRLF, a quoted field with a semicolon.
const GERMAN_EXCEL: &str = "\u{feff}E-Mail;Name;Sprache;Team;Stufe\r\n\
ana@example.com;\"Ana; Vertrieb\";de;Sales;A\r\n\
kein-email;Bob;en;Ops;B\r\n\
cy@example.com;Cy;fr;Ops;C\r\n\
dee@example.com;Dee;en;Support\r\n\
eve@example.com;Eve;;Support;A\r\n\
\r\n\
=cmd@example.com;=HYPERLINK(\"http://evil\");en;@SUM(1);A\r\n";

#[tokio::test]
async fn a_csv_import_keeps_the_good_rows_and_reports_each_bad_one_by_line() {
    let (_db, app, admin) = app_with_admin().await;
    let res = app.import_contacts(&admin, GERMAN_EXCEL).await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["rows"], 6);
    assert_eq!(report["inserted"], 3);
    assert_eq!(report["updated"], 0);
    let problems: Vec<(u64, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let lines: Vec<u64> = problems.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![3, 4, 5], "{problems:?}");
    assert!(problems[0].1.contains("not an email address"));
    assert!(problems[1].1.contains("use en or de"));
    assert!(problems[2].1.contains("4 fields but the header has 5"));

    let page = contacts(&app, &admin, "").await;
    assert_eq!(page["total"], 3);
    let ana = &page["contacts"][0];
    assert_eq!(ana["email"], "ana@example.com");
    assert_eq!(ana["name"], "Ana; Vertrieb");
    assert_eq!(ana["locale"], "de");
    assert_eq!(ana["attributes"], json!({ "team": "Sales", "stufe": "A" }));

    // A second import updates by email and adds the rest.
    let res = app
        .import_contacts(
            &admin,
            "email,team\nANA@example.com,Marketing\nfay@example.com,HR\n",
        )
        .await;
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        (report["inserted"].as_u64(), report["updated"].as_u64()),
        (Some(1), Some(1))
    );
    let page = contacts(&app, &admin, "?limit=2").await;
    assert_eq!(page["total"], 4);
    assert_eq!(
        page["contacts"][0]["name"], "Ana; Vertrieb",
        "kept: the file had no name"
    );
    assert_eq!(page["contacts"][0]["attributes"]["team"], "Marketing");
    let after = page["next_after"].as_i64().expect("a next page");
    let rest = contacts(&app, &admin, &format!("?limit=2&after={after}")).await;
    assert_eq!(rest["contacts"].as_array().unwrap().len(), 2);
    assert_eq!(rest["next_after"], Value::Null);

    // The export is CSV whose formula-like cells are defused.
    let res = admin
        .get(app.url("/api/v1/contacts/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("email,name,locale,suppressed,stufe,team")
    );
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    assert!(csv.contains("'@SUM(1)"), "{csv}");
    assert!(csv.contains("fay@example.com,,,,,HR"), "{csv}");
}

#[tokio::test]
async fn a_file_that_cannot_be_imported_says_why_and_imports_nothing() {
    let (_db, app, admin) = app_with_admin().await;
    for (file, field, says) in [
        (
            &b"email;name\nj@example.com;J\xfcrgen\n"[..],
            "file",
            "CSV UTF-8",
        ),
        (&b"name,team\nAna,Sales\n"[..], "mapping", "email"),
        (&b""[..], "file", "empty"),
    ] {
        let res = admin
            .post(app.url("/api/v1/contacts/import"))
            .body(file.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["field"], field);
        assert!(body["error"].as_str().unwrap().contains(says), "{body}");
    }
    assert_eq!(contacts(&app, &admin, "").await["total"], 0);
}

#[tokio::test]
async fn only_those_who_send_surveys_see_contacts() {
    let (_db, app, admin) = app_with_admin().await;
    let res = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({ "email": "mo@example.com", "name": "Mo", "password": "correct horse battery", "role": "manager", "scope": ["team=Sales"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let manager = client();
    let login = app
        .post_form(
            &manager,
            "/login",
            "/rpc/login",
            &[
                ("email", "mo@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(login.headers()["location"], "/surveys");
    for res in [
        manager
            .get(app.url("/api/v1/contacts"))
            .send()
            .await
            .unwrap(),
        manager
            .get(app.url("/api/v1/contacts/export"))
            .send()
            .await
            .unwrap(),
        app.import_contacts(&manager, "email\na@example.com\n")
            .await,
    ] {
        assert_eq!(res.status(), 403);
    }
    assert_eq!(
        client()
            .get(app.url("/api/v1/contacts"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[test]
fn the_command_line_import_reports_bad_rows_and_imports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "email;team\nana@example.com;Sales\nnope;Ops\nbob@example.com;Ops\n",
    )
    .unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_resonance"))
            .args(["import-contacts", "--database-url", &url])
            .arg(&file)
            .output()
            .expect("the binary runs")
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("line 3: \"nope\" is not an email address"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 rows: 2 new contacts, 0 updated, 1 not imported"),
        "{stdout}"
    );
    let again = String::from_utf8_lossy(&run().stdout).into_owned();
    assert!(again.contains("0 new contacts, 2 updated"), "{again}");

    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_resonance"))
        .args([
            "import-contacts",
            "--database-url",
            &url,
            "no-such-file.csv",
        ])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read no-such-file.csv"));
}

/// Posts `csv` as the admin area's upload form does (multipart, from our own page).
async fn upload(app: &TestApp, user: &reqwest::Client, csv: &[u8]) -> reqwest::Response {
    let mut body = b"--XBOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n".to_vec();
    body.extend_from_slice(csv);
    body.extend_from_slice(b"\r\n--XBOUNDARY--\r\n");
    user.post(app.url("/contacts/upload"))
        .header("content-type", "multipart/form-data; boundary=XBOUNDARY")
        .header("origin", app.base.clone())
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Polls an import's page until it shows its report (up to 30 s).
async fn report_page(app: &TestApp, admin: &reqwest::Client, path: &str) -> String {
    for _ in 0..300 {
        let page = app.page(admin, path).await;
        if page.contains("rows read") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{path} never showed its report");
}

#[tokio::test]
async fn an_upload_is_previewed_mapped_and_then_reported_and_the_report_stays_readable() {
    let (_db, app, admin) = app_with_admin().await;
    let res = upload(&app, &admin, GERMAN_EXCEL.as_bytes()).await;
    assert_eq!(res.status(), 303);
    let report_path = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        report_path.starts_with("/contacts/imports/"),
        "{report_path}"
    );
    // The preview: the columns, their first values, what the header suggests.
    let page = app.page(&admin, &report_path).await;
    assert!(page.contains("Import of people.csv"), "{page}");
    assert!(
        page.contains("Import 6 rows") && page.contains("Ana; Vertrieb"),
        "{page}"
    );
    assert!(
        page.contains(r#"value="stufe""#),
        "attribute keys from the header: {page}"
    );
    assert_eq!(contacts(&app, &admin, "").await["total"], 0, "nothing yet");

    // A mapping without an email column goes back with the choices kept and the reason.
    let form = |email_column: &str| {
        vec![
            ("column[0]", email_column.to_owned()),
            ("key[0]", String::new()),
            ("column[1]", "name".to_owned()),
            ("column[2]", "locale".to_owned()),
            ("column[3]", "attribute".to_owned()),
            ("key[3]", "team".to_owned()),
            ("column[4]", "ignore".to_owned()),
            ("key[4]", "stufe".to_owned()),
            ("action", "start".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let (admin, url, origin) = (admin.clone(), app.url(&report_path), app.base.clone());
        async move {
            admin
                .post(url)
                .header("origin", origin)
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let refused = post(form("ignore")).await;
    assert_eq!(refused.status(), 303);
    let again = app.follow_with(&admin, refused).await;
    assert!(
        again.contains("No column holds the email address"),
        "{again}"
    );
    assert!(again.contains("Import 6 rows"), "still the preview");
    assert_eq!(contacts(&app, &admin, "").await["total"], 0);

    let started = post(form("email")).await;
    assert_eq!(started.status(), 303);
    let page = report_page(&app, &admin, &report_path).await;
    assert!(
        page.contains("6 rows read: 3 new contacts, 0 updated."),
        "{page}"
    );
    assert!(page.contains("3 rows not imported"));
    assert!(page.contains("use en or de"));
    let list = app.page(&admin, "/contacts").await;
    assert!(list.contains("ana@example.com"));
    assert!(list.contains("team: Sales"));
    assert!(!list.contains("stufe:"), "the ignored column is not kept");
    // A started import cannot be started again.
    let again = post(form("email")).await;
    assert_eq!(again.status(), 409);

    // A file that cannot be read is reported too, and changes nothing.
    let res = upload(&app, &admin, b"email;name\nj@example.com;J\xfcrgen\n").await;
    let failed = app
        .page(&admin, res.headers()["location"].to_str().unwrap())
        .await;
    assert!(failed.contains("could not be imported"), "{failed}");
    assert!(failed.contains("CSV UTF-8"));
    assert_eq!(contacts(&app, &admin, "").await["total"], 3);

    // Someone else's browser session cannot upload, nor can another site.
    assert_eq!(
        upload(&app, &client(), b"email\na@example.com\n")
            .await
            .headers()["location"],
        "/login"
    );
    let res = admin
        .post(app.url("/contacts/upload"))
        .header("origin", "https://evil.example")
        .header("content-type", "multipart/form-data; boundary=XBOUNDARY")
        .body("--XBOUNDARY--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let missing = app.page(&admin, "/contacts/imports/999").await;
    assert!(missing.contains("Page not found"), "{missing}");
}

#[tokio::test]
async fn a_privacy_request_exports_everything_about_an_email_and_erasure_keeps_the_scores() {
    let (db, app, admin) = app_with_admin().await;
    app.import_contacts(
        &admin,
        "email,name,team\nana@example.com,Ana,Sales\nbob@example.com,Bob,Ops\n",
    )
    .await;
    let ana_id = contacts(&app, &admin, "").await["contacts"][0]["id"]
        .as_i64()
        .unwrap();
    let survey = app.create_survey(&admin, "nps").await;
    let id = survey["id"].as_i64().unwrap();
    let link = admin
        .post(app.url(&format!("/api/v1/surveys/{id}/links")))
        .json(&json!({ "contact_id": ana_id, "attributes": { "team": "Sales" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(link.status(), 201);
    let url: Value = link.json().await.unwrap();
    let token = url["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let answered = client()
        .post(app.url(&format!("/api/v1/personal-answers/{token}")))
        .json(&json!({ "answers": { "nps": 9 }, "follow_ups": { "nps": "Ana was here" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 201);

    let res = admin
        .get(app.url("/api/v1/privacy/ANA@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let data: Value = res.json().await.unwrap();
    assert_eq!(data["contact"]["email"], "ana@example.com");
    assert_eq!(data["contact"]["attributes"]["team"], "Sales");
    assert_eq!(data["invitations"][0]["survey_id"], id);
    assert_eq!(data["invitations"][0]["answered"], true);
    let answer = &data["responses"][0]["answers"][0];
    assert_eq!(answer["question"], "nps");
    assert_eq!(answer["value"], json!({ "type": "score", "value": 9 }));
    assert_eq!(answer["follow_up"], "Ana was here");
    assert!(data["responses"][0]["submitted_at"].is_string());

    let res = admin
        .delete(app.url("/api/v1/privacy/ana@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let erased: Value = res.json().await.unwrap();
    assert_eq!(
        erased,
        json!({ "email": "ana@example.com", "responses_deidentified": 1 })
    );
    let gone = admin
        .get(app.url("/api/v1/privacy/ana@example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(contacts(&app, &admin, "").await["total"], 1, "Bob stays");
    assert_eq!(
        app.report(&admin, id).await["questions"][0]["answered"],
        1,
        "the score stays"
    );
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    let rows: Vec<(Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT contact_id, submitted_at FROM responses")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows, vec![(None, None)]);
    let links: Vec<(Option<i64>, String)> =
        sqlx::query_as("SELECT contact_id, attributes FROM invitations")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(links, vec![(None, "{}".to_owned())]);

    let bad = admin
        .get(app.url("/api/v1/privacy/not-an-email"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn segments_are_saved_with_their_current_size_and_bad_ones_are_refused() {
    let (_db, app, admin) = app_with_admin().await;
    app.import_contacts(
        &admin,
        "email,team,tier\na@example.com,Sales,A\nb@example.com,Sales,B\nc@example.com,Ops,A\n",
    )
    .await;
    let conditions =
        json!([{ "attribute": "team", "value": "Sales" }, { "attribute": "tier", "value": "A" }]);
    let count = admin
        .post(app.url("/api/v1/segments/count"))
        .json(&json!({ "conditions": conditions }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        count.json::<Value>().await.unwrap(),
        json!({ "contacts": 1, "sendable": 1 })
    );
    let created = admin
        .post(app.url("/api/v1/segments"))
        .json(&json!({ "name": " Sales A ", "conditions": conditions }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let segment: Value = created.json().await.unwrap();
    assert_eq!(segment["name"], "Sales A");
    assert_eq!(segment["description"], "team = Sales and tier = A");
    assert_eq!(segment["size"]["contacts"], 1);

    // The size is current: a new import changes it, and a suppressed contact still
    // matches but can no longer be sent to.
    app.import_contacts(&admin, "email,team,tier\nd@example.com,Sales,A\n")
        .await;
    let sizes = || async {
        let list: Value = app.get_json(&admin, "/api/v1/segments").await;
        list[0]["size"].clone()
    };
    assert_eq!(sizes().await, json!({ "contacts": 2, "sendable": 2 }));
    let a = contacts(&app, &admin, "").await["contacts"][0]["id"]
        .as_i64()
        .unwrap();
    let suppress = |body: Value| {
        admin
            .put(app.url(&format!("/api/v1/contacts/{a}/suppression")))
            .json(&body)
            .send()
    };
    let done = suppress(json!({ "suppressed": "unsubscribed" }))
        .await
        .unwrap();
    assert_eq!(done.status(), 204);
    assert_eq!(sizes().await, json!({ "contacts": 2, "sendable": 1 }));
    let first = contacts(&app, &admin, "").await;
    assert_eq!(first["contacts"][0]["suppressed"], "unsubscribed");
    let refused = suppress(json!({ "suppressed": "annoyed" })).await.unwrap();
    assert_eq!(refused.status(), 422);
    let lifted = suppress(json!({ "suppressed": null })).await.unwrap();
    assert_eq!(lifted.status(), 204);
    let first = contacts(&app, &admin, "").await;
    assert_eq!(first["contacts"][0]["suppressed"], Value::Null);
    let missing = admin
        .put(app.url("/api/v1/contacts/999/suppression"))
        .json(&json!({ "suppressed": "bounced" }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let again = admin
        .post(app.url("/api/v1/segments"))
        .json(&json!({ "name": "Sales A" }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    assert_eq!(again.json::<Value>().await.unwrap()["field"], "name");
    let bad = admin
        .post(app.url("/api/v1/segments"))
        .json(&json!({ "name": "Bad", "conditions": [{ "attribute": "Team Name", "value": "x" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(bad.json::<Value>().await.unwrap()["field"], "conditions");

    let id = segment["id"].as_i64().unwrap();
    let gone = admin
        .delete(app.url(&format!("/api/v1/segments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    let gone = admin
        .delete(app.url(&format!("/api/v1/segments/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);

    // The admin area's form takes conditions one per line and keeps them on an error.
    let res = app
        .post_form(
            &admin,
            "/contacts",
            "/rpc/create_segment",
            &[("name", "Ops"), ("conditions", "team = Ops\ntier")],
        )
        .await;
    let page = app.follow_with(&admin, res).await;
    assert!(
        page.contains("Line 2: write a condition as attribute = value."),
        "{page}"
    );
    assert!(page.contains("team = Ops"));
    let res = app
        .post_form(
            &admin,
            "/contacts",
            "/rpc/create_segment",
            &[("name", "Ops"), ("conditions", "team = Ops")],
        )
        .await;
    assert!(res.status().is_redirection());
    let page = app.page(&admin, "/contacts").await;
    assert!(
        page.contains("Ops") && page.contains("team = Ops"),
        "{page}"
    );
}

/// An HR export with its own column names: nothing is guessed wrong, the mapping says it.
const HR_EXPORT: &str = "Mitarbeiter-Mail;Name;Abteilung;Notiz\n\
    ana@example.com;Ana;Vertrieb;private\n\
    bo@example.com;Bo;Support;\n\
    kaputt;Cy;Support;\n";

async fn an_import_is_previewed_mapped_and_followed_through_the_api(database_url: &str) {
    let app = crate::harness::spawn_app(database_url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let res = admin
        .post(app.url("/api/v1/contacts/imports"))
        .header("content-type", "text/csv")
        .body(HR_EXPORT)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let import: Value = res.json().await.unwrap();
    let id = import["id"].as_i64().unwrap();
    assert_eq!(import["state"], "pending");
    let preview = &import["preview"];
    assert_eq!(preview["rows"], 3);
    assert_eq!(preview["headers"][0], "Mitarbeiter-Mail");
    assert_eq!(preview["sample"][0][2], "Vertrieb");
    assert_eq!(
        preview["choices"],
        json!([
            "attribute:mitarbeiter_mail",
            "name",
            "attribute:abteilung",
            "attribute:notiz"
        ]),
        "the header suggests no email column"
    );
    let start = |columns: Value| {
        let url = app.url(&format!("/api/v1/contacts/imports/{id}/start"));
        let admin = admin.clone();
        async move {
            admin
                .post(url)
                .json(&json!({ "columns": columns }))
                .send()
                .await
                .unwrap()
        }
    };
    for (columns, field) in [
        (json!(["email", "email", "ignore", "ignore"]), "columns[1]"),
        (
            json!(["email", "name", "attribute:Team!", "ignore"]),
            "columns[2]",
        ),
        (json!(["name", "ignore", "ignore", "ignore"]), "columns"),
        (json!(["email", "name"]), "columns"),
    ] {
        let res = start(columns.clone()).await;
        assert_eq!(res.status(), 422, "{columns}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["field"], field, "{body}");
    }
    let res = start(json!(["email", "name", "attribute:team", "ignore"])).await;
    assert_eq!(res.status(), 202);
    let mut done = Value::Null;
    for _ in 0..300 {
        done = app
            .get_json(&admin, &format!("/api/v1/contacts/imports/{id}"))
            .await;
        if done["state"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        (done["rows_done"].as_i64(), done["rows_total"].as_i64()),
        (Some(3), Some(3))
    );
    let report = &done["report"];
    assert_eq!(
        (report["inserted"].as_u64(), report["updated"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(report["problems"][0]["line"], 4);
    assert_eq!(done["preview"], Value::Null);
    let list = contacts(&app, &admin, "").await;
    let ana = &list["contacts"][0];
    assert_eq!(ana["email"], "ana@example.com");
    assert_eq!(
        ana["attributes"],
        json!({ "team": "Vertrieb" }),
        "Notiz was ignored"
    );
    assert_eq!(
        start(json!(["email", "name", "ignore", "ignore"]))
            .await
            .status(),
        409
    );

    // A pending import can be dropped; then it is gone.
    let res = admin
        .post(app.url("/api/v1/contacts/imports"))
        .body("email\nzed@example.com\n")
        .send()
        .await
        .unwrap();
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let url = app.url(&format!("/api/v1/contacts/imports/{id}"));
    assert_eq!(admin.delete(&url).send().await.unwrap().status(), 204);
    assert_eq!(admin.get(&url).send().await.unwrap().status(), 404);
}

on_both_databases!(an_import_is_previewed_mapped_and_followed_through_the_api);

#[tokio::test]
async fn a_complaint_is_recorded_from_the_contacts_list_and_lifted_again() {
    let (_db, app, admin) = app_with_admin().await;
    app.import_contacts(&admin, "email\nana@example.com\n")
        .await;
    let id = contacts(&app, &admin, "").await["contacts"][0]["id"]
        .as_i64()
        .unwrap();
    let set = |reason: &'static str| {
        let (admin, url, origin) = (
            admin.clone(),
            app.url(&format!("/contacts/{id}/suppression")),
            app.base.clone(),
        );
        async move {
            admin
                .post(url)
                .header("origin", origin)
                .form(&[("suppressed", reason)])
                .send()
                .await
                .unwrap()
        }
    };
    let res = set("complained").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        contacts(&app, &admin, "").await["contacts"][0]["suppressed"],
        "complained"
    );
    let page = app.page(&admin, "/contacts").await;
    assert!(
        page.contains(r#"<option value="complained" selected"#),
        "{page}"
    );
    assert_eq!(set("spam").await.status(), 422);
    set("").await;
    assert_eq!(
        contacts(&app, &admin, "").await["contacts"][0]["suppressed"],
        Value::Null
    );
    let stranger = client()
        .post(app.url(&format!("/contacts/{id}/suppression")))
        .header("origin", app.base.clone())
        .form(&[("suppressed", "complained")])
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.headers()["location"], "/login");
}

#[tokio::test]
async fn an_empty_upload_is_a_422_naming_the_file_on_both_import_endpoints() {
    let (_db, app, admin) = app_with_admin().await;
    for body in ["", "\u{feff}", "\r\n\r\n"] {
        for path in ["/api/v1/contacts/imports", "/api/v1/contacts/import"] {
            let res = admin
                .post(app.url(path))
                .header("content-type", "text/csv")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 422, "{path} with {body:?}");
            let error: Value = res.json().await.unwrap();
            assert_eq!(error["field"], "file", "{path}: {error}");
            assert!(
                error["error"].as_str().unwrap().contains("empty"),
                "{path}: {error}"
            );
        }
    }
    let kept = admin
        .post(app.url("/api/v1/contacts/imports"))
        .header("content-type", "text/csv")
        .body("email\nana@example.com\n")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), 201);
    let kept: Value = kept.json().await.unwrap();
    assert_eq!(kept["id"], 1, "no import was kept for the empty uploads");
}
