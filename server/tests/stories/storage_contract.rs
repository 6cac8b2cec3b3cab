//! The storage contract, told as stories, run on SQLite and on PostgreSQL alike.

use app::domain::access::Scope;
use app::domain::editor::SurveyForm;
use app::domain::filter::answer_segments;
use app::domain::segments::{Condition, SegmentFilter};
use app::domain::weighting::Weighting;
use app::domain::{template, AnswerValue, Locale, NpsResult};
use app::model::{ImportReport, Role, SurveyKind, SurveyStatus};
use app::ports::{
    AnswerBatch, CommentQuery, ContactResponse, EditorDraft, ImportState, LoginFailures,
    NewContact, NewInvitation, NewSurvey, NewUser, Recorded, SavedAs, Store, StoreError,
    StoredAnswer, Survey, SurveySettings, Upserted, RESPONSES,
};
use chrono::{Duration, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        name: "Someone".into(),
        password_hash: "$argon2id$not-checked-here".into(),
        role,
        scope: Default::default(),
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
        .create_session("live", id, now + Duration::days(1), "")
        .await
        .unwrap();
    store
        .create_session("stale", id, now - Duration::seconds(1), "")
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
        .create_session("stale", id, now + Duration::days(1), "")
        .await
        .expect("a pruned session's hash can be reused");
    store.delete_session("live").await.unwrap();
    assert!(store.session_user("live", now).await.unwrap().is_none());
}

on_both_backends!(
    a_disabled_user_is_found_by_no_session_or_token_and_a_new_password_keeps_one_session
);
async fn a_disabled_user_is_found_by_no_session_or_token_and_a_new_password_keeps_one_session(
    store: Arc<dyn Store>,
) {
    admin(&store).await;
    let bob = store
        .create_user(new_user("bob@example.com", Role::Viewer))
        .await
        .unwrap();
    let now = Utc::now();
    let later = now + Duration::days(1);
    for (hash, client) in [
        ("aaaaaaaaaaaaaaaa-1", "Firefox"),
        ("bbbbbbbbbbbbbbbb-2", "Safari"),
        ("cccccccccccccccc-3", "curl"),
    ] {
        store
            .create_session(hash, bob.id, later, client)
            .await
            .unwrap();
    }
    let sessions = store.user_sessions(bob.id, now).await.unwrap();
    let mut clients: Vec<&str> = sessions.iter().map(|s| s.client.as_str()).collect();
    clients.sort();
    assert_eq!(clients, ["Firefox", "Safari", "curl"]);
    assert!(sessions.iter().any(|s| s.id == "aaaaaaaaaaaaaaaa"));
    assert!(store
        .end_user_session(bob.id, "cccccccccccccccc")
        .await
        .unwrap());
    assert!(
        !store.end_user_session(1, "bbbbbbbbbbbbbbbb").await.unwrap(),
        "another user's session is not theirs to end"
    );
    assert!(store
        .session_user("cccccccccccccccc-3", now)
        .await
        .unwrap()
        .is_none());
    store
        .set_password(bob.id, "$argon2id$new", Some("aaaaaaaaaaaaaaaa-1"))
        .await
        .unwrap();
    assert!(store
        .session_user("aaaaaaaaaaaaaaaa-1", now)
        .await
        .unwrap()
        .is_some());
    assert!(
        store
            .session_user("bbbbbbbbbbbbbbbb-2", now)
            .await
            .unwrap()
            .is_none(),
        "a new password signs the other sessions out"
    );
    let (_, hash) = store
        .user_credentials("bob@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hash, "$argon2id$new");

    store
        .create_api_token(
            bob.id,
            "ci",
            "rsn_bob",
            "bob-token",
            Role::Viewer,
            &Scope::default(),
        )
        .await
        .unwrap();
    assert!(store
        .api_token_user("bob-token", now)
        .await
        .unwrap()
        .is_some());
    let disabled = store.set_user_disabled(bob.id, true, now).await.unwrap();
    assert!(disabled.is_some_and(|u| u.disabled));
    assert!(store
        .session_user("aaaaaaaaaaaaaaaa-1", now)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .api_token_user("bob-token", now)
        .await
        .unwrap()
        .is_none());
    let (read, _) = store
        .user_credentials("bob@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(read.disabled);
    let enabled = store.set_user_disabled(bob.id, false, now).await.unwrap();
    assert!(enabled.is_some_and(|u| !u.disabled));
    assert!(
        store
            .api_token_user("bob-token", now)
            .await
            .unwrap()
            .is_none(),
        "enabling again revives no token"
    );
    assert!(store
        .set_user_disabled(9_999, true, now)
        .await
        .unwrap()
        .is_none());
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
    let counts = |f: LoginFailures| (f.by_both, f.by_account, f.by_address, f.latest.len());
    assert_eq!(
        counts(
            store
                .login_failures_since("ada@example.com", "10.0.0.1", since)
                .await
                .unwrap()
        ),
        (1, 2, 2, 2),
        "hers from this address; hers from both; this address's for her and for bob"
    );
    assert_eq!(
        store
            .login_failures_since("carl@example.com", "10.0.0.9", since)
            .await
            .unwrap(),
        LoginFailures::default()
    );

    let provisional = store
        .record_login_attempt("ada@example.com", "10.0.0.1", false, now)
        .await
        .unwrap();
    store
        .mark_login_attempt_succeeded(provisional)
        .await
        .unwrap();
    assert_eq!(
        counts(
            store
                .login_failures_since("ada@example.com", "10.0.0.1", since)
                .await
                .unwrap()
        ),
        (1, 2, 2, 2),
        "an attempt marked as succeeded is no failure"
    );
}

on_both_backends!(an_api_token_identifies_its_owner_and_what_it_grants_until_revoked);
async fn an_api_token_identifies_its_owner_and_what_it_grants_until_revoked(store: Arc<dyn Store>) {
    let id = admin(&store).await;
    let sales = Scope::parse(["team=Sales"]).unwrap();
    let token = store
        .create_api_token(id, "ci", "rsn_abcdef", "hash-1", Role::Manager, &sales)
        .await
        .unwrap();
    assert_eq!((token.name.as_str(), token.revoked), ("ci", false));
    assert_eq!((token.role, &token.scope), (Role::Manager, &sales));
    let now = Utc::now();
    assert_eq!(
        store
            .api_token_user("hash-1", now)
            .await
            .unwrap()
            .map(|(owner, role, scope)| (owner.id, owner.role, role, scope)),
        Some((id, Role::Admin, Role::Manager, sales.clone()))
    );
    let listed = store.list_api_tokens(None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some(), "use is recorded");
    let someone_else = Some(id + 1);
    assert!(store
        .list_api_tokens(someone_else)
        .await
        .unwrap()
        .is_empty());
    assert!(
        !store
            .revoke_api_token(token.id, someone_else)
            .await
            .unwrap(),
        "no one revokes another's token"
    );
    assert_eq!(store.list_api_tokens(Some(id)).await.unwrap().len(), 1);
    assert!(store.revoke_api_token(token.id, Some(id)).await.unwrap());
    assert!(
        !store.revoke_api_token(token.id, None).await.unwrap(),
        "revoking twice changes nothing"
    );
    assert!(store.api_token_user("hash-1", now).await.unwrap().is_none());
    assert!(store.list_api_tokens(None).await.unwrap()[0].revoked);
}

on_both_backends!(a_users_role_and_scope_change_together_and_are_read_back);
async fn a_users_role_and_scope_change_together_and_are_read_back(store: Arc<dyn Store>) {
    admin(&store).await;
    let bob = store
        .create_user(new_user("bob@example.com", Role::Viewer))
        .await
        .unwrap();
    assert!(bob.scope.is_empty());
    let scope = Scope::parse(["team=Sales", "team=Süd = Ost"]).unwrap();
    let changed = store
        .set_user_access(bob.id, Role::Manager, &scope)
        .await
        .unwrap()
        .expect("bob is there");
    assert_eq!((changed.role, &changed.scope), (Role::Manager, &scope));
    let read = store
        .user_credentials("bob@example.com")
        .await
        .unwrap()
        .unwrap()
        .0;
    assert_eq!((read.role, read.scope), (Role::Manager, scope));
    assert!(
        store
            .set_user_access(9_999, Role::Admin, &Scope::default())
            .await
            .unwrap()
            .is_none(),
        "no such user: nothing changes"
    );
}

fn batch(survey_id: i64, key: &str, answers: Vec<StoredAnswer>) -> AnswerBatch {
    crate::harness::response_on(survey_id, key, Utc::now().date_naive(), answers)
}

/// A question's score counts, zeros when nobody scored it.
async fn counts_of(store: &Arc<dyn Store>, survey_id: i64, key: &str) -> [u64; 11] {
    let all = store.score_histograms(survey_id, &[key]).await.unwrap();
    all.get(key).copied().unwrap_or_default()
}

fn score(key: &str, value: u8) -> StoredAnswer {
    StoredAnswer {
        question_key: key.into(),
        value: AnswerValue::Score(value),
        follow_up: None,
    }
}

async fn new_survey(store: &Arc<dyn Store>, kind: SurveyKind, slug: &str) -> Survey {
    let owner = admin(store).await;
    survey_of(store, owner, kind, slug).await
}

async fn survey_of(store: &Arc<dyn Store>, owner: i64, kind: SurveyKind, slug: &str) -> Survey {
    store
        .create_survey(NewSurvey {
            definition: template(kind),
            public_slug: slug.into(),
            created_by: owner,
        })
        .await
        .unwrap()
}

on_both_backends!(answers_are_counted_in_their_segments_and_move_with_a_changed_answer);
async fn answers_are_counted_in_their_segments_and_move_with_a_changed_answer(
    store: Arc<dyn Store>,
) {
    let survey = new_survey(&store, SurveyKind::Nps, "segments").await;
    let day = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap();
    let answer = |key: &str, team: &str, tier: &str, value: u8| {
        let groups = BTreeMap::from([
            ("team".to_owned(), team.to_owned()),
            ("tier".to_owned(), tier.to_owned()),
        ]);
        let mut b = batch(survey.id, key, vec![score("nps", value)]);
        b.segments = answer_segments(&groups, Some(4), false);
        b.send_id = Some(4);
        b.groups = groups;
        b.day = day;
        b
    };
    for (key, team, tier, value) in [
        ("a", "Sales", "A", 10),
        ("b", "Sales", "B", 3),
        ("c", "Ops", "A", 9),
    ] {
        store
            .record_answers(answer(key, team, tier, value))
            .await
            .unwrap();
    }
    // "a" changes its mind: its 10 leaves every segment it was counted in.
    store
        .record_answers(answer("a", "Sales", "A", 0))
        .await
        .unwrap();
    let read = |question: &'static str, segment: &'static str| {
        let store = store.clone();
        async move {
            let days = store
                .daily_histograms(survey.id, question, segment, day, day)
                .await
                .unwrap();
            days.first().map(|(_, h)| *h).unwrap_or_default()
        }
    };
    let h = |pairs: &[(usize, u64)]| {
        let mut h = [0_u64; 11];
        for &(score, n) in pairs {
            h[score] = n;
        }
        h
    };
    assert_eq!(read("nps", "").await, h(&[(0, 1), (3, 1), (9, 1)]));
    assert_eq!(read("nps", "team=Sales").await, h(&[(0, 1), (3, 1)]));
    assert_eq!(read("nps", "tier=A").await, h(&[(0, 1), (9, 1)]));
    assert_eq!(read("nps", "team=Sales\u{1f}tier=A").await, h(&[(0, 1)]));
    assert_eq!(read("nps", "@send=4\u{1f}team=Ops").await, h(&[(9, 1)]));
    assert_eq!(read("nps", "@send=4").await, h(&[(0, 1), (3, 1), (9, 1)]));
    // Three conditions are not counted: read from the answers, the same numbers.
    let three = "@send=4\u{1f}team=Sales\u{1f}tier=A";
    assert_eq!(read("nps", three).await, h(&[(0, 1)]));
    assert_eq!(read(RESPONSES, three).await, h(&[(0, 1)]));
    assert_eq!(
        read("nps", "@send=5\u{1f}team=Sales\u{1f}tier=A").await,
        h(&[])
    );
    // Responses, once each however often they change.
    assert_eq!(read(RESPONSES, "team=Sales").await, h(&[(0, 2)]));
    assert_eq!(read(RESPONSES, "").await, h(&[(0, 3)]));
    assert_eq!(
        store.segment_sizes(survey.id).await.unwrap(),
        vec![
            ("@send=4".to_owned(), 3),
            ("team=Ops".to_owned(), 1),
            ("team=Sales".to_owned(), 2),
            ("tier=A".to_owned(), 2),
            ("tier=B".to_owned(), 1),
        ]
    );
    assert_eq!(
        counts_of(&store, survey.id, "nps").await,
        h(&[(0, 1), (3, 1), (9, 1)]),
        "the report reads everyone's segment only"
    );
}

on_both_backends!(comments_are_read_by_group_send_score_and_text_newest_first);
async fn comments_are_read_by_group_send_score_and_text_newest_first(store: Arc<dyn Store>) {
    let survey = new_survey(&store, SurveyKind::Nps, "comments").await;
    let day = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap();
    for (i, (team, value, comment)) in [
        ("Sales", 2, "Too_slow 100%"),
        ("Sales", 9, "great"),
        ("Ops", 1, "too SLOW for us"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut b = batch(
            survey.id,
            &format!("c{i}"),
            vec![StoredAnswer {
                follow_up: Some(comment.into()),
                ..score("nps", value)
            }],
        );
        b.groups = BTreeMap::from([("team".to_owned(), team.to_owned())]);
        b.send_id = (team == "Sales").then_some(9);
        b.day = day;
        b.at = Some(Utc::now() + Duration::seconds(i as i64));
        store.record_answers(b).await.unwrap();
    }
    let read = |conditions: &[(&str, &str)], send, scores, search: &str| {
        let store = store.clone();
        let q = CommentQuery {
            from: day,
            to: day,
            send,
            conditions: conditions
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            text_keys: vec![],
            headline_key: "nps".into(),
            scores,
            search: search.into(),
            anonymous: false,
            offset: 0,
            limit: 10,
        };
        async move {
            store
                .comments(survey.id, &q)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.follow_up.unwrap(), c.score))
                .collect::<Vec<_>>()
        }
    };
    let c = |t: &str, s: u8| (t.to_owned(), Some(s));
    assert_eq!(
        read(&[], None, None, "").await,
        [
            c("too SLOW for us", 1),
            c("great", 9),
            c("Too_slow 100%", 2)
        ],
        "newest first"
    );
    assert_eq!(
        read(&[("team", "Sales")], None, None, "").await,
        [c("great", 9), c("Too_slow 100%", 2)]
    );
    assert_eq!(
        read(&[], Some(9), Some((0, 6)), "").await,
        [c("Too_slow 100%", 2)]
    );
    assert_eq!(
        read(&[], None, None, "slow").await,
        [c("too SLOW for us", 1), c("Too_slow 100%", 2)],
        "any case"
    );
    assert_eq!(
        read(&[], None, None, "o_s").await,
        [c("Too_slow 100%", 2)],
        "_ is a character"
    );
    assert_eq!(
        read(&[], None, None, "100%").await,
        [c("Too_slow 100%", 2)],
        "% too"
    );
}

on_both_backends!(answers_are_counted_once_per_response_and_scored_from_day_buckets);
async fn answers_are_counted_once_per_response_and_scored_from_day_buckets(store: Arc<dyn Store>) {
    let survey = new_survey(&store, SurveyKind::Nps, "slug-q4").await;
    assert_eq!(
        (survey.status, survey.version, survey.definition.clone()),
        (SurveyStatus::Draft, 1, template(SurveyKind::Nps))
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
    for (i, value) in scores.enumerate() {
        let mut answer = score("nps", value as u8);
        answer.follow_up = (i % 10 == 0).then(|| format!("comment {i}"));
        let mut b = batch(survey.id, &format!("key-{i}"), vec![answer]);
        b.day = if i % 3 == 0 { day1 } else { day2 };
        assert_eq!(store.record_answers(b).await.unwrap(), Recorded::New);
    }
    // The same response again, with the same answer: nothing is counted twice.
    let again = batch(survey.id, "key-7", vec![score("nps", 10)]);
    let before = store.response("key-7").await.unwrap().unwrap();
    assert_eq!(
        store.record_answers(again.clone()).await.unwrap(),
        Recorded::Updated
    );
    assert_eq!(
        store.record_answers(again).await.unwrap(),
        Recorded::Updated
    );
    assert_eq!(store.response("key-7").await.unwrap(), Some(before));
    // A response that skipped the question is counted as a response, never in the NPS.
    let mut skipped = batch(survey.id, "key-skipped", vec![]);
    skipped.cleared = vec!["nps".into()];
    assert_eq!(store.record_answers(skipped).await.unwrap(), Recorded::New);

    let histogram = counts_of(&store, survey.id, "nps").await;
    assert_eq!(histogram.iter().sum::<u64>(), 200);
    assert_eq!(&histogram[9..], &[50, 50]);
    let nps = NpsResult::from_histogram(&histogram);
    assert_eq!(
        (nps.n, nps.promoters, nps.passives, nps.detractors),
        (200, 100, 60, 40)
    );
    assert!((nps.nps - 30.0).abs() < 1e-9);

    // Day by day, from the same buckets: every third answer came on the first day.
    let daily = store
        .daily_histograms(survey.id, "nps", "", day1, day2)
        .await
        .unwrap();
    let per_day: Vec<(NaiveDate, u64)> = daily.iter().map(|(d, h)| (*d, h.iter().sum())).collect();
    assert_eq!(per_day, vec![(day1, 67), (day2, 133)]);
    let mut summed = [0_u64; 11];
    for (_, h) in &daily {
        for (s, n) in summed.iter_mut().zip(h) {
            *s += n;
        }
    }
    assert_eq!(summed, histogram, "the days add up to the whole");
    let second_only = store
        .daily_histograms(survey.id, "nps", "", day2, day2)
        .await
        .unwrap();
    assert_eq!(second_only.len(), 1);
    assert_eq!(second_only[0].0, day2);
    let responses = store
        .daily_histograms(survey.id, RESPONSES, "", day1, day1)
        .await
        .unwrap();
    assert_eq!(responses, vec![(day1, [67, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]);
    assert_eq!(store.first_answer_day(survey.id).await.unwrap(), Some(day1));
    assert!(store
        .daily_histograms(survey.id, "other", "", day1, day2)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .survey(survey.id)
            .await
            .unwrap()
            .unwrap()
            .response_count,
        201
    );
}

on_both_backends!(a_response_is_built_page_by_page_and_changed_on_return);
async fn a_response_is_built_page_by_page_and_changed_on_return(store: Arc<dyn Store>) {
    let survey = new_survey(&store, SurveyKind::Pulse, "pulse").await;
    let mut first = batch(survey.id, "resp-1", vec![score("workload", 2)]);
    first.completed = false;
    assert_eq!(store.record_answers(first).await.unwrap(), Recorded::New);
    let partial = store.response("resp-1").await.unwrap().unwrap();
    assert_eq!(
        (partial.answers.len(), partial.completed),
        (1, false),
        "stored at once"
    );

    let choice = StoredAnswer {
        question_key: "comments".into(),
        value: AnswerValue::Text("More pairing, please".into()),
        follow_up: None,
    };
    let mut last = batch(
        survey.id,
        "resp-1",
        vec![score("workload", 4), choice.clone()],
    );
    last.completed = true;
    assert_eq!(store.record_answers(last).await.unwrap(), Recorded::Updated);
    let done = store.response("resp-1").await.unwrap().unwrap();
    assert!(done.completed);
    let mut answers = done.answers.clone();
    answers.sort_by(|a, b| a.question_key.cmp(&b.question_key));
    assert_eq!(answers, vec![choice, score("workload", 4)]);
    let histogram = counts_of(&store, survey.id, "workload").await;
    assert_eq!(
        (histogram[2], histogram[4]),
        (0, 1),
        "the changed score moved its count"
    );
    let counts = store.value_counts(survey.id).await.unwrap();
    assert!(
        counts.contains(&(
            "comments".to_owned(),
            "{\"type\":\"text\",\"value\":\"More pairing, please\"}".to_owned(),
            1
        )),
        "{counts:?}"
    );
    assert!(
        counts.iter().all(|(key, _, _)| key != "workload"),
        "scores are bucketed"
    );

    // Clearing an answer takes it out of the counts too.
    let mut cleared = batch(survey.id, "resp-1", vec![]);
    cleared.cleared = vec!["workload".into()];
    store.record_answers(cleared).await.unwrap();
    let histogram = counts_of(&store, survey.id, "workload").await;
    assert_eq!(histogram.iter().sum::<u64>(), 0);
    assert_eq!(
        store
            .survey(survey.id)
            .await
            .unwrap()
            .unwrap()
            .response_count,
        1
    );
}

on_both_backends!(a_definition_changes_in_place_until_answers_exist_then_gets_a_new_version);
async fn a_definition_changes_in_place_until_answers_exist_then_gets_a_new_version(
    store: Arc<dyn Store>,
) {
    let survey = new_survey(&store, SurveyKind::Csat, "csat").await;
    let mut edited = survey.definition.clone();
    edited.title.en = "How did we do?".into();
    assert_eq!(
        store.save_definition(survey.id, &edited).await.unwrap(),
        Some(SavedAs::SameVersion(1))
    );
    assert_eq!(
        store.survey_version(survey.id, 1).await.unwrap(),
        Some(edited.clone())
    );
    assert_eq!(
        store
            .save_definition(survey.id + 99, &edited)
            .await
            .unwrap(),
        None
    );

    assert!(!store.version_answered(survey.id, 1).await.unwrap());
    store
        .record_answers(batch(survey.id, "r-1", vec![score("csat", 5)]))
        .await
        .unwrap();
    assert!(store.version_answered(survey.id, 1).await.unwrap());
    let mut reworded = edited.clone();
    reworded.title.en = "How satisfied were you?".into();
    assert_eq!(
        store.save_definition(survey.id, &reworded).await.unwrap(),
        Some(SavedAs::NewVersion(2))
    );
    let current = store.survey(survey.id).await.unwrap().unwrap();
    assert_eq!(
        (current.version, current.title()),
        (2, "How satisfied were you?")
    );
    assert_eq!(
        store.survey_version(survey.id, 1).await.unwrap(),
        Some(edited),
        "the answered version is kept as it was"
    );
    assert_eq!(counts_of(&store, survey.id, "csat").await[5], 1);
    assert!(
        !store.version_answered(survey.id, 2).await.unwrap(),
        "the new version has no answers yet"
    );
}

on_both_backends!(an_editors_working_copy_is_kept_as_typed_until_discarded);
async fn an_editors_working_copy_is_kept_as_typed_until_discarded(store: Arc<dyn Store>) {
    let survey = new_survey(&store, SurveyKind::Pulse, "pulse-draft").await;
    let other = store
        .create_survey(NewSurvey {
            definition: template(SurveyKind::Nps),
            public_slug: "nps-draft".into(),
            created_by: survey.created_by,
        })
        .await
        .unwrap();
    assert_eq!(store.draft(survey.id).await.unwrap(), None);
    let mut form = SurveyForm::from_definition(&survey.definition);
    // Invalid on purpose: a working copy is kept whatever state it is in.
    form.title.en = String::new();
    form.questions[0].text.de = "Wie geht’s? <b>\"quoted\"</b> ünïcödé".into();
    let draft = EditorDraft {
        form: form.clone(),
        checked: false,
    };
    store
        .save_draft(survey.id, &draft, survey.created_by)
        .await
        .unwrap();
    assert_eq!(store.draft(survey.id).await.unwrap(), Some(draft));
    form.questions.pop();
    let checked = EditorDraft {
        form,
        checked: true,
    };
    store
        .save_draft(survey.id, &checked, survey.created_by)
        .await
        .unwrap();
    assert_eq!(
        store.draft(survey.id).await.unwrap(),
        Some(checked),
        "a second save replaces the first"
    );
    assert_eq!(
        store.draft(other.id).await.unwrap(),
        None,
        "drafts are per survey"
    );
    let saved = store.survey(survey.id).await.unwrap().unwrap();
    assert_eq!(
        saved.definition, survey.definition,
        "respondents still see the saved survey"
    );
    store.discard_draft(survey.id).await.unwrap();
    assert_eq!(store.draft(survey.id).await.unwrap(), None);
    store.discard_draft(survey.id).await.unwrap();
}

on_both_backends!(a_personal_link_knows_its_person_but_an_anonymous_response_does_not);
async fn a_personal_link_knows_its_person_but_an_anonymous_response_does_not(
    store: Arc<dyn Store>,
) {
    let survey = new_survey(&store, SurveyKind::Enps, "enps").await;
    let attributes = BTreeMap::from([("team".to_owned(), "Sales".to_owned())]);
    let id = store
        .create_invitation(NewInvitation {
            survey_id: survey.id,
            token_hash: "inv-hash".into(),
            contact_id: Some(42),
            locale: Some(Locale::De),
            attributes: attributes.clone(),
            send_id: None,
        })
        .await
        .unwrap();
    let invitation = store.invitation("inv-hash").await.unwrap().unwrap();
    assert_eq!(
        (
            invitation.id,
            invitation.contact_id,
            invitation.locale,
            invitation.answered
        ),
        (id, Some(42), Some(Locale::De), false)
    );
    assert_eq!(invitation.attributes, attributes);
    assert!(store.invitation("other").await.unwrap().is_none());

    let mut b = batch(survey.id, "resp-hash", vec![score("enps", 9)]);
    b.invitation_id = Some(id);
    b.groups = attributes;
    assert_eq!(store.record_answers(b).await.unwrap(), Recorded::New);
    assert!(
        store
            .invitation("inv-hash")
            .await
            .unwrap()
            .unwrap()
            .answered
    );
}

on_both_backends!(the_response_cap_is_enforced_in_the_answers_transaction);
async fn the_response_cap_is_enforced_in_the_answers_transaction(store: Arc<dyn Store>) {
    let survey = new_survey(&store, SurveyKind::Nps, "capped").await;
    let answer = |key: &str, capped: bool| AnswerBatch {
        id: None,
        capped,
        ..batch(survey.id, key, vec![score("nps", 10)])
    };
    // Answered before the cap was set: it counts against the cap set later.
    assert_eq!(
        store.record_answers(answer("early", false)).await.unwrap(),
        Recorded::New
    );
    let closes = Utc::now() + Duration::days(7);
    let settings = SurveySettings {
        status: SurveyStatus::Active,
        closes_at: Some(closes),
        response_cap: Some(2),
        notifications: Default::default(),
    };
    assert!(store
        .update_survey_settings(survey.id, &settings)
        .await
        .unwrap());
    assert!(!store
        .update_survey_settings(survey.id + 100, &settings)
        .await
        .unwrap());
    assert_eq!(
        store.record_answers(answer("one", true)).await.unwrap(),
        Recorded::New
    );
    assert_eq!(
        store.record_answers(answer("three", true)).await.unwrap(),
        Recorded::Full
    );
    assert_eq!(
        store.record_answers(answer("one", true)).await.unwrap(),
        Recorded::Updated,
        "a counted response may still change"
    );
    let stored = store.survey(survey.id).await.unwrap().unwrap();
    assert_eq!((stored.response_count, stored.response_cap), (2, Some(2)));
    assert!(stored
        .closes_at
        .is_some_and(|at| (at - closes).num_seconds().abs() < 1));
    assert_eq!(
        counts_of(&store, survey.id, "nps").await[10],
        2,
        "the refused answer left no trace"
    );
    assert!(store.response("three").await.unwrap().is_none());
}

on_both_backends!(weights_are_summed_per_segment_kept_through_a_changed_answer_and_weighed_again);
async fn weights_are_summed_per_segment_kept_through_a_changed_answer_and_weighed_again(
    store: Arc<dyn Store>,
) {
    let survey = new_survey(&store, SurveyKind::Nps, "weights").await;
    let day = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap();
    store
        .upsert_contacts(&[
            contact("a@example.com", "A", &[("tier", "A"), ("team", "Sales")]),
            contact("c@example.com", "C", &[("tier", "C"), ("team", "Ops")]),
            contact("n@example.com", "N", &[("team", "Ops")]),
        ])
        .await
        .unwrap();
    let people = store.list_contacts(0, 10).await.unwrap();
    let answer = |key: &str, person: usize, value: u8, weight: Option<f64>| {
        let who = &people[person];
        let groups = BTreeMap::from([("team".to_owned(), who.attributes["team"].clone())]);
        let mut b = batch(survey.id, key, vec![score("nps", value)]);
        b.segments = answer_segments(&groups, None, false);
        b.groups = groups;
        b.contact_id = Some(who.id);
        b.weight = weight;
        b.day = day;
        b
    };
    // Counted with the weights the use case found: 3 for A, 1 for C, none for N.
    for (key, person, value, weight) in [
        ("a", 0, 10, Some(3.0)),
        ("c", 1, 2, Some(1.0)),
        ("n", 2, 9, None),
    ] {
        store
            .record_answers(answer(key, person, value, weight))
            .await
            .unwrap();
    }
    // A's later page changes the score; it keeps the weight its first page had.
    store.record_answers(answer("a", 0, 7, None)).await.unwrap();
    let sums = |segment: &'static str| {
        let store = store.clone();
        async move {
            store
                .weight_sums(survey.id, "nps", segment, day, day)
                .await
                .unwrap()
        }
    };
    let mut expected = [(0_u64, 0.0, 0.0); 11];
    expected[7] = (1, 3.0, 9.0);
    expected[2] = (1, 1.0, 1.0);
    assert_eq!(sums("").await, expected);
    let mut ops = [(0_u64, 0.0, 0.0); 11];
    ops[2] = (1, 1.0, 1.0);
    assert_eq!(sums("team=Ops").await, ops, "N carries no weight");
    let later = day.succ_opt().unwrap();
    assert_eq!(
        store
            .weight_sums(survey.id, "nps", "", later, later)
            .await
            .unwrap(),
        [(0, 0.0, 0.0); 11],
        "only the days asked for"
    );

    // Weighed again by revenue, from each contact's attributes as they are now.
    store
        .upsert_contacts(&[
            contact("a@example.com", "A", &[("revenue", "1000")]),
            contact("n@example.com", "N", &[("revenue", "250.5")]),
        ])
        .await
        .unwrap();
    let revenue = Weighting {
        attribute: "revenue".into(),
        weights: BTreeMap::new(),
    };
    assert!(store
        .set_weighting(survey.id, Some(&revenue))
        .await
        .unwrap());
    assert_eq!(
        store.survey(survey.id).await.unwrap().unwrap().weighting,
        Some(revenue)
    );
    let mut expected = [(0_u64, 0.0, 0.0); 11];
    expected[7] = (1, 1000.0, 1_000_000.0);
    expected[9] = (1, 250.5, 250.5 * 250.5);
    assert_eq!(sums("").await, expected);
    let mut ops = [(0_u64, 0.0, 0.0); 11];
    ops[9] = (1, 250.5, 250.5 * 250.5);
    assert_eq!(sums("team=Ops").await, ops, "C has no revenue");
    // Turned off: no weights are left.
    assert!(store.set_weighting(survey.id, None).await.unwrap());
    assert_eq!(sums("").await, [(0, 0.0, 0.0); 11]);
    assert!(!store.set_weighting(survey.id + 100, None).await.unwrap());
}

on_both_backends!(a_bulk_load_counts_exactly_what_the_same_answers_one_by_one_count);
async fn a_bulk_load_counts_exactly_what_the_same_answers_one_by_one_count(store: Arc<dyn Store>) {
    let owner = admin(&store).await;
    let bulk = survey_of(&store, owner, SurveyKind::Nps, "bulk").await;
    let single = survey_of(&store, owner, SurveyKind::Nps, "single").await;
    let first = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap();
    let batches = |survey: i64| -> Vec<AnswerBatch> {
        (0..40_u8)
            .map(|i| {
                let groups = BTreeMap::from([
                    (
                        "team".to_owned(),
                        ["Sales", "Ops"][usize::from(i % 2)].to_owned(),
                    ),
                    (
                        "tier".to_owned(),
                        ["A", "B", "C"][usize::from(i % 3)].to_owned(),
                    ),
                ]);
                let mut answers = vec![score("nps", i % 11)];
                if i % 5 < 3 {
                    answers.push(score("other", 3));
                }
                let mut b = batch(survey, &format!("{survey}-{i}"), answers);
                b.segments = answer_segments(&groups, None, false);
                b.groups = groups;
                b.day = first + Duration::days(i64::from(i % 3));
                b.weight = (i % 5 != 0).then_some(f64::from(i % 7) + 0.5);
                b.completed = i % 6 != 0;
                b
            })
            .collect()
    };
    store
        .record_answers_in_bulk(batches(bulk.id))
        .await
        .unwrap();
    for b in batches(single.id) {
        store.record_answers(b).await.unwrap();
    }
    let last = first + Duration::days(2);
    for segment in ["", "team=Sales", "tier=B", "team=Ops\u{1f}tier=C"] {
        for question in ["nps", "other", RESPONSES] {
            let read = |id: i64| store.daily_histograms(id, question, segment, first, last);
            let (a, b) = (read(bulk.id).await.unwrap(), read(single.id).await.unwrap());
            assert!(!a.is_empty(), "{question} {segment}");
            assert_eq!(a, b, "{question} in {segment:?}");
        }
        let sums = |id: i64| store.weight_sums(id, "nps", segment, first, last);
        assert_eq!(sums(bulk.id).await.unwrap(), sums(single.id).await.unwrap());
    }
    assert_eq!(
        store.segment_sizes(bulk.id).await.unwrap(),
        store.segment_sizes(single.id).await.unwrap()
    );
    let count = |id: i64| {
        let store = store.clone();
        async move { store.survey(id).await.unwrap().unwrap().response_count }
    };
    assert_eq!((count(bulk.id).await, count(single.id).await), (40, 40));
    // A key already recorded: nothing of the load is written.
    let mut again = batches(bulk.id);
    again[0].response_key = "fresh".into();
    let refused = store.record_answers_in_bulk(again).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(count(bulk.id).await, 40);
    assert!(store.response("fresh").await.unwrap().is_none());
}

fn contact(email: &str, name: &str, attributes: &[(&str, &str)]) -> NewContact {
    NewContact {
        email: email.into(),
        name: name.into(),
        locale: None,
        attributes: attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

on_both_backends!(
    an_import_job_taken_over_after_a_crash_goes_on_where_it_got_to_and_fences_off_the_first
);
async fn an_import_job_taken_over_after_a_crash_goes_on_where_it_got_to_and_fences_off_the_first(
    store: Arc<dyn Store>,
) {
    let owner = admin(&store).await;
    let id = store
        .create_pending_import("people.csv", b"email\na@x.org\n", 4, owner)
        .await
        .unwrap();
    let now = Utc::now();
    let lease = |at: chrono::DateTime<Utc>| at + Duration::seconds(60);
    assert_eq!(
        store.claim_import(now, lease(now)).await.unwrap(),
        None,
        "a pending import waits for its mapping"
    );
    assert!(store.start_import(id, "{}").await.unwrap());
    assert!(!store.start_import(id, "{}").await.unwrap(), "started once");
    assert!(
        !store.discard_import(id).await.unwrap(),
        "too late to discard"
    );
    store
        .upsert_contacts(&[contact("b@example.com", "B", &[])])
        .await
        .unwrap();

    let job = store.claim_import(now, lease(now)).await.unwrap().unwrap();
    assert_eq!((job.id, job.mapping.as_str(), job.rows_done), (id, "{}", 0));
    assert_eq!(job.file, b"email\na@x.org\n");
    let first = [
        contact("a@example.com", "A", &[]),
        contact("b@example.com", "B", &[]),
    ];
    let done = store
        .import_chunk(id, &first, 2, 4, job.lease_until, lease(now))
        .await
        .unwrap()
        .expect("the lease is held");
    assert_eq!((done.inserted, done.updated), (1, 1));
    let first_holder = job;
    assert_eq!(
        store.claim_import(now, lease(now)).await.unwrap(),
        None,
        "held while its lease runs"
    );

    // Its process dies; once the lease has run out another takes it on, with its counts.
    let later = now + Duration::seconds(61);
    let job = store
        .claim_import(later, lease(later))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.rows_done, job.inserted, job.updated), (2, 1, 1));
    // The first process was only slow, not dead: its late writes are fenced off.
    let late = [contact("late@example.com", "Late", &[])];
    assert_eq!(
        store
            .import_chunk(id, &late, 3, 4, first_holder.lease_until, lease(later))
            .await
            .unwrap(),
        None
    );
    assert!(!store
        .finish_import(id, &Err("late".into()), first_holder.lease_until)
        .await
        .unwrap());
    assert_eq!(
        store.contact_by_email("late@example.com").await.unwrap(),
        None
    );
    let record = store.contact_import(id).await.unwrap().unwrap();
    assert_eq!(
        (record.state, record.rows_done, record.rows_total),
        (ImportState::Running, 2, 4)
    );
    store
        .import_chunk(
            id,
            &[
                contact("c@example.com", "C", &[]),
                contact("d@example.com", "D", &[]),
            ],
            4,
            4,
            job.lease_until,
            lease(later),
        )
        .await
        .unwrap()
        .expect("the lease is held");
    let report = ImportReport {
        rows: 4,
        inserted: 3,
        updated: 1,
        problems: vec![],
    };
    assert!(store
        .finish_import(id, &Ok(report.clone()), job.lease_until)
        .await
        .unwrap());
    let record = store.contact_import(id).await.unwrap().unwrap();
    assert_eq!(record.state, ImportState::Done(Ok(report)));
    assert_eq!(store.import_file(id).await.unwrap(), None, "the file goes");
    assert_eq!(store.count_contacts().await.unwrap(), 4);
    let much_later = later + Duration::seconds(61);
    assert_eq!(
        store
            .claim_import(much_later, lease(much_later))
            .await
            .unwrap(),
        None
    );

    // Uploads left waiting for their mapping are dropped once they are old enough; a
    // finished import keeps its report.
    let waiting = store
        .create_pending_import("later.csv", b"email\n", 0, owner)
        .await
        .unwrap();
    let uploaded = Utc::now();
    assert_eq!(
        store
            .drop_pending_imports(uploaded - Duration::days(7))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .drop_pending_imports(uploaded + Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.contact_import(waiting).await.unwrap(), None);
    assert!(store.contact_import(id).await.unwrap().is_some());
}

on_both_backends!(contacts_are_upserted_by_email_merging_what_a_new_import_leaves_out);
async fn contacts_are_upserted_by_email_merging_what_a_new_import_leaves_out(
    store: Arc<dyn Store>,
) {
    let first = vec![
        NewContact {
            locale: Some(Locale::De),
            ..contact(
                "ana@example.com",
                "Ana",
                &[("team", "Sales"), ("tier", "A")],
            )
        },
        contact("bob@example.com", "Bob", &[("team", "Ops")]),
    ];
    assert_eq!(
        store.upsert_contacts(&first).await.unwrap(),
        Upserted {
            inserted: 2,
            updated: 0
        }
    );
    // A later file without names or languages, with one attribute changed and one new.
    let second = vec![
        contact("ana@example.com", "", &[("tier", "B"), ("region", "Nord")]),
        contact("cy@example.com", "Cy", &[]),
    ];
    assert_eq!(
        store.upsert_contacts(&second).await.unwrap(),
        Upserted {
            inserted: 1,
            updated: 1
        }
    );
    assert_eq!(store.count_contacts().await.unwrap(), 3);
    let all = store.list_contacts(0, 10).await.unwrap();
    let ana = &all[0];
    assert_eq!(
        (ana.email.as_str(), ana.name.as_str()),
        ("ana@example.com", "Ana")
    );
    assert_eq!(
        ana.locale,
        Some(Locale::De),
        "an empty language keeps the old one"
    );
    assert_eq!(
        ana.attributes,
        BTreeMap::from([
            ("region".to_owned(), "Nord".to_owned()),
            ("team".to_owned(), "Sales".to_owned()),
            ("tier".to_owned(), "B".to_owned()),
        ])
    );
    assert_eq!(ana.suppressed, None);
    // Pages follow the id order.
    let page = store.list_contacts(0, 2).await.unwrap();
    let rest = store.list_contacts(page[1].id, 2).await.unwrap();
    let emails: Vec<&str> = page.iter().chain(&rest).map(|c| c.email.as_str()).collect();
    assert_eq!(
        emails,
        ["ana@example.com", "bob@example.com", "cy@example.com"]
    );

    // Large imports go through in chunks, in one transaction.
    let many: Vec<NewContact> = (0..2_500)
        .map(|i| contact(&format!("p{i}@example.com"), "P", &[("n", &i.to_string())]))
        .collect();
    assert_eq!(
        store.upsert_contacts(&many).await.unwrap(),
        Upserted {
            inserted: 2_500,
            updated: 0
        }
    );
    assert_eq!(store.count_contacts().await.unwrap(), 2_503);
}

on_both_backends!(an_erased_contact_leaves_its_answers_behind_without_a_name_or_time);
async fn an_erased_contact_leaves_its_answers_behind_without_a_name_or_time(store: Arc<dyn Store>) {
    let survey = new_survey(&store, SurveyKind::Nps, "erase").await;
    store
        .upsert_contacts(&[contact("ana@example.com", "Ana", &[("team", "Sales")])])
        .await
        .unwrap();
    let ana = store
        .contact_by_email("ana@example.com")
        .await
        .unwrap()
        .unwrap();
    let invitation = store
        .create_invitation(NewInvitation {
            survey_id: survey.id,
            token_hash: "erase-token".into(),
            contact_id: Some(ana.id),
            locale: None,
            attributes: BTreeMap::from([("team".to_owned(), "Sales".to_owned())]),
            send_id: None,
        })
        .await
        .unwrap();
    store
        .record_answers(AnswerBatch {
            id: None,
            invitation_id: Some(invitation),
            contact_id: Some(ana.id),
            at: Some(Utc::now()),
            ..batch(
                survey.id,
                "erase-response",
                vec![
                    StoredAnswer {
                        follow_up: Some("Ana here, call me".into()),
                        ..score("nps", 9)
                    },
                    StoredAnswer {
                        question_key: "remarks".into(),
                        value: AnswerValue::Text("Ana Lopez, Sales".into()),
                        follow_up: None,
                    },
                ],
            )
        })
        .await
        .unwrap();
    store
        .record_answers(AnswerBatch {
            id: None,
            contact_id: Some(ana.id),
            ..batch(survey.id, "erase-second", vec![score("nps", 3)])
        })
        .await
        .unwrap();
    let (links, responses) = store.contact_history(ana.id).await.unwrap();
    assert_eq!((links.len(), links[0].answered), (1, true));
    assert_eq!(responses.len(), 2);
    assert!(responses[0].submitted_at.is_some());
    let keys = |r: &ContactResponse| -> Vec<String> {
        r.answers.iter().map(|a| a.question_key.clone()).collect()
    };
    assert_eq!(keys(&responses[0]), ["nps", "remarks"]);
    assert_eq!(responses[0].answers[0].value, AnswerValue::Score(9));
    assert_eq!(
        keys(&responses[1]),
        ["nps"],
        "each response has its own answers"
    );
    assert_eq!(responses[1].answers[0].value, AnswerValue::Score(3));
    // Her anonymous answer keeps no contact: only its key, which the caller works out
    // from her links, finds it.
    store
        .record_answers(batch(survey.id, "erase-anonymous", vec![score("nps", 0)]))
        .await
        .unwrap();
    let kept_id = store.response("erase-response").await.unwrap().unwrap().id;
    let anonymous_id = store.response("erase-anonymous").await.unwrap().unwrap().id;

    assert_eq!(
        store
            .erase_contact(ana.id, &["erase-anonymous".to_owned()])
            .await
            .unwrap(),
        2,
        "both identified responses"
    );
    assert_eq!(
        store.contact_by_email("ana@example.com").await.unwrap(),
        None
    );
    assert_eq!(
        store.contact_history(ana.id).await.unwrap(),
        (vec![], vec![])
    );
    assert_eq!(counts_of(&store, survey.id, "nps").await[9], 1);
    for key in ["erase-response", "erase-second", "erase-anonymous"] {
        assert_eq!(
            store.response(key).await.unwrap(),
            None,
            "{key}: a new key, so her links find it no more"
        );
    }
    let kept = store.response_by_id(kept_id).await.unwrap().unwrap();
    assert_eq!(kept.contact_id, None);
    assert_eq!(
        kept.answers,
        [StoredAnswer {
            follow_up: None,
            ..score("nps", 9)
        }],
        "the score stays; the comment and the free text, which name her, go"
    );
    let anonymous = store.response_by_id(anonymous_id).await.unwrap().unwrap();
    assert_eq!(anonymous.answers, [score("nps", 0)], "answers stay");
    assert_eq!(
        store.invitation("erase-token").await.unwrap(),
        None,
        "her link leads nowhere"
    );
}

on_both_backends!(a_segment_counts_the_contacts_whose_attributes_match_every_condition);
async fn a_segment_counts_the_contacts_whose_attributes_match_every_condition(
    store: Arc<dyn Store>,
) {
    let owner = admin(&store).await;
    store
        .upsert_contacts(&[
            contact("a@example.com", "A", &[("team", "Sales"), ("tier", "A")]),
            contact("b@example.com", "B", &[("team", "Sales"), ("tier", "B")]),
            contact("c@example.com", "C", &[("team", "Ops"), ("tier", "A")]),
            contact("d@example.com", "D", &[]),
        ])
        .await
        .unwrap();
    let filter = |pairs: &[(&str, &str)]| SegmentFilter {
        conditions: pairs
            .iter()
            .map(|(a, v)| Condition {
                attribute: a.to_string(),
                value: v.to_string(),
            })
            .collect(),
    };
    assert_eq!(store.count_matching(&filter(&[])).await.unwrap(), (4, 4));
    assert_eq!(
        store
            .count_matching(&filter(&[("team", "Sales")]))
            .await
            .unwrap(),
        (2, 2)
    );
    assert_eq!(
        store
            .count_matching(&filter(&[("team", "Sales"), ("tier", "A")]))
            .await
            .unwrap(),
        (1, 1)
    );
    assert_eq!(
        store
            .count_matching(&filter(&[("team", "sales")]))
            .await
            .unwrap(),
        (0, 0)
    );
    assert_eq!(
        store
            .count_matching(&filter(&[("region", "Nord")]))
            .await
            .unwrap(),
        (0, 0)
    );

    // A suppressed contact still matches, but is not counted as reachable.
    let a = store
        .contact_by_email("a@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(store.set_suppression(a.id, Some("bounced")).await.unwrap());
    assert_eq!(
        store
            .count_matching(&filter(&[("team", "Sales")]))
            .await
            .unwrap(),
        (2, 1)
    );
    let a = store
        .contact_by_email("a@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.suppressed.as_deref(), Some("bounced"));
    assert!(store.set_suppression(a.id, None).await.unwrap());
    assert!(!store.set_suppression(a.id + 999, None).await.unwrap());
    let saved = store
        .create_segment(
            "Sales A",
            &filter(&[("team", "Sales"), ("tier", "A")]),
            owner,
        )
        .await
        .unwrap();
    assert!(matches!(
        store.create_segment("Sales A", &filter(&[]), owner).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.list_segments().await.unwrap(), vec![saved.clone()]);
    assert!(store.delete_segment(saved.id).await.unwrap());
    assert!(!store.delete_segment(saved.id).await.unwrap());
    assert!(store.list_segments().await.unwrap().is_empty());
}

on_both_backends!(an_answer_key_of_another_survey_is_a_conflict_that_changes_nothing);
async fn an_answer_key_of_another_survey_is_a_conflict_that_changes_nothing(store: Arc<dyn Store>) {
    let first = new_survey(&store, SurveyKind::Nps, "first").await;
    let second = survey_of(&store, first.created_by, SurveyKind::Nps, "second").await;
    let taken = batch(first.id, "key-of-the-first", vec![score("nps", 9)]);
    assert_eq!(store.record_answers(taken).await.unwrap(), Recorded::New);
    let reused = batch(second.id, "key-of-the-first", vec![score("nps", 2)]);
    assert!(matches!(
        store.record_answers(reused).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(counts_of(&store, first.id, "nps").await[9], 1);
    assert_eq!(counts_of(&store, second.id, "nps").await, [0; 11]);
}

on_both_backends!(respondents_changing_answers_in_opposite_directions_never_deadlock);
async fn respondents_changing_answers_in_opposite_directions_never_deadlock(store: Arc<dyn Store>) {
    let survey = new_survey(&store, SurveyKind::Pulse, "pulse").await;
    // Storage counts whatever scores a page carries: three questions keep it short.
    let keys = ["q1", "q2", "q3"];
    let answers = move |low: bool| {
        keys.iter()
            .map(|k| score(k, if low { 1 } else { 5 }))
            .collect::<Vec<_>>()
    };
    for (key, low) in [("up", true), ("down", false)] {
        let first = batch(survey.id, key, answers(low));
        store.record_answers(first).await.unwrap();
    }
    // Each round, one respondent moves every answer from 1 to 5 while the other moves
    // from 5 to 1: the same bucket rows, taken in opposite directions.
    let mut rounds = Vec::new();
    for (key, start_low) in [("up", true), ("down", false)] {
        let store = store.clone();
        let survey_id = survey.id;
        let page = move |low: bool| batch(survey_id, key, answers(low));
        rounds.push(tokio::spawn(async move {
            for round in 0..40 {
                let low = (round % 2 == 1) == start_low;
                store.record_answers(page(low)).await?;
            }
            Ok::<_, StoreError>(())
        }));
    }
    for round in rounds {
        round
            .await
            .unwrap()
            .expect("no answer refused or deadlocked");
    }
    for key in keys {
        let counts = counts_of(&store, survey.id, key).await;
        assert_eq!(counts.iter().sum::<u64>(), 2, "two answers to {key}");
        assert_eq!((counts[1], counts[5]), (1, 1), "one low, one high on {key}");
    }
}

on_both_backends!(answers_posted_at_full_speed_are_never_refused_while_others_write);
async fn answers_posted_at_full_speed_are_never_refused_while_others_write(store: Arc<dyn Store>) {
    let survey = new_survey(&store, SurveyKind::Nps, "busy").await;
    let owner = survey.created_by;
    let mut work = tokio::task::JoinSet::new();
    for writer in 0..4 {
        let store = store.clone();
        work.spawn(async move {
            for n in 0..60 {
                let key = format!("respondent-{writer}-{n}");
                let page = batch(survey.id, &key, vec![score("nps", (n % 11) as u8)]);
                store.record_answers(page).await?;
            }
            Ok::<_, StoreError>(())
        });
    }
    // The editor saves (a read, then writes), reminders are stepped (a read, then a
    // compare-and-set) and contacts are imported in chunks, all at the same time.
    let editor = store.clone();
    let mut edited = survey.definition.clone();
    work.spawn(async move {
        for n in 0..30 {
            edited.title.en = format!("Edit {n}");
            editor.save_definition(survey.id, &edited).await?;
            let draft = EditorDraft {
                form: SurveyForm::from_definition(&edited),
                checked: false,
            };
            editor.save_draft(survey.id, &draft, owner).await?;
        }
        Ok(())
    });
    let importer = store.clone();
    work.spawn(async move {
        for chunk in 0..30 {
            let people: Vec<NewContact> = (0..50)
                .map(|i| contact(&format!("p{chunk}-{i}@example.com"), "P", &[("team", "a")]))
                .collect();
            importer.upsert_contacts(&people).await?;
        }
        Ok(())
    });
    let reminders = store.clone();
    work.spawn(async move {
        for _ in 0..30 {
            reminders
                .queue_reminders(i64::MAX, 0, true, Utc::now())
                .await?;
            reminders.due_sends(Utc::now()).await?;
        }
        Ok(())
    });
    while let Some(done) = work.join_next().await {
        done.unwrap()
            .expect("nothing refused while answers are written");
    }
    assert_eq!(
        counts_of(&store, survey.id, "nps")
            .await
            .iter()
            .sum::<u64>(),
        240
    );
}
