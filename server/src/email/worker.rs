//! The outbox worker: claims due messages, makes their personal links, writes and sends
//! them over its SMTP connections, and records each outcome. Several processes may
//! run one each; the claim keeps them apart, and a message whose worker died is claimed
//! again when its lease runs out, so a crash loses nothing.

use super::smtp::{Connections, Refusal, Relay};
use super::templates::{self, Rendered};
use anyhow::Context;
use app::api::{digests, responses};
use app::domain::sending::{
    claim_size, classify_reply, retry_delay_ms, stalled, ReplyClass, FAILURE_RUN_LIMIT,
    MAX_ATTEMPTS,
};
use app::ports::{
    ClaimedMessage, Delivery, Finished, MessageKind, NewInvitation, Services, Survey,
};
use chrono::{TimeDelta, Utc};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Semaphore};
use tokio::task::JoinSet;

/// How the worker reaches the SMTP server and paces itself.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://host:port` (plain), `smtp://host?tls=required` (STARTTLS),
    /// `smtps://user:password@host` (TLS); credentials in the URL.
    pub smtp_url: String,
    pub from: Mailbox,
    /// Open SMTP connections, and so messages in flight.
    pub connections: u32,
    /// At most this many messages a minute from this process.
    pub per_minute: Option<u32>,
    /// The first retry's wait; each later one doubles it.
    pub retry_base: Duration,
    /// How long a claimed message is this worker's before another may take it.
    pub lease: Duration,
    /// Wait between looks at an empty outbox.
    pub poll: Duration,
    pub timeout: Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_url", &crate::storage::redact(&self.smtp_url))
            .field("from", &self.from.to_string())
            .field("connections", &self.connections)
            .field("per_minute", &self.per_minute)
            .finish_non_exhaustive()
    }
}

/// Outcomes written in one transaction, at most.
const RECORD_BATCH: usize = 256;
/// The longest an outcome waits to be written.
const RECORD_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Worker(Arc<Inner>);

struct Inner {
    services: Services,
    mail: MailSettings,
    smtp: Arc<Connections>,
    /// The Message-ID domain: the sender's.
    domain: String,
    limiter: Option<Mutex<tokio::time::Interval>>,
}

impl Worker {
    pub fn new(services: Services, mail: MailSettings) -> anyhow::Result<Worker> {
        let relay = Relay::from_url(&mail.smtp_url).map_err(|why| {
            anyhow::anyhow!(
                "invalid SMTP URL {}: {why}",
                crate::storage::redact(&mail.smtp_url)
            )
        })?;
        let smtp = Arc::new(Connections::new(relay, mail.timeout));
        let limiter = mail.per_minute.map(|n| {
            let mut every = tokio::time::interval(Duration::from_secs(60) / n.max(1));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            Mutex::new(every)
        });
        Ok(Worker(Arc::new(Inner {
            domain: mail.from.email.domain().to_owned(),
            services,
            mail,
            smtp,
            limiter,
        })))
    }

    /// Sends until the process stops.
    pub async fn run(self) {
        loop {
            match self.deliver_due().await {
                Ok(0) => tokio::time::sleep(self.0.mail.poll).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = format!("{e:#}"), "outbox worker");
                    tokio::time::sleep(self.0.mail.poll.max(Duration::from_secs(1))).await;
                }
            }
        }
    }

    /// Claims one batch of due messages and sends it; returns how many were claimed.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let inner = &self.0;
        let store = &inner.services.store;
        let now = Utc::now();
        let lease = TimeDelta::from_std(inner.mail.lease).unwrap_or(TimeDelta::minutes(5));
        let batch_size = claim_size(
            inner.mail.connections,
            inner.mail.per_minute,
            inner.mail.lease.as_secs(),
        );
        let mut held = now + lease;
        let batch = store
            .claim_messages(now, held, batch_size)
            .await
            .context("claiming messages")?;
        if batch.is_empty() {
            return Ok(0);
        }
        // A survey that cannot be read fails its own messages below. Failing the batch
        // instead would leave them claimed, to be claimed again when the lease runs out,
        // forever.
        let mut surveys: HashMap<i64, Result<Arc<Survey>, &'static str>> = HashMap::new();
        for id in batch.iter().filter_map(|m| m.survey_id) {
            if let Entry::Vacant(slot) = surveys.entry(id) {
                slot.insert(match store.survey(id).await {
                    Ok(Some(survey)) => Ok(Arc::new(survey)),
                    Ok(None) => Err("The survey no longer exists."),
                    Err(e) => {
                        tracing::error!(survey = id, error = %e, "reading a message's survey");
                        Err("The survey could not be read.")
                    }
                });
            }
        }
        // Every link is made before its email leaves, in one statement for the batch.
        let links: Vec<NewInvitation> = batch
            .iter()
            .filter_map(|m| {
                let token = self.personal_token(m)?;
                Some(NewInvitation {
                    survey_id: m.survey_id?,
                    token_hash: inner.services.settings.token_hash(&token),
                    contact_id: m.contact_id,
                    locale: m.locale,
                    attributes: m.attributes.clone(),
                    send_id: m.send_id,
                })
            })
            .collect();
        store
            .ensure_invitations(&links)
            .await
            .context("making personal links")?;
        let claimed = batch.len();
        let ids: Vec<i64> = batch.iter().map(|m| m.id).collect();
        let slots = Arc::new(Semaphore::new(inner.mail.connections.max(1) as usize));
        let mut running = JoinSet::new();
        for message in batch {
            // An account link belongs to no survey.
            let survey = match message.survey_id {
                Some(id) => surveys
                    .get(&id)
                    .cloned()
                    .unwrap_or(Err("The survey no longer exists."))
                    .map(Some),
                None => Ok(None),
            };
            let worker = self.clone();
            let slots = slots.clone();
            // Each task waits for a connection's slot itself, so outcomes are recorded
            // and the lease renewed from the first message on, not after the last starts.
            running.spawn(async move {
                let _slot = slots.acquire_owned().await;
                worker.deliver(message, survey).await
            });
        }
        // Outcomes are recorded together: one transaction per `RECORD_BATCH` outcomes or
        // per second, whichever comes first, instead of one per message. A crash loses at
        // most that many records; their messages are sent again after the lease, with the
        // same Message-ID, so a receiver can drop the duplicate.
        let mut outcomes: Vec<Finished> = Vec::with_capacity(RECORD_BATCH);
        let mut record = tokio::time::interval(RECORD_EVERY);
        record.tick().await;
        // A slow SMTP server may take longer than the lease: the messages still being
        // sent are renewed every third of it, so no other process takes them over.
        let mut renew = tokio::time::interval((inner.mail.lease / 3).max(Duration::from_secs(1)));
        renew.tick().await;
        loop {
            tokio::select! {
                done = running.join_next() => match done {
                    None => break,
                    Some(Ok(finished)) => {
                        outcomes.push(finished);
                        if outcomes.len() >= RECORD_BATCH {
                            self.record(&mut outcomes).await;
                        }
                    }
                    Some(Err(e)) => tracing::error!(error = %e, "a delivery task failed"),
                },
                _ = record.tick() => self.record(&mut outcomes).await,
                _ = renew.tick() => {
                    let until = Utc::now() + lease;
                    match store.renew_lease(&ids, held, until).await {
                        Ok(_) => held = until,
                        Err(e) => tracing::error!(error = %e, "renewing the outbox lease"),
                    }
                }
            }
        }
        self.record(&mut outcomes).await;
        Ok(claimed)
    }

    /// Writes the outcomes gathered so far. One that cannot be written stays with its
    /// claim, which is taken again when the lease runs out.
    async fn record(&self, outcomes: &mut Vec<Finished>) {
        if outcomes.is_empty() {
            return;
        }
        let store = &self.0.services.store;
        match store
            .finish_messages(outcomes, FAILURE_RUN_LIMIT, Utc::now())
            .await
        {
            Ok(recorded) => {
                for (finished, _) in outcomes.iter().zip(recorded).filter(|(_, r)| !r) {
                    tracing::warn!(
                        message = finished.id,
                        attempts = finished.attempt,
                        "the lease ran out before the outcome was recorded: another claim has it"
                    );
                }
            }
            Err(e) => tracing::error!(error = %e, "recording deliveries"),
        }
        outcomes.clear();
    }

    /// Writes and sends one message; its outcome, to be recorded.
    async fn deliver(
        &self,
        message: ClaimedMessage,
        survey: Result<Option<Arc<Survey>>, &'static str>,
    ) -> Finished {
        let inner = &self.0;
        let composed = match stalled(message.attempts) {
            Some(why) => Err(why),
            None => match &survey {
                Ok(survey) => self.compose(&message, survey.as_deref()).await,
                Err(why) => Err((*why).to_owned()),
            },
        };
        let (delivery, failure) = match composed {
            Err(reason) => (Delivery::Failed { reply: reason }, false),
            Ok(email) => {
                if let Some(limiter) = &inner.limiter {
                    limiter.lock().await.tick().await;
                }
                match inner.smtp.send(&email).await {
                    Ok(()) => (Delivery::Sent, false),
                    Err(refusal) => (self.after_error(refusal, message.attempts), true),
                }
            }
        };
        if let Delivery::Retry { reply, .. }
        | Delivery::Failed { reply }
        | Delivery::Bounced { reply } = &delivery
        {
            tracing::warn!(
                message = message.id,
                attempts = message.attempts,
                reply,
                "not delivered"
            );
        }
        Finished {
            id: message.id,
            attempt: message.attempts,
            delivery,
            failure,
        }
    }

    fn after_error(&self, refusal: Refusal, attempts: i64) -> Delivery {
        let Refusal { code, reply } = refusal;
        match classify_reply(code) {
            ReplyClass::RecipientRefused => Delivery::Bounced { reply },
            ReplyClass::Temporary | ReplyClass::ServerRefused if attempts >= MAX_ATTEMPTS => {
                Delivery::Failed { reply }
            }
            ReplyClass::Temporary | ReplyClass::ServerRefused => {
                let base = u64::try_from(self.0.mail.retry_base.as_millis()).unwrap_or(u64::MAX);
                let wait = retry_delay_ms(attempts, base);
                Delivery::Retry {
                    reply,
                    at: Utc::now()
                        + TimeDelta::milliseconds(i64::try_from(wait).unwrap_or(i64::MAX)),
                }
            }
        }
    }

    /// The personal link's secret of an invitation, reminder or thank-you
    /// ([`app::ports::Settings::invitation_token`]): retries and reminders carry the same
    /// link (and a thank-you the same unsubscribe page).
    fn personal_token(&self, m: &ClaimedMessage) -> Option<String> {
        match (m.kind, m.send_id, m.contact_id) {
            (
                MessageKind::Invitation | MessageKind::Reminder | MessageKind::ThankYou,
                Some(send),
                Some(contact),
            ) => self
                .0
                .services
                .settings
                .invitation_token(send, contact, m.link_salt.as_deref()),
            _ => None,
        }
    }

    /// The email, or why none can be written (the message then fails for good).
    async fn compose(
        &self,
        m: &ClaimedMessage,
        survey: Option<&Survey>,
    ) -> Result<Message, String> {
        let inner = &self.0;
        let settings = &inner.services.settings;
        let address = m
            .email
            .parse()
            .map_err(|_| format!("\"{}\" is not an address mail can be sent to.", m.email))?;
        let name = Some(m.name.trim().to_owned()).filter(|n| !n.is_empty());
        let token = self.personal_token(m);
        let unsubscribe = token
            .as_ref()
            .map(|t| format!("{}/u/{t}", settings.base_url));
        // A case reply goes back to the person who wrote it.
        let mut reply_to = None;
        // A digest's charts, attached inline: (content id, PNG).
        let mut images: Vec<(String, Vec<u8>)> = Vec::new();
        let mut stop_url = None;
        let rendered = match (m.kind, survey) {
            (MessageKind::Digest, _) => {
                let request = m
                    .digest
                    .as_ref()
                    .ok_or("This digest says nothing to write.")?;
                let content = digests::content(&inner.services, request)
                    .await
                    .map_err(|e| format!("The digest could not be written: {}", e.message))?
                    .ok_or("The digest's subscription or its user is gone.")?;
                let mut charts = Vec::new();
                for (i, section) in content.sections.iter().enumerate() {
                    let drawn = section
                        .trend
                        .as_ref()
                        .filter(|t| t.points.iter().any(|p| p.value.is_some()));
                    match drawn {
                        Some(trend) => {
                            let png = inner.services.charts.trend_png(trend)?;
                            let cid = format!("trend-{i}.{}@{}", m.id, inner.domain);
                            charts.push(Some(cid.clone()));
                            images.push((cid, png));
                        }
                        None => charts.push(None),
                    }
                }
                stop_url = Some(content.stop_url.clone());
                templates::digest(&content, &charts)
            }
            (MessageKind::CaseReply, _) => {
                let reply = inner
                    .services
                    .store
                    .case_message(m.id)
                    .await
                    .map_err(|e| format!("The reply could not be read: {e}"))?
                    .ok_or("The case this reply belonged to no longer exists.")?;
                let from_name = reply.from_name.clone().unwrap_or_default();
                reply_to = reply.from_email.as_deref().and_then(|email| {
                    let name = Some(from_name.trim().to_owned()).filter(|n| !n.is_empty());
                    Some(Mailbox::new(name, email.parse().ok()?))
                });
                templates::case_reply(&templates::CaseReply {
                    locale: reply.locale,
                    name: &m.name,
                    subject: &reply.subject,
                    body: &reply.body,
                    from_name: &from_name,
                    organisation: &settings.organisation,
                })
            }
            (MessageKind::WebhookDisabled, _) => {
                let id = m.webhook_endpoint.ok_or("This notice names no endpoint.")?;
                let endpoint = inner
                    .services
                    .store
                    .endpoint(id)
                    .await
                    .map_err(|e| format!("The endpoint could not be read: {e}"))?
                    .ok_or("The endpoint was deleted since.")?;
                templates::webhook_disabled(&templates::WebhookDisabled {
                    name: &m.name,
                    url: &endpoint.url,
                    page_url: &format!("{}/settings/webhooks/{id}", settings.base_url),
                })
            }
            (MessageKind::AccountInvite | MessageKind::PasswordReset, _) => {
                let token = m
                    .account_token
                    .as_deref()
                    .ok_or("This link's message was finished already.")?;
                templates::account_link(&templates::AccountLink {
                    invite: m.kind == MessageKind::AccountInvite,
                    name: &m.name,
                    url: &format!("{}/password/{token}", settings.base_url),
                    organisation: &settings.organisation,
                })
            }
            (_, None) => return Err("The survey no longer exists.".to_owned()),
            (_, Some(survey)) => {
                self.survey_message(m, survey, token.as_deref(), unsubscribe.as_deref())
                    .await?
            }
        };
        let secret = settings.derived_secret(&format!("message-id:{}", m.id));
        let mut builder = Message::builder()
            .from(inner.mail.from.clone())
            .to(Mailbox::new(name, address))
            .subject(rendered.subject)
            // The same id on every attempt, so a receiver can drop a duplicate.
            .message_id(Some(format!(
                "<{}.{}@{}>",
                m.id,
                &secret[..16],
                inner.domain
            )));
        if let Some(reply_to) = reply_to {
            builder = builder.reply_to(reply_to);
        }
        if let Some(url) = unsubscribe.or(stop_url) {
            // RFC 8058: mail clients offer "unsubscribe" and POST to the URL themselves.
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let body = match images.is_empty() {
            true => MultiPart::alternative_plain_html(rendered.text, rendered.html),
            // The HTML and the images it shows by `cid:` travel together.
            false => {
                let mut related = MultiPart::related().singlepart(SinglePart::html(rendered.html));
                for (cid, png) in images {
                    related = related.singlepart(Attachment::new_inline(cid).body(
                        png,
                        ContentType::parse("image/png").map_err(|e| e.to_string())?,
                    ));
                }
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(rendered.text))
                    .multipart(related)
            }
        };
        builder
            .multipart(body)
            .map_err(|e| format!("The email could not be written: {e}"))
    }

    /// What a survey's message says: an invitation, a reminder, a thank-you or an alert.
    async fn survey_message(
        &self,
        m: &ClaimedMessage,
        survey: &Survey,
        token: Option<&str>,
        unsubscribe: Option<&str>,
    ) -> Result<Rendered, String> {
        let inner = &self.0;
        let settings = &inner.services.settings;
        let mut placeholders =
            BTreeMap::from([("company".to_owned(), settings.organisation.clone())]);
        placeholders.extend(m.attributes.clone());
        let locale = m.locale.unwrap_or(survey.definition.default_locale);
        Ok(match (m.kind, token, unsubscribe) {
            (MessageKind::Invitation | MessageKind::Reminder, Some(token), Some(unsubscribe)) => {
                templates::invitation(&templates::Invitation {
                    survey: &survey.definition,
                    locale,
                    name: &m.name,
                    placeholders: &placeholders,
                    survey_url: &format!("{}/t/{token}", settings.base_url),
                    unsubscribe_url: unsubscribe,
                    organisation: &settings.organisation,
                    reminder: m.kind == MessageKind::Reminder,
                })
            }
            (MessageKind::ThankYou, _, _) if m.contact_id.is_some() => templates::thank_you(
                &survey.definition,
                locale,
                &m.name,
                &placeholders,
                unsubscribe,
                &settings.organisation,
            ),
            (MessageKind::Alert, _, _) => {
                let response = m
                    .response_id
                    .ok_or("The response this alert was about no longer exists.")?;
                let facts = responses::alert(&inner.services, survey.id, response)
                    .await
                    .map_err(|e| e.message)?
                    .ok_or("The response no longer has a low score.")?;
                templates::alert(&templates::Alert {
                    survey_title: &facts.survey_title,
                    question: &facts.question,
                    score: facts.score,
                    scale_max: facts.scale_max,
                    detractor: facts.detractor,
                    comment: facts.comment.as_deref(),
                    respondent: facts.respondent.as_deref(),
                    response_url: &facts.response_url,
                    case_url: facts.case_url.as_deref(),
                })
            }
            (kind, _, _) => {
                return Err(format!(
                    "A {} message needs a send and a contact.",
                    kind.as_str()
                ))
            }
        })
    }
}
