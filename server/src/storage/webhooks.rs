//! Webhook endpoints, messages and deliveries (`app::ports::Webhooks`). `queue` writes an
//! event's message and one delivery per endpoint that wants it, inside the transaction of
//! what caused it (an answer, a case's change, a send's last invitation), and writes
//! nothing at all when no endpoint wants the event. Deliveries are claimed like the
//! outbox's messages: PostgreSQL skips rows another worker locked, SQLite claims in one
//! statement.

use super::db::{query, rows_per_statement, Tx};
use super::rows::{corrupt, from_json, from_millis, millis, to_json};
use super::Storage;
use app::domain::webhooks::Event;
use app::ports::{
    AttemptOutcome, Attempted, ClaimedDelivery, DeliveryRecord, DeliveryStatus, Disabled, Endpoint,
    NewEndpoint, StoreError, WebhookMessage,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashSet};

const DAY_MS: i64 = 86_400_000;

/// What a message is about, by reference: its body is written when it is delivered.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct About {
    pub survey_id: Option<i64>,
    pub response_id: Option<i64>,
    pub case_id: Option<i64>,
    pub send_id: Option<i64>,
}

/// A fresh message id: random, so ids tell nothing of order or time.
fn message_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("msg_{hex}")
}

/// The `LIKE` pattern that finds endpoints subscribed to `event` in their JSON list.
fn wanting(event: Event) -> String {
    format!("%\"{}\"%", event.as_str())
}

/// Queues `event` for every enabled endpoint that wants it, in `tx`. An anonymous survey's
/// message (`held`) carries its `payload` and the day alone, and waits in `held`.
pub(super) async fn queue(
    tx: &mut Tx,
    event: Event,
    about: About,
    payload: &str,
    occurred_at: DateTime<Utc>,
    held: bool,
) -> Result<(), StoreError> {
    let occurred = match held {
        true => millis(occurred_at) - millis(occurred_at).rem_euclid(DAY_MS),
        false => millis(occurred_at),
    };
    let id: Option<String> = query(
        "INSERT INTO webhook_messages (id, event, survey_id, response_id, case_id, send_id, \
         payload, occurred_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS \
         (SELECT 1 FROM webhook_endpoints WHERE disabled_at IS NULL AND events LIKE $9) \
         RETURNING id",
    )
    .bind(message_id())
    .bind(event.as_str())
    .bind(about.survey_id)
    .bind(about.response_id)
    .bind(about.case_id)
    .bind(about.send_id)
    .bind(payload)
    .bind(occurred)
    .bind(wanting(event))
    .scalar_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(());
    };
    query(
        "INSERT INTO webhook_deliveries (message_id, endpoint_id, status, next_attempt_at) \
         SELECT $1, id, $2, $3 FROM webhook_endpoints \
         WHERE disabled_at IS NULL AND events LIKE $4",
    )
    .bind(id)
    .bind(if held { "held" } else { "queued" })
    .bind(occurred)
    .bind(wanting(event))
    .execute(tx)
    .await?;
    Ok(())
}

const ENDPOINT_COLUMNS: &str = "id, url, description, events, generation, previous_until, \
     created_by, created_at, disabled_at, disabled_reason, failing_since";

#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: i64,
    url: String,
    description: String,
    events: String,
    generation: i64,
    previous_until: Option<i64>,
    created_by: Option<i64>,
    created_at: i64,
    disabled_at: Option<i64>,
    disabled_reason: Option<String>,
    failing_since: Option<i64>,
}

fn optional_time(ms: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    ms.map(from_millis).transpose()
}

impl TryFrom<EndpointRow> for Endpoint {
    type Error = StoreError;

    fn try_from(r: EndpointRow) -> Result<Self, StoreError> {
        Ok(Endpoint {
            id: r.id,
            url: r.url,
            description: r.description,
            events: from_json("events", &r.events)?,
            generation: r.generation,
            previous_until: optional_time(r.previous_until)?,
            created_by: r.created_by,
            created_at: from_millis(r.created_at)?,
            disabled_at: optional_time(r.disabled_at)?,
            disabled_reason: r.disabled_reason,
            failing_since: optional_time(r.failing_since)?,
        })
    }
}

fn event_of(text: &str) -> Result<Event, StoreError> {
    Event::parse(text).ok_or_else(|| corrupt("webhook event", text))
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    message_id: String,
    event: String,
    occurred_at: i64,
    day_only: bool,
    status: String,
    attempts: i64,
    next_attempt_at: i64,
    last_attempt_at: Option<i64>,
    last_status: Option<i64>,
    last_error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: String,
    event: String,
    survey_id: Option<i64>,
    response_id: Option<i64>,
    case_id: Option<i64>,
    send_id: Option<i64>,
    payload: String,
    occurred_at: i64,
    endpoint_id: i64,
    url: String,
    generation: i64,
    previous_until: Option<i64>,
    attempts: i64,
}

#[async_trait::async_trait]
impl app::ports::Webhooks for Storage {
    async fn create_endpoint(&self, e: &NewEndpoint) -> Result<i64, StoreError> {
        query(
            "INSERT INTO webhook_endpoints (url, description, events, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&e.url)
        .bind(&e.description)
        .bind(to_json(&e.events)?)
        .bind(e.created_by)
        .bind(millis(e.at))
        .scalar(&self.db)
        .await
    }

    async fn endpoints(&self) -> Result<Vec<Endpoint>, StoreError> {
        query(format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY id"
        ))
        .fetch_all::<EndpointRow>(&self.db)
        .await?
        .into_iter()
        .map(Endpoint::try_from)
        .collect()
    }

    async fn endpoint(&self, id: i64) -> Result<Option<Endpoint>, StoreError> {
        query(format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional::<EndpointRow>(&self.db)
        .await?
        .map(Endpoint::try_from)
        .transpose()
    }

    async fn update_endpoint(
        &self,
        id: i64,
        url: &str,
        description: &str,
        events: &[Event],
    ) -> Result<bool, StoreError> {
        Ok(query(
            "UPDATE webhook_endpoints SET url = $2, description = $3, events = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(url)
        .bind(description)
        .bind(to_json(&events)?)
        .execute(&self.db)
        .await?
            == 1)
    }

    async fn set_endpoint_enabled(
        &self,
        id: i64,
        enabled: bool,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = match enabled {
            true => query(
                "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, \
                 failing_since = NULL WHERE id = $1",
            )
            .bind(id),
            false => query(
                "UPDATE webhook_endpoints SET disabled_at = COALESCE(disabled_at, $2), \
                 disabled_reason = COALESCE(disabled_reason, 'Disabled by an admin.') \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(millis(at)),
        };
        Ok(changed.execute(&self.db).await? == 1)
    }

    async fn delete_endpoint(&self, id: i64) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1")
            .bind(id)
            .execute(&mut tx)
            .await?;
        let deleted = query("DELETE FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(deleted == 1)
    }

    async fn rotate_secret(
        &self,
        id: i64,
        overlap_until: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        query(
            "UPDATE webhook_endpoints SET generation = generation + 1, previous_until = $2 \
             WHERE id = $1 RETURNING generation",
        )
        .bind(id)
        .bind(millis(overlap_until))
        .scalar_optional(&self.db)
        .await
    }

    async fn deliveries(
        &self,
        endpoint_id: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows: Vec<DeliveryRow> = query(
            "SELECT d.message_id, m.event, m.occurred_at, \
             (m.survey_id IS NOT NULL AND m.response_id IS NULL AND m.case_id IS NULL \
             AND m.send_id IS NULL) AS day_only, \
             d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status, \
             d.last_error FROM webhook_deliveries d \
             JOIN webhook_messages m ON m.id = d.message_id WHERE d.endpoint_id = $1 \
             ORDER BY m.occurred_at DESC, d.message_id LIMIT $2",
        )
        .bind(endpoint_id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        rows.into_iter()
            .map(|r| {
                let status = DeliveryStatus::parse(&r.status)
                    .ok_or_else(|| corrupt("delivery status", &r.status))?;
                let waiting = matches!(status, DeliveryStatus::Queued);
                Ok(DeliveryRecord {
                    message_id: r.message_id,
                    event: event_of(&r.event)?,
                    occurred_at: from_millis(r.occurred_at)?,
                    day_only: r.day_only,
                    status,
                    attempts: r.attempts,
                    next_attempt_at: waiting
                        .then(|| from_millis(r.next_attempt_at))
                        .transpose()?,
                    last_attempt_at: optional_time(r.last_attempt_at)?,
                    last_status: r.last_status,
                    last_error: r.last_error,
                })
            })
            .collect()
    }

    async fn replay(
        &self,
        endpoint_id: i64,
        message_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // A held message is not the admin's to release early; one being sent goes on.
        Ok(query(
            "UPDATE webhook_deliveries SET status = 'queued', attempts = 0, \
             next_attempt_at = $3, lease_until = NULL WHERE endpoint_id = $1 \
             AND message_id = $2 AND status IN ('queued', 'delivered', 'failed')",
        )
        .bind(endpoint_id)
        .bind(message_id)
        .bind(millis(at))
        .execute(&self.db)
        .await?
            == 1)
    }

    async fn queue_test(
        &self,
        endpoint_id: i64,
        payload: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.db.begin().await?;
        let id: Option<String> = query(
            "INSERT INTO webhook_messages (id, event, payload, occurred_at) \
             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM webhook_endpoints \
             WHERE id = $5 AND disabled_at IS NULL) RETURNING id",
        )
        .bind(message_id())
        .bind(Event::Test.as_str())
        .bind(payload)
        .bind(millis(at))
        .bind(endpoint_id)
        .scalar_optional(&mut tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        query(
            "INSERT INTO webhook_deliveries (message_id, endpoint_id, status, next_attempt_at) \
             VALUES ($1, $2, 'queued', $3)",
        )
        .bind(&id)
        .bind(endpoint_id)
        .bind(millis(at))
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        // A look first, which reads only: most polls find nothing, and on SQLite the claim
        // below would take the write lock each time to learn that.
        let due: Option<i32> = query(
            "SELECT 1 FROM webhook_deliveries WHERE (status = 'queued' AND next_attempt_at <= $1) \
             OR (status = 'sending' AND lease_until <= $1) LIMIT 1",
        )
        .bind(millis(now))
        .scalar_optional(&self.db)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE webhook_deliveries SET status = 'sending', lease_until = $2, \
             attempts = attempts + 1 WHERE (message_id, endpoint_id) IN \
             (SELECT message_id, endpoint_id FROM webhook_deliveries \
             WHERE ((status = 'queued' AND next_attempt_at <= $1) \
             OR (status = 'sending' AND lease_until <= $1)) \
             AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE disabled_at IS NULL) \
             ORDER BY next_attempt_at, message_id LIMIT $3{}) \
             RETURNING message_id, endpoint_id",
            self.db.dialect().claim_lock
        );
        let claimed: Vec<(String, i64)> = query(&sql)
            .bind(millis(now))
            .bind(millis(lease_until))
            .bind(limit)
            .fetch_all(&self.db)
            .await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = query(
            "SELECT m.id, m.event, m.survey_id, m.response_id, m.case_id, m.send_id, \
             m.payload, m.occurred_at, e.id AS endpoint_id, e.url, e.generation, \
             e.previous_until, d.attempts FROM webhook_deliveries d \
             JOIN webhook_messages m ON m.id = d.message_id \
             JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.lease_until = ",
        );
        q.push_bind(millis(lease_until))
            .push(" AND (d.message_id, d.endpoint_id) IN (");
        q.push_values(claimed, |(m, e)| vec![m.into(), e.into()]);
        q.push(") ORDER BY d.next_attempt_at, m.id");
        q.fetch_all::<ClaimedRow>(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                Ok(ClaimedDelivery {
                    message: WebhookMessage {
                        id: r.id,
                        event: event_of(&r.event)?,
                        survey_id: r.survey_id,
                        response_id: r.response_id,
                        case_id: r.case_id,
                        send_id: r.send_id,
                        payload: r.payload,
                        occurred_at: from_millis(r.occurred_at)?,
                    },
                    endpoint_id: r.endpoint_id,
                    url: r.url,
                    generation: r.generation,
                    previous_until: optional_time(r.previous_until)?,
                    attempts: r.attempts,
                    lease_until,
                })
            })
            .collect()
    }

    async fn record_attempts(
        &self,
        attempts: &[Attempted],
        disable_before: DateTime<Utc>,
    ) -> Result<Vec<Disabled>, StoreError> {
        if attempts.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.db.begin().await?;
        // Per endpoint: whether any attempt of the batch reached it (then it is not
        // failing), and when its first failure of this batch was.
        let mut endpoints: BTreeMap<i64, (bool, Option<i64>)> = BTreeMap::new();
        let mut written: HashSet<(&str, i64)> = HashSet::new();
        // The usual outcome, a delivery, is one statement per receiver's status for a
        // whole chunk; only the attempts this worker claimed are written.
        let mut delivered: BTreeMap<Option<i64>, Vec<&Attempted>> = BTreeMap::new();
        for a in attempts
            .iter()
            .filter(|a| a.outcome == AttemptOutcome::Delivered)
        {
            delivered.entry(a.status).or_default().push(a);
        }
        for (status, group) in delivered {
            for chunk in group.chunks(rows_per_statement(3)) {
                // The chunk's last attempt time stands for all of it: they were made in
                // the same round, within one request timeout of each other.
                let at = chunk.iter().map(|a| millis(a.at)).max().unwrap_or_default();
                let mut q = query(
                    "UPDATE webhook_deliveries SET status = 'delivered', lease_until = NULL, \
                     last_error = NULL, last_attempt_at = ",
                );
                q.push_bind(at)
                    .push(", last_status = ")
                    .push_bind(status)
                    .push(" WHERE status = 'sending' AND (message_id, endpoint_id, attempts) IN (");
                q.push_values(chunk, |a| {
                    vec![
                        a.message_id.as_str().into(),
                        a.endpoint_id.into(),
                        a.attempts.into(),
                    ]
                });
                q.push(") RETURNING message_id, endpoint_id");
                let rows: Vec<(String, i64)> = q.fetch_all(&mut tx).await?;
                let rows: HashSet<(String, i64)> = rows.into_iter().collect();
                for a in chunk {
                    if rows.contains(&(a.message_id.clone(), a.endpoint_id)) {
                        written.insert((a.message_id.as_str(), a.endpoint_id));
                    }
                }
            }
        }
        for a in attempts {
            let (status, next) = match a.outcome {
                AttemptOutcome::Delivered => {
                    if written.contains(&(a.message_id.as_str(), a.endpoint_id)) {
                        endpoints.entry(a.endpoint_id).or_insert((false, None)).0 = true;
                    }
                    continue;
                }
                AttemptOutcome::Retry(at) => ("queued", Some(millis(at))),
                AttemptOutcome::GiveUp | AttemptOutcome::Dropped => ("failed", None),
            };
            // Only the attempt this worker claimed: one another took over is not ours.
            let written = query(
                "UPDATE webhook_deliveries SET status = $3, next_attempt_at = \
                 COALESCE($4, next_attempt_at), lease_until = NULL, last_attempt_at = $5, \
                 last_status = $6, last_error = $7 WHERE message_id = $1 AND endpoint_id = $2 \
                 AND status = 'sending' AND attempts = $8",
            )
            .bind(a.message_id.as_str())
            .bind(a.endpoint_id)
            .bind(status)
            .bind(next)
            .bind(millis(a.at))
            .bind(a.status)
            .bind(a.error.as_deref())
            .bind(a.attempts)
            .execute(&mut tx)
            .await?;
            if written == 1 && a.outcome != AttemptOutcome::Dropped {
                let entry = endpoints.entry(a.endpoint_id).or_insert((false, None));
                if entry.1.is_none() {
                    entry.1 = Some(millis(a.at));
                }
            }
        }
        let mut disabled = Vec::new();
        // Endpoints in id order, so concurrent workers take their rows in the same order.
        for (id, (reached, first_failure)) in endpoints {
            if reached {
                query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL")
                    .bind(id)
                    .execute(&mut tx)
                    .await?;
                continue;
            }
            let Some(first) = first_failure else { continue };
            let failing: Option<(i64, Option<i64>)> = query(
                "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) \
                 WHERE id = $1 AND disabled_at IS NULL RETURNING failing_since, created_by",
            )
            .bind(id)
            .bind(first)
            .fetch_optional(&mut tx)
            .await?;
            let Some((since, created_by)) = failing else {
                continue;
            };
            if since >= millis(disable_before) {
                continue;
            }
            query(
                "UPDATE webhook_endpoints SET disabled_at = $2, \
                 disabled_reason = 'Every delivery failed for days.' WHERE id = $1",
            )
            .bind(id)
            .bind(millis(Utc::now()))
            .execute(&mut tx)
            .await?;
            // What still waits for it will not be sent: failed, so the page says so.
            query(
                "UPDATE webhook_deliveries SET status = 'failed', lease_until = NULL, \
                 last_error = COALESCE(last_error, 'The endpoint was disabled.') \
                 WHERE endpoint_id = $1 AND status IN ('queued', 'held')",
            )
            .bind(id)
            .execute(&mut tx)
            .await?;
            // Its creator is told; when they are gone, every active admin.
            let payload = to_json(&serde_json::json!({ "endpoint": id }))?;
            let now = millis(Utc::now());
            query(
                "INSERT INTO outbox (kind, user_id, payload, status, next_attempt_at, \
                 created_at) SELECT 'webhook_disabled', id, $2, 'queued', $3, $3 FROM users \
                 WHERE disabled_at IS NULL AND ((id = $1) OR ($1 IS NULL AND role = 'admin'))",
            )
            .bind(created_by)
            .bind(payload)
            .bind(now)
            .execute(&mut tx)
            .await?;
            disabled.push(Disabled {
                endpoint_id: id,
                created_by,
            });
        }
        tx.commit().await?;
        Ok(disabled)
    }

    async fn release_held(&self, today: NaiveDate, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let midnight = today
            .and_hms_opt(0, 0, 0)
            .map(|t| millis(t.and_utc()))
            .unwrap_or_else(|| millis(now));
        // A look first, which reads only: the scheduler asks every few seconds, and on
        // SQLite the update below would take the write lock each time to find nothing.
        let held: Option<i32> =
            query("SELECT 1 FROM webhook_deliveries WHERE status = 'held' LIMIT 1")
                .scalar_optional(&self.db)
                .await?;
        if held.is_none() {
            return Ok(0);
        }
        // Per survey: its held messages of days that are over go out together once there
        // are at least its minimum group size of them; fewer wait for more.
        query(
            "UPDATE webhook_deliveries SET status = 'queued', next_attempt_at = $2 \
             WHERE status = 'held' AND message_id IN (SELECT m.id FROM webhook_messages m \
             WHERE m.occurred_at < $1 AND m.survey_id IN (SELECT m2.survey_id \
             FROM webhook_messages m2 JOIN surveys s ON s.id = m2.survey_id \
             WHERE m2.occurred_at < $1 AND EXISTS (SELECT 1 FROM webhook_deliveries d2 \
             WHERE d2.message_id = m2.id AND d2.status = 'held') \
             GROUP BY m2.survey_id, s.min_group_size HAVING COUNT(*) >= s.min_group_size))",
        )
        .bind(midnight)
        .bind(millis(now))
        .execute(&self.db)
        .await
    }

    async fn prune_messages(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut tx = self.db.begin().await?;
        // Done with: nothing of it waits, is held or is being sent.
        let done = "SELECT id FROM webhook_messages WHERE occurred_at < $1 AND NOT EXISTS \
             (SELECT 1 FROM webhook_deliveries d WHERE d.message_id = webhook_messages.id \
             AND d.status IN ('held', 'queued', 'sending'))";
        query(format!(
            "DELETE FROM webhook_deliveries WHERE message_id IN ({done})"
        ))
        .bind(millis(before))
        .execute(&mut tx)
        .await?;
        let pruned = query(format!("DELETE FROM webhook_messages WHERE id IN ({done})"))
            .bind(millis(before))
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(pruned)
    }
}
