//! The outbox's storage contract, told as stories, on SQLite and on PostgreSQL alike:
//! who a send queues, who it skips and why, claims that never hand a message to two
//! workers, leases that give a dead worker's messages back, and what each outcome records.

use app::domain::segments::{Condition, SegmentFilter};
use app::domain::sending::MAX_ATTEMPTS;
use app::domain::template;
use app::domain::{AnswerValue, Locale};
use app::model::{Repeat, Role, SurveyKind, SurveyStatus};
use app::ports::{
    AnswerBatch, ClaimedMessage, Delivery, Finished, MessageKind, NewContact, NewInvitation,
    NewMessage, NewSend, NewSurvey, NewUser, Store, StoredAnswer, StoredSendState, SurveySettings,
};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

on_both_backends!(a_send_queues_its_audience_once_and_skips_whom_it_must);
on_both_backends!(claims_never_overlap_and_a_dead_workers_messages_come_back);
on_both_backends!(outcomes_are_recorded_and_a_run_of_failures_pauses_the_send);
on_both_backends!(outcomes_recorded_together_count_failures_in_the_order_they_happened);
on_both_backends!(reminders_go_once_to_those_who_did_not_answer);
on_both_backends!(a_response_sends_its_thank_you_and_alert_once_when_first_completed);
on_both_backends!(a_late_finisher_cannot_overwrite_the_outcome_of_a_newer_claim);
on_both_backends!(a_past_send_is_recorded_as_sent_and_leaves_nothing_to_send_or_remind);

struct Fixture {
    store: Arc<dyn Store>,
    user: i64,
    survey: i64,
}

async fn fixture(store: Arc<dyn Store>, contacts: &[(&str, &str)]) -> Fixture {
    let user = store
        .create_first_user(NewUser {
            email: "ada@example.com".into(),
            name: "Ada".into(),
            password_hash: "$argon2id$not-checked-here".into(),
            role: Role::Admin,
            scope: Default::default(),
        })
        .await
        .expect("admin")
        .id;
    let survey = store
        .create_survey(NewSurvey {
            definition: template(SurveyKind::Nps),
            public_slug: "nps-slug".into(),
            created_by: user,
        })
        .await
        .expect("survey")
        .id;
    store
        .update_survey_settings(
            survey,
            &SurveySettings {
                status: SurveyStatus::Active,
                closes_at: None,
                response_cap: None,
                notifications: Default::default(),
            },
        )
        .await
        .expect("open");
    let rows: Vec<NewContact> = contacts
        .iter()
        .map(|(email, team)| NewContact {
            email: (*email).into(),
            name: String::new(),
            locale: None,
            attributes: BTreeMap::from([("team".to_owned(), (*team).to_owned())]),
        })
        .collect();
    store.upsert_contacts(&rows).await.expect("contacts");
    Fixture {
        store,
        user,
        survey,
    }
}

impl Fixture {
    fn send(&self, team: Option<&str>, at: DateTime<Utc>) -> NewSend {
        NewSend {
            survey_id: self.survey,
            audience_name: team.unwrap_or("Every contact").into(),
            audience: SegmentFilter {
                conditions: team
                    .map(|t| {
                        vec![Condition {
                            attribute: "team".into(),
                            value: t.into(),
                        }]
                    })
                    .unwrap_or_default(),
            },
            repeat: Repeat::None,
            wave: 1,
            reminders: vec![],
            per_minute: None,
            scheduled_at: at,
            created_by: self.user,
            salted_links: false,
        }
    }

    /// Creates and starts a send now; returns its id.
    async fn started(&self, send: NewSend, min_days: u32) -> i64 {
        let now = Utc::now();
        let record = self.store.create_send(&send).await.expect("send");
        self.store
            .start_send(record.id, now, min_days, None)
            .await
            .expect("start")
            .expect("not started before");
        record.id
    }

    /// Claims everything due now, sends nothing, and records `delivery` for each.
    async fn deliver_all(&self, delivery: &Delivery) -> Vec<String> {
        self.deliver_all_at(Utc::now(), delivery).await
    }

    /// Claims everything due at `now` for a five-minute lease.
    async fn claim_all(&self, now: DateTime<Utc>) -> Vec<ClaimedMessage> {
        self.store
            .claim_messages(now, now + Duration::minutes(5), 1000)
            .await
            .expect("claim")
    }

    async fn deliver_all_at(&self, now: DateTime<Utc>, delivery: &Delivery) -> Vec<String> {
        let claimed = self.claim_all(now).await;
        for m in &claimed {
            self.store
                .finish_message(
                    m.id,
                    m.attempts,
                    delivery,
                    delivery != &Delivery::Sent,
                    10,
                    now,
                )
                .await
                .expect("finish");
        }
        claimed.into_iter().map(|m| m.email).collect()
    }
}

async fn a_send_queues_its_audience_once_and_skips_whom_it_must(store: Arc<dyn Store>) {
    let f = fixture(
        store,
        &[
            ("ana@example.com", "Sales"),
            ("bo@example.com", "Sales"),
            ("cy@example.com", "Sales"),
            ("dee@example.com", "Support"),
        ],
    )
    .await;
    let bo = f
        .store
        .contact_by_email("bo@example.com")
        .await
        .unwrap()
        .unwrap();
    f.store
        .set_suppression(bo.id, Some("unsubscribed"))
        .await
        .unwrap();

    // Cy was invited a moment ago by another send: the 30-day rule skips them.
    let earlier = f.started(f.send(None, Utc::now()), 30).await;
    let first = f.store.outbox_counts(earlier).await.unwrap();
    assert_eq!(
        (first.invitations, first.queued, first.skipped_suppressed),
        (4, 3, 1)
    );

    let mut send = f.send(Some("Sales"), Utc::now());
    send.repeat = Repeat::Weekly;
    let record = f.store.create_send(&send).await.unwrap();
    assert_eq!(record.state, StoredSendState::Scheduled);
    let due = f.store.due_sends(Utc::now()).await.unwrap();
    assert!(due.iter().any(|d| d.id == record.id));
    let next = NewSend {
        wave: 2,
        scheduled_at: send.scheduled_at + Duration::days(7),
        ..send.clone()
    };
    let queued = f
        .store
        .start_send(record.id, Utc::now(), 30, Some(next))
        .await
        .unwrap();
    assert_eq!(queued, Some(3), "one row per Sales contact");
    // A second scheduler (another process) finds it started and does nothing.
    assert_eq!(
        f.store
            .start_send(record.id, Utc::now(), 30, None)
            .await
            .unwrap(),
        None
    );
    let counts = f.store.outbox_counts(record.id).await.unwrap();
    assert_eq!(counts.invitations, 3);
    assert_eq!(counts.queued, 0, "everyone in Sales was skipped");
    assert_eq!(counts.skipped_suppressed, 1);
    assert_eq!(counts.skipped_frequency, 2);
    let problems = f.store.outbox_problems(record.id, 10).await.unwrap();
    let reasons: HashSet<_> = problems
        .iter()
        .map(|p| (p.email.as_str(), p.skip_reason.as_deref()))
        .collect();
    assert!(reasons.contains(&("bo@example.com", Some("suppressed"))));
    assert!(reasons.contains(&("cy@example.com", Some("frequency"))));

    // With a rule of 0 days nobody is skipped for frequency; the next wave was scheduled.
    let sends = f.store.list_sends(f.survey).await.unwrap();
    let wave_two = sends.iter().find(|s| s.new.wave == 2).expect("next wave");
    assert_eq!(wave_two.state, StoredSendState::Scheduled);
    assert_eq!(
        wave_two.new.scheduled_at.timestamp_millis(),
        (send.scheduled_at + Duration::days(7)).timestamp_millis()
    );
    assert!(f.store.due_sends(Utc::now()).await.unwrap().is_empty());
    let now_again = f.started(f.send(Some("Sales"), Utc::now()), 0).await;
    assert_eq!(f.store.outbox_counts(now_again).await.unwrap().queued, 2);

    // A scheduled send can be cancelled; a started one cannot.
    assert!(f.store.cancel_send(wave_two.id, None).await.unwrap());
    assert!(!f.store.cancel_send(now_again, None).await.unwrap());
}

async fn claims_never_overlap_and_a_dead_workers_messages_come_back(store: Arc<dyn Store>) {
    let emails: Vec<String> = (0..60).map(|i| format!("p{i}@example.com")).collect();
    let pairs: Vec<(&str, &str)> = emails.iter().map(|e| (e.as_str(), "All")).collect();
    let f = fixture(store, &pairs).await;
    let send = f.started(f.send(None, Utc::now()), 30).await;

    // Four workers claim at once: together they get every message, none twice.
    let now = Utc::now();
    let claims = (0..4).map(|_| {
        let store = f.store.clone();
        tokio::spawn(async move {
            store
                .claim_messages(now, now + Duration::seconds(60), 20)
                .await
                .expect("claim")
        })
    });
    let mut seen = HashSet::new();
    let mut total = 0;
    for claim in claims {
        for m in claim.await.unwrap() {
            assert_eq!(m.attempts, 1);
            assert!(seen.insert(m.id), "message {} claimed twice", m.id);
            total += 1;
        }
    }
    assert_eq!(total, 60);
    assert!(f
        .store
        .claim_messages(now, now + Duration::seconds(60), 100)
        .await
        .unwrap()
        .is_empty());

    // Those workers die: once their lease runs out, the messages are due again.
    let later = now + Duration::seconds(61);
    let again = f
        .store
        .claim_messages(later, later + Duration::seconds(60), 100)
        .await
        .unwrap();
    assert_eq!(again.len(), 60);
    assert!(again.iter().all(|m| m.attempts == 2));

    // A paused send's messages wait.
    f.store.set_paused(send, Some("by hand")).await.unwrap();
    let much_later = later + Duration::seconds(61);
    assert!(f
        .store
        .claim_messages(much_later, much_later + Duration::seconds(60), 100)
        .await
        .unwrap()
        .is_empty());
    f.store.set_paused(send, None).await.unwrap();
    assert_eq!(
        f.store
            .claim_messages(much_later, much_later + Duration::seconds(60), 100)
            .await
            .unwrap()
            .len(),
        60
    );

    // Every claim counts as an attempt, past the last one too: that is how the worker
    // tells a message whose process dies at it every time (it then gives it up).
    let mut at = much_later;
    for attempt in 4..=MAX_ATTEMPTS + 1 {
        at += Duration::seconds(61);
        let claimed = f
            .store
            .claim_messages(at, at + Duration::seconds(60), 100)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 60);
        assert!(claimed.iter().all(|m| m.attempts == attempt));
    }

    // A personal link made twice (a retry) is kept once.
    let link = NewInvitation {
        survey_id: f.survey,
        token_hash: "same-hash".into(),
        contact_id: None,
        locale: None,
        attributes: BTreeMap::new(),
        send_id: Some(send),
    };
    f.store
        .ensure_invitations(std::slice::from_ref(&link))
        .await
        .unwrap();
    f.store.ensure_invitations(&[link]).await.unwrap();
    assert!(f.store.invitation("same-hash").await.unwrap().is_some());
}

async fn outcomes_are_recorded_and_a_run_of_failures_pauses_the_send(store: Arc<dyn Store>) {
    let emails: Vec<String> = (0..12).map(|i| format!("p{i}@example.com")).collect();
    let mut pairs: Vec<(&str, &str)> = emails.iter().map(|e| (e.as_str(), "All")).collect();
    pairs.push(("gone@example.com", "Gone"));
    let f = fixture(store, &pairs).await;

    let gone = f.started(f.send(Some("Gone"), Utc::now()), 30).await;
    let bounced = Delivery::Bounced {
        reply: "550 5.1.1 No such user here".into(),
    };
    assert_eq!(f.deliver_all(&bounced).await, vec!["gone@example.com"]);
    let counts = f.store.outbox_counts(gone).await.unwrap();
    assert_eq!((counts.bounced, counts.queued), (1, 0));
    let contact = f
        .store
        .contact_by_email("gone@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(contact.suppressed.as_deref(), Some("bounced"));
    let problems = f.store.outbox_problems(gone, 10).await.unwrap();
    assert_eq!(
        problems[0].reply.as_deref(),
        Some("550 5.1.1 No such user here")
    );

    let send = f.started(f.send(Some("All"), Utc::now()), 30).await;
    let retry = Delivery::Retry {
        reply: "554 5.7.1 Relaying denied".into(),
        at: Utc::now() - Duration::seconds(1),
    };
    assert_eq!(f.deliver_all(&retry).await.len(), 12);
    let record = f.store.send_record(send).await.unwrap().unwrap();
    let why = record
        .paused_reason
        .expect("paused after 10 failures in a row");
    assert!(why.contains("554 5.7.1 Relaying denied"), "{why}");
    // Paused: the retries wait, and are counted as queued with their reply.
    assert!(f.deliver_all(&Delivery::Sent).await.is_empty());
    let counts = f.store.outbox_counts(send).await.unwrap();
    assert_eq!(counts.queued, 12);
    assert_eq!(f.store.outbox_problems(send, 100).await.unwrap().len(), 12);

    f.store.set_paused(send, None).await.unwrap();
    assert_eq!(f.deliver_all(&Delivery::Sent).await.len(), 12);
    let counts = f.store.outbox_counts(send).await.unwrap();
    assert_eq!((counts.sent, counts.queued), (12, 0));
}

async fn outcomes_recorded_together_count_failures_in_the_order_they_happened(
    store: Arc<dyn Store>,
) {
    let emails: Vec<String> = (0..14).map(|i| format!("p{i}@example.com")).collect();
    let pairs: Vec<(&str, &str)> = emails.iter().map(|e| (e.as_str(), "All")).collect();
    let f = fixture(store, &pairs).await;
    let send = f.started(f.send(Some("All"), Utc::now()), 30).await;
    let now = Utc::now();
    let claimed = f.claim_all(now).await;
    assert_eq!(claimed.len(), 14);
    let refused = |i: usize| Delivery::Retry {
        reply: format!("421 try later ({i})"),
        at: now - Duration::seconds(1),
    };
    let outcome = |i: usize, delivery: Delivery| finished(&claimed[i], delivery);
    // Nine failures, a delivery, then three more: never ten in a row, so no pause, though
    // the batch holds twelve failures.
    let mut batch: Vec<Finished> = (0..9).map(|i| outcome(i, refused(i))).collect();
    batch.push(outcome(9, Delivery::Sent));
    batch.extend((10..13).map(|i| outcome(i, refused(i))));
    let recorded = f.store.finish_messages(&batch, 10, now).await.unwrap();
    assert_eq!(recorded, vec![true; 13]);
    // Recording again is refused: those claims are finished.
    let again = f.store.finish_messages(&batch[..2], 10, now).await.unwrap();
    assert_eq!(again, vec![false, false]);
    let record = f.store.send_record(send).await.unwrap().unwrap();
    assert_eq!(record.paused_reason, None);
    let counts = f.store.outbox_counts(send).await.unwrap();
    // Queued: the twelve retries and the one still being sent.
    assert_eq!((counts.sent, counts.queued), (1, 13));

    // Three after the delivery, and seven more in the next batch: ten in a row pauses the
    // send with the last reply.
    let retried = f
        .store
        .claim_messages(now, now + Duration::minutes(5), 100)
        .await
        .unwrap();
    assert_eq!(
        retried.len(),
        12,
        "the retries; the last claim is still being sent"
    );
    let next: Vec<Finished> = retried[..7]
        .iter()
        .enumerate()
        .map(|(i, m)| Finished {
            id: m.id,
            attempt: m.attempts,
            delivery: Delivery::Failed {
                reply: format!("554 refused ({i})"),
            },
            failure: true,
        })
        .collect();
    f.store.finish_messages(&next, 10, now).await.unwrap();
    let record = f.store.send_record(send).await.unwrap().unwrap();
    let why = record.paused_reason.expect("paused at ten in a row");
    assert!(
        why.contains("Paused after 10 failed attempts in a row") && why.contains("554 refused (6)"),
        "{why}"
    );
}

/// The outcome of a claim, a failure unless it was delivered.
fn finished(m: &ClaimedMessage, delivery: Delivery) -> Finished {
    Finished {
        id: m.id,
        attempt: m.attempts,
        failure: delivery != Delivery::Sent,
        delivery,
    }
}

async fn reminders_go_once_to_those_who_did_not_answer(store: Arc<dyn Store>) {
    let f = fixture(
        store,
        &[
            ("ana@example.com", "All"),
            ("bo@example.com", "All"),
            ("cy@example.com", "All"),
        ],
    )
    .await;
    let mut send = f.send(None, Utc::now());
    send.reminders = vec![3, 7];
    let id = f.started(send, 30).await;
    let now = Utc::now();
    let claimed = f
        .store
        .claim_messages(now, now + Duration::minutes(5), 10)
        .await
        .unwrap();
    let links: Vec<NewInvitation> = claimed
        .iter()
        .map(|m| NewInvitation {
            survey_id: f.survey,
            token_hash: format!("hash-{}", m.email),
            contact_id: m.contact_id,
            locale: None,
            attributes: BTreeMap::new(),
            send_id: Some(id),
        })
        .collect();
    f.store.ensure_invitations(&links).await.unwrap();
    for m in &claimed {
        f.store
            .finish_message(m.id, m.attempts, &Delivery::Sent, false, 10, now)
            .await
            .unwrap();
    }
    // Ana answers through her link.
    let ana = f
        .store
        .invitation("hash-ana@example.com")
        .await
        .unwrap()
        .unwrap();
    f.store
        .record_answers(app::ports::AnswerBatch {
            id: None,
            survey_id: f.survey,
            version: 1,
            response_key: "ana-response".into(),
            invitation_id: Some(ana.id),
            contact_id: ana.contact_id,
            groups: BTreeMap::new(),
            segments: Vec::new(),
            weight: None,
            send_id: None,
            locale: app::domain::Locale::En,
            day: now.date_naive(),
            at: Some(now),
            answers: vec![app::ports::StoredAnswer {
                question_key: "nps".into(),
                value: app::domain::AnswerValue::Score(9),
                follow_up: None,
            }],
            cleared: vec![],
            completed: true,
            capped: false,
            on_completion: vec![],
            open_case: None,
            webhook_payload: None,
        })
        .await
        .unwrap();
    assert_eq!(f.store.outbox_counts(id).await.unwrap().answered, 1);

    assert!(f.store.due_reminders(now).await.unwrap().is_empty());
    let day_four = now + Duration::days(4);
    let due = f.store.due_reminders(day_four).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].1, 0, "the first reminder");
    assert_eq!(
        f.store
            .queue_reminders(id, 0, true, day_four)
            .await
            .unwrap(),
        Some(2),
        "Bo and Cy, not Ana"
    );
    assert_eq!(
        f.store
            .queue_reminders(id, 0, true, day_four)
            .await
            .unwrap(),
        None,
        "a second process does not remind again"
    );
    assert!(f.store.due_reminders(day_four).await.unwrap().is_empty());
    let reminded = f.deliver_all_at(day_four, &Delivery::Sent).await;
    let reminded: HashSet<_> = reminded.into_iter().collect();
    assert_eq!(
        reminded,
        HashSet::from(["bo@example.com".to_owned(), "cy@example.com".to_owned()])
    );
    assert_eq!(f.store.outbox_counts(id).await.unwrap().reminders_sent, 2);

    // The second reminder is due on day 7; a closed survey only marks it done.
    let day_eight = now + Duration::days(8);
    let due = f.store.due_reminders(day_eight).await.unwrap();
    assert_eq!(due[0].1, 1);
    assert_eq!(
        f.store
            .queue_reminders(id, 1, false, day_eight)
            .await
            .unwrap(),
        Some(0)
    );
    assert!(f
        .store
        .due_reminders(day_eight + Duration::days(30))
        .await
        .unwrap()
        .is_empty());
}

async fn a_response_sends_its_thank_you_and_alert_once_when_first_completed(store: Arc<dyn Store>) {
    let f = fixture(
        store,
        &[("ana@example.com", "Sales"), ("bo@example.com", "Sales")],
    )
    .await;
    let now = Utc::now();
    let ana = f
        .store
        .contact_by_email("ana@example.com")
        .await
        .unwrap()
        .unwrap();
    let bo = f
        .store
        .contact_by_email("bo@example.com")
        .await
        .unwrap()
        .unwrap();
    f.store
        .set_suppression(bo.id, Some("unsubscribed"))
        .await
        .unwrap();
    let messages = |contact: i64| {
        vec![
            NewMessage {
                kind: MessageKind::ThankYou,
                send_id: None,
                survey_id: f.survey,
                contact_id: Some(contact),
                user_id: None,
            },
            NewMessage {
                kind: MessageKind::Alert,
                send_id: None,
                survey_id: f.survey,
                contact_id: None,
                user_id: Some(f.user),
            },
        ]
    };
    let page = |key: &str, contact: i64, score: u8, completed: bool| AnswerBatch {
        id: None,
        survey_id: f.survey,
        version: 1,
        response_key: key.into(),
        invitation_id: None,
        contact_id: Some(contact),
        groups: BTreeMap::from([("team".to_owned(), "Sales".to_owned())]),
        segments: vec!["team=Sales".to_owned()],
        weight: None,
        send_id: None,
        locale: Locale::De,
        day: now.date_naive(),
        at: Some(now),
        answers: vec![StoredAnswer {
            question_key: "nps".into(),
            value: AnswerValue::Score(score),
            follow_up: Some("Zu langsam".into()),
        }],
        cleared: vec![],
        completed,
        capped: false,
        on_completion: messages(contact),
        open_case: None,
        webhook_payload: None,
    };
    // A partial response sends nothing; completing it does, once; changing it later and
    // completing it again sends nothing more.
    f.store
        .record_answers(page("ana", ana.id, 3, false))
        .await
        .unwrap();
    assert!(f
        .store
        .claim_messages(now, now, 10)
        .await
        .unwrap()
        .is_empty());
    f.store
        .record_answers(page("ana", ana.id, 3, true))
        .await
        .unwrap();
    f.store
        .record_answers(page("ana", ana.id, 2, true))
        .await
        .unwrap();
    // A suppressed contact gets no thank-you; the alert about them still goes.
    f.store
        .record_answers(page("bo", bo.id, 1, true))
        .await
        .unwrap();
    let later = now + Duration::seconds(1);
    let claimed = f.store.claim_messages(later, later, 10).await.unwrap();
    let mut kinds: Vec<_> = claimed.iter().map(|m| (m.kind, m.email.clone())).collect();
    kinds.sort_by_key(|(k, e)| (k.as_str(), e.clone()));
    assert_eq!(
        kinds,
        vec![
            (MessageKind::Alert, "ada@example.com".to_owned()),
            (MessageKind::Alert, "ada@example.com".to_owned()),
            (MessageKind::ThankYou, "ana@example.com".to_owned()),
        ]
    );
    let thank_you = claimed
        .iter()
        .find(|m| m.kind == MessageKind::ThankYou)
        .unwrap();
    let response = f
        .store
        .response_by_id(thank_you.response_id.expect("linked to the response"))
        .await
        .unwrap()
        .expect("the response");
    assert_eq!(
        (response.contact_id, response.completed, response.locale),
        (Some(ana.id), true, Locale::De)
    );
    assert_eq!(response.answers[0].value, AnswerValue::Score(2));
    assert_eq!(response.answers[0].follow_up.as_deref(), Some("Zu langsam"));
    assert_eq!(response.groups["team"], "Sales");

    // Delivered messages are done: nothing is claimed again.
    for m in &claimed {
        f.store
            .finish_message(m.id, m.attempts, &Delivery::Sent, false, 10, later)
            .await
            .unwrap();
    }
    let again = later + Duration::minutes(10);
    assert!(f
        .store
        .claim_messages(again, again, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        f.store.response_by_id(response.id + 100).await.unwrap(),
        None
    );
}

async fn a_late_finisher_cannot_overwrite_the_outcome_of_a_newer_claim(store: Arc<dyn Store>) {
    let f = fixture(
        store,
        &[("ana@example.com", "All"), ("bo@example.com", "All")],
    )
    .await;
    f.started(f.send(None, Utc::now()), 30).await;
    let now = Utc::now();
    let lease = now + Duration::seconds(60);
    let slow = f.store.claim_messages(now, lease, 10).await.unwrap();
    assert_eq!(slow.len(), 2);
    let ids: Vec<i64> = slow.iter().map(|m| m.id).collect();

    // A worker still sending renews its lease: nobody else may claim the messages.
    let renewed = lease + Duration::seconds(60);
    assert_eq!(f.store.renew_lease(&ids, lease, renewed).await.unwrap(), 2);
    let after_first_lease = lease + Duration::seconds(1);
    assert!(f
        .store
        .claim_messages(
            after_first_lease,
            after_first_lease + Duration::seconds(60),
            10
        )
        .await
        .unwrap()
        .is_empty());
    // A renewal under a lease the worker no longer holds changes nothing.
    assert_eq!(f.store.renew_lease(&ids, lease, renewed).await.unwrap(), 0);

    // The renewed lease runs out: another worker claims and delivers them.
    let later = renewed + Duration::seconds(1);
    let fresh = f
        .store
        .claim_messages(later, later + Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(fresh.len(), 2);
    assert!(fresh.iter().all(|m| m.attempts == 2));
    let bounced = Delivery::Bounced {
        reply: "550 no such user".into(),
    };
    assert!(f
        .store
        .finish_message(
            fresh[0].id,
            fresh[0].attempts,
            &Delivery::Sent,
            false,
            10,
            later
        )
        .await
        .unwrap());
    // The slow worker finishes late: its outcome is refused, the newer one stands, and
    // the still-running newer claim is not disturbed either.
    for m in &slow {
        assert!(!f
            .store
            .finish_message(m.id, m.attempts, &bounced, true, 1, later)
            .await
            .unwrap());
    }
    let counts = f
        .store
        .outbox_counts(fresh[0].send_id.unwrap())
        .await
        .unwrap();
    assert_eq!((counts.sent, counts.bounced, counts.queued), (1, 0, 1));
    assert!(f
        .store
        .contact_by_email("ana@example.com")
        .await
        .unwrap()
        .unwrap()
        .suppressed
        .is_none());
    assert!(f
        .store
        .finish_message(
            fresh[1].id,
            fresh[1].attempts,
            &Delivery::Sent,
            false,
            10,
            later
        )
        .await
        .unwrap());
    let counts = f
        .store
        .outbox_counts(fresh[0].send_id.unwrap())
        .await
        .unwrap();
    assert_eq!((counts.sent, counts.queued), (2, 0));
}

async fn a_past_send_is_recorded_as_sent_and_leaves_nothing_to_send_or_remind(
    store: Arc<dyn Store>,
) {
    let f = fixture(
        store,
        &[("a@example.com", "Sales"), ("b@example.com", "Ops")],
    )
    .await;
    let contacts = f.store.list_contacts(0, 10).await.unwrap();
    let at = Utc::now() - Duration::days(90);
    let send = NewSend {
        survey_id: f.survey,
        audience_name: "Panel".into(),
        audience: SegmentFilter::default(),
        repeat: Repeat::Quarterly,
        wave: 3,
        reminders: vec![3],
        per_minute: None,
        scheduled_at: at,
        created_by: f.user,
        salted_links: false,
    };
    let invitations: Vec<(NewInvitation, bool)> = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let invitation = NewInvitation {
                survey_id: f.survey,
                token_hash: format!("past-{}", c.id),
                contact_id: Some(c.id),
                locale: None,
                attributes: c.attributes.clone(),
                send_id: None,
            };
            (invitation, i == 1)
        })
        .collect();
    let id = f
        .store
        .record_past_send(&send, at, &invitations)
        .await
        .unwrap();
    let counts = f.store.outbox_counts(id).await.unwrap();
    assert_eq!(
        (
            counts.invitations,
            counts.sent,
            counts.bounced,
            counts.queued
        ),
        (2, 1, 1, 0)
    );
    let record = f.store.send_record(id).await.unwrap().unwrap();
    assert_eq!(record.state, StoredSendState::Started);
    assert_eq!(
        record.started_at.map(|t| t.timestamp_millis()),
        Some(at.timestamp_millis())
    );
    let token = format!("past-{}", contacts[0].id);
    let link = f.store.invitation(&token).await.unwrap().unwrap();
    assert_eq!(link.send_id, Some(id));
    assert!(
        f.store
            .invitation(&format!("past-{}", contacts[1].id))
            .await
            .unwrap()
            .is_none(),
        "a bounced email carried no link"
    );
    let now = Utc::now();
    assert!(f.store.due_sends(now).await.unwrap().is_empty());
    assert!(f.store.due_reminders(now).await.unwrap().is_empty());
    let claimed = f.store.claim_messages(now, now + Duration::seconds(60), 10);
    assert!(claimed.await.unwrap().is_empty(), "nothing goes out again");
}
