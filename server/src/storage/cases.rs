//! Cases and their history (`app::ports::Cases`): opened with a response's first
//! completion (`insert_case`, inside that transaction), moved, noted, reassigned and
//! replied to; a reply is an outbox row written in the same transaction as its event.

use super::db::{query, Query, Tx};
use super::responses::push_any_of;
use super::rows::{corrupt, from_json, millis};
use super::webhooks::{self, About};
use super::Storage;
use app::domain::cases::{CaseState, CaseTiming};
use app::domain::webhooks::Event;
use app::domain::Locale;
use app::ports::{
    CaseEvent, CaseEventKind, CaseMessage, CaseQuery, NewCase, NewReply, ReplyQueued, StoreError,
    StoredCase,
};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Opens `case` for response `response_id` of survey `survey_id`.
pub(super) async fn insert_case(
    tx: &mut Tx,
    survey_id: i64,
    response_id: i64,
    case: &NewCase,
) -> Result<(), StoreError> {
    let id: i64 = query(
        "INSERT INTO cases (survey_id, response_id, owner_id, state, opened_at, due_at, \
         score, comment, updated_at) VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $4) \
         RETURNING id",
    )
    .bind(survey_id)
    .bind(response_id)
    .bind(case.owner_id)
    .bind(case.opened_at)
    .bind(case.due_at)
    .bind(case.score.map(i32::from))
    .bind(case.comment.clone())
    .scalar(&mut *tx)
    .await?;
    query("INSERT INTO case_events (case_id, at, kind) VALUES ($1, $2, 'opened')")
        .bind(id)
        .bind(case.opened_at)
        .execute(&mut *tx)
        .await?;
    case_event(tx, Event::CaseOpened, id, survey_id, case.opened_at).await
}

/// Queues a case's webhook event in `tx`.
async fn case_event(
    tx: &mut Tx,
    event: Event,
    case_id: i64,
    survey_id: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let about = About {
        survey_id: Some(survey_id),
        case_id: Some(case_id),
        ..About::default()
    };
    webhooks::queue(tx, event, about, "{}", at, false).await
}

/// The survey of case `id`, read in `tx` for its `case.changed` event.
async fn changed(tx: &mut Tx, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    let survey: Option<i64> = query("SELECT survey_id FROM cases WHERE id = $1")
        .bind(id)
        .scalar_optional(&mut *tx)
        .await?;
    match survey {
        Some(survey) => case_event(tx, Event::CaseChanged, id, survey, at).await,
        None => Ok(()),
    }
}

const CASE_SELECT: &str = "SELECT c.id, c.survey_id, c.response_id, c.owner_id, \
     COALESCE(NULLIF(u.name, ''), u.email) AS owner_name, c.state, c.opened_at, c.due_at, \
     c.first_contact_at, c.done_at, c.score, c.comment, r.groups, r.locale, r.contact_id, \
     ct.email, ct.name FROM cases c JOIN responses r ON r.id = c.response_id \
     LEFT JOIN users u ON u.id = c.owner_id LEFT JOIN contacts ct ON ct.id = r.contact_id";

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    survey_id: i64,
    response_id: i64,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    state: String,
    opened_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    first_contact_at: Option<DateTime<Utc>>,
    done_at: Option<DateTime<Utc>>,
    score: Option<i32>,
    comment: Option<String>,
    groups: String,
    locale: String,
    contact_id: Option<i64>,
    email: Option<String>,
    name: Option<String>,
}

fn state(text: &str) -> Result<CaseState, StoreError> {
    CaseState::parse(text).ok_or_else(|| corrupt("case state", text))
}

impl TryFrom<CaseRow> for StoredCase {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Self, StoreError> {
        Ok(StoredCase {
            id: r.id,
            survey_id: r.survey_id,
            response_id: r.response_id,
            owner_id: r.owner_id,
            owner_name: r.owner_name,
            state: state(&r.state)?,
            opened_at: r.opened_at,
            due_at: r.due_at,
            first_contact_at: r.first_contact_at,
            done_at: r.done_at,
            score: r.score.and_then(|s| u8::try_from(s).ok()),
            comment: r.comment,
            groups: from_json("groups", &r.groups)?,
            locale: Locale::parse(&r.locale).unwrap_or(Locale::En),
            contact_id: r.contact_id,
            email: r.email,
            name: r.name,
        })
    }
}

/// ` WHERE …` of a case list: the surveys (each narrowed to its scope), states, owner,
/// overdue.
fn push_filters(sql: &mut Query, dialect: &super::dialect::Dialect, q: &CaseQuery) {
    sql.push(" WHERE (FALSE");
    for (survey, scope) in &q.surveys {
        sql.push(" OR (c.survey_id = ").push_bind(*survey);
        if let Some(conditions) = scope {
            push_any_of(sql, dialect, conditions);
        }
        sql.push(")");
    }
    sql.push(")");
    if !q.states.is_empty() {
        sql.push(" AND c.state IN ")
            .push_tuple(q.states.iter().map(|s| s.as_str()));
    }
    if let Some(owner) = q.owner {
        sql.push(" AND c.owner_id = ").push_bind(owner);
    }
    if let Some(now) = q.overdue_at {
        sql.push(" AND c.state = 'open' AND c.first_contact_at IS NULL AND c.due_at < ")
            .push_bind(now);
    }
}

#[async_trait::async_trait]
impl app::ports::Cases for Storage {
    async fn cases(&self, q: &CaseQuery) -> Result<(Vec<StoredCase>, u64), StoreError> {
        let dialect = self.db.dialect();
        let mut count =
            query("SELECT COUNT(*) FROM cases c JOIN responses r ON r.id = c.response_id");
        push_filters(&mut count, dialect, q);
        let total: i64 = count.scalar(&self.db).await?;
        let mut list = query(CASE_SELECT);
        push_filters(&mut list, dialect, q);
        list.push(" ORDER BY c.opened_at DESC, c.id DESC LIMIT ")
            .push_bind(i64::try_from(q.limit).unwrap_or(i64::MAX))
            .push(" OFFSET ")
            .push_bind(i64::try_from(q.offset).unwrap_or(i64::MAX));
        let rows = list
            .fetch_all::<CaseRow>(&self.db)
            .await?
            .into_iter()
            .map(StoredCase::try_from)
            .collect::<Result<_, _>>()?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }

    async fn case(&self, id: i64) -> Result<Option<StoredCase>, StoreError> {
        query(format!("{CASE_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional::<CaseRow>(&self.db)
            .await?
            .map(StoredCase::try_from)
            .transpose()
    }

    async fn case_of_response(&self, response_id: i64) -> Result<Option<i64>, StoreError> {
        query("SELECT id FROM cases WHERE response_id = $1")
            .bind(response_id)
            .scalar_optional(&self.db)
            .await
    }

    async fn case_events(&self, id: i64) -> Result<Vec<CaseEvent>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            at: DateTime<Utc>,
            user_name: Option<String>,
            kind: String,
            state: Option<String>,
            subject: Option<String>,
            body: String,
            status: Option<String>,
        }
        let rows: Vec<Row> = query(
            "SELECT e.id, e.at, COALESCE(NULLIF(u.name, ''), u.email) AS user_name, e.kind, \
             e.state, e.subject, e.body, o.status FROM case_events e \
             LEFT JOIN users u ON u.id = e.user_id LEFT JOIN outbox o ON o.id = e.outbox_id \
             WHERE e.case_id = $1 ORDER BY e.id",
        )
        .bind(id)
        .fetch_all(&self.db)
        .await?;
        rows.into_iter()
            .map(|r| {
                let kind = match (r.kind.as_str(), r.state.as_deref()) {
                    ("opened", _) => CaseEventKind::Opened,
                    ("note", _) => CaseEventKind::Note,
                    ("state", Some(s)) => CaseEventKind::State(state(s)?),
                    ("reply", _) => CaseEventKind::Reply {
                        subject: r.subject.unwrap_or_default(),
                        status: r.status,
                    },
                    ("owner", _) => CaseEventKind::Owner,
                    (other, _) => return Err(corrupt("case event", other)),
                };
                Ok(CaseEvent {
                    id: r.id,
                    at: r.at,
                    user_name: r.user_name,
                    kind,
                    text: r.body,
                })
            })
            .collect()
    }

    async fn change_case_state(
        &self,
        id: i64,
        user_id: i64,
        from: CaseState,
        to: CaseState,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        // A first contact and a resolution keep their first time; reopening forgets the
        // resolution, so a case done again is timed from its answer to its last end.
        let done = query(
            "UPDATE cases SET state = $3, updated_at = $4, \
             first_contact_at = CASE WHEN $3 = 'contacted' THEN COALESCE(first_contact_at, $4) \
             ELSE first_contact_at END, \
             done_at = CASE WHEN $3 IN ('resolved', 'closed') THEN $4 \
             WHEN $3 = 'open' THEN NULL ELSE done_at END \
             WHERE id = $1 AND state = $2",
        )
        .bind(id)
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(at)
        .execute(&mut tx)
        .await?;
        if done != 1 {
            return Ok(false);
        }
        query(
            "INSERT INTO case_events (case_id, user_id, at, kind, state) \
             VALUES ($1, $2, $3, 'state', $4)",
        )
        .bind(id)
        .bind(user_id)
        .bind(at)
        .bind(to.as_str())
        .execute(&mut tx)
        .await?;
        changed(&mut tx, id, at).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn add_case_note(
        &self,
        id: i64,
        user_id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        query(
            "INSERT INTO case_events (case_id, user_id, at, kind, body) \
             VALUES ($1, $2, $3, 'note', $4)",
        )
        .bind(id)
        .bind(user_id)
        .bind(at)
        .bind(text)
        .execute(&mut tx)
        .await?;
        query("UPDATE cases SET updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&mut tx)
            .await?;
        tx.commit().await
    }

    async fn change_case_owner(
        &self,
        id: i64,
        user_id: i64,
        owner_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.db.begin().await?;
        query("UPDATE cases SET owner_id = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(owner_id)
            .bind(at)
            .execute(&mut tx)
            .await?;
        query(
            "INSERT INTO case_events (case_id, user_id, at, kind, body) \
             SELECT $1, $2, $3, 'owner', COALESCE(NULLIF(name, ''), email) FROM users \
             WHERE id = $4",
        )
        .bind(id)
        .bind(user_id)
        .bind(at)
        .bind(owner_id)
        .execute(&mut tx)
        .await?;
        changed(&mut tx, id, at).await?;
        tx.commit().await
    }

    async fn reply_to_case(&self, reply: &NewReply) -> Result<ReplyQueued, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Target {
            survey_id: i64,
            response_id: i64,
            contact_id: Option<i64>,
            suppressed: Option<bool>,
        }
        let mut tx = self.db.begin().await?;
        let target: Option<Target> = query(
            "SELECT c.survey_id, c.response_id, r.contact_id, \
             ct.suppressed IS NOT NULL AS suppressed FROM cases c \
             JOIN responses r ON r.id = c.response_id \
             LEFT JOIN contacts ct ON ct.id = r.contact_id WHERE c.id = $1",
        )
        .bind(reply.case_id)
        .fetch_optional(&mut tx)
        .await?;
        let Some(target) = target else {
            return Err(StoreError::Backend(format!(
                "case {} is gone",
                reply.case_id
            )));
        };
        let contact = match (target.contact_id, target.suppressed) {
            (Some(contact), Some(false)) => contact,
            (Some(_), Some(true)) => return Ok(ReplyQueued::Suppressed),
            _ => return Ok(ReplyQueued::NoContact),
        };
        let now = millis(reply.at);
        let outbox: i64 = query(
            "INSERT INTO outbox (kind, survey_id, contact_id, user_id, response_id, status, \
             next_attempt_at, created_at) VALUES ('case_reply', $1, $2, $3, $4, 'queued', $5, $5) \
             RETURNING id",
        )
        .bind(target.survey_id)
        .bind(contact)
        .bind(reply.user_id)
        .bind(target.response_id)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        query(
            "INSERT INTO case_events (case_id, user_id, at, kind, subject, body, outbox_id) \
             VALUES ($1, $2, $3, 'reply', $4, $5, $6)",
        )
        .bind(reply.case_id)
        .bind(reply.user_id)
        .bind(reply.at)
        .bind(reply.subject.as_str())
        .bind(reply.body.as_str())
        .bind(outbox)
        .execute(&mut tx)
        .await?;
        query(
            "UPDATE cases SET state = CASE WHEN state = 'open' THEN 'contacted' ELSE state END, \
             first_contact_at = COALESCE(first_contact_at, $2), updated_at = $2 WHERE id = $1",
        )
        .bind(reply.case_id)
        .bind(reply.at)
        .execute(&mut tx)
        .await?;
        case_event(
            &mut tx,
            Event::CaseChanged,
            reply.case_id,
            target.survey_id,
            reply.at,
        )
        .await?;
        tx.commit().await?;
        Ok(ReplyQueued::Queued)
    }

    async fn case_message(&self, outbox_id: i64) -> Result<Option<CaseMessage>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            subject: Option<String>,
            body: String,
            locale: String,
            email: Option<String>,
            name: Option<String>,
        }
        let row: Option<Row> = query(
            "SELECT e.subject, e.body, r.locale, u.email, u.name FROM case_events e \
             JOIN cases c ON c.id = e.case_id JOIN responses r ON r.id = c.response_id \
             LEFT JOIN users u ON u.id = e.user_id WHERE e.outbox_id = $1",
        )
        .bind(outbox_id)
        .fetch_optional(&self.db)
        .await?;
        Ok(row.map(|r| CaseMessage {
            subject: r.subject.unwrap_or_default(),
            body: r.body,
            locale: Locale::parse(&r.locale).unwrap_or(Locale::En),
            from_email: r.email,
            from_name: r.name,
        }))
    }

    async fn case_timings(
        &self,
        survey_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        team: Option<&str>,
    ) -> Result<Vec<(CaseTiming, BTreeMap<String, String>)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            state: String,
            opened_at: DateTime<Utc>,
            due_at: DateTime<Utc>,
            first_contact_at: Option<DateTime<Utc>>,
            done_at: Option<DateTime<Utc>>,
            groups: String,
        }
        let rows: Vec<Row> = query(
            "SELECT c.state, c.opened_at, c.due_at, c.first_contact_at, c.done_at, r.groups \
             FROM cases c JOIN responses r ON r.id = c.response_id WHERE c.survey_id = $1 \
             AND c.opened_at >= $2 AND c.opened_at < $3",
        )
        .bind(survey_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await?;
        rows.into_iter()
            .map(|r| {
                let groups: BTreeMap<String, String> = from_json("groups", &r.groups)?;
                let timing = CaseTiming {
                    state: state(&r.state)?,
                    opened_at: r.opened_at.timestamp(),
                    due_at: r.due_at.timestamp(),
                    first_contact_at: r.first_contact_at.map(|t| t.timestamp()),
                    done_at: r.done_at.map(|t| t.timestamp()),
                    team: team.and_then(|t| groups.get(t).cloned()),
                };
                Ok((timing, groups))
            })
            .collect()
    }
}
