//! The app over HTTP on port 0 with a fresh database: accounts, the API and its
//! OpenAPI document, the answer link's GET rule, CSRF, health, errors.

use crate::harness::{client, spawn_app, sqlite_db};
use serde_json::{json, Value};

async fn json_of(res: reqwest::Response) -> Value {
    res.json().await.expect("a JSON body")
}

#[tokio::test]
async fn setup_creates_the_admin_once_with_a_safe_session_cookie() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    let res = app
        .post_form(
            &admin,
            "/setup",
            "/rpc/setup",
            &[
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(res.status(), 302);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("resonance_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http base URL: no Secure flag"
    );

    let me = json_of(admin.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(me["role"], "admin");

    let second = app
        .post_form(
            &client(),
            "/setup",
            "/rpc/setup",
            &[
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(second.status(), 302);
    assert!(
        second.headers()["location"]
            .to_str()
            .unwrap()
            .contains("__err="),
        "the second setup is refused"
    );
    assert_eq!(
        client()
            .get(app.url("/setup"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn cookies_are_secure_when_the_base_url_is_https() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &["--base-url", "https://survey.example"]).await;
    // As the TLS proxy in front would pass it on: setup takes the base URL's host only.
    let res = client()
        .post(app.url("/rpc/setup"))
        .header("host", "survey.example")
        .header("accept", "text/html")
        .form(&[
            ("name", "Ada"),
            ("email", "ada@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));
}

#[tokio::test]
async fn a_bad_setup_form_comes_back_with_the_message_and_the_input_but_not_the_password() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let res = app
        .post_form(
            &client(),
            "/setup",
            "/rpc/setup",
            &[
                ("name", "Ada"),
                ("email", "not-an-email"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    let page = app.follow(res).await;
    assert!(
        page.contains("is not an email address"),
        "the message is on the page"
    );
    assert!(page.contains("value=\"not-an-email\""), "the input is kept");
    assert!(
        !page.contains("correct horse battery"),
        "the password is never echoed"
    );
}

/// A page served under another name (DNS rebinding, a domain someone else points here)
/// cannot create the first account of a fresh server.
#[tokio::test]
async fn setup_sent_to_another_host_name_is_refused_and_creates_nothing() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let form = [
        ("name", "Mallory"),
        ("email", "mallory@example.com"),
        ("password", "correct horse battery"),
    ];
    let res = client()
        .post(app.url("/rpc/setup"))
        .header("host", "rebound.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        res.text().await.unwrap().contains(&app.base),
        "names the base URL"
    );
    assert!(
        app.page(&client(), "/setup")
            .await
            .contains("Create account"),
        "still waiting for its first account"
    );
    app.set_up_admin(&client()).await;
}

/// Listening beyond loopback, a fresh server prints a one-time code at start, and setup
/// takes only that code.
#[tokio::test]
async fn a_fresh_server_listening_beyond_loopback_asks_for_the_code_it_printed() {
    use std::io::{BufRead, BufReader};
    let db = sqlite_db();
    let port = crate::harness::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let site = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_resonance"))
        .args([
            "serve",
            "--bind",
            &format!("0.0.0.0:{port}"),
            "--base-url",
            &base,
        ])
        .args([
            "--database-url",
            &db.url,
            "--secret-key",
            crate::harness::SECRET_KEY,
        ])
        .arg("--site-root")
        .arg(site.path())
        .env("RESONANCE_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("resonance starts");
    // Read on a thread that keeps draining, so the server never writes to a closed pipe.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (found, printed) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("Setup code: ") {
                let code = rest.split_whitespace().next().unwrap_or_default();
                let _ = found.send(code.to_owned());
            }
        }
    });
    let code = printed
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the code is printed at start");
    crate::harness::wait_healthy(&base).await;
    let page = client()
        .get(format!("{base}/setup"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"setup_code\""), "the form asks for it");
    let setup = |code: &str| {
        let form = [
            ("name", "Ada Admin"),
            ("email", "ada@example.com"),
            ("password", "correct horse battery"),
            ("setup_code", code),
        ];
        client()
            .post(format!("{base}/rpc/setup"))
            .form(&form)
            .send()
    };
    for wrong in ["", "not-the-code", &code[1..]] {
        let res = setup(wrong).await.unwrap();
        assert_eq!(res.status(), 422, "{wrong:?}");
        let body = res.text().await.unwrap();
        assert!(body.contains("setup code"), "{body}");
    }
    let res = setup(&code).await.unwrap();
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let again = setup(&code).await.unwrap();
    assert_eq!(again.status(), 404, "set up once");
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn admin_pages_redirect_to_login_without_a_session() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    for path in ["/surveys", "/surveys/1", "/settings/tokens"] {
        let res = client().get(app.url(path)).send().await.unwrap();
        assert!(res.status().is_redirection(), "{path}: {}", res.status());
        assert_eq!(res.headers()["location"], "/login", "{path}");
    }
}

#[tokio::test]
async fn logins_are_rate_limited_per_account() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    app.set_up_admin(&client()).await;
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                &client(),
                "/login",
                "/rpc/login",
                &[("email", "ada@example.com"), ("password", password)],
            )
            .await
        }
    };
    for _ in 0..5 {
        let res = attempt("wrong password").await;
        assert!(res.headers()["location"]
            .to_str()
            .unwrap()
            .contains("__err="));
    }
    let blocked = attempt("correct horse battery").await;
    assert!(
        blocked.headers().get("set-cookie").is_none(),
        "no session after five failures"
    );
    let page = app.follow(blocked).await;
    assert!(page.contains("Too many failed attempts"));
}

/// Failures for one account from many addresses (behind a trusted proxy, which names
/// them) slow sign-ins to it down instead of locking it: the owner, from an address of
/// their own, waits the few seconds asked and gets in with the right password.
#[tokio::test]
async fn failures_from_many_addresses_slow_an_account_down_but_let_its_owner_in() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &["--trusted-proxies", "127.0.0.1,::1"]).await;
    app.set_up_admin(&client()).await;
    // A script, not a browser: the server function answers with the error's own status.
    let attempt = |from: String, password: &'static str| {
        let url = app.url("/rpc/login");
        async move {
            client()
                .post(url)
                .header("x-forwarded-for", from)
                .form(&[("email", "ada@example.com"), ("password", password)])
                .send()
                .await
                .unwrap()
        }
    };
    for n in 1..=5 {
        let res = attempt(format!("203.0.113.{n}"), "wrong password").await;
        assert_eq!(res.status(), 401, "guess {n}");
    }
    let refused = attempt("203.0.113.6".into(), "wrong password").await;
    assert_eq!(refused.status(), 429);
    let owner = attempt("198.51.100.7".into(), "correct horse battery").await;
    assert_eq!(owner.status(), 429, "slowed down for everyone");
    let wait: u64 = owner.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "seconds, not the window: {wait}");
    let body = owner.text().await.unwrap();
    assert!(body.contains("slowed down"), "{body}");
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let owner = attempt("198.51.100.7".into(), "correct horse battery").await;
    assert!(
        owner.headers().get("set-cookie").is_some(),
        "the right password gets in after the pause: {}",
        owner.status()
    );
}

#[tokio::test]
async fn the_api_refuses_callers_without_credentials_with_a_json_401() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let res = client()
        .get(app.url("/api/v1/surveys"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(json_of(res).await["error"]
        .as_str()
        .unwrap()
        .contains("Bearer"));
    let res = client()
        .get(app.url("/api/v1/surveys"))
        .bearer_auth("rsn_not-a-real-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_token_creates_a_survey_collects_answers_and_reads_the_score() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let token = app.api_token(&admin).await;
    let api = client();

    let bad = api
        .post(app.url("/api/v1/surveys"))
        .bearer_auth(&token)
        .json(&json!({ "kind": "poll" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert_eq!(json_of(bad).await["field"], "kind");

    let res = api
        .post(app.url("/api/v1/surveys"))
        .bearer_auth(&token)
        .json(&json!({ "kind": "nps", "title": "Q4 NPS" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let survey = json_of(res).await;
    assert_eq!(
        (survey["title"].as_str(), survey["questions"].as_u64()),
        (Some("Q4 NPS"), Some(1))
    );
    let id = survey["id"].as_i64().unwrap();
    let link = survey["public_url"].as_str().unwrap().to_string();
    let slug = link.rsplit('/').next().unwrap().to_string();
    assert!(link.starts_with(&app.base));
    app.set_status(&admin, id, "active").await;

    let answer = |body: Value| {
        let (api, url) = (api.clone(), app.url(&format!("/api/v1/answers/{slug}")));
        async move { api.post(url).json(&body).send().await.unwrap() }
    };
    let key = |c: char| c.to_string().repeat(22);
    for (score, k) in [(10, 'a'), (9, 'b'), (8, 'c'), (3, 'd')] {
        let res = answer(json!({ "answers": { "nps": score }, "resume_key": key(k) })).await;
        assert_eq!(res.status(), 201);
    }
    // The same response sent again changes it instead of adding one.
    let repeat = answer(json!({ "answers": { "nps": 10 }, "resume_key": key('a'),
        "follow_ups": { "nps": "Great support" } }))
    .await;
    assert_eq!(repeat.status(), 200);
    assert_eq!(json_of(repeat).await["status"], "updated");
    let fresh = json_of(answer(json!({ "answers": { "nps": 7 } })).await).await;
    assert_eq!(fresh["status"], "recorded");
    assert!(
        fresh["resume_key"].as_str().unwrap().len() >= 22,
        "a new response gets a key"
    );

    for (body, field) in [
        (json!({ "answers": { "nps": 11 } }), "answers.nps"),
        (json!({ "answers": { "nps": -1 } }), "answers.nps"),
        (json!({ "answers": { "nps": 7.5 } }), "answers.nps"),
        (json!({ "answers": { "nps": "9" } }), "answers.nps"),
        (json!({ "answers": { "nps": [9] } }), "answers.nps"),
        (json!({ "answers": { "nps": true } }), "answers.nps"),
        (json!({}), "answers.nps"),
        (
            json!({ "answers": { "nps": 5, "other": 1 } }),
            "answers.other",
        ),
        (
            json!({ "answers": { "nps": 5 }, "follow_ups": { "nps": "x".repeat(2001) } }),
            "follow_ups.nps",
        ),
        (
            json!({ "answers": { "nps": 5 }, "resume_key": "short" }),
            "resume_key",
        ),
    ] {
        let res = answer(body.clone()).await;
        assert_eq!(res.status(), 422, "{body}");
        assert_eq!(json_of(res).await["field"], field, "{body}");
    }
    let malformed = api
        .post(app.url(&format!("/api/v1/answers/{slug}")))
        .header("content-type", "application/json")
        .body("{\"answers\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 422);
    assert!(json_of(malformed).await["error"].is_string());
    assert_eq!(answer_to(&api, &app, "no-such-link").await.status(), 404);

    let report = json_of(
        api.get(app.url(&format!("/api/v1/surveys/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(report["survey"]["response_count"], 5);
    let score = &report["questions"][0]["score"];
    assert_eq!(score["type"], "nps");
    let nps = &score["result"];
    assert_eq!(
        (
            nps["n"].as_u64(),
            nps["promoters"].as_u64(),
            nps["detractors"].as_u64()
        ),
        (Some(5), Some(2), Some(1))
    );
    assert_eq!(nps["nps"].as_f64(), Some(20.0));

    let listed = json_of(
        api.get(app.url("/api/v1/surveys"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

async fn answer_to(
    api: &reqwest::Client,
    app: &crate::harness::TestApp,
    slug: &str,
) -> reqwest::Response {
    api.post(app.url(&format!("/api/v1/answers/{slug}")))
        .json(&json!({ "answers": { "nps": 5 } }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn following_every_score_link_like_a_mail_scanner_records_nothing() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let res = app
        .post_form(
            &admin,
            "/surveys",
            "/rpc/create_survey",
            &[("kind", "nps"), ("title", "Scanned"), ("subject", "")],
        )
        .await;
    let survey_path = res.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = survey_path.rsplit('/').next().unwrap().parse().unwrap();
    let survey = app.set_status(&admin, id, "active").await;
    let link = survey["public_url"].as_str().unwrap().to_string();
    let personal = json_of(
        admin
            .post(app.url(&format!("/api/v1/surveys/{id}/links")))
            .json(&json!({ "locale": "de" }))
            .send()
            .await
            .unwrap(),
    )
    .await["url"]
        .as_str()
        .unwrap()
        .to_string();

    let scanner = client();
    for base in [&link, &personal] {
        for score in 0..=10 {
            let page = scanner
                .get(format!("{base}?score={score}"))
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), 200);
            let html = page.text().await.unwrap();
            assert!(
                html.contains(&format!("value=\"{score}\" checked")),
                "score {score} is pre-selected"
            );
        }
        let thanks = scanner.get(format!("{base}/thanks")).send().await.unwrap();
        assert_eq!(thanks.status(), 200);
    }
    let report = app.report(&admin, id).await;
    assert_eq!(report["survey"]["response_count"], 0);
    assert_eq!(report["questions"][0]["answered"], 0);
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let res = admin
        .post(app.url("/rpc/create_survey"))
        .header("origin", "https://evil.example")
        .form(&[("title", "Forged"), ("question", "?")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let surveys = json_of(admin.get(app.url("/api/v1/surveys")).send().await.unwrap()).await;
    assert_eq!(surveys, json!([]));
}

#[tokio::test]
async fn every_operation_the_openapi_document_lists_is_served() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let doc = json_of(
        client()
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    // Which operations there are is the access matrix's to pin (`access.rs`): each one
    // documented has its cells there.
    assert!(operations.len() > 50, "{operations:?}");
    // Every documented operation is routed: unauthenticated calls get 401/404/422, never 405.
    for op in &operations {
        let (method, path) = op.split_once(' ').unwrap();
        let url = app.url(
            &path
                .replace("{id}", "1")
                .replace("{response_id}", "1")
                .replace("{slug}", "x")
                .replace("{token}", "x")
                .replace("{email}", "x@example.com"),
        );
        let res = client()
            .request(method.parse().unwrap(), url)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert!(
            [401, 404, 422].contains(&res.status().as_u16()),
            "{op} answered {}",
            res.status()
        );
        assert!(
            json_of(res).await["error"].is_string(),
            "{op} explains itself"
        );
    }
    let unknown = client()
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert!(json_of(unknown).await["error"].is_string());
}

#[tokio::test]
async fn health_is_ok_and_unknown_pages_are_a_404_page() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let health = client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(json_of(health).await, json!({ "status": "ok" }));
    let page = client().get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn health_answers_503_when_the_database_is_gone() {
    let Some(db) = crate::harness::postgres_db().await else {
        return;
    };
    let app = spawn_app(&db.url, &[]).await;
    assert_eq!(
        client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    db.drop_now().await;
    assert_eq!(
        client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
}

/// PostgreSQL refuses NUL in text; the API refuses it first, with a 422 that says so,
/// in a body, a path and a query, and an escaped backslash before `u0000` is plain text.
/// Pages and forms refuse it as well.
#[tokio::test]
async fn text_with_a_nul_character_is_a_422_not_a_database_error() {
    let Some(db) = crate::harness::postgres_db().await else {
        return;
    };
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let token = app.api_token(&admin).await;
    let api = client();
    let segment = |name: &str| {
        api.post(app.url("/api/v1/segments"))
            .bearer_auth(&token)
            .json(&json!({ "name": name, "conditions": [] }))
            .send()
    };
    let res = segment("Y\0A").await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(json_of(res).await["error"]
        .as_str()
        .unwrap()
        .contains("NUL"));
    let res = segment("C:\\u0000 stays text").await.unwrap();
    assert_eq!(res.status(), 201, "an escaped backslash is not a NUL");
    for (method, url) in [
        (
            reqwest::Method::GET,
            "/api/v1/surveys/1/trends?filter=team:a%00b",
        ),
        (reqwest::Method::DELETE, "/api/v1/segments/1%00"),
    ] {
        let res = api
            .request(method, app.url(url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{url}");
        assert!(json_of(res).await["error"]
            .as_str()
            .unwrap()
            .contains("NUL"));
    }
    // Pages and forms too: a page's query, a server function's and a plain form's fields.
    let survey = app.create_survey(&admin, "nps").await["id"]
        .as_i64()
        .unwrap();
    let page = admin
        .get(app.url(&format!("/surveys/{survey}?filter=team:a%00b")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422);
    for (path, form) in [
        ("/rpc/create_survey", "kind=nps&title=Q4%00"),
        (
            "/rpc/create_user",
            "name=A%00&email=a%40example.com&role=viewer",
        ),
        (
            "/rpc/add_webhook",
            "url=https%3A%2F%2Fhooks.example.com%2F%00&events[0]=case.opened",
        ),
    ] {
        let res = admin
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{path}");
        assert!(res.text().await.unwrap().contains("NUL"), "{path}");
    }
    let surveys = app.get_json(&admin, "/api/v1/surveys").await;
    assert_eq!(
        surveys.as_array().map(Vec::len),
        Some(1),
        "nothing was created"
    );
}

#[test]
fn a_bad_database_url_is_a_one_line_error_and_a_failing_exit_code() {
    for url in ["mysql://localhost/x", "postgres://nobody@127.0.0.1:1/none"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_resonance"))
            .args(["migrate", "--database-url", url])
            .output()
            .expect("the binary runs");
        assert!(!out.status.success(), "{url} must fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "one line for {url}: {stderr}"
        );
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}

#[tokio::test]
async fn roles_decide_what_a_user_may_do() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let viewer_account = json!({
        "name": "Val Viewer", "email": "val@example.com",
        "password": "viewer password 1", "role": "viewer"
    });
    let created = admin
        .post(app.url("/api/v1/users"))
        .json(&viewer_account)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(json_of(created).await["role"], "viewer");
    let again = admin
        .post(app.url("/api/v1/users"))
        .json(&viewer_account)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    assert_eq!(json_of(again).await["field"], "email");

    let viewer = client();
    let login = app
        .post_form(
            &viewer,
            "/login",
            "/rpc/login",
            &[
                ("email", "val@example.com"),
                ("password", "viewer password 1"),
            ],
        )
        .await;
    assert_eq!(login.headers()["location"], "/surveys");
    assert_eq!(
        viewer
            .get(app.url("/api/v1/surveys"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let create = viewer
        .post(app.url("/api/v1/surveys"))
        .json(&json!({ "kind": "nps", "title": "Not mine to make" }))
        .send()
        .await
        .unwrap();
    assert_eq!(create.status(), 403);
    assert_eq!(
        viewer
            .get(app.url("/api/v1/users"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let tokens = viewer.get(app.url("/api/v1/tokens")).send().await.unwrap();
    assert_eq!(tokens.status(), 200, "each user has tokens of their own");
    assert_eq!(json_of(tokens).await, json!([]), "and sees no one else's");
    let users = json_of(admin.get(app.url("/api/v1/users")).send().await.unwrap()).await;
    assert_eq!(users.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_answer_page_speaks_the_language_asked_for_then_the_browsers() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let survey = app.create_survey(&admin, "nps").await;
    let link = survey["public_url"].as_str().unwrap().to_string();
    let page = |url: String, accept: &'static str| async move {
        client()
            .get(url)
            .header("accept-language", accept)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let german = page(link.clone(), "de-DE,de;q=0.9,en;q=0.5").await;
    assert!(german.contains("lang=\"de\""), "html lang is de");
    assert!(german.contains("Absenden") && german.contains("Äußerst wahrscheinlich"));
    assert!(
        german.contains("weiterempfehlen") && german.contains("Resonance einem Freund"),
        "the question is the template's German one, with {{company}} filled in"
    );
    let english = page(format!("{link}?lang=en"), "de-DE").await;
    assert!(
        english.contains("Send") && english.contains("Extremely likely"),
        "?lang= wins"
    );
    let fallback = page(link.clone(), "fr-FR").await;
    assert!(
        fallback.contains("Extremely likely"),
        "unknown languages fall back to the survey's"
    );

    let slug = link.rsplit('/').next().unwrap();
    let link_field = format!("s/{slug}");
    let res = app
        .post_form(
            &client(),
            &format!("/s/{slug}?lang=de"),
            "/rpc/answer",
            &[
                ("link", link_field.as_str()),
                ("step", "0"),
                ("resume_key", "kkkkkkkkkkkkkkkkkkkkkk"),
                ("lang", "de"),
                ("follow_up", "Zu teuer"),
            ],
        )
        .await;
    let again = app.follow(res).await;
    assert!(
        again.contains("Bitte beantworten Sie diese Frage."),
        "the error is in German"
    );
    assert!(again.contains("Zu teuer"), "what was typed is kept");
}

#[tokio::test]
async fn a_survey_takes_answers_only_while_active_before_its_close_time_and_under_its_cap() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    let survey = app.create_survey(&admin, "nps").await;
    let (id, link) = (
        survey["id"].as_i64().unwrap(),
        survey["public_url"].as_str().unwrap().to_string(),
    );
    let slug = link.rsplit('/').next().unwrap().to_string();
    let settings = |body: Value| {
        let (admin, url) = (
            admin.clone(),
            app.url(&format!("/api/v1/surveys/{id}/settings")),
        );
        async move { admin.put(url).json(&body).send().await.unwrap() }
    };
    let answer = |key: &'static str| {
        let url = app.url(&format!("/api/v1/answers/{slug}"));
        async move {
            client()
                .post(url)
                .json(&json!({ "answers": { "nps": 8 }, "resume_key": key.repeat(22) }))
                .send()
                .await
                .unwrap()
        }
    };
    let page = || {
        let url = link.clone();
        async move {
            client()
                .get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };

    let draft =
        settings(json!({ "status": "draft", "closes_at": null, "response_cap": null })).await;
    assert_eq!(draft.status(), 200);
    assert_eq!(json_of(draft).await["accepting_answers"], false);
    assert!(page().await.contains("This survey is not open yet."));
    let refused = answer("a").await;
    assert_eq!(refused.status(), 409);
    assert_eq!(
        json_of(refused).await["error"],
        "This survey is not open yet. Please try again later."
    );

    let capped =
        settings(json!({ "status": "active", "closes_at": null, "response_cap": 1 })).await;
    assert_eq!(json_of(capped).await["accepting_answers"], true);
    assert_eq!(answer("a").await.status(), 201);
    assert_eq!(
        answer("a").await.status(),
        200,
        "the respondent may still change the answer that filled the survey"
    );
    assert_eq!(answer("b").await.status(), 409, "the cap is reached");
    assert!(page().await.contains("already received all the answers"));

    let past = settings(
        json!({ "status": "active", "closes_at": "2020-01-01T00:00:00Z", "response_cap": null }),
    )
    .await;
    assert_eq!(json_of(past).await["closes_at"], "2020-01-01T00:00");
    assert_eq!(answer("c").await.status(), 409);
    assert!(page().await.contains("This survey has ended"));

    let bad = settings(json!({ "status": "active", "closes_at": null, "response_cap": 0 })).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(json_of(bad).await["field"], "response_cap");
    let unknown = admin
        .put(app.url("/api/v1/surveys/999/settings"))
        .json(&json!({ "status": "closed", "closes_at": null, "response_cap": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // The admin page's form: plain text fields, errors re-rendered with the input.
    let (page, id_text) = (format!("/surveys/{id}"), id.to_string());
    let settings_form = |closes_at: &'static str| {
        let (app, admin, page, id_text) = (&app, &admin, page.clone(), id_text.clone());
        async move {
            let form = [
                ("id", id_text.as_str()),
                ("status", "closed"),
                ("closes_at", closes_at),
                ("response_cap", ""),
            ];
            app.post_form(admin, &page, "/rpc/survey_settings", &form)
                .await
        }
    };
    let html = app
        .follow_with(&admin, settings_form("tomorrow").await)
        .await;
    assert!(html.contains("Enter the close time as YYYY-MM-DDTHH:MM (UTC)."));
    assert!(html.contains("value=\"tomorrow\""));
    let saved = settings_form("").await;
    assert!(!saved.headers()["location"]
        .to_str()
        .unwrap()
        .contains("__err"));
    let report = app.report(&admin, id).await;
    assert_eq!(report["survey"]["status"], "closed");
    assert_eq!(report["survey"]["response_count"], 1);
}

#[tokio::test]
async fn every_answer_refuses_framing_and_sniffing_and_capability_links_send_no_referrer() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    for path in ["/login", "/api/v1/openapi.json", "/health", "/t/some-token"] {
        let res = client().get(app.url(path)).send().await.unwrap();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{path}");
        let referrer = header("referrer-policy");
        if path.starts_with("/t/") {
            assert_eq!(referrer.as_deref(), Some("no-referrer"), "{path}");
        } else {
            assert_eq!(
                referrer.as_deref(),
                Some("strict-origin-when-cross-origin"),
                "{path}"
            );
        }
    }
}

/// Sends the start of a request and stops, as a slow or hostile client does; what the
/// server wrote before it closed the connection. Without a server-side limit the read
/// would wait forever: the outer minute turns that into a failure.
async fn stalled_request(app: &crate::harness::TestApp, start: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(start).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server closed the connection");
    assert!(read.is_ok() || answer.is_empty(), "{read:?}");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &["--header-read-timeout-secs", "1"]).await;
    let answer = stalled_request(&app, b"GET /login HTTP/1.1\r\nHost: resonance\r\nX-Slow: ").await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_is_answered_with_408() {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &["--request-timeout-secs", "1"]).await;
    let answer = stalled_request(
        &app,
        b"POST /api/v1/answers/some-survey HTTP/1.1\r\nHost: resonance\r\n\
          Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"answers\":",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_storage_failure_is_a_500_with_the_request_id_and_no_database_text() {
    let (db, app, admin) = crate::harness::app_with_admin().await;
    let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
    sqlx::query("ALTER TABLE surveys RENAME TO surveys_gone")
        .execute(&pool)
        .await
        .unwrap();
    for path in ["/api/v1/surveys", "/rpc/survey_overview"] {
        let res = if path.starts_with("/rpc") {
            admin
                .post(app.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .send()
                .await
                .unwrap()
        } else {
            admin.get(app.url(path)).send().await.unwrap()
        };
        assert_eq!(res.status(), 500, "{path}");
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body = json_of(res).await;
        assert_eq!(body["request_id"], id.as_str(), "{path}: {body}");
        let text = body.to_string().to_lowercase();
        for leak in ["surveys", "no such table", "sqlite", "error returned"] {
            assert!(!text.contains(leak), "{path} says {leak}: {body}");
        }
    }
}

/// Listing the app's pages (as each server does as it starts) runs the app with a
/// process-wide flag that suspends data loading: a page rendering elsewhere in the process
/// at that moment waited for its data until the request timed out. Test servers share one
/// process, and it hung one page in a few full runs. The list is made once a process now.
#[tokio::test]
async fn pages_render_whole_while_servers_in_the_same_process_list_their_pages() {
    let (_db, app, admin) = crate::harness::app_with_admin().await;
    let survey = app.create_survey(&admin, "nps").await;
    let title = survey["title"].as_str().expect("a title").to_owned();
    let listing = std::thread::spawn(|| {
        (0..1000)
            .map(|_| server::http::page_routes().len())
            .min()
            .unwrap_or_default()
    });
    let pages = futures_util::future::join_all((0..100).map(|_| async {
        let res = admin
            .get(app.url("/surveys"))
            .send()
            .await
            .expect("request");
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }))
    .await;
    assert!(listing.join().expect("listed") > 20, "every page listed");
    for (status, page) in pages {
        assert_eq!(status, 200, "{page}");
        assert!(page.contains(&title), "the survey list, whole: {page}");
    }
}
