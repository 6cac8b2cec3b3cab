//! Sends and the outbox that carries every message.

use super::{NewInvitation, StoreError};
use crate::domain::segments::SegmentFilter;
use crate::domain::Locale;
use crate::model::{Repeat, SurveyKind};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A send as stored. Times are UTC.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSend {
    pub survey_id: i64,
    pub audience_name: String,
    pub audience: SegmentFilter,
    pub repeat: Repeat,
    pub wave: i64,
    pub reminders: Vec<u32>,
    pub per_minute: Option<u32>,
    pub scheduled_at: DateTime<Utc>,
    pub created_by: i64,
    /// Personal links salted with a random secret that the send forgets once its last
    /// reminder is out (an anonymous survey's sends): then no one, holding the database
    /// and the instance key, can recompute a link to join an invitation to its answer.
    pub salted_links: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredSendState {
    Scheduled,
    Started,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SendRecord {
    pub id: i64,
    pub new: NewSend,
    pub reminders_sent: i64,
    pub state: StoredSendState,
    pub paused_reason: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
}

/// How each message of a send stands, counted in one query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub invitations: i64,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
    pub skipped_suppressed: i64,
    pub skipped_frequency: i64,
    pub reminders_sent: i64,
    /// Invitations whose response was started, and of those completed.
    pub answered: i64,
    pub completed: i64,
}

/// A message that did not (yet) reach its recipient.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxProblem {
    pub email: String,
    pub status: String,
    pub skip_reason: Option<String>,
    pub reply: Option<String>,
    pub attempts: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Invitation,
    Reminder,
    ThankYou,
    Alert,
    /// An invitation to an account: a link to choose a password.
    AccountInvite,
    /// A link to choose a new password, asked for from the sign-in page.
    PasswordReset,
    /// A case owner's reply to a respondent ([`super::Cases::reply_to_case`]).
    CaseReply,
    /// A user's digest ([`super::Digests`]).
    Digest,
    /// An endpoint's creator told it was disabled for failing ([`super::Webhooks`]).
    WebhookDisabled,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Invitation => "invitation",
            MessageKind::Reminder => "reminder",
            MessageKind::ThankYou => "thank_you",
            MessageKind::Alert => "alert",
            MessageKind::AccountInvite => "account_invite",
            MessageKind::PasswordReset => "password_reset",
            MessageKind::CaseReply => "case_reply",
            MessageKind::Digest => "digest",
            MessageKind::WebhookDisabled => "webhook_disabled",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        [
            MessageKind::Invitation,
            MessageKind::Reminder,
            MessageKind::ThankYou,
            MessageKind::Alert,
            MessageKind::AccountInvite,
            MessageKind::PasswordReset,
            MessageKind::CaseReply,
            MessageKind::Digest,
            MessageKind::WebhookDisabled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A message a worker claimed, with what it needs to write it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedMessage {
    pub id: i64,
    pub kind: MessageKind,
    pub send_id: Option<i64>,
    /// None for a user's account link, which belongs to no survey.
    pub survey_id: Option<i64>,
    /// Attempts including this one.
    pub attempts: i64,
    pub contact_id: Option<i64>,
    pub email: String,
    pub name: String,
    pub locale: Option<Locale>,
    pub attributes: BTreeMap<String, String>,
    /// The response a thank-you or an alert is about.
    pub response_id: Option<i64>,
    /// Its send's link salt ([`NewSend::salted_links`]): `None` unsalted, `""` forgotten.
    pub link_salt: Option<String>,
    /// An account link's secret ([`MessageKind::AccountInvite`], `PasswordReset`), kept
    /// only until the message is finished.
    pub account_token: Option<String>,
    /// What a digest covers ([`MessageKind::Digest`]).
    pub digest: Option<super::DigestRequest>,
    /// The endpoint a [`MessageKind::WebhookDisabled`] notice is about.
    pub webhook_endpoint: Option<i64>,
}

/// A message for one recipient outside a send (a thank-you, an alert). A contact who is
/// suppressed gets none.
#[derive(Clone, Debug, PartialEq)]
pub struct NewMessage {
    pub kind: MessageKind,
    /// A thank-you belongs to the send whose invitation was answered: it carries the same
    /// personal link (for unsubscribing) and pauses with the send.
    pub send_id: Option<i64>,
    pub survey_id: i64,
    pub contact_id: Option<i64>,
    pub user_id: Option<i64>,
}

/// What became of one attempt at a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    Sent,
    /// Try again at this time (a temporary failure, or a refusal not about the
    /// recipient).
    Retry {
        reply: String,
        at: DateTime<Utc>,
    },
    /// Given up after too many attempts.
    Failed {
        reply: String,
    },
    /// Refused for good: the contact becomes suppressed as bounced.
    Bounced {
        reply: String,
    },
}

/// The outcome of one claimed attempt, to be recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    pub id: i64,
    /// The attempt number the claim gave the message.
    pub attempt: i64,
    pub delivery: Delivery,
    /// Whether it breaks the send's run of successes.
    pub failure: bool,
}

/// The outbox and the sends that fill it (principle 3: the only way mail leaves).
#[async_trait]
pub trait Sends: Send + Sync {
    async fn create_send(&self, send: &NewSend) -> Result<SendRecord, StoreError>;
    async fn send_record(&self, id: i64) -> Result<Option<SendRecord>, StoreError>;
    /// A survey's sends, newest first.
    async fn list_sends(&self, survey_id: i64) -> Result<Vec<SendRecord>, StoreError>;
    async fn outbox_counts(&self, send_id: i64) -> Result<OutboxCounts, StoreError>;
    /// Each send of the survey's counts, in two queries (a dashboard lists them all).
    async fn outbox_counts_of_survey(
        &self,
        survey_id: i64,
    ) -> Result<BTreeMap<i64, OutboxCounts>, StoreError>;
    /// Messages not (yet) delivered: failed, bounced, retrying, skipped; at most `limit`.
    async fn outbox_problems(
        &self,
        send_id: i64,
        limit: i64,
    ) -> Result<Vec<OutboxProblem>, StoreError>;
    /// Pauses (with a reason) or resumes a started send. False when there is none.
    async fn set_paused(&self, send_id: i64, reason: Option<&str>) -> Result<bool, StoreError>;
    /// Cancels a send that has not started, with why when it was not by hand (shown where
    /// a paused send shows its reason). False when it has started or does not exist.
    async fn cancel_send(&self, send_id: i64, reason: Option<&str>) -> Result<bool, StoreError>;
    /// Scheduled sends whose time has come.
    async fn due_sends(&self, now: DateTime<Utc>) -> Result<Vec<SendRecord>, StoreError>;
    /// Starts a scheduled send in one transaction: one outbox row per contact of its
    /// audience, queued (spaced by the throttle) or skipped (suppressed, or invited to
    /// any survey within `min_days`), and the next wave when `next_wave` is given.
    /// None when another process started it first.
    /// Records a send that went out at `started_at` (the demo data's past waves), as the
    /// worker would have left it: started, every invitation in `invitations` sent at that
    /// time, or bounced where its flag says so, with nothing left to send or remind.
    async fn record_past_send(
        &self,
        send: &NewSend,
        started_at: DateTime<Utc>,
        invitations: &[(NewInvitation, bool)],
    ) -> Result<i64, StoreError>;
    async fn start_send(
        &self,
        send_id: i64,
        now: DateTime<Utc>,
        min_days: u32,
        next_wave: Option<NewSend>,
    ) -> Result<Option<i64>, StoreError>;
    /// Started sends with a reminder due: (send, survey, index of the reminder).
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(SendRecord, usize)>, StoreError>;
    /// Queues reminder `index` of a send to every contact whose invitation was sent and
    /// not answered (or, without `deliver`, only marks it done: the survey closed), once
    /// even with several processes. None when it was done already.
    async fn queue_reminders(
        &self,
        send_id: i64,
        index: usize,
        deliver: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError>;
    /// Forgets the link salt of every started or cancelled send with no reminder left and
    /// no message waiting ([`NewSend::salted_links`]); the sends changed.
    async fn forget_link_salts(&self) -> Result<u64, StoreError>;
    /// Claims up to `limit` due messages of sends that are not paused, leasing them until
    /// `lease_until`; a message whose lease ran out (its worker died) is due again. Each
    /// claim counts as an attempt, so the worker can tell a message no process finishes.
    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMessage>, StoreError>;
    /// Extends to `until` the lease of those of `ids` still being sent under the lease
    /// `held` (a claim another process made since is left alone); how many it extended.
    async fn renew_lease(
        &self,
        ids: &[i64],
        held: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
    /// Makes the personal links of claimed messages; a link made before is kept.
    async fn ensure_invitations(&self, invitations: &[NewInvitation]) -> Result<(), StoreError>;
    /// Records outcomes in the order they happened, in one transaction; for each, whether
    /// it was recorded. A failure breaks the send's run of successes; at `pause_after`
    /// failures in a row the send pauses with the reply. Fenced on the claim: once the
    /// lease ran out and another worker claimed the message again, a late finisher writes
    /// nothing for it and gets false, so it cannot overwrite the other's outcome.
    async fn finish_messages(
        &self,
        finished: &[Finished],
        pause_after: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError>;
    /// [`Sends::finish_messages`] for one outcome.
    async fn finish_message(
        &self,
        id: i64,
        attempt: i64,
        delivery: &Delivery,
        failure: bool,
        pause_after: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let finished = Finished {
            id,
            attempt,
            delivery: delivery.clone(),
            failure,
        };
        let recorded = self.finish_messages(&[finished], pause_after, now).await?;
        Ok(recorded.first().copied().unwrap_or(false))
    }
    /// Days per survey kind of the contact frequency rule; kinds without a row are absent.
    async fn frequency_rules(&self) -> Result<Vec<(SurveyKind, u32)>, StoreError>;
    async fn set_frequency_rule(&self, kind: SurveyKind, min_days: u32) -> Result<(), StoreError>;
}
