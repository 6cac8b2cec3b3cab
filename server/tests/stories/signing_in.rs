//! Signing in under attack: parallel guesses get no more tries than a sequence, and the
//! scheduler clears expired sessions and old attempts without anyone signing in.

use crate::harness::{client, spawn_app, SECRET_KEY};
use app::model::Role;
use app::ports::{NewUser, SecretKey, Services, Settings, Store};
use chrono::{Duration, Utc};
use std::sync::Arc;

on_both_databases!(a_burst_of_parallel_wrong_passwords_gets_no_more_tries_than_a_sequence);
async fn a_burst_of_parallel_wrong_passwords_gets_no_more_tries_than_a_sequence(url: &str) {
    let app = spawn_app(url, &[]).await;
    app.set_up_admin(&client()).await;
    // A script, not a browser: the server function answers with the error's own status.
    let attempt = |password: &'static str| {
        let app = &app;
        async move {
            client()
                .post(app.url("/rpc/login"))
                .form(&[("email", "ada@example.com"), ("password", password)])
                .send()
                .await
                .expect("request")
        }
    };
    let guesses: Vec<_> = (0..20)
        .map(|_| {
            let url = app.url("/rpc/login");
            tokio::spawn(async move {
                client()
                    .post(url)
                    .form(&[("email", "ada@example.com"), ("password", "wrong password")])
                    .send()
                    .await
                    .expect("request")
            })
        })
        .collect();
    let mut burst = Vec::new();
    for guess in guesses {
        burst.push(guess.await.expect("guess"));
    }
    let checked = burst.iter().filter(|r| r.status() == 401).count();
    let refused: Vec<_> = burst.iter().filter(|r| r.status() == 429).collect();
    assert_eq!(checked + refused.len(), 20, "every guess is a 401 or a 429");
    assert!(
        checked <= 5,
        "{checked} of 20 parallel guesses had their password checked; the limit is 5"
    );
    for res in &refused {
        assert!(res.headers().contains_key("retry-after"));
    }

    let right = attempt("correct horse battery").await;
    assert_eq!(
        right.status(),
        429,
        "the account stays locked for its window"
    );
    assert!(right.headers().get("set-cookie").is_none());
    let body = right.text().await.expect("body");
    assert!(body.contains("Too many failed attempts"), "{body}");
}

on_both_backends!(the_scheduler_deletes_expired_sessions_and_old_attempts_without_a_sign_in);
async fn the_scheduler_deletes_expired_sessions_and_old_attempts_without_a_sign_in(
    store: Arc<dyn Store>,
) {
    let now = Utc::now();
    let id = store
        .create_first_user(NewUser {
            email: "ada@example.com".into(),
            name: "Ada".into(),
            password_hash: "$argon2id$not-checked-here".into(),
            role: Role::Admin,
            scope: Default::default(),
        })
        .await
        .expect("first user")
        .id;
    store
        .create_session("expired", id, now - Duration::minutes(1), "")
        .await
        .expect("session");
    store
        .create_session("live", id, now + Duration::days(1), "")
        .await
        .expect("session");
    let long_ago = now - Duration::days(2);
    store
        .record_login_attempt("ada@example.com", "10.0.0.1", false, long_ago)
        .await
        .expect("attempt");
    store
        .record_login_attempt("ada@example.com", "10.0.0.1", false, now)
        .await
        .expect("attempt");
    let services = Services {
        store: store.clone(),
        settings: Arc::new(Settings {
            secret_key: SecretKey::new(SECRET_KEY.as_bytes()),
            base_url: "http://127.0.0.1:1".into(),
            secure_cookies: false,
            session_days: 14,
            organisation: "Acme".into(),
            setup_code: None,
            webhook_hosts: Vec::new(),
        }),
        answer_limits: Default::default(),
        charts: Arc::new(server::charts::Plotters::new().unwrap()),
    };

    server::jobs::Scheduler::default()
        .step(&services, now)
        .await;

    let failures = store
        .login_failures_since("ada@example.com", "10.0.0.1", long_ago - Duration::days(1))
        .await
        .expect("count");
    assert_eq!(
        (failures.by_account, failures.by_address),
        (1, 1),
        "only the recent attempt is left"
    );
    store
        .create_session("expired", id, now + Duration::days(1), "")
        .await
        .expect("the expired session is gone, so its hash is free again");
    assert_eq!(
        store
            .session_user("live", now)
            .await
            .expect("session")
            .map(|u| u.id),
        Some(id),
        "a live session survives"
    );
}
