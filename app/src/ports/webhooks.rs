//! Webhook endpoints, the messages events make for them, and their deliveries: queued in
//! the transaction of what caused them (the store's answer, case and send statements do
//! that themselves), claimed by a delivery worker like the outbox, retried on a schedule.

use super::StoreError;
use crate::domain::webhooks::Event;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// A registered endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: Vec<Event>,
    /// Which of the endpoint's secrets signs now; the secret itself is derived.
    pub generation: i64,
    /// Until then the previous generation's secret signs too (a rotation's overlap).
    pub previous_until: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    /// The first failure since the last success.
    pub failing_since: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub events: Vec<Event>,
    pub created_by: i64,
    pub at: DateTime<Utc>,
}

/// How a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// An anonymous survey's message, waiting for its day to end and its batch to fill.
    Held,
    Queued,
    Sending,
    Delivered,
    /// Given up: the schedule ran out, or the endpoint was disabled.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Held => "held",
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Held,
            DeliveryStatus::Queued,
            DeliveryStatus::Sending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One message to one endpoint, as the endpoint's page lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRecord {
    pub message_id: String,
    pub event: Event,
    /// When it happened; an anonymous survey's message knows only the day.
    pub occurred_at: DateTime<Utc>,
    /// An anonymous survey's message: `occurred_at` is its day's midnight.
    pub day_only: bool,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's HTTP status of the last attempt, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

/// A message to deliver, with what its body is made from.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookMessage {
    pub id: String,
    pub event: Event,
    pub survey_id: Option<i64>,
    pub response_id: Option<i64>,
    pub case_id: Option<i64>,
    pub send_id: Option<i64>,
    /// An anonymous survey's response as it was completed, or a test's data; `{}` for
    /// the others, whose data is read when the message is delivered.
    pub payload: String,
    pub occurred_at: DateTime<Utc>,
}

/// A delivery a worker claimed.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedDelivery {
    pub message: WebhookMessage,
    pub endpoint_id: i64,
    pub url: String,
    pub generation: i64,
    pub previous_until: Option<DateTime<Utc>>,
    /// Attempts including this one.
    pub attempts: i64,
    pub lease_until: DateTime<Utc>,
}

/// What became of one attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempted {
    pub message_id: String,
    pub endpoint_id: i64,
    /// The attempt's number, so a delivery another worker took over is not overwritten.
    pub attempts: i64,
    pub at: DateTime<Utc>,
    pub status: Option<i64>,
    pub error: Option<String>,
    /// Delivered (a 2xx), or when to try again (`None`: given up).
    pub outcome: AttemptOutcome,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttemptOutcome {
    Delivered,
    Retry(DateTime<Utc>),
    GiveUp,
    /// Not sent, and not the endpoint's failure: what it was about is gone.
    Dropped,
}

/// An endpoint disabled for failing too long, and whom to tell.
#[derive(Clone, Debug, PartialEq)]
pub struct Disabled {
    pub endpoint_id: i64,
    pub created_by: Option<i64>,
}

#[async_trait]
pub trait Webhooks: Send + Sync {
    async fn create_endpoint(&self, endpoint: &NewEndpoint) -> Result<i64, StoreError>;
    /// Every endpoint, oldest first.
    async fn endpoints(&self) -> Result<Vec<Endpoint>, StoreError>;
    async fn endpoint(&self, id: i64) -> Result<Option<Endpoint>, StoreError>;
    /// Changes an endpoint's URL, description and events; false when it is gone.
    async fn update_endpoint(
        &self,
        id: i64,
        url: &str,
        description: &str,
        events: &[Event],
    ) -> Result<bool, StoreError>;
    /// Turns an endpoint on again (clearing its failure run) or off, by hand.
    async fn set_endpoint_enabled(
        &self,
        id: i64,
        enabled: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn delete_endpoint(&self, id: i64) -> Result<bool, StoreError>;
    /// Moves to the next secret; the current one still signs until `overlap_until`.
    async fn rotate_secret(
        &self,
        id: i64,
        overlap_until: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError>;
    /// An endpoint's most recent deliveries, newest first.
    async fn deliveries(
        &self,
        endpoint_id: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// Queues one delivery again, at once, with its message's id; false when there is none.
    async fn replay(
        &self,
        endpoint_id: i64,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Queues a test message (`payload` is its data) for endpoint `endpoint_id` alone, at
    /// once; its message id, or `None` when the endpoint is gone or turned off.
    async fn queue_test(
        &self,
        endpoint_id: i64,
        payload: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError>;
    /// Claims up to `limit` due deliveries of enabled endpoints until `lease_until`.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError>;
    /// Records attempts, and each endpoint's failure run: an endpoint failing since
    /// before `disable_before` is disabled, its waiting deliveries failed, and its creator
    /// (or, when they are gone, every admin) told by email in the same transaction; those
    /// endpoints are returned, once each.
    async fn record_attempts(
        &self,
        attempts: &[Attempted],
        disable_before: DateTime<Utc>,
    ) -> Result<Vec<Disabled>, StoreError>;
    /// Releases held anonymous messages whose day is over, survey by survey, once at
    /// least the survey's minimum group size of them wait.
    async fn release_held(&self, today: NaiveDate, now: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Deletes messages (and their deliveries) that happened before `before` and are
    /// done with.
    async fn prune_messages(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}
