//! People who come and go by email: an admin invites a user, who chooses a password
//! through a single-use link; whoever forgot a password asks for a reset link, and the
//! asking tells no one whether an address has an account. The links travel through the
//! outbox to a real SMTP server on loopback.

use crate::harness::smtp::{Mail, SmtpSink};
use crate::harness::{client, read_column, TestApp};
use crate::sending::app_sending_to;
use app::model::Role;
use app::ports::{LinkFor, LinkPurpose, LinkSent, NewAccountLink, NewUser, Store};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use std::sync::Arc;

const PASSWORD: &str = "correct horse battery";

/// The secret of the `/password/` link in a message's text.
fn link_token(mail: &Mail) -> String {
    let start = mail.text.find("/password/").expect("a password link") + "/password/".len();
    mail.text[start..]
        .split(['\r', '\n', ' '])
        .next()
        .expect("token")
        .to_owned()
}

async fn choose(app: &TestApp, c: &reqwest::Client, token: &str, a: &str, b: &str) -> u16 {
    c.post(app.url("/rpc/set_password"))
        .form(&[("token", token), ("password", a), ("repeated", b)])
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> (u16, reqwest::Client) {
    let c = client();
    let res = c
        .post(app.url("/rpc/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("request");
    (res.status().as_u16(), c)
}

async fn forgot(app: &TestApp, email: &str) -> (u16, String) {
    let res = client()
        .post(app.url("/rpc/forgot_password"))
        .header("accept", "text/html")
        .header("referer", app.url("/forgot"))
        .form(&[("email", email)])
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    (status, location)
}

on_both_databases!(an_invited_user_chooses_their_password_through_the_emailed_link_once);
async fn an_invited_user_chooses_their_password_through_the_emailed_link_once(url: &str) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(url, &sink).await;
    let res = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({ "name": "Vic Viewer", "email": "vic@example.com", "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let vic: Value = res.json().await.unwrap();
    assert_eq!(vic["invited"], true);

    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert!(mail.to().contains("vic@example.com"), "{}", mail.to());
    assert!(
        mail.header("subject").unwrap().contains("invited to Acme"),
        "{:?}",
        mail.header("subject")
    );
    assert!(mail.text.contains("7 days"), "{}", mail.text);
    let token = link_token(mail);
    assert!(
        mail.html.contains(&format!("/password/{token}")),
        "{}",
        mail.html
    );

    // Nobody signs in as an invited user before they chose a password, not even with an
    // empty one.
    assert_eq!(sign_in(&app, "vic@example.com", "").await.0, 401);
    // Opening the link (as a mail scanner would) uses nothing up.
    for _ in 0..2 {
        let page = app.page(&client(), &format!("/password/{token}")).await;
        assert!(page.contains("Welcome to Resonance"), "{page}");
        assert!(page.contains("vic@example.com"));
    }
    let res = client()
        .get(app.url(&format!("/password/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");

    let vic_browser = client();
    assert_eq!(
        choose(&app, &vic_browser, &token, PASSWORD, "another password").await,
        422,
        "two different passwords are refused"
    );
    assert_eq!(
        choose(&app, &vic_browser, &token, "short", "short").await,
        422
    );
    assert_eq!(
        choose(&app, &vic_browser, &token, PASSWORD, PASSWORD).await,
        200,
        "the link sets the password and signs in"
    );
    let me = app.get_json(&vic_browser, "/api/v1/me").await;
    assert_eq!(me["email"], "vic@example.com");
    assert_eq!(me["invited"], false);
    assert_eq!(sign_in(&app, "vic@example.com", PASSWORD).await.0, 200);

    // Used once, the link is dead, and its page says what to do.
    assert_eq!(
        choose(
            &app,
            &client(),
            &token,
            "a password of theirs",
            "a password of theirs"
        )
        .await,
        404
    );
    let page = app.page(&client(), &format!("/password/{token}")).await;
    assert!(page.contains("expired or was used already"), "{page}");
    assert_eq!(sign_in(&app, "vic@example.com", PASSWORD).await.0, 200);

    // What the database keeps of the link: a hash, and no secret in the outbox once sent.
    let payloads: Vec<String> = read_column(
        url,
        "SELECT payload FROM outbox WHERE user_id = $1",
        vic["id"].as_i64().unwrap(),
    )
    .await;
    assert_eq!(payloads, vec!["{}".to_owned()]);
    let links: Vec<i64> = read_column(
        url,
        "SELECT COUNT(*) FROM account_links WHERE user_id = $1",
        vic["id"].as_i64().unwrap(),
    )
    .await;
    assert_eq!(links, vec![0], "a used link is gone");
}

on_both_databases!(asking_for_a_reset_tells_no_one_whether_an_address_has_an_account);
async fn asking_for_a_reset_tells_no_one_whether_an_address_has_an_account(url: &str) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(url, &sink).await;
    let unknown = forgot(&app, "nobody@example.com").await;
    let known = forgot(&app, "ADA@example.com").await;
    assert_eq!(unknown, known, "the same answer whoever asked");
    assert_eq!(known, (302, "/forgot?sent=1".to_owned()));
    let page = app.page(&client(), "/forgot?sent=1").await;
    assert!(page.contains("If an account has this address"), "{page}");

    let mails = sink.wait_for(1).await;
    assert!(mails[0].to().contains("ada@example.com"));
    assert!(mails[0].text.contains("60 minutes"), "{}", mails[0].text);
    let token = link_token(&mails[0]);
    let page = app.page(&client(), &format!("/password/{token}")).await;
    assert!(page.contains("Choose a new password"), "{page}");

    // A new password through the link ends every session, the admin's browser too.
    assert_eq!(app.page_status(&admin, "/api/v1/me").await, 200);
    let phone = client();
    assert_eq!(
        choose(
            &app,
            &phone,
            &token,
            "a brand new password",
            "a brand new password"
        )
        .await,
        200
    );
    assert_eq!(app.page_status(&admin, "/api/v1/me").await, 401);
    assert_eq!(app.page_status(&phone, "/api/v1/me").await, 200);
    assert_eq!(sign_in(&app, "ada@example.com", PASSWORD).await.0, 401);
    assert_eq!(
        sign_in(&app, "ada@example.com", "a brand new password")
            .await
            .0,
        200
    );

    // Asked again and again, a reset sends at most three links an hour, and the page
    // says the same each time.
    for _ in 0..4 {
        assert_eq!(forgot(&app, "ada@example.com").await, known);
    }
    sink.wait_for(3).await;
    let outbox: Vec<i64> = read_column(
        url,
        "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset' AND user_id = $1",
        1,
    )
    .await;
    assert_eq!(
        outbox,
        vec![3],
        "requests beyond the third within the hour make no link"
    );
    // Not an address at all: said, and nothing else.
    let (status, location) = forgot(&app, "not an address").await;
    assert_eq!(status, 302);
    assert!(
        location.contains("/forgot?") && location.contains("__err="),
        "the form shows its error: {location}"
    );
    assert_eq!(sink.messages().len(), 3, "three resets, none to nobody@");
}

on_both_databases!(a_disabled_user_gets_no_reset_and_their_links_stop_working);
async fn a_disabled_user_gets_no_reset_and_their_links_stop_working(url: &str) {
    let sink = SmtpSink::start();
    let (app, admin) = app_sending_to(url, &sink).await;
    let res = admin
        .post(app.url("/api/v1/users"))
        .json(&json!({ "name": "Hal", "email": "hal@example.com", "role": "hr" }))
        .send()
        .await
        .unwrap();
    let hal: Value = res.json().await.unwrap();
    let id = hal["id"].as_i64().unwrap();
    let token = link_token(&sink.wait_for(1).await[0]);
    let res = admin
        .put(app.url(&format!("/api/v1/users/{id}/disabled")))
        .json(&json!({ "disabled": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        choose(&app, &client(), &token, PASSWORD, PASSWORD).await,
        404,
        "disabling forgets the user's links"
    );
    let res = admin
        .post(app.url(&format!("/api/v1/users/{id}/invitation")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "no invitation to a disabled user");
    assert_eq!(forgot(&app, "hal@example.com").await.0, 302);
    // A reset link is made after the answer, by a task of its own: Ada's, asked for next,
    // arriving shows Hal's has had its turn, and it sent nothing.
    assert_eq!(forgot(&app, "ada@example.com").await.0, 302);
    let mails = sink.wait_for(2).await;
    assert!(
        mails[1].to().contains("ada@example.com"),
        "the reset asked while disabled sent nothing: {:?}",
        mails.iter().map(|m| m.to()).collect::<Vec<_>>()
    );

    // Enabled again, they get a new invitation from the admin.
    let res = admin
        .put(app.url(&format!("/api/v1/users/{id}/disabled")))
        .json(&json!({ "disabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = admin
        .post(app.url(&format!("/api/v1/users/{id}/invitation")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let mails = sink.wait_for(3).await;
    let invitation = mails[2..]
        .iter()
        .find(|m| {
            m.to().contains("hal@example.com")
                && m.header("subject").unwrap_or_default().contains("invited")
        })
        .expect("a new invitation to Hal");
    let token = link_token(invitation);
    assert_eq!(
        choose(&app, &client(), &token, PASSWORD, PASSWORD).await,
        200
    );
    assert_eq!(sign_in(&app, "hal@example.com", PASSWORD).await.0, 200);
}

on_both_backends!(an_account_link_works_once_and_never_after_it_expires);
async fn an_account_link_works_once_and_never_after_it_expires(store: Arc<dyn Store>) {
    let now = Utc::now();
    let user = store
        .create_first_user(NewUser {
            email: "ada@example.com".into(),
            name: "Ada".into(),
            password_hash: String::new(),
            role: Role::Admin,
            scope: Default::default(),
        })
        .await
        .expect("user");
    assert!(user.invited, "no password yet");
    let link = |token: &str, to: LinkFor| NewAccountLink {
        to,
        purpose: LinkPurpose::Reset,
        token: token.into(),
        token_hash: format!("hash of {token}"),
        now,
        expires_at: now + Duration::hours(1),
        most_per_hour: 2,
    };
    let sent = |l| {
        let store = store.clone();
        async move { store.send_account_link(&l).await.expect("link") }
    };
    assert_eq!(
        sent(link("a", LinkFor::Email("ada@example.com".into()))).await,
        LinkSent::Sent
    );
    assert_eq!(
        sent(link("b", LinkFor::User(user.id))).await,
        LinkSent::Sent
    );
    assert_eq!(
        sent(link("c", LinkFor::User(user.id))).await,
        LinkSent::TooMany
    );
    assert_eq!(
        sent(link("d", LinkFor::Email("eve@example.com".into()))).await,
        LinkSent::NoSuchUser
    );

    let later = now + Duration::minutes(61);
    assert_eq!(store.account_link("hash of a", later).await.unwrap(), None);
    assert_eq!(
        store
            .use_account_link("hash of a", "$new", later)
            .await
            .unwrap(),
        None,
        "an expired link sets nothing"
    );
    let found = store.account_link("hash of a", now).await.unwrap();
    assert_eq!(
        found.map(|(u, p)| (u.id, p)),
        Some((user.id, LinkPurpose::Reset))
    );
    let used = store
        .use_account_link("hash of a", "$new", now)
        .await
        .unwrap()
        .expect("a live link");
    assert!(!used.invited);
    assert_eq!(
        store
            .use_account_link("hash of a", "$other", now)
            .await
            .unwrap(),
        None,
        "a link works once"
    );
    assert_eq!(
        store
            .use_account_link("hash of b", "$other", now)
            .await
            .unwrap(),
        None,
        "using one link ends the user's others"
    );
    let (_, hash) = store
        .user_credentials("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hash, "$new");
}
