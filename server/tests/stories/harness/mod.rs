//! The harness the stories and the benches share: fresh databases on both backends, the
//! app on port 0 and the steps a user takes. The benches include this file by path, so
//! a helper only the stories use is dead code there.
#![allow(dead_code, unused_macros)]

pub mod smtp;

use clap::Parser;
use server::config::{Cli, Command};
use std::net::SocketAddr;

pub const SECRET_KEY: &str = "test-secret-key-0123456789abcdef-0123456789";

/// A fresh SQLite file in a temporary directory.
pub struct SqliteDb {
    pub url: String,
    _dir: tempfile::TempDir,
}

pub fn sqlite_db() -> SqliteDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    SqliteDb { url, _dir: dir }
}

/// A fresh PostgreSQL database, dropped when this value is.
pub struct PgDb {
    pub url: String,
    admin_url: String,
    name: String,
}

/// Where the PostgreSQL suite connects: `RESONANCE_TEST_POSTGRES` (a URL, or `skip`).
/// In CI the suite is mandatory; elsewhere an unreachable server skips it, loudly.
pub async fn postgres_db() -> Option<PgDb> {
    let ci = std::env::var("CI").map(|v| v == "true").unwrap_or(false);
    let admin_url = std::env::var("RESONANCE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    if admin_url == "skip" {
        assert!(!ci, "the PostgreSQL suite may not be skipped in CI");
        eprintln!("SKIPPED: PostgreSQL suite (RESONANCE_TEST_POSTGRES=skip)");
        return None;
    }
    let name = format!(
        "resonance_test_{}",
        app::api::auth::new_secret()[..12]
            .to_lowercase()
            .replace('-', "_")
    );
    let admin = match sqlx::PgPool::connect(&admin_url).await {
        Ok(pool) => pool,
        Err(e) if !ci => {
            eprintln!("SKIPPED: PostgreSQL suite, {admin_url} unreachable: {e}");
            return None;
        }
        Err(e) => panic!("PostgreSQL is required in CI: {e}"),
    };
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&admin_url);
    Some(PgDb {
        url: format!("{base}/{name}"),
        admin_url,
        name,
    })
}

impl PgDb {
    /// Drops the database under a running app (to see how it copes).
    pub async fn drop_now(&self) {
        let admin = sqlx::PgPool::connect(&self.admin_url)
            .await
            .expect("admin connection");
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&admin)
        .await
        .expect("drop test database");
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Dropping needs async; a small runtime of its own keeps Drop simple.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(async {
                    if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&admin)
                                .await;
                    }
                });
            }
        })
        .join();
    }
}

/// The app, listening on a free port, with a cookie-keeping client.
pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
}

/// Every test's server runs on this one runtime, which lives as long as the test process.
/// Each `#[tokio::test]` has a runtime of its own that ends with the test; a server task
/// handed to a finished test's runtime by process-wide state (Leptos keeps some) would
/// never run, and the next test would hang waiting for it.
fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime")
    })
}

pub async fn spawn_app(database_url: &str, extra: &[&str]) -> TestApp {
    let site = tempfile::tempdir().expect("site dir").keep();
    spawn_app_with_site(database_url, &site, extra).await
}

/// The app serving the compiled site (stylesheet, bundle, `hash.txt`) found in `site`.
pub async fn spawn_app_with_site(
    database_url: &str,
    site: &std::path::Path,
    extra: &[&str],
) -> TestApp {
    let mut argv = vec![
        "resonance",
        "serve",
        "--database-url",
        database_url,
        "--bind",
        "127.0.0.1:0",
        "--secret-key",
        SECRET_KEY,
        "--site-root",
        site.to_str().expect("utf-8 path"),
    ];
    argv.extend_from_slice(extra);
    let Command::Serve(args) = Cli::try_parse_from(&argv)
        .expect("valid test arguments")
        .command
    else {
        panic!("serve expected");
    };
    let (ready, addr) = tokio::sync::oneshot::channel();
    server_runtime().spawn(async move {
        let bound = server::serve::bind(&args).await.expect("server starts");
        let _ = ready.send(bound.addr);
        bound.serve(std::future::pending()).await
    });
    let addr = addr.await.expect("server starts");
    TestApp {
        addr,
        base: format!("http://{addr}"),
        client: client(),
    }
}

/// A port nobody listens on now, for a `resonance` process started by a story.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Waits (up to 10 s) until the process at `base` answers its health check.
pub async fn wait_healthy(base: &str) {
    for _ in 0..200 {
        if let Ok(res) = client().get(format!("{base}/healthz")).send().await {
            if res.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("resonance did not start");
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

impl TestApp {
    /// An absolute URL for a path; absolute URLs (redirect targets) pass through.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// Posts a form to a server function the way a browser without JavaScript does, from the
    /// page `from`: the answer redirects back there, with any error in the URL.
    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        from: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .header("accept", "text/html")
            .header("referer", self.url(from))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// The page a form post redirected to, fetched as a fresh browser would.
    pub async fn follow(&self, res: reqwest::Response) -> String {
        let location = res.headers()["location"]
            .to_str()
            .expect("a redirect")
            .to_string();
        let page = client()
            .get(self.url(&location))
            .send()
            .await
            .expect("request");
        page.text().await.expect("page text")
    }

    /// Like `follow`, but as the signed-in user of `client`.
    pub async fn follow_with(&self, client: &reqwest::Client, res: reqwest::Response) -> String {
        let location = res.headers()["location"]
            .to_str()
            .expect("a redirect")
            .to_string();
        let page = client
            .get(self.url(&location))
            .send()
            .await
            .expect("request");
        page.text().await.expect("page text")
    }

    /// Posts a CSV file to the contact import API as the user of `client`.
    pub async fn import_contacts(&self, client: &reqwest::Client, csv: &str) -> reqwest::Response {
        client
            .post(self.url("/api/v1/contacts/import"))
            .header("content-type", "text/csv")
            .body(csv.to_owned())
            .send()
            .await
            .expect("request")
    }

    /// Creates the first admin through the setup form; `client` keeps the session.
    pub async fn set_up_admin(&self, client: &reqwest::Client) {
        let res = self
            .post_form(
                client,
                "/setup",
                "/rpc/setup",
                &[
                    ("name", "Ada Admin"),
                    ("email", "ada@example.com"),
                    ("password", "correct horse battery"),
                ],
            )
            .await;
        assert!(
            res.status().is_redirection(),
            "setup answered {}",
            res.status()
        );
        assert_eq!(res.headers()["location"], "/surveys");
    }

    /// A new survey of `kind` from its template, made through the API by the signed-in
    /// user of `client` and opened for answers.
    pub async fn create_survey(&self, client: &reqwest::Client, kind: &str) -> serde_json::Value {
        let res = client
            .post(self.url("/api/v1/surveys"))
            .json(&serde_json::json!({ "kind": kind }))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 201);
        let created: serde_json::Value = res.json().await.expect("json");
        assert_eq!(created["status"], "draft", "new surveys start as drafts");
        self.set_status(client, created["id"].as_i64().expect("id"), "active")
            .await
    }

    pub async fn set_status(
        &self,
        client: &reqwest::Client,
        id: i64,
        status: &str,
    ) -> serde_json::Value {
        let res = client
            .put(self.url(&format!("/api/v1/surveys/{id}/settings")))
            .json(&serde_json::json!({ "status": status, "closes_at": null, "response_cap": null }))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200);
        res.json().await.expect("json")
    }

    /// A survey's report from the API, as the signed-in user of `client` reads it.
    pub async fn report(
        &self,
        client: &reqwest::Client,
        id: impl std::fmt::Display,
    ) -> serde_json::Value {
        let res = client
            .get(self.url(&format!("/api/v1/surveys/{id}")))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200);
        res.json().await.expect("json")
    }

    /// An API token for the signed-in admin of `client`.
    pub async fn api_token(&self, client: &reqwest::Client) -> String {
        let res = client
            .post(self.url("/api/v1/tokens"))
            .json(&serde_json::json!({ "name": "tests" }))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 201);
        let body: serde_json::Value = res.json().await.expect("json");
        body["secret"].as_str().expect("secret").to_string()
    }

    /// An API resource as the user of `client` sees it.
    pub async fn get_json(&self, client: &reqwest::Client, path: &str) -> serde_json::Value {
        let res = client.get(self.url(path)).send().await.expect("request");
        res.json().await.expect("json")
    }

    /// The status of a page as the user of `client` opens it (its body read to the end).
    pub async fn page_status(&self, client: &reqwest::Client, path: &str) -> u16 {
        let res = client.get(self.url(path)).send().await.expect("request");
        let status = res.status().as_u16();
        let _ = res.bytes().await;
        status
    }

    /// A page's HTML as the user of `client` sees it.
    pub async fn page(&self, client: &reqwest::Client, path: &str) -> String {
        let res = client.get(self.url(path)).send().await.expect("request");
        res.text().await.expect("page text")
    }

    /// A personal link's token for survey `id`, made by the user of `client` (`link`:
    /// the contact and attributes, as `/api/v1/surveys/{id}/links` takes them).
    pub async fn personal_token(
        &self,
        client: &reqwest::Client,
        id: i64,
        link: serde_json::Value,
    ) -> String {
        let res = client
            .post(self.url(&format!("/api/v1/surveys/{id}/links")))
            .json(&link)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 201);
        let made: serde_json::Value = res.json().await.expect("json");
        let url = made["url"].as_str().expect("url");
        url.rsplit('/').next().expect("a token").to_owned()
    }

    /// An NPS survey (an anonymous one with `anonymous`) whose results are grouped by
    /// team, taking answers: its id and its first question's key.
    pub async fn survey_by_team(&self, admin: &reqwest::Client, anonymous: bool) -> (i64, String) {
        let id = self.create_survey(admin, "nps").await["id"]
            .as_i64()
            .expect("id");
        let path = format!("/api/v1/surveys/{id}/definition");
        let mut definition = self.get_json(admin, &path).await;
        definition["grouping_attributes"] = serde_json::json!(["team"]);
        definition["anonymous"] = serde_json::json!(anonymous);
        let res = admin
            .put(self.url(&path))
            .json(&definition)
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200);
        let question = definition["questions"][0]["key"]
            .as_str()
            .expect("a question");
        (id, question.to_owned())
    }

    /// Answers `survey`'s first question with `score` (and a follow-up `comment`, in
    /// `lang`) through a new personal link made with `link` (its contact, attributes and
    /// locale).
    pub async fn answer_by_link(
        &self,
        admin: &reqwest::Client,
        (id, question): &(i64, String),
        link: serde_json::Value,
        score: u8,
        comment: Option<&str>,
    ) {
        let lang = link["locale"].as_str().unwrap_or("en").to_owned();
        let token = self.personal_token(admin, *id, link).await;
        let follow_ups = match comment {
            Some(c) => serde_json::json!({ question: c }),
            None => serde_json::json!({}),
        };
        let res = client()
            .post(self.url(&format!("/api/v1/personal-answers/{token}")))
            .json(&serde_json::json!({ "answers": { question: score }, "follow_ups": follow_ups, "lang": lang }))
            .send()
            .await
            .expect("request");
        assert_eq!(
            res.status(),
            201,
            "{}",
            res.text().await.unwrap_or_default()
        );
    }

    /// A new user of `role` and `scope`, named by their address's local part and signed in.
    pub async fn signed_in_user(
        &self,
        admin: &reqwest::Client,
        email: &str,
        role: &str,
        scope: &[&str],
    ) -> reqwest::Client {
        let name = email.split('@').next().unwrap_or(email);
        let res = admin
            .post(self.url("/api/v1/users"))
            .json(&serde_json::json!({ "name": name, "email": email,
                "password": "correct horse battery", "role": role, "scope": scope }))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 201, "{email}");
        let c = client();
        let res = c
            .post(self.url("/rpc/login"))
            .form(&[("email", email), ("password", "correct horse battery")])
            .send()
            .await
            .expect("request");
        assert!(
            res.headers().get("set-cookie").is_some(),
            "{email} signs in"
        );
        c
    }

    /// Sends a whole response to a survey's public link through the API.
    pub async fn answer_publicly(&self, slug: &str, body: serde_json::Value) -> reqwest::Response {
        client()
            .post(self.url(&format!("/api/v1/answers/{slug}")))
            .json(&body)
            .send()
            .await
            .expect("request")
    }
}

/// The app on a fresh SQLite database, and a client signed in as its first admin.
pub async fn app_with_admin() -> (SqliteDb, TestApp, reqwest::Client) {
    let db = sqlite_db();
    let app = spawn_app(&db.url, &[]).await;
    let admin = client();
    app.set_up_admin(&admin).await;
    (db, app, admin)
}

/// The last part of a survey's public link (`public_url` in the API's survey summary).
pub fn public_slug(survey: &serde_json::Value) -> String {
    let url = survey["public_url"].as_str().expect("public_url");
    url.rsplit('/').next().unwrap_or_default().to_owned()
}

/// Runs one story (an async fn taking the store) on a fresh SQLite database and on a
/// fresh PostgreSQL database.
macro_rules! on_both_backends {
    ($story:ident) => {
        mod $story {
            #[tokio::test]
            async fn on_sqlite() {
                let db = crate::harness::sqlite_db();
                let store = server::storage::open(&db.url, true)
                    .await
                    .expect("sqlite opens");
                super::$story(store).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(db) = crate::harness::postgres_db().await else {
                    return;
                };
                let store = server::storage::open(&db.url, true)
                    .await
                    .expect("postgres opens");
                super::$story(store).await;
            }
        }
    };
}

/// Runs one story (an async fn taking a database URL) against the app on a fresh SQLite
/// database and on a fresh PostgreSQL database.
macro_rules! on_both_databases {
    ($story:ident) => {
        mod $story {
            #[tokio::test]
            async fn on_sqlite() {
                let db = crate::harness::sqlite_db();
                super::$story(&db.url).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(db) = crate::harness::postgres_db().await else {
                    return;
                };
                super::$story(&db.url).await;
            }
        }
    };
}

/// The first column of what `sql` (with `bind` as `$1`) reads, on either backend: what
/// someone holding the database sees.
pub async fn read_column<T>(database_url: &str, sql: &str, bind: i64) -> Vec<T>
where
    T: Send + Unpin,
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    if database_url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(database_url)
            .await
            .expect("sqlite");
        sqlx::query_scalar(sql).bind(bind).fetch_all(&pool).await
    } else {
        let pool = sqlx::PgPool::connect(database_url).await.expect("postgres");
        sqlx::query_scalar(sql).bind(bind).fetch_all(&pool).await
    }
    .expect("the query")
}

/// Runs `sql` (with `bind` as `$1`) on either backend: time passing, or someone with the
/// database changing it.
pub async fn execute(database_url: &str, sql: &str, bind: i64) {
    if database_url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(database_url)
            .await
            .expect("sqlite");
        sqlx::query(sql).bind(bind).execute(&pool).await.map(|_| ())
    } else {
        let pool = sqlx::PgPool::connect(database_url).await.expect("postgres");
        sqlx::query(sql).bind(bind).execute(&pool).await.map(|_| ())
    }
    .expect("the statement");
}

/// A whole, completed response of `answers` to survey `survey_id`, dated `day`, as the
/// answer use case would hand it to the store.
pub fn response_on(
    survey_id: i64,
    key: &str,
    day: chrono::NaiveDate,
    answers: Vec<app::ports::StoredAnswer>,
) -> app::ports::AnswerBatch {
    app::ports::AnswerBatch {
        id: None,
        survey_id,
        version: 1,
        response_key: key.into(),
        invitation_id: None,
        contact_id: None,
        groups: std::collections::BTreeMap::new(),
        segments: Vec::new(),
        weight: None,
        send_id: None,
        locale: app::domain::Locale::En,
        day,
        at: None,
        answers,
        cleared: Vec::new(),
        completed: true,
        capped: false,
        on_completion: vec![],
        open_case: None,
        webhook_payload: None,
    }
}
