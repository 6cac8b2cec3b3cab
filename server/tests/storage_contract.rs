//! The storage contract, told as stories, run on SQLite and on PostgreSQL alike.

mod common;

use app::domain::NpsResult;
use app::model::{Role, SurveyKind, SurveyStatus};
use app::ports::{NewAnswer, NewSurvey, NewUser, Recorded, Store, StoreError, SurveySettings};
use chrono::{Duration, NaiveDate, Utc};
use std::sync::Arc;

/// Runs one story on a fresh SQLite database and on a fresh PostgreSQL database.
macro_rules! on_both_backends {
    ($story:ident) => {
        mod $story {
            #[tokio::test]
            async fn on_sqlite() {
                let db = super::common::sqlite_db();
                let store = server::storage::open(&db.url, true)
                    .await
                    .expect("sqlite opens");
                super::$story(store).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(db) = super::common::postgres_db().await else {
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

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        name: "Someone".into(),
        password_hash: "$argon2id$not-checked-here".into(),
        role,
    }
}

async fn admin(store: &Arc<dyn Store>) -> i64 {
    store
        .create_first_user(new_user("ada@example.com", Role::Admin))
        .await
        .expect("first user")
        .id
}

on_both_backends!(the_first_account_can_be_created_once_and_emails_are_unique);
async fn the_first_account_can_be_created_once_and_emails_are_unique(store: Arc<dyn Store>) {
    assert_eq!(store.count_users().await.unwrap(), 0);
    let ada = store
        .create_first_user(new_user("ada@example.com", Role::Admin))
        .await
        .unwrap();
    assert_eq!(ada.role, Role::Admin);
    assert!(matches!(
        store
            .create_first_user(new_user("eve@example.com", Role::Admin))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let bob = store
        .create_user(new_user("bob@example.com", Role::Manager))
        .await
        .unwrap();
    assert_eq!(bob.role, Role::Manager);
    assert!(matches!(
        store
            .create_user(new_user("bob@example.com", Role::Viewer))
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.count_users().await.unwrap(), 2);
    assert_eq!(
        store.list_users().await.unwrap(),
        vec![ada.clone(), bob.clone()]
    );
    let (found, hash) = store
        .user_credentials("bob@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, bob);
    assert_eq!(hash, "$argon2id$not-checked-here");
    assert!(store
        .user_credentials("nobody@example.com")
        .await
        .unwrap()
        .is_none());
}

on_both_backends!(a_session_finds_its_user_until_it_expires_or_ends);
async fn a_session_finds_its_user_until_it_expires_or_ends(store: Arc<dyn Store>) {
    let id = admin(&store).await;
    let now = Utc::now();
    store
        .create_session("live", id, now + Duration::days(1))
        .await
        .unwrap();
    store
        .create_session("stale", id, now - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        store.session_user("live", now).await.unwrap().map(|u| u.id),
        Some(id)
    );
    assert!(store.session_user("stale", now).await.unwrap().is_none());
    assert!(store.session_user("unknown", now).await.unwrap().is_none());
    store
        .prune_auth_records(now, now - Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        store.session_user("live", now).await.unwrap().map(|u| u.id),
        Some(id),
        "live sessions survive pruning"
    );
    store
        .create_session("stale", id, now + Duration::days(1))
        .await
        .expect("a pruned session's hash can be reused");
    store.delete_session("live").await.unwrap();
    assert!(store.session_user("live", now).await.unwrap().is_none());
}

on_both_backends!(failed_logins_are_counted_per_account_and_per_address_within_the_window);
async fn failed_logins_are_counted_per_account_and_per_address_within_the_window(
    store: Arc<dyn Store>,
) {
    let now = Utc::now();
    let old = now - Duration::hours(1);
    store
        .record_login_attempt("ada@example.com", "10.0.0.1", false, now)
        .await
        .unwrap();
    store
        .record_login_attempt("ada@example.com", "10.0.0.2", false, now)
        .await
        .unwrap();
    store
        .record_login_attempt("bob@example.com", "10.0.0.1", false, now)
        .await
        .unwrap();
    store
        .record_login_attempt("ada@example.com", "10.0.0.1", true, now)
        .await
        .unwrap();
    store
        .record_login_attempt("ada@example.com", "10.0.0.1", false, old)
        .await
        .unwrap();
    let since = now - Duration::minutes(15);
    assert_eq!(
        store
            .login_failures_since("ada@example.com", "10.0.0.1", since)
            .await
            .unwrap(),
        (2, 2)
    );
    assert_eq!(
        store
            .login_failures_since("carl@example.com", "10.0.0.9", since)
            .await
            .unwrap(),
        (0, 0)
    );
}

on_both_backends!(an_api_token_identifies_its_owner_until_revoked);
async fn an_api_token_identifies_its_owner_until_revoked(store: Arc<dyn Store>) {
    let id = admin(&store).await;
    let token = store
        .create_api_token(id, "ci", "rsn_abcdef", "hash-1")
        .await
        .unwrap();
    assert_eq!((token.name.as_str(), token.revoked), ("ci", false));
    let now = Utc::now();
    assert_eq!(
        store
            .api_token_user("hash-1", now)
            .await
            .unwrap()
            .map(|u| u.id),
        Some(id)
    );
    let listed = store.list_api_tokens().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some(), "use is recorded");
    assert!(store.revoke_api_token(token.id).await.unwrap());
    assert!(
        !store.revoke_api_token(token.id).await.unwrap(),
        "revoking twice changes nothing"
    );
    assert!(store.api_token_user("hash-1", now).await.unwrap().is_none());
    assert!(store.list_api_tokens().await.unwrap()[0].revoked);
}

on_both_backends!(answers_are_counted_once_per_submission_and_scored_from_day_buckets);
async fn answers_are_counted_once_per_submission_and_scored_from_day_buckets(
    store: Arc<dyn Store>,
) {
    let owner = admin(&store).await;
    let survey = store
        .create_survey(NewSurvey {
            kind: SurveyKind::Nps,
            title: "Q4".into(),
            question: "How likely…?".into(),
            public_slug: "slug-q4".into(),
            anonymous: false,
            created_by: owner,
        })
        .await
        .unwrap();
    assert_eq!(
        (
            survey.status,
            survey.title.as_str(),
            survey.question.as_str()
        ),
        (SurveyStatus::Active, "Q4", "How likely…?")
    );
    assert_eq!(
        store.survey_by_slug("slug-q4").await.unwrap(),
        Some(survey.clone())
    );
    assert_eq!(store.survey(survey.id).await.unwrap(), Some(survey.clone()));
    assert!(store.survey_by_slug("nope").await.unwrap().is_none());
    assert_eq!(store.list_surveys().await.unwrap(), vec![survey.clone()]);

    let day1 = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let day2 = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
    // The published example: 100 promoters, 60 passives, 40 detractors over two days.
    let scores = (0..100)
        .map(|i| 9 + (i % 2))
        .chain((0..60).map(|i| 7 + (i % 2)))
        .chain((0..40).map(|i| i % 7));
    for (i, score) in scores.enumerate() {
        let answer = NewAnswer {
            survey_id: survey.id,
            question_id: survey.question_id,
            score: Some(score as u8),
            comment: (i % 10 == 0).then(|| format!("comment {i}")),
            submission_key: format!("key-{i}"),
            day: if i % 3 == 0 { day1 } else { day2 },
            submitted_at: Some(Utc::now()),
        };
        assert_eq!(store.record_answer(answer).await.unwrap(), Recorded::New);
    }
    let again = NewAnswer {
        survey_id: survey.id,
        question_id: survey.question_id,
        score: Some(0),
        comment: None,
        submission_key: "key-7".into(),
        day: day2,
        submitted_at: None,
    };
    assert_eq!(
        store.record_answer(again).await.unwrap(),
        Recorded::Duplicate
    );
    // A skipped question is a response without a score: never in the denominator.
    let skipped = NewAnswer {
        survey_id: survey.id,
        question_id: survey.question_id,
        score: None,
        comment: Some("no score".into()),
        submission_key: "key-skipped".into(),
        day: day2,
        submitted_at: None,
    };
    assert_eq!(store.record_answer(skipped).await.unwrap(), Recorded::New);

    let histogram = store.score_histogram(survey.question_id).await.unwrap();
    assert_eq!(histogram.iter().sum::<u64>(), 200);
    assert_eq!(&histogram[9..], &[50, 50]);
    let nps = NpsResult::from_histogram(&histogram);
    assert_eq!(
        (nps.n, nps.promoters, nps.passives, nps.detractors),
        (200, 100, 60, 40)
    );
    assert!((nps.nps - 30.0).abs() < 1e-9);
}

on_both_backends!(the_response_cap_is_enforced_in_the_answers_transaction);
async fn the_response_cap_is_enforced_in_the_answers_transaction(store: Arc<dyn Store>) {
    let owner = admin(&store).await;
    let survey = store
        .create_survey(NewSurvey {
            kind: SurveyKind::Nps,
            title: "Capped".into(),
            question: "?".into(),
            public_slug: "capped".into(),
            anonymous: false,
            created_by: owner,
        })
        .await
        .unwrap();
    let closes = Utc::now() + Duration::days(7);
    let settings = SurveySettings {
        status: SurveyStatus::Active,
        closes_at: Some(closes),
        response_cap: Some(2),
    };
    assert!(store
        .update_survey_settings(survey.id, &settings)
        .await
        .unwrap());
    assert!(!store
        .update_survey_settings(survey.id + 100, &settings)
        .await
        .unwrap());
    let answer = |key: &str| NewAnswer {
        survey_id: survey.id,
        question_id: survey.question_id,
        score: Some(10),
        comment: None,
        submission_key: key.into(),
        day: Utc::now().date_naive(),
        submitted_at: None,
    };
    assert_eq!(
        store.record_answer(answer("one")).await.unwrap(),
        Recorded::New
    );
    assert_eq!(
        store.record_answer(answer("two")).await.unwrap(),
        Recorded::New
    );
    assert_eq!(
        store.record_answer(answer("three")).await.unwrap(),
        Recorded::Full
    );
    assert_eq!(
        store.record_answer(answer("one")).await.unwrap(),
        Recorded::Duplicate
    );
    let stored = store.survey(survey.id).await.unwrap().unwrap();
    assert_eq!((stored.response_count, stored.response_cap), (2, Some(2)));
    assert!(stored
        .closes_at
        .is_some_and(|at| (at - closes).num_seconds().abs() < 1));
    assert_eq!(
        store.score_histogram(survey.question_id).await.unwrap()[10],
        2,
        "the refused answer left no trace"
    );
}
