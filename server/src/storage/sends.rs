//! Sends and the outbox (`app::ports::Sends`), principle 3: the only way mail leaves.
//! What differs between the backends is the claim's lock (`Dialect::claim_lock`):
//! PostgreSQL's claim skips rows another process holds (`FOR UPDATE SKIP LOCKED`); SQLite
//! has one writer at a time, so its `UPDATE … RETURNING` claim is atomic as it is.

use super::contacts::push_audience;
use super::db::{query, rows_per_statement, Db, On, Tx};
use super::rows::{corrupt, millis, to_json, ClaimedRow, SendRow, SEND_COLUMNS};
use super::webhooks::{self, About};
use super::Storage;
use app::domain::sending::{self, RunChange};
use app::domain::webhooks::Event;
use app::domain::SurveyKind;
use app::ports::{
    ClaimedMessage, Delivery, Finished, NewInvitation, NewMessage, NewSend, OutboxCounts,
    OutboxProblem, SendRecord, StoreError,
};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Personal links per insert: 7 parameters each stays under both backends' limits.
/// Delivered messages recorded per statement: two parameters each.
const FINISH_CHUNK: usize = 1000;

const DAY_MS: i64 = 86_400_000;

/// A new send, scheduled; also each recurring send's next wave.
async fn insert_send<'c>(on: impl Into<On<'c>>, send: &NewSend) -> Result<SendRecord, StoreError> {
    let on = on.into();
    let salt = match send.salted_links {
        true => on.dialect().random_secret,
        false => "NULL",
    };
    query(format!(
        "INSERT INTO sends (survey_id, audience_name, audience, repeat_every, wave, \
         reminders, per_minute, state, scheduled_at, created_by, created_at, link_salt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'scheduled', $8, $9, $10, {salt}) \
         RETURNING {SEND_COLUMNS}"
    ))
    .bind(send.survey_id)
    .bind(&send.audience_name)
    .bind(to_json(&send.audience)?)
    .bind(send.repeat.as_str())
    .bind(send.wave)
    .bind(to_json(&send.reminders)?)
    .bind(send.per_minute.map(i64::from))
    .bind(millis(send.scheduled_at))
    .bind(send.created_by)
    .bind(millis(Utc::now()))
    .fetch_one::<SendRow>(on)
    .await?
    .try_into()
}

/// How the messages of the sends `which` picks (SQL over `send_id`, with `$1`) stand, per
/// send: two grouped queries however many sends there are.
async fn counts_of(
    db: &Db,
    which: &str,
    id: i64,
) -> Result<BTreeMap<i64, OutboxCounts>, StoreError> {
    let rows: Vec<(i64, String, String, Option<String>, i64)> = query(format!(
        "SELECT send_id, kind, status, skip_reason, COUNT(*) FROM outbox WHERE {which} \
         AND kind IN ('invitation', 'reminder') GROUP BY send_id, kind, status, skip_reason"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    let mut all = BTreeMap::<i64, OutboxCounts>::new();
    for (send, kind, status, reason, n) in rows {
        let counts = all.entry(send).or_default();
        if kind == "reminder" {
            if status == "sent" {
                counts.reminders_sent += n;
            }
            continue;
        }
        counts.invitations += n;
        match (status.as_str(), reason.as_deref()) {
            ("queued" | "sending", _) => counts.queued += n,
            ("sent", _) => counts.sent += n,
            ("failed", _) => counts.failed += n,
            ("bounced", _) => counts.bounced += n,
            ("skipped", Some("frequency")) => counts.skipped_frequency += n,
            _ => counts.skipped_suppressed += n,
        }
    }
    let answered: Vec<(i64, i64, i64)> = query(format!(
        "SELECT send_id, COUNT(*), COALESCE(SUM(CASE WHEN completed THEN 1 ELSE 0 END), 0) \
         FROM invitations WHERE {which} AND answered GROUP BY send_id"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    for (send, answered, completed) in answered {
        let counts = all.entry(send).or_default();
        (counts.answered, counts.completed) = (answered, completed);
    }
    Ok(all)
}

/// Personal links, made at `at` (an existing token is left as it is); `send` in place of
/// each one's own when given.
async fn insert_invitations<'c>(
    on: impl Into<On<'c>>,
    invitations: &[&NewInvitation],
    send: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut q = query(
        "INSERT INTO invitations (survey_id, token_hash, contact_id, locale, attributes, \
         send_id, created_at) ",
    );
    let mut rows = Vec::with_capacity(invitations.len());
    for i in invitations {
        rows.push((i, to_json(&i.attributes)?));
    }
    q.push_values(rows, |(i, attributes)| {
        vec![
            i.survey_id.into(),
            (&i.token_hash).into(),
            i.contact_id.into(),
            i.locale.map(|l| l.as_str()).into(),
            attributes.into(),
            send.or(i.send_id).into(),
            at.into(),
        ]
    });
    q.push(" ON CONFLICT (token_hash) DO NOTHING");
    q.execute(on).await?;
    Ok(())
}

/// Queues a thank-you or an alert about a response, unless its contact is suppressed.
/// Called inside `record_answers`' transaction.
pub(super) async fn insert_message<'c>(
    on: impl Into<On<'c>>,
    message: &NewMessage,
    response_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    query(
        "INSERT INTO outbox (kind, survey_id, contact_id, user_id, response_id, status, \
         next_attempt_at, created_at, send_id) SELECT $1, $2, $3, $4, $5, 'queued', $6, $6, $7 \
         WHERE NOT EXISTS (SELECT 1 FROM contacts WHERE id = $3 AND suppressed IS NOT NULL)",
    )
    .bind(message.kind.as_str())
    .bind(message.survey_id)
    .bind(message.contact_id)
    .bind(message.user_id)
    .bind(response_id)
    .bind(millis(now))
    .bind(message.send_id)
    .execute(on)
    .await?;
    Ok(())
}

/// Marks `send` finished once no invitation of it waits in the outbox any more, and queues
/// its `send.finished` event: once, whoever gets here first.
async fn finish_when_done(tx: &mut Tx, send: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let finished: Option<i64> = query(
        "UPDATE sends SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL \
         AND state = 'started' AND NOT EXISTS (SELECT 1 FROM outbox \
         WHERE send_id = $1 AND kind = 'invitation' AND status IN ('queued', 'sending')) \
         RETURNING survey_id",
    )
    .bind(send)
    .bind(millis(now))
    .scalar_optional(&mut *tx)
    .await?;
    if let Some(survey) = finished {
        let about = About {
            survey_id: Some(survey),
            send_id: Some(send),
            ..About::default()
        };
        webhooks::queue(tx, Event::SendFinished, about, "{}", now, false).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl app::ports::Sends for Storage {
    async fn create_send(&self, send: &NewSend) -> Result<SendRecord, StoreError> {
        insert_send(&self.db, send).await
    }

    async fn record_past_send(
        &self,
        send: &NewSend,
        started_at: DateTime<Utc>,
        invitations: &[(NewInvitation, bool)],
    ) -> Result<i64, StoreError> {
        let mut tx = self.db.begin().await?;
        let id = insert_send(&mut tx, send).await?.id;
        let at = millis(started_at);
        query("UPDATE sends SET state = 'started', started_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&mut tx)
            .await?;
        for chunk in invitations.chunks(rows_per_statement(9)) {
            let mut outbox = query(
                "INSERT INTO outbox (send_id, kind, contact_id, survey_id, status, attempts, \
                 next_attempt_at, created_at, sent_at) ",
            );
            outbox.push_values(chunk, |(invitation, bounced)| {
                vec![
                    id.into(),
                    "invitation".into(),
                    invitation.contact_id.into(),
                    send.survey_id.into(),
                    (if *bounced { "bounced" } else { "sent" }).into(),
                    1_i64.into(),
                    at.into(),
                    at.into(),
                    (!*bounced).then_some(at).into(),
                ]
            });
            outbox.execute(&mut tx).await?;
            // A bounced email carried no link anyone could open.
            let delivered: Vec<&NewInvitation> = chunk
                .iter()
                .filter(|(_, bounced)| !bounced)
                .map(|(i, _)| i)
                .collect();
            if !delivered.is_empty() {
                insert_invitations(&mut tx, &delivered, Some(id), started_at).await?;
            }
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn send_record(&self, id: i64) -> Result<Option<SendRecord>, StoreError> {
        let sql = format!("SELECT {SEND_COLUMNS} FROM sends WHERE id = $1");
        query(&sql)
            .bind(id)
            .fetch_optional::<SendRow>(&self.db)
            .await?
            .map(SendRecord::try_from)
            .transpose()
    }

    async fn list_sends(&self, survey_id: i64) -> Result<Vec<SendRecord>, StoreError> {
        let sql = format!("SELECT {SEND_COLUMNS} FROM sends WHERE survey_id = $1 ORDER BY id DESC");
        query(&sql)
            .bind(survey_id)
            .fetch_all::<SendRow>(&self.db)
            .await?
            .into_iter()
            .map(SendRecord::try_from)
            .collect()
    }

    async fn outbox_counts(&self, send_id: i64) -> Result<OutboxCounts, StoreError> {
        let mut counts = counts_of(&self.db, "send_id = $1", send_id).await?;
        Ok(counts.remove(&send_id).unwrap_or_default())
    }

    async fn outbox_counts_of_survey(
        &self,
        survey_id: i64,
    ) -> Result<BTreeMap<i64, OutboxCounts>, StoreError> {
        let sends = "send_id IN (SELECT id FROM sends WHERE survey_id = $1)";
        counts_of(&self.db, sends, survey_id).await
    }

    async fn outbox_problems(
        &self,
        send_id: i64,
        limit: i64,
    ) -> Result<Vec<OutboxProblem>, StoreError> {
        let rows: Vec<(String, String, Option<String>, Option<String>, i64)> = query(
            "SELECT c.email, o.status, o.skip_reason, o.reply, o.attempts \
                 FROM outbox o JOIN contacts c ON c.id = o.contact_id \
                 WHERE o.send_id = $1 AND o.kind = 'invitation' \
                 AND (o.status IN ('failed', 'bounced', 'skipped') \
                      OR (o.status = 'queued' AND o.reply IS NOT NULL)) \
                 ORDER BY o.id LIMIT $2",
        )
        .bind(send_id)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(email, status, skip_reason, reply, attempts)| OutboxProblem {
                    email,
                    status,
                    skip_reason,
                    reply,
                    attempts,
                },
            )
            .collect())
    }

    async fn set_paused(&self, send_id: i64, reason: Option<&str>) -> Result<bool, StoreError> {
        let done = query(
            "UPDATE sends SET paused_reason = $2, failure_run = 0 \
             WHERE id = $1 AND state = 'started'",
        )
        .bind(send_id)
        .bind(reason)
        .execute(&self.db)
        .await?;
        Ok(done > 0)
    }

    async fn cancel_send(&self, send_id: i64, reason: Option<&str>) -> Result<bool, StoreError> {
        let done = query(
            "UPDATE sends SET state = 'cancelled', paused_reason = $2 \
             WHERE id = $1 AND state = 'scheduled'",
        )
        .bind(send_id)
        .bind(reason)
        .execute(&self.db)
        .await?;
        Ok(done > 0)
    }

    async fn due_sends(&self, now: DateTime<Utc>) -> Result<Vec<SendRecord>, StoreError> {
        let sql = format!(
            "SELECT {SEND_COLUMNS} FROM sends WHERE state = 'scheduled' \
             AND scheduled_at <= $1 ORDER BY scheduled_at"
        );
        query(&sql)
            .bind(millis(now))
            .fetch_all::<SendRow>(&self.db)
            .await?
            .into_iter()
            .map(SendRecord::try_from)
            .collect()
    }

    async fn start_send(
        &self,
        send_id: i64,
        now: DateTime<Utc>,
        min_days: u32,
        next_wave: Option<NewSend>,
    ) -> Result<Option<i64>, StoreError> {
        let mut tx = self.db.begin().await?;
        let sql = format!(
            "UPDATE sends SET state = 'started', started_at = $2 \
             WHERE id = $1 AND state = 'scheduled' RETURNING {SEND_COLUMNS}"
        );
        let Some(row) = query(&sql)
            .bind(send_id)
            .bind(millis(now))
            .fetch_optional::<SendRow>(&mut tx)
            .await?
        else {
            return Ok(None);
        };
        let send = SendRecord::try_from(row)?;
        if let Some(first) = send.new.reminders.first() {
            query("UPDATE sends SET next_reminder_at = $2 WHERE id = $1")
                .bind(send_id)
                .bind(millis(now) + i64::from(*first) * DAY_MS)
                .execute(&mut tx)
                .await?;
        }
        // One statement for the whole audience: the throttle spaces the due times,
        // the rule and suppression mark the rows that are not sent.
        let mut q = query(
            "INSERT INTO outbox (send_id, kind, contact_id, survey_id, status, \
             skip_reason, next_attempt_at, created_at) \
             SELECT ",
        );
        q.push_bind(send_id)
            .push(", 'invitation', a.id, ")
            .push_bind(send.new.survey_id)
            .push(
                ", CASE WHEN a.suppressed IS NOT NULL OR a.recent THEN 'skipped' \
                 ELSE 'queued' END, \
                 CASE WHEN a.suppressed IS NOT NULL THEN 'suppressed' \
                 WHEN a.recent THEN 'frequency' END, ",
            )
            .push_bind(millis(now))
            .push(" + (ROW_NUMBER() OVER (ORDER BY a.id) - 1) * ")
            .push_bind(sending::spacing_ms(send.new.per_minute))
            .push(", ")
            .push_bind(millis(now))
            .push(
                " FROM (SELECT c.id, c.suppressed, EXISTS (SELECT 1 FROM outbox o \
                 WHERE o.contact_id = c.id AND o.kind = 'invitation' \
                 AND o.status IN ('queued', 'sending', 'sent') AND o.created_at > ",
            )
            .push_bind(millis(now) - i64::from(min_days) * DAY_MS)
            .push(") AS recent FROM contacts c WHERE 1 = 1");
        push_audience(&mut q, self.db.dialect(), &send.new.audience);
        q.push(") a");
        let queued = q.execute(&mut tx).await?;
        // Every recipient skipped (or none at all): nothing will leave the outbox, so the
        // send is finished as it starts.
        finish_when_done(&mut tx, send_id, now).await?;
        if let Some(next) = next_wave {
            insert_send(&mut tx, &next).await?;
        }
        tx.commit().await?;
        Ok(Some(queued as i64))
    }

    async fn forget_link_salts(&self) -> Result<u64, StoreError> {
        // Queued or sending covers a message waiting to be retried too.
        query(
            "UPDATE sends SET link_salt = '' WHERE link_salt <> '' \
             AND state IN ('started', 'cancelled') AND next_reminder_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.send_id = sends.id \
             AND o.status IN ('queued', 'sending'))",
        )
        .execute(&self.db)
        .await
    }

    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(SendRecord, usize)>, StoreError> {
        let sql = format!(
            "SELECT {SEND_COLUMNS} FROM sends WHERE state = 'started' \
             AND next_reminder_at <= $1 ORDER BY next_reminder_at"
        );
        query(&sql)
            .bind(millis(now))
            .fetch_all::<SendRow>(&self.db)
            .await?
            .into_iter()
            .map(|row| {
                let send = SendRecord::try_from(row)?;
                let index = usize::try_from(send.reminders_sent).unwrap_or(0);
                Ok((send, index))
            })
            .collect()
    }

    async fn queue_reminders(
        &self,
        send_id: i64,
        index: usize,
        deliver: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError> {
        let mut tx = self.db.begin().await?;
        let sql = format!("SELECT {SEND_COLUMNS} FROM sends WHERE id = $1");
        let Some(row) = query(&sql)
            .bind(send_id)
            .fetch_optional::<SendRow>(&mut tx)
            .await?
        else {
            return Ok(None);
        };
        let send = SendRecord::try_from(row)?;
        let started = send.started_at.map(millis).unwrap_or_else(|| millis(now));
        let next = send
            .new
            .reminders
            .get(index + 1)
            .map(|days| started + i64::from(*days) * DAY_MS);
        // The compare-and-set makes the reminder go out once, whoever gets here.
        let claimed = query(
            "UPDATE sends SET reminders_sent = $3, next_reminder_at = $4 \
             WHERE id = $1 AND reminders_sent = $2",
        )
        .bind(send_id)
        .bind(index as i64)
        .bind(index as i64 + 1)
        .bind(next)
        .execute(&mut tx)
        .await?;
        if claimed == 0 {
            return Ok(None);
        }
        let queued = if deliver {
            query(
                "INSERT INTO outbox (send_id, kind, contact_id, survey_id, status, \
                 next_attempt_at, created_at) \
                 SELECT o.send_id, 'reminder', o.contact_id, o.survey_id, 'queued', \
                 $2 + (ROW_NUMBER() OVER (ORDER BY o.id) - 1) * $3, $2 \
                 FROM outbox o JOIN contacts c ON c.id = o.contact_id \
                 WHERE o.send_id = $1 AND o.kind = 'invitation' AND o.status = 'sent' \
                 AND c.suppressed IS NULL AND NOT EXISTS (SELECT 1 FROM invitations i \
                 WHERE i.send_id = o.send_id AND i.contact_id = o.contact_id \
                 AND i.answered)",
            )
            .bind(send_id)
            .bind(millis(now))
            .bind(sending::spacing_ms(send.new.per_minute))
            .execute(&mut tx)
            .await?
        } else {
            0
        };
        tx.commit().await?;
        Ok(Some(queued))
    }

    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMessage>, StoreError> {
        let sql = format!(
            "UPDATE outbox SET status = 'sending', lease_until = $2, \
             attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox \
             WHERE ((status = 'queued' AND next_attempt_at <= $1) \
             OR (status = 'sending' AND lease_until <= $1)) \
             AND (send_id IS NULL OR send_id IN \
             (SELECT id FROM sends WHERE paused_reason IS NULL)) \
             ORDER BY next_attempt_at LIMIT $3{}) RETURNING id",
            self.db.dialect().claim_lock
        );
        let ids: Vec<i64> = query(&sql)
            .bind(millis(now))
            .bind(millis(lease_until))
            .bind(limit)
            .scalars(&self.db)
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = query(
            "SELECT o.id, o.kind, o.send_id, o.survey_id, o.attempts, o.contact_id, \
             COALESCE(c.email, u.email) AS email, COALESCE(c.name, u.name) AS name, \
             c.locale, c.attributes, o.response_id, s.link_salt, o.payload \
             FROM outbox o LEFT JOIN contacts c ON c.id = o.contact_id \
             LEFT JOIN users u ON u.id = o.user_id \
             LEFT JOIN sends s ON s.id = o.send_id WHERE o.id IN ",
        );
        q.push_tuple(ids).push(" ORDER BY o.id");
        q.fetch_all::<ClaimedRow>(&self.db)
            .await?
            .into_iter()
            .map(ClaimedMessage::try_from)
            .collect()
    }

    async fn renew_lease(
        &self,
        ids: &[i64],
        held: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut q = query("UPDATE outbox SET lease_until = ");
        q.push_bind(millis(until))
            .push(" WHERE status = 'sending' AND lease_until = ")
            .push_bind(millis(held))
            .push(" AND id IN ")
            .push_tuple(ids.iter().copied());
        q.execute(&self.db).await
    }

    async fn ensure_invitations(&self, invitations: &[NewInvitation]) -> Result<(), StoreError> {
        let all: Vec<&NewInvitation> = invitations.iter().collect();
        for chunk in all.chunks(rows_per_statement(7)) {
            insert_invitations(&self.db, chunk, None, Utc::now()).await?;
        }
        Ok(())
    }

    async fn finish_messages(
        &self,
        finished: &[Finished],
        pause_after: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        if finished.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.db.begin().await?;
        // The send of each recorded outcome; none where another claim took it over (or the
        // message is gone): that outcome is not ours to write.
        let mut sends: Vec<Option<Option<i64>>> = vec![None; finished.len()];
        // The usual outcome, a delivery, is one statement for a whole chunk. A finished
        // message forgets its response: kept, the link would date it. A message of an
        // anonymous survey's send (a salted one) keeps the day alone: when each person
        // was mailed, to the millisecond, is no business of a later reader.
        let delivered: Vec<usize> = (0..finished.len())
            .filter(|&i| finished[i].delivery == Delivery::Sent)
            .collect();
        let day = millis(now) - millis(now).rem_euclid(DAY_MS);
        for chunk in delivered.chunks(FINISH_CHUNK) {
            let mut q = query(
                "UPDATE outbox SET status = 'sent', lease_until = NULL, sent_at = CASE WHEN \
                 EXISTS (SELECT 1 FROM sends s WHERE s.id = outbox.send_id \
                 AND s.link_salt IS NOT NULL) THEN ",
            );
            q.push_bind(day)
                .push(" ELSE ")
                .push_bind(millis(now))
                .push(
                    " END, next_attempt_at = CASE WHEN EXISTS (SELECT 1 FROM sends s \
                       WHERE s.id = outbox.send_id AND s.link_salt IS NOT NULL) THEN ",
                )
                .push_bind(day)
                .push(" ELSE next_attempt_at END")
                .push(
                    ", response_id = NULL, payload = '{}' \
                     WHERE status = 'sending' AND (id, attempts) IN (",
                )
                .push_values(chunk, |&i| {
                    vec![finished[i].id.into(), finished[i].attempt.into()]
                })
                .push(") RETURNING id, send_id");
            let rows: Vec<(i64, Option<i64>)> = q.fetch_all(&mut tx).await?;
            let rows: std::collections::HashMap<i64, Option<i64>> = rows.into_iter().collect();
            for &i in chunk {
                sends[i] = rows.get(&finished[i].id).copied();
            }
        }
        for (i, f) in finished.iter().enumerate() {
            let (status, reply, next) = match &f.delivery {
                Delivery::Sent => continue,
                Delivery::Retry { reply, at } => ("queued", reply, Some(millis(*at))),
                Delivery::Failed { reply } => ("failed", reply, None),
                Delivery::Bounced { reply } => ("bounced", reply, None),
            };
            let row: Option<(Option<i64>, Option<i64>)> = query(
                "UPDATE outbox SET status = $2, reply = $3, \
                 next_attempt_at = CASE WHEN $4 IS NULL AND EXISTS (SELECT 1 FROM sends s \
                 WHERE s.id = outbox.send_id AND s.link_salt IS NOT NULL) THEN $6 \
                 ELSE COALESCE($4, next_attempt_at) END, lease_until = NULL, \
                 response_id = CASE WHEN $2 = 'queued' THEN response_id END, \
                 payload = CASE WHEN $2 = 'queued' THEN payload ELSE '{}' END \
                 WHERE id = $1 AND status = 'sending' AND attempts = $5 \
                 RETURNING send_id, contact_id",
            )
            .bind(f.id)
            .bind(status)
            .bind(reply)
            .bind(next)
            .bind(f.attempt)
            .bind(day)
            .fetch_optional(&mut tx)
            .await?;
            let Some((send_id, contact_id)) = row else {
                continue;
            };
            sends[i] = Some(send_id);
            if let (Delivery::Bounced { .. }, Some(contact)) = (&f.delivery, contact_id) {
                query(
                    "UPDATE contacts SET suppressed = 'bounced', suppressed_at = $2 \
                     WHERE id = $1 AND suppressed IS NULL",
                )
                .bind(contact)
                .bind(now)
                .execute(&mut tx)
                .await?;
            }
        }
        // Each send's run of failures in a row, in the order the outcomes happened; the
        // sends' rows in id order, so concurrent workers never wait on each other in a
        // circle.
        let recorded = || {
            finished
                .iter()
                .zip(&sends)
                .filter_map(|(f, send)| send.flatten().map(|send| (send, f)))
        };
        let changes = sending::run_changes(recorded().map(|(send, f)| (send, f.failure)));
        for (send, change) in changes {
            let run: i64 = match change {
                RunChange::Restart(0) => {
                    // Touches the send's row only when a run is to be reset, so workers
                    // do not queue on it for every batch.
                    query("UPDATE sends SET failure_run = 0 WHERE id = $1 AND failure_run > 0")
                        .bind(send)
                        .execute(&mut tx)
                        .await?;
                    0
                }
                RunChange::Restart(n) => {
                    query("UPDATE sends SET failure_run = $2 WHERE id = $1")
                        .bind(send)
                        .bind(n)
                        .execute(&mut tx)
                        .await?;
                    n
                }
                RunChange::Extend(n) => {
                    query(
                        "UPDATE sends SET failure_run = failure_run + $2 WHERE id = $1 \
                         RETURNING failure_run",
                    )
                    .bind(send)
                    .bind(n)
                    .scalar(&mut tx)
                    .await?
                }
            };
            if run >= pause_after {
                let last = recorded()
                    .filter(|(s, f)| *s == send && f.failure)
                    .filter_map(|(_, f)| match &f.delivery {
                        Delivery::Sent => None,
                        Delivery::Retry { reply, .. }
                        | Delivery::Failed { reply }
                        | Delivery::Bounced { reply } => Some(reply.as_str()),
                    })
                    .next_back();
                let why = format!(
                    "Paused after {run} failed attempts in a row. Last reply: {}",
                    last.unwrap_or("none")
                );
                query(
                    "UPDATE sends SET paused_reason = $2 WHERE id = $1 AND paused_reason IS NULL",
                )
                .bind(send)
                .bind(why)
                .execute(&mut tx)
                .await?;
            }
        }
        // A send whose last invitation has left the outbox is finished: its event, once.
        let touched: std::collections::BTreeSet<i64> =
            sends.iter().flatten().flatten().copied().collect();
        for send in touched {
            finish_when_done(&mut tx, send, now).await?;
        }
        tx.commit().await?;
        Ok(sends.iter().map(Option::is_some).collect())
    }

    async fn frequency_rules(&self) -> Result<Vec<(SurveyKind, u32)>, StoreError> {
        let rows: Vec<(String, i64)> =
            query("SELECT kind, min_days FROM frequency_rules ORDER BY kind")
                .fetch_all(&self.db)
                .await?;
        rows.into_iter()
            .map(|(kind, days)| {
                let parsed =
                    SurveyKind::parse(&kind).ok_or_else(|| corrupt("survey kind", &kind))?;
                Ok((parsed, u32::try_from(days).unwrap_or(0)))
            })
            .collect()
    }

    async fn set_frequency_rule(&self, kind: SurveyKind, min_days: u32) -> Result<(), StoreError> {
        query(
            "INSERT INTO frequency_rules (kind, min_days) VALUES ($1, $2) \
             ON CONFLICT (kind) DO UPDATE SET min_days = excluded.min_days",
        )
        .bind(kind.as_str())
        .bind(i64::from(min_days))
        .execute(&self.db)
        .await?;
        Ok(())
    }
}
