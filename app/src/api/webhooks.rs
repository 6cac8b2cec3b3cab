//! Webhooks: admins register endpoints for events (a response completed or changed, a case
//! opened or changed, a send finished), see each endpoint's recent deliveries and replay
//! one. Events are queued by the store in the transaction of what caused them; a worker
//! (server crate) delivers them signed as Standard Webhooks says, and this module writes
//! each body when it is delivered: the response, case or send as it is then, so an erased
//! contact is never sent later. An anonymous survey's response is the exception: it is
//! kept as it was completed, with its day and answers only, and goes out in a batch once
//! its day is over and enough of them wait.

use crate::error::AppError;
use crate::model::{WebhookDetail, WebhookView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// Deliveries an endpoint's page lists.
pub const DELIVERIES_SHOWN: i64 = 50;
/// How long the previous secret still signs after a rotation, so receivers can switch.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;
/// An endpoint failing this long without one success is disabled.
pub const DISABLE_AFTER_DAYS: i64 = 3;
/// Messages are kept this long after they happened, then pruned.
pub const KEEP_MESSAGES_DAYS: i64 = 30;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::webhooks::{parse_endpoint, Event};
    use crate::domain::AnswerValue;
    use crate::error::ErrorKind;
    use crate::model::{WebhookDeliveryView, WebhookInput};
    use crate::ports::{
        DeliveryRecord, Endpoint, NewEndpoint, Services, StoredAnswer, Survey, User, WebhookMessage,
    };
    use chrono::{DateTime, Duration, NaiveDate, Utc};
    use serde::Serialize;
    use serde_json::{json, Value};

    const URL_MAX_CHARS: usize = 2_000;
    const DESCRIPTION_MAX_CHARS: usize = 200;

    fn time(at: DateTime<Utc>) -> String {
        at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    }

    fn view(e: &Endpoint) -> WebhookView {
        WebhookView {
            id: e.id,
            url: e.url.clone(),
            description: e.description.clone(),
            events: e.events.clone(),
            enabled: e.disabled_at.is_none(),
            disabled_reason: e.disabled_reason.clone(),
            failing_since: e.failing_since.map(time),
            created_at: time(e.created_at),
        }
    }

    fn delivery_view(d: &DeliveryRecord) -> WebhookDeliveryView {
        WebhookDeliveryView {
            message_id: d.message_id.clone(),
            event: d.event,
            occurred: match d.day_only {
                true => d.occurred_at.format("%Y-%m-%d").to_string(),
                false => time(d.occurred_at),
            },
            status: d.status.as_str().to_owned(),
            attempts: d.attempts,
            next_attempt: d.next_attempt_at.map(time),
            last_attempt: d.last_attempt_at.map(time),
            last_status: d.last_status,
            last_error: d.last_error.clone(),
        }
    }

    /// The URL, description and events of `input`, checked; each problem names its field.
    fn parse_input(
        services: &Services,
        input: &WebhookInput,
    ) -> Result<(String, String, Vec<Event>), AppError> {
        let text = input.url.trim();
        if text.is_empty() {
            return Err(AppError::bad_input("url", "Enter the endpoint's URL."));
        }
        if text.chars().count() > URL_MAX_CHARS || text.contains('\0') {
            return Err(AppError::bad_input(
                "url",
                format!("Use a URL of at most {URL_MAX_CHARS} characters."),
            ));
        }
        let url = parse_endpoint(text, &services.settings.webhook_hosts)
            .map_err(|why| AppError::bad_input("url", why.to_string()))?;
        let description = input.description.trim();
        if description.chars().count() > DESCRIPTION_MAX_CHARS || description.contains('\0') {
            return Err(AppError::bad_input(
                "description",
                format!("Keep the description to {DESCRIPTION_MAX_CHARS} characters."),
            ));
        }
        let mut events = Vec::new();
        for name in &input.events {
            let event = Event::subscribable(name.trim()).ok_or_else(|| {
                let known: Vec<&str> = Event::ALL.iter().map(|e| e.as_str()).collect();
                AppError::bad_input(
                    "events",
                    format!(
                        "There is no event \"{name}\": choose from {}.",
                        known.join(", ")
                    ),
                )
            })?;
            if !events.contains(&event) {
                events.push(event);
            }
        }
        if events.is_empty() {
            return Err(AppError::bad_input(
                "events",
                "Choose at least one event to send.",
            ));
        }
        events.sort();
        Ok((url.to_string(), description.to_owned(), events))
    }

    async fn endpoint(services: &Services, id: i64) -> Result<Endpoint, AppError> {
        services
            .store
            .endpoint(id)
            .await?
            .ok_or_else(|| AppError::not_found("There is no webhook endpoint with this id."))
    }

    /// The secrets that sign a delivery now: the current one and, while a rotation
    /// overlaps, the previous one.
    pub fn signing_secrets(
        services: &Services,
        endpoint: i64,
        generation: i64,
        previous_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Vec<String> {
        let settings = &services.settings;
        let mut secrets = vec![settings.webhook_secret(endpoint, generation)];
        if previous_until.is_some_and(|until| until > now) && generation > 1 {
            secrets.push(settings.webhook_secret(endpoint, generation - 1));
        }
        secrets
    }

    /// Every endpoint, oldest first.
    pub async fn list(services: &Services) -> Result<Vec<WebhookView>, AppError> {
        Ok(services.store.endpoints().await?.iter().map(view).collect())
    }

    /// One endpoint with its secrets and recent deliveries.
    pub async fn detail(services: &Services, id: i64) -> Result<WebhookDetail, AppError> {
        let e = endpoint(services, id).await?;
        let now = Utc::now();
        let overlapping = e
            .previous_until
            .filter(|until| *until > now && e.generation > 1);
        let deliveries = services
            .store
            .deliveries(id, DELIVERIES_SHOWN)
            .await?
            .iter()
            .map(delivery_view)
            .collect();
        Ok(WebhookDetail {
            secret: services.settings.webhook_secret(e.id, e.generation),
            previous_secret: overlapping
                .map(|_| services.settings.webhook_secret(e.id, e.generation - 1)),
            previous_until: overlapping.map(time),
            endpoint: view(&e),
            deliveries,
        })
    }

    /// Registers an endpoint; `admin` is told if it is ever disabled.
    pub async fn create(
        services: &Services,
        admin: &User,
        input: &WebhookInput,
    ) -> Result<WebhookDetail, AppError> {
        let (url, description, events) = parse_input(services, input)?;
        let id = services
            .store
            .create_endpoint(&NewEndpoint {
                url,
                description,
                events,
                created_by: admin.id,
                at: Utc::now(),
            })
            .await?;
        tracing::info!(endpoint = id, "webhook endpoint registered");
        detail(services, id).await
    }

    pub async fn update(
        services: &Services,
        id: i64,
        input: &WebhookInput,
    ) -> Result<WebhookDetail, AppError> {
        let (url, description, events) = parse_input(services, input)?;
        if !services
            .store
            .update_endpoint(id, &url, &description, &events)
            .await?
        {
            return Err(AppError::not_found(
                "There is no webhook endpoint with this id.",
            ));
        }
        detail(services, id).await
    }

    /// Turns an endpoint off by hand, or on again (its failure run starts anew).
    pub async fn set_enabled(services: &Services, id: i64, enabled: bool) -> Result<(), AppError> {
        match services
            .store
            .set_endpoint_enabled(id, enabled, Utc::now())
            .await?
        {
            true => Ok(()),
            false => Err(AppError::not_found(
                "There is no webhook endpoint with this id.",
            )),
        }
    }

    pub async fn delete(services: &Services, id: i64) -> Result<(), AppError> {
        match services.store.delete_endpoint(id).await? {
            true => Ok(()),
            false => Err(AppError::not_found(
                "There is no webhook endpoint with this id.",
            )),
        }
    }

    /// A new signing secret; the old one still signs for [`ROTATION_OVERLAP_HOURS`].
    pub async fn rotate(services: &Services, id: i64) -> Result<WebhookDetail, AppError> {
        let until = Utc::now() + Duration::hours(ROTATION_OVERLAP_HOURS);
        match services.store.rotate_secret(id, until).await? {
            Some(_) => detail(services, id).await,
            None => Err(AppError::not_found(
                "There is no webhook endpoint with this id.",
            )),
        }
    }

    /// Sends one delivery again, with the same `webhook-id`.
    pub async fn replay(services: &Services, id: i64, message_id: &str) -> Result<(), AppError> {
        endpoint(services, id).await?;
        // Ids are `msg_` and hex: anything else names no message (and a NUL would not
        // even reach PostgreSQL).
        if message_id.len() > 64
            || !message_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(AppError::not_found(
                "This endpoint has no delivery of that message.",
            ));
        }
        match services.store.replay(id, message_id, Utc::now()).await? {
            true => Ok(()),
            false => Err(AppError::not_found(
                "This endpoint has no delivery of that message.",
            )),
        }
    }

    /// Queues a `webhook.test` message for endpoint `id` alone, to try its receiver; the
    /// message's id. A turned-off endpoint is told to be turned on first (409).
    pub async fn send_test(services: &Services, id: i64) -> Result<String, AppError> {
        let e = endpoint(services, id).await?;
        if e.disabled_at.is_some() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "This endpoint is turned off: turn it on again to send it a test event.",
            ));
        }
        let data = json!({
            "endpoint": { "id": e.id, "url": e.url, "description": e.description },
            "message": "A test event from Resonance: this endpoint receives its events.",
        });
        services
            .store
            .queue_test(id, &data.to_string(), Utc::now())
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorKind::Conflict,
                    "This endpoint was turned off or deleted meanwhile: nothing was sent.",
                )
            })
    }

    /// The scheduler's step: releases the anonymous batches that are due.
    pub async fn release_held(services: &Services, now: DateTime<Utc>) -> Result<u64, AppError> {
        Ok(services.store.release_held(now.date_naive(), now).await?)
    }

    /// The hourly step: forgets messages older than [`KEEP_MESSAGES_DAYS`].
    pub async fn prune(services: &Services, now: DateTime<Utc>) -> Result<u64, AppError> {
        let before = now - Duration::days(KEEP_MESSAGES_DAYS);
        Ok(services.store.prune_messages(before).await?)
    }

    /// One answer as a webhook tells it.
    #[derive(Serialize)]
    struct AnswerData<'a> {
        question: &'a str,
        #[serde(flatten)]
        value: &'a AnswerValue,
        #[serde(skip_serializing_if = "Option::is_none")]
        score: Option<u8>,
        #[serde(skip_serializing_if = "Option::is_none")]
        follow_up: Option<&'a str>,
    }

    fn answers_data(answers: &[StoredAnswer]) -> Vec<AnswerData<'_>> {
        answers
            .iter()
            .map(|a| AnswerData {
                question: &a.question_key,
                value: &a.value,
                score: a.score(),
                follow_up: a.follow_up.as_deref(),
            })
            .collect()
    }

    fn survey_data(survey: &Survey) -> Value {
        json!({ "id": survey.id, "title": survey.title(), "anonymous": survey.definition.anonymous })
    }

    /// What an anonymous survey's `response.completed` message keeps: the survey, the
    /// day and the answers, in the survey's order. No response id, contact, grouping
    /// attribute, language or time: nothing that tells who or when.
    pub fn anonymous_response(
        survey: &Survey,
        answers: &[StoredAnswer],
        day: NaiveDate,
    ) -> Result<String, AppError> {
        let order = |a: &StoredAnswer| {
            survey
                .definition
                .questions
                .iter()
                .position(|q| q.key == a.question_key)
        };
        let mut sorted: Vec<StoredAnswer> = answers.to_vec();
        sorted.sort_by_key(order);
        let data = json!({
            "survey": survey_data(survey),
            "response": { "day": day.to_string(), "answers": answers_data(&sorted) },
        });
        serde_json::to_string(&data).map_err(|e| {
            tracing::error!(error = %e, "writing a webhook body");
            AppError::internal()
        })
    }

    /// The body of `message` as it is delivered now: the Standard Webhooks envelope
    /// (`type`, `timestamp`, `data`), given its survey as it is now (read once for a
    /// whole batch by the deliverer). `None` when what it is about is gone (erased,
    /// deleted) or can no longer be told (a survey made anonymous since): nothing is sent.
    pub async fn body(
        services: &Services,
        message: &WebhookMessage,
        survey: Option<&Survey>,
    ) -> Result<Option<Vec<u8>>, AppError> {
        let store = &services.store;
        // Its survey was deleted: there is nothing left to tell.
        if message.survey_id.is_some() && survey.is_none() {
            return Ok(None);
        }
        let identified = survey.is_some_and(|s| !s.definition.anonymous);
        let base = &services.settings.base_url;
        let data = match (message.response_id, message.case_id, message.send_id) {
            // A test, and an anonymous survey's message: kept as it was made.
            (None, None, None) => match serde_json::from_str::<Value>(&message.payload) {
                Ok(v) if v.is_object() && message.payload != "{}" => v,
                _ => return Ok(None),
            },
            (Some(response_id), None, _) if identified => {
                let Some(r) = store.response_by_id(response_id).await? else {
                    return Ok(None);
                };
                let contact = match r.contact_id {
                    Some(id) => store.contact(id).await?,
                    None => None,
                };
                json!({
                    "survey": survey.map(survey_data),
                    "response": {
                        "id": r.id,
                        "completed": r.completed,
                        "language": r.locale.as_str(),
                        "day": r.day.to_string(),
                        "submitted_at": r.submitted_at,
                        "updated_at": r.updated_at,
                        "contact": contact.map(|c| json!({ "id": c.id, "email": c.email, "name": c.name })),
                        "attributes": r.groups,
                        "answers": answers_data(&r.answers),
                        "url": format!("{base}/surveys/{}/responses/{}", r.survey_id, r.id),
                    },
                })
            }
            (_, Some(case_id), _) if identified => {
                let Some(c) = store.case(case_id).await? else {
                    return Ok(None);
                };
                json!({
                    "survey": survey.map(survey_data),
                    "case": {
                        "id": c.id,
                        "state": c.state.as_str(),
                        "owner": c.owner_name,
                        "response_id": c.response_id,
                        "score": c.score,
                        "comment": c.comment,
                        "opened_at": c.opened_at,
                        "due_at": c.due_at,
                        "first_contact_at": c.first_contact_at,
                        "done_at": c.done_at,
                        "attributes": c.groups,
                        "language": c.locale.as_str(),
                        "contact": c.contact_id.map(|id| json!({ "id": id, "email": c.email, "name": c.name })),
                        "url": format!("{base}/cases/{}", c.id),
                    },
                })
            }
            (None, None, Some(send_id)) => {
                let Some(send) = store.send_record(send_id).await? else {
                    return Ok(None);
                };
                let counts = store.outbox_counts(send_id).await?;
                json!({
                    "survey": survey.map(survey_data),
                    "send": {
                        "id": send.id,
                        "started_at": send.started_at,
                        "invitations": counts.invitations,
                        "sent": counts.sent,
                        "failed": counts.failed,
                        "bounced": counts.bounced,
                        "skipped": counts.skipped_suppressed + counts.skipped_frequency,
                        "url": format!("{base}/surveys/{}/sends", send.new.survey_id),
                    },
                })
            }
            _ => return Ok(None),
        };
        // An anonymous survey's message says its day; the others the moment it happened.
        let exact = identified || message.send_id.is_some() || message.event == Event::Test;
        let timestamp = match exact {
            true => message
                .occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            false => message.occurred_at.format("%Y-%m-%dT00:00:00Z").to_string(),
        };
        let envelope = json!({
            "type": message.event.as_str(),
            "timestamp": timestamp,
            "data": data,
        });
        serde_json::to_vec(&envelope).map(Some).map_err(|e| {
            tracing::error!(error = %e, "writing a webhook body");
            AppError::internal()
        })
    }
}

/// Every webhook endpoint (admins only).
#[server(prefix = "/rpc", endpoint = "webhooks")]
pub async fn load_webhooks() -> Result<Vec<WebhookView>, AppError> {
    use super::context;
    use crate::domain::access::Action;
    let (services, _) = context::require(Action::ManageWebhooks)
        .await
        .or_else(context::fail)?;
    list(&services).await.or_else(context::fail)
}

/// One endpoint, its secret and recent deliveries (admins only).
#[server(prefix = "/rpc", endpoint = "webhook")]
pub async fn load_webhook(id: i64) -> Result<WebhookDetail, AppError> {
    use super::context;
    use crate::domain::access::Action;
    let (services, _) = context::require(Action::ManageWebhooks)
        .await
        .or_else(context::fail)?;
    detail(&services, id).await.or_else(context::fail)
}

/// What the endpoint form sent; on an error, the form shows it again.
#[cfg(feature = "ssr")]
fn form_input(
    url: String,
    description: String,
    events: Option<Vec<String>>,
) -> crate::model::WebhookInput {
    crate::model::WebhookInput {
        url,
        description,
        events: events.unwrap_or_default(),
    }
}

#[cfg(feature = "ssr")]
fn keeping(e: AppError, input: &crate::model::WebhookInput) -> AppError {
    e.with_input([
        ("url", input.url.as_str()),
        ("description", input.description.as_str()),
        ("events", input.events.join(",").as_str()),
    ])
}

/// Registers an endpoint from the form: `events` are the ticked event names.
#[server(prefix = "/rpc", endpoint = "add_webhook")]
pub async fn add_webhook(
    url: String,
    #[server(default)] description: String,
    #[server(default)] events: Option<Vec<String>>,
) -> Result<(), AppError> {
    use super::context;
    use crate::domain::access::Action;
    let (services, admin) = context::require(Action::ManageWebhooks)
        .await
        .or_else(context::fail)?;
    let input = form_input(url, description, events);
    let detail = create(&services, &admin, &input)
        .await
        .map_err(|e| keeping(e, &input))
        .or_else(context::fail)?;
    leptos_axum::redirect(&format!("/settings/webhooks/{}", detail.endpoint.id));
    Ok(())
}

/// Changes an endpoint from its page's form.
#[server(prefix = "/rpc", endpoint = "change_webhook")]
pub async fn change_webhook(
    id: i64,
    url: String,
    #[server(default)] description: String,
    #[server(default)] events: Option<Vec<String>>,
) -> Result<(), AppError> {
    use super::context;
    use crate::domain::access::Action;
    let (services, _) = context::require(Action::ManageWebhooks)
        .await
        .or_else(context::fail)?;
    let input = form_input(url, description, events);
    update(&services, id, &input)
        .await
        .map(|_| ())
        .map_err(|e| keeping(e, &input))
        .or_else(context::fail)
}

/// `action` is one of: enable, disable, rotate, delete.
#[server(prefix = "/rpc", endpoint = "webhook_action")]
pub async fn webhook_action(id: i64, action: String) -> Result<(), AppError> {
    use super::context;
    use crate::domain::access::Action;
    let (services, _) = context::require(Action::ManageWebhooks)
        .await
        .or_else(context::fail)?;
    let done = match action.as_str() {
        "enable" => set_enabled(&services, id, true).await,
        "disable" => set_enabled(&services, id, false).await,
        "rotate" => rotate(&services, id).await.map(|_| ()),
        "test" => send_test(&services, id).await.map(|_| ()),
        "delete" => {
            let done = delete(&services, id).await;
            if done.is_ok() {
                leptos_axum::redirect("/settings/webhooks");
            }
            done
        }
        _ => Err(AppError::bad_input(
            "action",
            "Choose enable, disable, rotate, test or delete.",
        )),
    };
    done.or_else(context::fail)
}

/// Sends one delivery again with its message's id.
#[server(prefix = "/rpc", endpoint = "replay_webhook")]
pub async fn replay_webhook(id: i64, message: String) -> Result<(), AppError> {
    use super::context;
    use crate::domain::access::Action;
    let (services, _) = context::require(Action::ManageWebhooks)
        .await
        .or_else(context::fail)?;
    replay(&services, id, &message).await.or_else(context::fail)
}
