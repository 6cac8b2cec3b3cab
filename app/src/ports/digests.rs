//! Digest subscriptions, and the digests they queue in the outbox.

use super::StoreError;
use crate::domain::digest::Frequency;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

/// A user's digest: one survey's dashboard view, or every survey they may read.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub id: i64,
    pub user_id: i64,
    /// None: every survey the user may read.
    pub survey_id: Option<i64>,
    pub frequency: Frequency,
    /// The dashboard view's attribute filters (`team:Sales`), as a JSON list.
    pub filters: String,
    pub next_run_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewSubscription {
    pub user_id: i64,
    pub survey_id: Option<i64>,
    pub frequency: Frequency,
    pub filters: String,
    pub next_run_at: DateTime<Utc>,
}

/// What a digest message covers ([`super::ClaimedMessage::digest`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DigestRequest {
    pub subscription: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// When a due subscription's next digest goes and which days this one covers.
pub type DigestPlan =
    dyn Fn(Frequency, DateTime<Utc>) -> (DateTime<Utc>, NaiveDate, NaiveDate) + Sync;

#[async_trait]
pub trait Digests: Send + Sync {
    /// Adds a subscription; `stop_hash` gives the hash of its stop link's secret from
    /// its id.
    async fn subscribe(
        &self,
        subscription: &NewSubscription,
        stop_hash: &(dyn Fn(i64) -> String + Sync),
    ) -> Result<i64, StoreError>;
    /// A user's subscriptions, oldest first.
    async fn subscriptions(&self, user_id: i64) -> Result<Vec<Subscription>, StoreError>;
    async fn subscription(&self, id: i64) -> Result<Option<Subscription>, StoreError>;
    /// Ends one of a user's subscriptions; false when they have none with this id.
    async fn unsubscribe(&self, user_id: i64, id: i64) -> Result<bool, StoreError>;
    /// The subscription a stop link's secret hashes to.
    async fn subscription_by_stop(
        &self,
        stop_hash: &str,
    ) -> Result<Option<Subscription>, StoreError>;
    /// Queues one digest of `subscription` covering `from..=to` for its user now.
    async fn queue_digest(
        &self,
        subscription: &Subscription,
        request: &DigestRequest,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Queues a digest for every subscription due at `now` and moves each to its next
    /// time (`plan`), in one transaction: a digest is queued once however many
    /// processes run this. How many were queued.
    async fn queue_due_digests(
        &self,
        now: DateTime<Utc>,
        plan: &DigestPlan,
    ) -> Result<u64, StoreError>;
}
