//! Digest subscriptions (`app::ports::Digests`), and the digests they queue: an outbox
//! row of kind `digest` for the user, whose payload says the subscription and the days.

use super::db::{query, Tx};
use super::rows::{corrupt, millis, to_json};
use super::Storage;
use app::domain::digest::Frequency;
use app::ports::{DigestPlan, DigestRequest, NewSubscription, StoreError, Subscription};
use chrono::{DateTime, Utc};

const COLUMNS: &str = "id, user_id, survey_id, frequency, filters, next_run_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    user_id: i64,
    survey_id: Option<i64>,
    frequency: String,
    filters: String,
    next_run_at: DateTime<Utc>,
}

impl TryFrom<Row> for Subscription {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(Subscription {
            id: r.id,
            user_id: r.user_id,
            survey_id: r.survey_id,
            frequency: Frequency::parse(&r.frequency)
                .ok_or_else(|| corrupt("digest frequency", &r.frequency))?,
            filters: r.filters,
            next_run_at: r.next_run_at,
        })
    }
}

async fn insert_digest(
    tx: &mut Tx,
    subscription: &Subscription,
    request: &DigestRequest,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO outbox (kind, survey_id, user_id, payload, status, next_attempt_at, \
         created_at) VALUES ('digest', $1, $2, $3, 'queued', $4, $4)",
    )
    .bind(subscription.survey_id)
    .bind(subscription.user_id)
    .bind(to_json(request)?)
    .bind(millis(now))
    .execute(tx)
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl app::ports::Digests for Storage {
    async fn subscribe(
        &self,
        s: &NewSubscription,
        stop_hash: &(dyn Fn(i64) -> String + Sync),
    ) -> Result<i64, StoreError> {
        let mut tx = self.db.begin().await?;
        let id: i64 = query(
            "INSERT INTO digest_subscriptions (user_id, survey_id, frequency, filters, \
             next_run_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(s.user_id)
        .bind(s.survey_id)
        .bind(s.frequency.as_str())
        .bind(s.filters.as_str())
        .bind(s.next_run_at)
        .bind(Utc::now())
        .scalar(&mut tx)
        .await?;
        query("UPDATE digest_subscriptions SET stop_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(stop_hash(id))
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn subscriptions(&self, user_id: i64) -> Result<Vec<Subscription>, StoreError> {
        query(format!(
            "SELECT {COLUMNS} FROM digest_subscriptions WHERE user_id = $1 ORDER BY id"
        ))
        .bind(user_id)
        .fetch_all::<Row>(&self.db)
        .await?
        .into_iter()
        .map(Subscription::try_from)
        .collect()
    }

    async fn subscription(&self, id: i64) -> Result<Option<Subscription>, StoreError> {
        query(format!(
            "SELECT {COLUMNS} FROM digest_subscriptions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional::<Row>(&self.db)
        .await?
        .map(Subscription::try_from)
        .transpose()
    }

    async fn unsubscribe(&self, user_id: i64, id: i64) -> Result<bool, StoreError> {
        let done = query("DELETE FROM digest_subscriptions WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.db)
            .await?;
        Ok(done == 1)
    }

    async fn subscription_by_stop(
        &self,
        stop_hash: &str,
    ) -> Result<Option<Subscription>, StoreError> {
        if stop_hash.is_empty() {
            return Ok(None);
        }
        query(format!(
            "SELECT {COLUMNS} FROM digest_subscriptions WHERE stop_hash = $1"
        ))
        .bind(stop_hash)
        .fetch_optional::<Row>(&self.db)
        .await?
        .map(Subscription::try_from)
        .transpose()
    }

    async fn queue_digest(
        &self,
        subscription: &Subscription,
        request: &DigestRequest,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        insert_digest(&mut tx, subscription, request, now).await?;
        tx.commit().await
    }

    async fn queue_due_digests(
        &self,
        now: DateTime<Utc>,
        plan: &DigestPlan,
    ) -> Result<u64, StoreError> {
        let mut tx = self.db.begin().await?;
        // Rows another process holds are skipped (PostgreSQL); SQLite's writing
        // transaction is already the only one.
        let due: Vec<Row> = query(format!(
            "SELECT {COLUMNS} FROM digest_subscriptions WHERE next_run_at <= $1 \
             ORDER BY next_run_at LIMIT 500{}",
            tx.dialect().claim_lock
        ))
        .bind(now)
        .fetch_all(&mut tx)
        .await?;
        let mut queued = 0;
        for row in due {
            let subscription = Subscription::try_from(row)?;
            let (next, from, to) = plan(subscription.frequency, now);
            insert_digest(
                &mut tx,
                &subscription,
                &DigestRequest {
                    subscription: subscription.id,
                    from,
                    to,
                },
                now,
            )
            .await?;
            query("UPDATE digest_subscriptions SET next_run_at = $2 WHERE id = $1")
                .bind(subscription.id)
                .bind(next)
                .execute(&mut tx)
                .await?;
            queued += 1;
        }
        tx.commit().await?;
        Ok(queued)
    }
}
