//! Contacts (`app::ports::Contacts`): the people surveys go to, upserted by email;
//! segments over their attributes; and privacy requests (history and erasure).

use super::db::{query, rows_per_statement, Query, Tx};
use super::dialect::Dialect;
use super::rows::{from_json, to_json, ContactRow, ResponseAnswerRow, CONTACT_COLUMNS};
use super::Storage;
use app::domain::segments::SegmentFilter;
use app::domain::Locale;
use app::ports::{
    Contact, ContactInvitation, ContactResponse, NewContact, Segment, StoreError, StoredAnswer,
    Upserted,
};
use chrono::{DateTime, NaiveDate, Utc};

/// Contacts per transaction of a large upsert.
const CONTACT_CHUNK: usize = 1000;

/// Upserts contacts by email inside a transaction (the one-shot import and each chunk of
/// an import job): an empty name or language keeps the stored one, attributes are merged.
pub(super) async fn upsert_contacts_in(
    tx: &mut Tx,
    contacts: &[NewContact],
) -> Result<Upserted, StoreError> {
    let now = Utc::now();
    let mut done = Upserted::default();
    for chunk in contacts.chunks(rows_per_statement(6)) {
        // Which of them exist already, to report inserts and updates apart.
        let mut existing = query("SELECT COUNT(*) FROM contacts WHERE email IN ");
        existing.push_tuple(chunk.iter().map(|c| &c.email));
        let found: i64 = existing.scalar(&mut *tx).await?;
        let rows = chunk
            .iter()
            .map(|c| Ok((c, to_json(&c.attributes)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut insert = query(
            "INSERT INTO contacts (email, name, locale, attributes, created_at, updated_at) ",
        );
        insert.push_values(rows, |(contact, attributes)| {
            vec![
                (&contact.email).into(),
                (&contact.name).into(),
                contact.locale.map(Locale::as_str).into(),
                attributes.into(),
                now.into(),
                now.into(),
            ]
        });
        insert.push(&format!(
            " ON CONFLICT (email) DO UPDATE SET \
             name = CASE WHEN excluded.name = '' THEN contacts.name ELSE excluded.name END, \
             locale = COALESCE(excluded.locale, contacts.locale), \
             attributes = {}, updated_at = excluded.updated_at",
            tx.dialect().merge_attributes
        ));
        insert.execute(&mut *tx).await?;
        let found = u64::try_from(found).unwrap_or(0);
        done.updated += found;
        done.inserted += (chunk.len() as u64).saturating_sub(found);
    }
    Ok(done)
}

/// Appends the audience's conditions (all must hold) to a query over `contacts`.
pub(super) fn push_audience(q: &mut Query, dialect: &Dialect, filter: &SegmentFilter) {
    for c in &filter.conditions {
        let (open, prefix) = dialect.attribute_value;
        q.push(" AND ")
            .push(open)
            .push_bind(format!("{prefix}{}", c.attribute))
            .push(") = ")
            .push_bind(&c.value);
    }
}

#[async_trait::async_trait]
impl app::ports::Contacts for Storage {
    async fn upsert_contacts(&self, contacts: &[NewContact]) -> Result<Upserted, StoreError> {
        // A transaction per chunk: one for a whole large file would hold SQLite's write
        // lock long enough for answers waiting behind it to give up.
        let mut done = Upserted::default();
        for chunk in contacts.chunks(CONTACT_CHUNK) {
            let mut tx = self.db.begin().await?;
            let chunk_done = upsert_contacts_in(&mut tx, chunk).await?;
            tx.commit().await?;
            done.inserted += chunk_done.inserted;
            done.updated += chunk_done.updated;
        }
        Ok(done)
    }

    async fn list_contacts(&self, after_id: i64, limit: i64) -> Result<Vec<Contact>, StoreError> {
        let sql =
            format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id > $1 ORDER BY id LIMIT $2");
        query(&sql)
            .bind(after_id)
            .bind(limit)
            .fetch_all::<ContactRow>(&self.db)
            .await?
            .into_iter()
            .map(Contact::try_from)
            .collect()
    }

    async fn count_contacts(&self) -> Result<i64, StoreError> {
        query("SELECT COUNT(*) FROM contacts")
            .scalar(&self.db)
            .await
    }

    async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>, StoreError> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE email = $1");
        query(&sql)
            .bind(email)
            .fetch_optional::<ContactRow>(&self.db)
            .await?
            .map(Contact::try_from)
            .transpose()
    }

    async fn set_suppression(
        &self,
        contact_id: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let done = query(
            "UPDATE contacts SET suppressed = $2, suppressed_at = $3, updated_at = $4 \
             WHERE id = $1",
        )
        .bind(contact_id)
        .bind(reason)
        .bind(reason.map(|_| now))
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok(done == 1)
    }

    async fn count_matching(&self, filter: &SegmentFilter) -> Result<(i64, i64), StoreError> {
        let mut q =
            query("SELECT COUNT(*), COUNT(*) - COUNT(suppressed) FROM contacts WHERE 1 = 1");
        push_audience(&mut q, self.db.dialect(), filter);
        q.fetch_one(&self.db).await
    }

    async fn create_segment(
        &self,
        name: &str,
        filter: &SegmentFilter,
        user_id: i64,
    ) -> Result<Segment, StoreError> {
        let id: i64 = query(
            "INSERT INTO segments (name, filter, created_by, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(to_json(filter)?)
        .bind(user_id)
        .bind(Utc::now())
        .scalar(&self.db)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                StoreError::Conflict("Another segment has this name.".into())
            }
            other => other,
        })?;
        Ok(Segment {
            id,
            name: name.to_owned(),
            filter: filter.clone(),
        })
    }

    async fn list_segments(&self) -> Result<Vec<Segment>, StoreError> {
        let rows: Vec<(i64, String, String)> =
            query("SELECT id, name, filter FROM segments ORDER BY name")
                .fetch_all(&self.db)
                .await?;
        rows.into_iter()
            .map(|(id, name, filter)| {
                Ok(Segment {
                    id,
                    name,
                    filter: from_json("filter", &filter)?,
                })
            })
            .collect()
    }

    async fn delete_segment(&self, id: i64) -> Result<bool, StoreError> {
        let done = query("DELETE FROM segments WHERE id = $1")
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(done == 1)
    }

    async fn contact_history(
        &self,
        contact_id: i64,
    ) -> Result<(Vec<ContactInvitation>, Vec<ContactResponse>), StoreError> {
        let invitations: Vec<(i64, DateTime<Utc>, bool)> = query(
            "SELECT survey_id, created_at, answered FROM invitations \
             WHERE contact_id = $1 ORDER BY id",
        )
        .bind(contact_id)
        .fetch_all(&self.db)
        .await?;
        let responses: Vec<(i64, i64, i64, NaiveDate, Option<DateTime<Utc>>)> = query(
            "SELECT id, survey_id, version, day, submitted_at FROM responses \
                 WHERE contact_id = $1 ORDER BY id",
        )
        .bind(contact_id)
        .fetch_all(&self.db)
        .await?;
        // One query for every response's answers, grouped here by response.
        let answers: Vec<ResponseAnswerRow> = query(
            "SELECT a.response_id, a.question_key, a.value, a.follow_up \
             FROM answers a JOIN responses r ON r.id = a.response_id \
             WHERE r.contact_id = $1 ORDER BY a.response_id, a.question_key",
        )
        .bind(contact_id)
        .fetch_all(&self.db)
        .await?;
        let mut by_response = std::collections::HashMap::<i64, Vec<StoredAnswer>>::new();
        for row in answers {
            by_response
                .entry(row.response_id)
                .or_default()
                .push(StoredAnswer::try_from(row.answer)?);
        }
        let given = responses
            .into_iter()
            .map(
                |(id, survey_id, version, day, submitted_at)| ContactResponse {
                    id,
                    survey_id,
                    version,
                    day,
                    submitted_at,
                    answers: by_response.remove(&id).unwrap_or_default(),
                },
            )
            .collect();
        let invitations = invitations
            .into_iter()
            .map(|(survey_id, created_at, answered)| ContactInvitation {
                survey_id,
                created_at,
                answered,
            })
            .collect();
        Ok((invitations, given))
    }

    async fn contact_sends(
        &self,
        contact_id: i64,
    ) -> Result<Vec<(i64, Option<String>)>, StoreError> {
        query(
            "SELECT DISTINCT s.id, s.link_salt FROM invitations i \
             JOIN sends s ON s.id = i.send_id WHERE i.contact_id = $1 ORDER BY s.id",
        )
        .bind(contact_id)
        .fetch_all(&self.db)
        .await
    }

    async fn erase_contact(
        &self,
        contact_id: i64,
        response_keys: &[String],
    ) -> Result<u64, StoreError> {
        let mut tx = self.db.begin().await?;
        let random = self.db.dialect().random_secret;
        // New keys: whoever could work out the old ones (from its links, while a send
        // kept its salt) can no longer find these responses.
        for keys in response_keys.chunks(rows_per_statement(1)) {
            let mut rekey = query(format!(
                "UPDATE responses SET response_key = {random} WHERE response_key IN "
            ));
            rekey.push_tuple(keys.iter().map(|k| k.as_str()));
            rekey.execute(&mut tx).await?;
        }
        query(format!(
            "UPDATE responses SET response_key = {random} WHERE contact_id = $1"
        ))
        .bind(contact_id)
        .execute(&mut tx)
        .await?;
        // Free text may name the person, so it goes; scores and choices stay
        // (and the dashboards' counts with them). Text answers are stored as
        // serde's `{"type":"text",…}`.
        let theirs = "response_id IN (SELECT id FROM responses WHERE contact_id = $1)";
        query(format!(
            "DELETE FROM answers WHERE {theirs} AND value LIKE '{{\"type\":\"text\"%'"
        ))
        .bind(contact_id)
        .execute(&mut tx)
        .await?;
        query(format!(
            "UPDATE answers SET follow_up = NULL WHERE {theirs}"
        ))
        .bind(contact_id)
        .execute(&mut tx)
        .await?;
        // A case keeps the answer's comment and what was written to or about the person:
        // those go too. The case stays, with its state and times, for the figures.
        query(format!("UPDATE cases SET comment = NULL WHERE {theirs}"))
            .bind(contact_id)
            .execute(&mut tx)
            .await?;
        query(format!(
            "UPDATE case_events SET body = '', subject = NULL \
             WHERE case_id IN (SELECT id FROM cases WHERE {theirs})"
        ))
        .bind(contact_id)
        .execute(&mut tx)
        .await?;
        let responses = query(
            "UPDATE responses SET contact_id = NULL, submitted_at = NULL, updated_at = NULL \
             WHERE contact_id = $1",
        )
        .bind(contact_id)
        .execute(&mut tx)
        .await?;
        query(format!(
            "UPDATE invitations SET contact_id = NULL, attributes = '{{}}', \
             token_hash = {random} WHERE contact_id = $1"
        ))
        .bind(contact_id)
        .execute(&mut tx)
        .await?;
        query("DELETE FROM contacts WHERE id = $1")
            .bind(contact_id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(responses)
    }

    async fn contact(&self, id: i64) -> Result<Option<Contact>, StoreError> {
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1");
        query(&sql)
            .bind(id)
            .fetch_optional::<ContactRow>(&self.db)
            .await?
            .map(Contact::try_from)
            .transpose()
    }
}
