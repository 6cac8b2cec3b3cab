//! The responses inbox (`app::ports::Inbox`): a page of identified responses under the
//! dashboard's filters and the inbox's own, then their answers in one more query.

use super::db::{query, Query};
use super::dialect::Dialect;
use super::responses::{like_pattern, push_any_of, push_view};
use super::rows::{corrupt, from_json, ResponseAnswerRow};
use super::Storage;
use app::domain::cases::CaseState;
use app::ports::{CaseFilter, InboxQuery, InboxRow, InboxSurvey, StoreError, StoredAnswer};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    survey_id: i64,
    day: NaiveDate,
    submitted_at: Option<DateTime<Utc>>,
    completed: bool,
    groups: String,
    email: Option<String>,
    name: Option<String>,
    case_id: Option<i64>,
    case_state: Option<String>,
}

/// `a.follow_up` or, for the survey's free-text questions, `a.value`, tested by `test`
/// (`<> ''`, or `LIKE $n ESCAPE '\'`).
fn push_comment(sql: &mut Query, text_keys: &[String], test: &dyn Fn(&mut Query, &str)) {
    sql.push("EXISTS (SELECT 1 FROM answers a WHERE a.response_id = r.id AND (");
    test(sql, "a.follow_up");
    if !text_keys.is_empty() {
        sql.push(" OR (a.question_key IN ")
            .push_tuple(text_keys.iter().map(String::as_str))
            .push(" AND ");
        test(sql, "a.value");
        sql.push(")");
    }
    sql.push("))");
}

/// One survey's part of the inbox: its id, the manager's scope, the category, whether
/// it has a comment, and the search.
fn push_survey(sql: &mut Query, dialect: &Dialect, s: &InboxSurvey, q: &InboxQuery) {
    sql.push(" OR (r.survey_id = ").push_bind(s.id);
    if let Some(scope) = &s.within {
        push_any_of(sql, dialect, scope);
    }
    if let Some((key, low, high)) = &s.headline {
        sql.push(
            " AND EXISTS (SELECT 1 FROM answers h WHERE h.response_id = r.id AND h.question_key = ",
        )
        .push_bind(key.as_str())
        .push(" AND h.score >= ")
        .push_bind(i32::from(*low))
        .push(" AND h.score <= ")
        .push_bind(i32::from(*high))
        .push(")");
    }
    if let Some(commented) = q.commented {
        sql.push(if commented { " AND " } else { " AND NOT " });
        push_comment(sql, &s.text_keys, &|sql, column| {
            sql.push("COALESCE(").push(column).push(", '') <> ''");
        });
    }
    if !q.search.is_empty() {
        let pattern = like_pattern(&q.search);
        let like = |sql: &mut Query, column: &str| {
            sql.push(column)
                .push(" ")
                .push(dialect.like_any_case)
                .push(" ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\'");
        };
        sql.push(" AND (");
        like(sql, "ct.email");
        sql.push(" OR ");
        like(sql, "ct.name");
        sql.push(" OR ");
        push_comment(sql, &s.text_keys, &like);
        sql.push(")");
    }
    sql.push(")");
}

#[async_trait::async_trait]
impl app::ports::Inbox for Storage {
    async fn inbox(&self, q: &InboxQuery) -> Result<Vec<InboxRow>, StoreError> {
        let dialect = self.db.dialect();
        // Anonymous surveys are left out here too, whatever the caller named.
        let mut sql = query(
            "SELECT r.id, r.survey_id, r.day, r.submitted_at, r.completed, r.groups, \
             ct.email, ct.name, c.id AS case_id, c.state AS case_state FROM responses r \
             JOIN surveys s ON s.id = r.survey_id AND s.anonymous = FALSE \
             LEFT JOIN contacts ct ON ct.id = r.contact_id \
             LEFT JOIN cases c ON c.response_id = r.id WHERE TRUE",
        );
        push_view(&mut sql, dialect, (q.from, q.to), q.send, &q.conditions)?;
        sql.push(" AND (FALSE");
        for survey in &q.surveys {
            push_survey(&mut sql, dialect, survey, q);
        }
        sql.push(")");
        match &q.case {
            None => {}
            Some(CaseFilter::Without) => {
                sql.push(" AND c.id IS NULL");
            }
            Some(CaseFilter::In(states)) => {
                sql.push(" AND c.state IN ")
                    .push_tuple(states.iter().map(|s| s.as_str()).chain([""]));
            }
        }
        // Identified responses' ids grow as they arrive: newest first within a day.
        sql.push(" ORDER BY r.day DESC, r.id DESC LIMIT ")
            .push_bind(i64::try_from(q.limit).unwrap_or(i64::MAX))
            .push(" OFFSET ")
            .push_bind(i64::try_from(q.offset).unwrap_or(i64::MAX));
        let rows: Vec<Row> = sql.fetch_all(&self.db).await?;
        let mut answers: BTreeMap<i64, Vec<StoredAnswer>> = BTreeMap::new();
        if !rows.is_empty() {
            let mut read = query(
                "SELECT response_id, question_key, value, follow_up FROM answers \
                 WHERE response_id IN ",
            );
            read.push_tuple(rows.iter().map(|r| r.id));
            for row in read.fetch_all::<ResponseAnswerRow>(&self.db).await? {
                answers
                    .entry(row.response_id)
                    .or_default()
                    .push(StoredAnswer::try_from(row.answer)?);
            }
        }
        rows.into_iter()
            .map(|r| {
                let case = match (r.case_id, r.case_state) {
                    (Some(id), Some(state)) => Some((
                        id,
                        CaseState::parse(&state).ok_or_else(|| corrupt("case state", &state))?,
                    )),
                    _ => None,
                };
                Ok(InboxRow {
                    answers: answers.remove(&r.id).unwrap_or_default(),
                    id: r.id,
                    survey_id: r.survey_id,
                    day: r.day,
                    submitted_at: r.submitted_at,
                    completed: r.completed,
                    groups: from_json("groups", &r.groups)?,
                    email: r.email,
                    name: r.name,
                    case,
                })
            })
            .collect()
    }
}
