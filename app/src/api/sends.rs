//! Sends: a survey emailed to an audience now, later or on a recurring schedule, with
//! reminders, a throttle and the contact frequency rule. Creating one only records it;
//! starting it (the scheduler, every few seconds) queues one outbox row per recipient.

use crate::error::AppError;
use crate::model::{FrequencyRule, SendDetail, SendView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::surveys;
    use crate::domain::access::OnSurvey;
    use crate::domain::anonymity::may_show;
    use crate::domain::segments::SegmentFilter;
    use crate::domain::sending::{self, DEFAULT_MIN_DAYS};
    use crate::domain::stats::wilson;
    use crate::domain::SurveyKind;
    use crate::error::ErrorKind;
    use crate::model::{
        RateView, Repeat, SendCounts, SendProblem, SendRequest, SendState, SurveyStatus,
    };
    use crate::ports::{
        NewSend, NotOpen, OutboxCounts, SendRecord, Services, StoredSendState, Survey, User,
    };
    use chrono::{DateTime, Months, NaiveDateTime, TimeDelta, Utc};

    /// Problems listed on a send's page.
    const PROBLEMS_SHOWN: i64 = 200;

    #[tracing::instrument(skip_all, fields(survey_id, user_id = user.id), err(level = "info"))]
    pub async fn create(
        services: &Services,
        user: &User,
        survey_id: i64,
        request: &SendRequest,
    ) -> Result<SendDetail, AppError> {
        let (survey, _) = surveys::reach(services, user, survey_id, OnSurvey::Manage).await?;
        if survey.status == SurveyStatus::Closed {
            return Err(AppError::bad_input(
                "survey",
                "The survey is closed: reopen it before sending it.",
            ));
        }
        let now = Utc::now();
        let scheduled_at = match request.at.as_deref().map(str::trim) {
            None | Some("") => now,
            Some(raw) => {
                let at = parse_time(raw).ok_or_else(|| {
                    AppError::bad_input(
                        "at",
                        format!("\"{raw}\" is not a date and time (e.g. 2026-12-01T09:00)."),
                    )
                })?;
                if at < now - TimeDelta::minutes(5) {
                    return Err(AppError::bad_input(
                        "at",
                        "This time has passed: choose a later one, or leave it empty to send now.",
                    ));
                }
                at
            }
        };
        if survey.status == SurveyStatus::Draft && scheduled_at <= now + TimeDelta::minutes(1) {
            return Err(AppError::bad_input(
                "survey",
                "The survey is a draft: open it before sending it now, or schedule the send.",
            ));
        }
        sending::check_reminders(&request.reminders)
            .map_err(|message| AppError::bad_input("reminders", message))?;
        sending::check_per_minute(request.per_minute)
            .map_err(|message| AppError::bad_input("per_minute", message))?;
        let (audience_name, audience) = match request.segment_id {
            None => ("Every contact".to_owned(), SegmentFilter::default()),
            Some(id) => {
                let segment = services
                    .store
                    .list_segments()
                    .await?
                    .into_iter()
                    .find(|s| s.id == id)
                    .ok_or_else(|| {
                        AppError::bad_input("segment_id", "There is no segment with this id.")
                    })?;
                (segment.name, segment.filter)
            }
        };
        let record = services
            .store
            .create_send(&NewSend {
                survey_id,
                audience_name,
                audience,
                repeat: request.repeat,
                wave: 1,
                reminders: request.reminders.clone(),
                per_minute: request.per_minute,
                scheduled_at,
                created_by: user.id,
                salted_links: survey.definition.anonymous,
            })
            .await?;
        if scheduled_at <= now {
            // Started here rather than by the next scheduler tick, so the answer already
            // has the recipients; a scheduler that got there first is fine too.
            start(services, &record, now).await?;
        }
        detail(services, record.id).await
    }

    /// Accepts RFC 3339, or a date and time without a zone (a form's datetime-local),
    /// taken as UTC.
    fn parse_time(raw: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                    .iter()
                    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
                    .map(|t| t.and_utc())
            })
    }

    /// When the wave after one scheduled at `at` goes out.
    pub fn next_wave_at(repeat: Repeat, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match repeat {
            Repeat::None => None,
            Repeat::Weekly => Some(at + TimeDelta::days(7)),
            Repeat::Monthly => at.checked_add_months(Months::new(1)),
            Repeat::Quarterly => at.checked_add_months(Months::new(3)),
        }
    }

    async fn min_days(services: &Services, kind: SurveyKind) -> Result<u32, AppError> {
        Ok(services
            .store
            .frequency_rules()
            .await?
            .into_iter()
            .find(|(k, _)| *k == kind)
            .map_or(DEFAULT_MIN_DAYS, |(_, days)| days))
    }

    /// Queues a scheduled send's messages and schedules its next wave.
    async fn start(
        services: &Services,
        record: &SendRecord,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, AppError> {
        let survey = match surveys::find(services, record.new.survey_id).await {
            Ok(survey) => survey,
            Err(e) if e.kind == ErrorKind::NotFound => {
                return not_sent(services, record, "the survey no longer exists").await;
            }
            Err(e) => return Err(e),
        };
        // Invitations to a survey that takes no answers would only disappoint; the send's
        // page says why nothing went out, and a recurring series stops with it.
        match survey.accepting_answers(now) {
            Ok(()) => {}
            Err(NotOpen::Closed) => {
                return not_sent(services, record, "the survey was closed before its time").await
            }
            Err(NotOpen::Full) => {
                return not_sent(
                    services,
                    record,
                    "the survey had all the responses it takes",
                )
                .await
            }
            Err(NotOpen::Draft) => {
                return not_sent(services, record, "the survey was not active at its time").await
            }
        }
        let next = next_wave_at(record.new.repeat, record.new.scheduled_at).map(|at| NewSend {
            wave: record.new.wave + 1,
            scheduled_at: at,
            salted_links: survey.definition.anonymous,
            ..record.new.clone()
        });
        let days = min_days(services, survey.kind()).await?;
        Ok(services
            .store
            .start_send(record.id, now, days, next)
            .await?)
    }

    /// Cancels a due send that cannot go out, with the reason its page shows.
    async fn not_sent(
        services: &Services,
        record: &SendRecord,
        why: &str,
    ) -> Result<Option<i64>, AppError> {
        let reason = format!("Nothing was sent: {why}.");
        services.store.cancel_send(record.id, Some(&reason)).await?;
        tracing::info!(send = record.id, why, "send not started");
        Ok(None)
    }

    /// The scheduler's work: starts sends whose time has come and queues due reminders
    /// (only while their survey takes answers). Safe to run in several processes at once.
    /// One send that fails is logged and tried again next time; the others go on.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn run_due(services: &Services, now: DateTime<Utc>) -> Result<(), AppError> {
        for record in services.store.due_sends(now).await? {
            match start(services, &record, now).await {
                Ok(Some(queued)) => tracing::info!(send = record.id, queued, "send started"),
                Ok(None) => {}
                Err(e) => tracing::error!(send = record.id, error = %e, "send not started"),
            }
        }
        for (record, index) in services.store.due_reminders(now).await? {
            if let Err(e) = remind(services, &record, index, now).await {
                tracing::error!(send = record.id, error = %e, "reminder not queued");
            }
        }
        let forgotten = services.store.forget_link_salts().await?;
        if forgotten > 0 {
            tracing::info!(
                sends = forgotten,
                "anonymous sends done: their link salts forgotten"
            );
        }
        Ok(())
    }

    async fn remind(
        services: &Services,
        record: &SendRecord,
        index: usize,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let open = surveys::find(services, record.new.survey_id)
            .await?
            .accepting_answers(now)
            .is_ok();
        let queued = services
            .store
            .queue_reminders(record.id, index, open, now)
            .await?;
        if let Some(queued) = queued {
            tracing::info!(
                send = record.id,
                reminder = index + 1,
                queued,
                open,
                "reminder"
            );
        }
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(send_id = id), err(level = "info"))]
    pub async fn detail(services: &Services, id: i64) -> Result<SendDetail, AppError> {
        let record = find(services, id).await?;
        // The counts first: a message finished between the two reads is then among the
        // problems, never counted as done yet missing from them.
        let counts = services.store.outbox_counts(record.id).await?;
        let problems = services
            .store
            .outbox_problems(id, PROBLEMS_SHOWN)
            .await?
            .into_iter()
            .map(|p| SendProblem {
                status: match p.status.as_str() {
                    "queued" => "retrying".to_owned(),
                    _ => p.status,
                },
                reason: match p.skip_reason.as_deref() {
                    Some("frequency") => "Surveyed recently (contact frequency rule)".to_owned(),
                    Some(_) => "Suppressed (unsubscribed, bounced or complained)".to_owned(),
                    None => p.reply.unwrap_or_default(),
                },
                email: p.email,
                attempts: p.attempts,
            })
            .collect();
        let survey = surveys::find(services, record.new.survey_id).await?;
        Ok(SendDetail {
            send: view(&survey, record, counts),
            problems,
        })
    }

    #[tracing::instrument(skip_all, fields(survey_id), err(level = "info"))]
    pub async fn list(services: &Services, survey_id: i64) -> Result<Vec<SendView>, AppError> {
        let survey = surveys::find(services, survey_id).await?;
        let mut counts = services.store.outbox_counts_of_survey(survey_id).await?;
        let mut views = Vec::new();
        for record in services.store.list_sends(survey_id).await? {
            let c = counts.remove(&record.id).unwrap_or_default();
            views.push(view(&survey, record, c));
        }
        Ok(views)
    }

    /// Pauses a sending send, or resumes a paused one (which also clears its failure run).
    #[tracing::instrument(skip_all, fields(send_id = id, paused), err(level = "info"))]
    pub async fn set_paused(
        services: &Services,
        id: i64,
        paused: bool,
    ) -> Result<SendDetail, AppError> {
        let reason = paused.then_some("Paused by hand.");
        if !services.store.set_paused(id, reason).await? {
            find(services, id).await?;
            return Err(AppError::bad_input(
                "state",
                "Only a send that has started can be paused or resumed.",
            ));
        }
        detail(services, id).await
    }

    #[tracing::instrument(skip_all, fields(send_id = id), err(level = "info"))]
    pub async fn cancel(services: &Services, id: i64) -> Result<SendDetail, AppError> {
        if !services.store.cancel_send(id, None).await? {
            find(services, id).await?;
            return Err(AppError::bad_input(
                "state",
                "This send has started: pause it instead.",
            ));
        }
        detail(services, id).await
    }

    /// Checks that `user` may manage send `id`'s survey: a send's page names the
    /// recipients it did not reach.
    pub async fn reach(services: &Services, user: &User, id: i64) -> Result<(), AppError> {
        let record = find(services, id).await?;
        surveys::reach(services, user, record.new.survey_id, OnSurvey::Manage).await?;
        Ok(())
    }

    async fn find(services: &Services, id: i64) -> Result<SendRecord, AppError> {
        services
            .store
            .send_record(id)
            .await?
            .ok_or_else(|| AppError::not_found("There is no send with this id."))
    }

    fn view(survey: &Survey, record: SendRecord, c: OutboxCounts) -> SendView {
        // An anonymous survey's answer counts are groups: each shown only at the minimum
        // group size, and so is the gap between them (those who started, not finished).
        let group = |n: i64| may_show(u64::try_from(n).unwrap_or(0), survey.min_group());
        let gap = c.answered - c.completed;
        let answered = (group(c.answered) && (gap == 0 || group(gap))).then_some(c.answered);
        let completed = group(c.completed).then_some(c.completed);
        let response_rate = answered.filter(|_| c.sent > 0).map(|answered| {
            let (answered, sent) = (answered.max(0) as u64, c.sent as u64);
            let interval = wilson(answered.min(sent), sent);
            RateView {
                percent: 100.0 * answered.min(sent) as f64 / sent as f64,
                low: 100.0 * interval.low,
                high: 100.0 * interval.high,
            }
        });
        let state = match (record.state, &record.paused_reason) {
            (StoredSendState::Scheduled, _) => SendState::Scheduled,
            (StoredSendState::Cancelled, _) => SendState::Cancelled,
            (StoredSendState::Started, Some(_)) => SendState::Paused,
            (StoredSendState::Started, None) if c.queued > 0 => SendState::Sending,
            (StoredSendState::Started, None) => SendState::Done,
        };
        SendView {
            id: record.id,
            survey_id: survey.id,
            survey_title: survey.title().to_owned(),
            audience_name: record.new.audience_name,
            audience: if record.new.audience.conditions.is_empty() {
                "every contact".to_owned()
            } else {
                record.new.audience.describe()
            },
            repeat: record.new.repeat,
            wave: record.new.wave,
            reminders: record.new.reminders,
            reminders_done: record.reminders_sent,
            per_minute: record.new.per_minute,
            state,
            paused_reason: record.paused_reason,
            scheduled_at: record.new.scheduled_at.to_rfc3339(),
            started_at: record.started_at.map(|t| t.to_rfc3339()),
            counts: SendCounts {
                recipients: c.invitations,
                queued: c.queued,
                sent: c.sent,
                failed: c.failed,
                bounced: c.bounced,
                skipped_suppressed: c.skipped_suppressed,
                skipped_frequency: c.skipped_frequency,
                reminders_sent: c.reminders_sent,
                answered,
                completed,
                response_rate,
            },
        }
    }

    /// The frequency rule of every survey kind, the default where none was set.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn frequency_rules(services: &Services) -> Result<Vec<FrequencyRule>, AppError> {
        let set = services.store.frequency_rules().await?;
        Ok(SurveyKind::ALL
            .iter()
            .map(|kind| FrequencyRule {
                kind: *kind,
                min_days: set
                    .iter()
                    .find(|(k, _)| k == kind)
                    .map_or(DEFAULT_MIN_DAYS, |(_, d)| *d),
            })
            .collect())
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn set_frequency_rule(
        services: &Services,
        rule: &FrequencyRule,
    ) -> Result<Vec<FrequencyRule>, AppError> {
        if rule.min_days > 3650 {
            return Err(AppError::bad_input(
                "min_days",
                "At most 3650 days (ten years).",
            ));
        }
        services
            .store
            .set_frequency_rule(rule.kind, rule.min_days)
            .await?;
        frequency_rules(services).await
    }
}

#[server(prefix = "/rpc", endpoint = "survey_sends")]
pub async fn load_sends(survey_id: i64) -> Result<Vec<SendView>, AppError> {
    use crate::api::{context, surveys};
    use crate::domain::access::OnSurvey;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    surveys::reach(&services, &user, survey_id, OnSurvey::Manage)
        .await
        .or_else(context::fail)?;
    list(&services, survey_id).await.or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "send")]
pub async fn load_send(id: i64) -> Result<SendDetail, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    reach(&services, &user, id).await.or_else(context::fail)?;
    detail(&services, id).await.or_else(context::fail)
}

/// The survey page's send form. Reminder days come as typed ("3, 7").
#[server(prefix = "/rpc", endpoint = "create_send")]
pub async fn create_send(
    survey_id: i64,
    segment: String,
    at: String,
    repeat: String,
    reminders: String,
    per_minute: String,
) -> Result<SendDetail, AppError> {
    use crate::api::{context, surveys};
    use crate::domain::access::OnSurvey;
    use crate::domain::sending::parse_reminders;
    use crate::model::{Repeat, SendRequest};
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    // Before the form is read: whoever may not send it learns nothing from its errors.
    surveys::reach(&services, &user, survey_id, OnSurvey::Manage)
        .await
        .or_else(context::fail)?;
    let request = (|| {
        Ok::<_, AppError>(SendRequest {
            segment_id: match segment.trim() {
                "" => None,
                id => Some(id.parse().map_err(|_| {
                    AppError::bad_input("segment", "Choose an audience from the list.")
                })?),
            },
            at: Some(at.clone()),
            repeat: Repeat::parse(&repeat)
                .ok_or_else(|| AppError::bad_input("repeat", "Choose how often to send."))?,
            reminders: parse_reminders(&reminders)
                .map_err(|message| AppError::bad_input("reminders", message))?,
            per_minute: match per_minute.trim() {
                "" => None,
                n => Some(n.parse().map_err(|_| {
                    AppError::bad_input("per_minute", "Enter a whole number of messages a minute.")
                })?),
            },
        })
    })();
    let result = match request {
        Ok(request) => create(&services, &user, survey_id, &request).await,
        Err(e) => Err(e),
    };
    if let Ok(detail) = &result {
        leptos_axum::redirect(&format!("/surveys/{survey_id}/sends/{}", detail.send.id));
    }
    result
        .map_err(|e| {
            e.with_input([
                ("segment", segment.as_str()),
                ("at", at.as_str()),
                ("repeat", repeat.as_str()),
                ("reminders", reminders.as_str()),
                ("per_minute", per_minute.as_str()),
            ])
        })
        .or_else(context::fail)
}

/// Pause, resume or cancel, from the send's page.
#[server(prefix = "/rpc", endpoint = "change_send")]
pub async fn change_send(id: i64, action: String) -> Result<SendDetail, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    reach(&services, &user, id).await.or_else(context::fail)?;
    match action.as_str() {
        "pause" => set_paused(&services, id, true).await,
        "resume" => set_paused(&services, id, false).await,
        "cancel" => cancel(&services, id).await,
        _ => Err(AppError::bad_input("action", "Unknown action.")),
    }
    .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "frequency_rules")]
pub async fn load_frequency_rules() -> Result<Vec<FrequencyRule>, AppError> {
    use crate::api::{auth::Action, context};
    let (services, _) = context::require(Action::ManageContacts)
        .await
        .or_else(context::fail)?;
    frequency_rules(&services).await.or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "set_frequency_rule")]
pub async fn save_frequency_rule(
    kind: String,
    min_days: String,
) -> Result<Vec<FrequencyRule>, AppError> {
    use crate::api::{auth::Action, context};
    use crate::domain::SurveyKind;
    let (services, _) = context::require(Action::ManageContacts)
        .await
        .or_else(context::fail)?;
    let rule = SurveyKind::parse(&kind)
        .ok_or_else(|| AppError::bad_input("kind", "Unknown survey kind."))
        .and_then(|kind| {
            let days = min_days
                .trim()
                .parse()
                .map_err(|_| AppError::bad_input("min_days", "Enter a whole number of days."))?;
            Ok(FrequencyRule {
                kind,
                min_days: days,
            })
        });
    match rule {
        Ok(rule) => set_frequency_rule(&services, &rule).await,
        Err(e) => Err(e),
    }
    .map_err(|e| e.with_input([("kind", kind.as_str()), ("min_days", min_days.as_str())]))
    .or_else(context::fail)
}
