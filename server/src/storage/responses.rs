//! Responses (`app::ports::Responses`): personal links, responses and their answers,
//! and the day buckets (survey × question × day × score) kept current in the answer's
//! transaction, which the reports read instead of the answers.

use super::db::{query, rows_per_statement, Arg, Db, Query, Tx};
use super::dialect::Dialect;
use super::rows::{from_json, to_json, AnswerRow, InvitationRow, ResponseRow};
use super::sends::insert_message;
use super::webhooks::{self, About};
use super::Storage;
use app::domain::filter::{answer_segments, condition, conditions_of, COUNTED_CONDITIONS, SEND};
use app::domain::survey::AnswerValue;
use app::domain::webhooks::Event;
use app::domain::weighting::{WeightSums, Weighting};
use app::ports::{
    AnswerBatch, CommentQuery, CommentRow, ExportCursor, ExportQuery, ExportedResponse, Invitation,
    NewInvitation, Recorded, ResponseRecord, StoreError, StoredAnswer, StoredResponse, RESPONSES,
};
use chrono::{NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

#[derive(sqlx::FromRow)]
struct ExportRecord {
    id: i64,
    response_key: String,
    day: NaiveDate,
    submitted_at: Option<chrono::DateTime<Utc>>,
    locale: String,
    completed: bool,
    groups: String,
    email: Option<String>,
    name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CommentRecord {
    id: i64,
    day: NaiveDate,
    submitted_at: Option<chrono::DateTime<Utc>>,
    question_key: String,
    value: String,
    follow_up: Option<String>,
    score: Option<i32>,
}

/// How many rows each survey's response count is spread over.
const COUNT_SHARDS: i64 = 8;

/// A weight bucket's key (question, segment, day, score) and what it adds (answers, Σw,
/// Σw²).
type WeightKey = (String, String, NaiveDate, i32);
type WeightSum = (i64, f64, f64);

/// A day bucket's key: (survey, question, segment), day, score.
type BucketKey = ((i64, String, String), NaiveDate, i32);

/// Adds to the day buckets, in key order and in statements of some hundred rows.
async fn add_buckets(tx: &mut Tx, rows: BTreeMap<BucketKey, i64>) -> Result<(), StoreError> {
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(rows_per_statement(6)) {
        let mut buckets =
            query("INSERT INTO answer_buckets (survey_id, question_key, segment, day, score, n) ");
        buckets.push_values(chunk, |(((survey, key, segment), day, score), n)| {
            vec![
                (*survey).into(),
                key.into(),
                segment.into(),
                (*day).into(),
                (*score).into(),
                (*n).into(),
            ]
        });
        buckets.push(
            " ON CONFLICT (survey_id, question_key, segment, day, score) \
             DO UPDATE SET n = answer_buckets.n + excluded.n",
        );
        buckets.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Records new responses many at a time: each table written by a few statements for
/// the whole lot, with the counts summed first. New, uncapped responses without messages
/// only (a bulk load); a key already recorded is a conflict and nothing is written.
async fn record_new(tx: &mut Tx, batches: &[AnswerBatch]) -> Result<(), StoreError> {
    if let Some(b) = batches
        .iter()
        .find(|b| b.capped || !b.on_completion.is_empty() || !b.cleared.is_empty())
    {
        return Err(StoreError::Backend(format!(
            "response {} is not for a bulk load: it is capped, clears answers or sends mail",
            b.response_key
        )));
    }
    let mut ids = BTreeMap::<String, i64>::new();
    // Responses with an id of their own (anonymous ones) and those without are written
    // by separate statements: a statement names the id column for all its rows or none.
    let runs = batches.chunk_by(|a, b| a.id.is_some() == b.id.is_some());
    for chunk in runs.flat_map(|run| run.chunks(rows_per_statement(13))) {
        let chosen = chunk[0].id.is_some();
        let rows = chunk
            .iter()
            .map(|b| Ok((b, to_json(&b.groups)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut insert = query(match chosen {
            true => format!(
                "INSERT INTO responses (id, survey_id, version, response_key, contact_id, \
                 groups, locale, day, submitted_at, updated_at, completed, send_id, weight) {} ",
                tx.dialect().chosen_id
            ),
            false => "INSERT INTO responses (survey_id, version, response_key, contact_id, \
                      groups, locale, day, submitted_at, updated_at, completed, send_id, weight) "
                .to_owned(),
        });
        insert.push_values(rows, |(b, groups)| {
            let id = b.id.filter(|_| chosen).map(Arg::from);
            id.into_iter()
                .chain([
                    b.survey_id.into(),
                    b.version.into(),
                    (&b.response_key).into(),
                    b.contact_id.into(),
                    groups.into(),
                    b.locale.as_str().into(),
                    b.day.into(),
                    b.at.into(),
                    b.at.into(),
                    b.completed.into(),
                    b.send_id.into(),
                    b.weight.into(),
                ])
                .collect()
        });
        insert.push(" RETURNING id, response_key");
        for (id, key) in insert.fetch_all::<(i64, String)>(&mut *tx).await? {
            ids.insert(key, id);
        }
    }
    let id_of = |b: &AnswerBatch| {
        ids.get(b.response_key.as_str())
            .copied()
            .ok_or_else(|| StoreError::Backend("a bulk response lost its id".into()))
    };
    let mut answers = Vec::new();
    let mut counts = BTreeMap::<(i64, i32), i64>::new();
    let mut sizes = BTreeMap::<(i64, &str), i64>::new();
    let mut buckets = BTreeMap::<BucketKey, i64>::new();
    let mut weights = BTreeMap::<i64, BTreeMap<WeightKey, WeightSum>>::new();
    for b in batches {
        let id = id_of(b)?;
        *counts
            .entry((
                b.survey_id,
                i32::try_from(id.rem_euclid(COUNT_SHARDS)).unwrap_or(0),
            ))
            .or_default() += 1;
        for segment in b.segments.iter().filter(|s| condition(s).is_some()) {
            *sizes.entry((b.survey_id, segment)).or_default() += 1;
        }
        let scores = b
            .answers
            .iter()
            .filter_map(|a| Some((a.question_key.as_str(), i32::from(a.score()?))));
        for segment in std::iter::once("").chain(b.segments.iter().map(String::as_str)) {
            let key = |question: &str| (b.survey_id, question.to_owned(), segment.to_owned());
            *buckets.entry((key(RESPONSES), b.day, 0)).or_default() += 1;
            for (question, score) in scores.clone() {
                *buckets.entry((key(question), b.day, score)).or_default() += 1;
                if let Some(w) = b.weight {
                    let sum = weights
                        .entry(b.survey_id)
                        .or_default()
                        .entry((question.to_owned(), segment.to_owned(), b.day, score))
                        .or_default();
                    *sum = (sum.0 + 1, sum.1 + w, sum.2 + w * w);
                }
            }
        }
        for answer in &b.answers {
            answers.push((id, answer, to_json(&answer.value)?));
        }
    }
    for chunk in answers.chunks(rows_per_statement(5)) {
        let mut insert =
            query("INSERT INTO answers (response_id, question_key, score, value, follow_up) ");
        insert.push_values(chunk, |(id, answer, value)| {
            vec![
                (*id).into(),
                (&answer.question_key).into(),
                answer.score().map(i32::from).into(),
                value.into(),
                (&answer.follow_up).into(),
            ]
        });
        insert.execute(&mut *tx).await?;
    }
    let mut insert = query("INSERT INTO response_counts (survey_id, shard, n) ");
    insert.push_values(counts, |((survey, shard), n)| {
        vec![survey.into(), shard.into(), n.into()]
    });
    insert.push(" ON CONFLICT (survey_id, shard) DO UPDATE SET n = response_counts.n + excluded.n");
    insert.execute(&mut *tx).await?;
    let sizes: Vec<_> = sizes.into_iter().collect();
    for chunk in sizes.chunks(rows_per_statement(3)) {
        let mut insert = query("INSERT INTO segment_sizes (survey_id, segment, n) ");
        insert.push_values(chunk, |((survey, segment), n)| {
            vec![(*survey).into(), (*segment).into(), (*n).into()]
        });
        insert.push(
            " ON CONFLICT (survey_id, segment) DO UPDATE SET n = segment_sizes.n + excluded.n",
        );
        insert.execute(&mut *tx).await?;
    }
    add_buckets(tx, buckets).await?;
    for (survey, rows) in weights {
        add_weights(tx, survey, rows).await?;
    }
    // The invitations answered, completed or not.
    for completed in [true, false] {
        let invited: Vec<i64> = batches
            .iter()
            .filter(|b| b.completed == completed)
            .filter_map(|b| b.invitation_id)
            .collect();
        for chunk in invited.chunks(rows_per_statement(1)) {
            let mut update = query(if completed {
                "UPDATE invitations SET answered = TRUE, completed = TRUE WHERE id IN "
            } else {
                "UPDATE invitations SET answered = TRUE WHERE id IN "
            });
            update.push_tuple(chunk.iter().copied());
            update.execute(&mut *tx).await?;
        }
    }
    Ok(())
}

/// Adds to the weight buckets, in key order (as the day buckets, so two transactions
/// lock rows in the same order) and in statements of some hundred rows.
async fn add_weights(
    tx: &mut Tx,
    survey_id: i64,
    rows: BTreeMap<WeightKey, WeightSum>,
) -> Result<(), StoreError> {
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(rows_per_statement(8)) {
        let mut insert = query(
            "INSERT INTO answer_weights (survey_id, question_key, segment, day, score, n, \
             weight, weight_sq) ",
        );
        insert.push_values(chunk, |((key, segment, day, score), (n, w, w2))| {
            vec![
                survey_id.into(),
                key.into(),
                segment.into(),
                (*day).into(),
                (*score).into(),
                (*n).into(),
                (*w).into(),
                (*w2).into(),
            ]
        });
        insert.push(
            " ON CONFLICT (survey_id, question_key, segment, day, score) DO UPDATE SET \
             n = answer_weights.n + excluded.n, weight = answer_weights.weight + excluded.weight, \
             weight_sq = answer_weights.weight_sq + excluded.weight_sq",
        );
        insert.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Weighs a survey's answers again under `weighting` (none: no weights): each response
/// by its contact's attribute as it is now, counted in the segments it was counted in.
/// Anonymous responses keep no contact, so they are never weighed.
pub(super) async fn reweigh(
    tx: &mut Tx,
    survey_id: i64,
    weighting: Option<&Weighting>,
) -> Result<(), StoreError> {
    query("DELETE FROM answer_weights WHERE survey_id = $1")
        .bind(survey_id)
        .execute(&mut *tx)
        .await?;
    query("UPDATE responses SET weight = NULL WHERE survey_id = $1 AND weight IS NOT NULL")
        .bind(survey_id)
        .execute(&mut *tx)
        .await?;
    let Some(weighting) = weighting else {
        return Ok(());
    };
    let responses: Vec<(i64, String, Option<i64>, NaiveDate, String)> = query(
        "SELECT r.id, r.groups, r.send_id, r.day, c.attributes FROM responses r \
         JOIN contacts c ON c.id = r.contact_id WHERE r.survey_id = $1",
    )
    .bind(survey_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut weighed = BTreeMap::<i64, (f64, NaiveDate, Vec<String>)>::new();
    for (id, groups, send_id, day, attributes) in responses {
        let attributes: BTreeMap<String, String> = from_json("attributes", &attributes)?;
        let Some(w) = weighting.weight_of(&attributes) else {
            continue;
        };
        let groups: BTreeMap<String, String> = from_json("groups", &groups)?;
        let mut segments = answer_segments(&groups, send_id, false);
        segments.push(String::new());
        query("UPDATE responses SET weight = $2 WHERE id = $1")
            .bind(id)
            .bind(w)
            .execute(&mut *tx)
            .await?;
        weighed.insert(id, (w, day, segments));
    }
    let answers: Vec<(i64, String, i32)> = query(
        "SELECT a.response_id, a.question_key, a.score FROM answers a \
         JOIN responses r ON r.id = a.response_id \
         WHERE r.survey_id = $1 AND r.weight IS NOT NULL AND a.score IS NOT NULL",
    )
    .bind(survey_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut rows = BTreeMap::<WeightKey, WeightSum>::new();
    for (id, key, score) in answers {
        let Some((w, day, segments)) = weighed.get(&id) else {
            continue;
        };
        for segment in segments {
            let sum = rows
                .entry((key.clone(), segment.clone(), *day, score))
                .or_default();
            *sum = (sum.0 + 1, sum.1 + w, sum.2 + w * w);
        }
    }
    add_weights(tx, survey_id, rows).await
}

/// Narrows a statement over responses `r` to a view's conditions: the send by its
/// column, an attribute by its value among the response's groups.
fn push_conditions(
    sql: &mut Query,
    dialect: &Dialect,
    conditions: &[(&str, &str)],
) -> Result<(), StoreError> {
    let (open, prefix) = dialect.group_value;
    let mut groups = serde_json::Map::new();
    for &(key, value) in conditions {
        if key == SEND {
            let send: i64 = value
                .parse()
                .map_err(|_| StoreError::Backend(format!("send {value:?} is not a number")))?;
            sql.push(" AND r.send_id = ").push_bind(send);
        } else if dialect.groups_contain.is_some() {
            groups.insert(key.to_owned(), serde_json::Value::from(value));
        } else {
            sql.push(" AND ")
                .push(open)
                .push_bind(format!("{prefix}{key}"))
                .push(") = ")
                .push_bind(value);
        }
    }
    if let (Some((open, close)), false) = (dialect.groups_contain, groups.is_empty()) {
        sql.push(" AND ")
            .push(open)
            .push_bind(serde_json::Value::Object(groups).to_string())
            .push(close);
    }
    Ok(())
}

/// The responses (`r`) of a view: its days, its send and its attributes' values.
/// `%text%` for `LIKE … ESCAPE '\'`: the text's own `%`, `_` and `\` match themselves.
pub(super) fn like_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// ` AND (…)`: the response's grouping attributes hold one of `conditions` (a manager's
/// scope).
pub(super) fn push_any_of(sql: &mut Query, dialect: &Dialect, conditions: &[(String, String)]) {
    let (open, prefix) = dialect.group_value;
    sql.push(" AND (FALSE");
    for (attribute, value) in conditions {
        sql.push(" OR ")
            .push(open)
            .push_bind(format!("{prefix}{attribute}"))
            .push(") = ")
            .push_bind(value.as_str());
    }
    sql.push(")");
}

pub(super) fn push_view(
    sql: &mut Query,
    dialect: &Dialect,
    (from, to): (NaiveDate, NaiveDate),
    send: Option<i64>,
    conditions: &[(String, String)],
) -> Result<(), StoreError> {
    sql.push(" AND r.day >= ")
        .push_bind(from)
        .push(" AND r.day <= ")
        .push_bind(to);
    if let Some(send) = send {
        sql.push(" AND r.send_id = ").push_bind(send);
    }
    let conditions: Vec<(&str, &str)> = conditions
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    push_conditions(sql, dialect, &conditions)
}

/// The answers of a view more narrowly filtered than answers are counted
/// ([`COUNTED_CONDITIONS`]), read from the answers themselves over `from..=to`: per day
/// and score, and for [`RESPONSES`] the responses at score 0. Costs the survey's answers
/// in the range, not the buckets.
async fn scanned_histograms(
    db: &Db,
    survey_id: i64,
    question_key: &str,
    conditions: &[(&str, &str)],
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(NaiveDate, i32, i64)>, StoreError> {
    let mut sql = if question_key == RESPONSES {
        query("SELECT r.day, 0, COUNT(*) FROM responses r WHERE r.survey_id = ")
    } else {
        let mut sql = query(
            "SELECT r.day, a.score, COUNT(*) FROM responses r \
             JOIN answers a ON a.response_id = r.id WHERE a.score IS NOT NULL \
             AND a.question_key = ",
        );
        sql.push_bind(question_key).push(" AND r.survey_id = ");
        sql
    };
    sql.push_bind(survey_id)
        .push(" AND r.day >= ")
        .push_bind(from)
        .push(" AND r.day <= ")
        .push_bind(to);
    push_conditions(&mut sql, db.dialect(), conditions)?;
    sql.push(if question_key == RESPONSES {
        " GROUP BY r.day ORDER BY r.day"
    } else {
        " GROUP BY r.day, a.score ORDER BY r.day, a.score"
    });
    sql.fetch_all(db).await
}

/// A response's answers.
async fn answers_of(db: &Db, response_id: i64) -> Result<Vec<StoredAnswer>, StoreError> {
    query("SELECT question_key, value, follow_up FROM answers WHERE response_id = $1")
        .bind(response_id)
        .fetch_all::<AnswerRow>(db)
        .await?
        .into_iter()
        .map(StoredAnswer::try_from)
        .collect()
}

/// Records one page of answers in `tx`. `Full` leaves changes in `tx` that the caller
/// must roll back.
async fn record(tx: &mut Tx, batch: AnswerBatch) -> Result<Recorded, StoreError> {
    // Without an id of its own, the database's next one (COALESCE).
    let inserted: Option<(i64, NaiveDate)> = query(format!(
        "INSERT INTO responses (id, survey_id, version, response_key, contact_id, groups, locale, day, submitted_at, updated_at, completed, send_id, weight) \
         {} VALUES (COALESCE($12, {}), $1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11) \
         ON CONFLICT (response_key) DO NOTHING RETURNING id, day",
        tx.dialect().chosen_id,
        tx.dialect().next_response_id,
    ))
    .bind(batch.survey_id)
    .bind(batch.version)
    .bind(&batch.response_key)
    .bind(batch.contact_id)
    .bind(to_json(&batch.groups)?)
    .bind(batch.locale.as_str())
    .bind(batch.day)
    .bind(batch.at)
    .bind(batch.completed)
    .bind(batch.send_id)
    .bind(batch.weight)
    .bind(batch.id)
    .fetch_optional(&mut *tx)
    .await?;
    // Whether a completed response is being changed (its `response.changed` event).
    let mut was_completed = false;
    let (response_id, day, weight, recorded) = match inserted {
        Some((id, day)) => {
            if batch.capped {
                // The cap is checked and counted in one statement, so
                // concurrent first answers cannot overshoot it.
                let counted = query(
                    "UPDATE surveys SET response_count = response_count + 1 \
                     WHERE id = $1 AND (response_cap IS NULL OR response_count < response_cap)",
                )
                .bind(batch.survey_id)
                .execute(&mut *tx)
                .await?;
                if counted == 0 {
                    return Ok(Recorded::Full);
                }
            }
            // Spread over a few rows, so concurrent answers do not wait for
            // each other's lock (see migration 0004).
            query(
                "INSERT INTO response_counts (survey_id, shard, n) VALUES ($1, $2, 1) \
                 ON CONFLICT (survey_id, shard) DO UPDATE SET n = response_counts.n + 1",
            )
            .bind(batch.survey_id)
            .bind(i32::try_from(id.rem_euclid(COUNT_SHARDS)).unwrap_or(0))
            .execute(&mut *tx)
            .await?;
            (id, day, batch.weight, Recorded::New)
        }
        None => {
            // A later page keeps the weight the first one was counted with.
            let updated: Option<(i64, NaiveDate, Option<f64>, bool)> = query(
                "UPDATE responses SET version = $3, updated_at = $4 \
                 WHERE response_key = $1 AND survey_id = $2 \
                 RETURNING id, day, weight, completed",
            )
            .bind(&batch.response_key)
            .bind(batch.survey_id)
            .bind(batch.version)
            .bind(batch.at)
            .fetch_optional(&mut *tx)
            .await?;
            // The key exists, but on another survey: a respondent's stale or copied
            // link, not a failure of ours.
            let (id, day, weight, completed) = updated.ok_or_else(|| {
                StoreError::Conflict("This answer key belongs to another survey.".into())
            })?;
            was_completed = completed;
            (id, day, weight, Recorded::Updated)
        }
    };
    // Completed once: by the new row, or by this change to a partial one.
    let first_completion = match recorded {
        _ if !batch.completed => false,
        Recorded::New => true,
        _ => {
            query("UPDATE responses SET completed = TRUE WHERE id = $1 AND NOT completed")
                .bind(response_id)
                .execute(&mut *tx)
                .await?
                == 1
        }
    };
    if first_completion {
        let now = Utc::now();
        for message in &batch.on_completion {
            insert_message(&mut *tx, message, response_id, now).await?;
        }
        if let Some(case) = &batch.open_case {
            super::cases::insert_case(&mut *tx, batch.survey_id, response_id, case).await?;
        }
    }
    response_events(
        &mut *tx,
        &batch,
        response_id,
        first_completion,
        was_completed,
    )
    .await?;
    // Each bucket's net change: what earlier answers to these questions added comes
    // off (a new response has nothing to replace), the new scores go on.
    let mut deltas = BTreeMap::<(&str, i32), i64>::new();
    let replaced: Vec<&str> = batch
        .answers
        .iter()
        .map(|a| a.question_key.as_str())
        .chain(batch.cleared.iter().map(String::as_str))
        .filter(|_| recorded == Recorded::Updated)
        .collect();
    let old: Vec<(String, Option<i32>)> = if replaced.is_empty() {
        Vec::new()
    } else {
        let mut delete = query("DELETE FROM answers WHERE response_id = ");
        delete
            .push_bind(response_id)
            .push(" AND question_key IN ")
            .push_tuple(replaced.iter().copied())
            .push(" RETURNING question_key, score");
        delete.fetch_all(&mut *tx).await?
    };
    for (key, score) in &old {
        if let Some(score) = score {
            *deltas.entry((key.as_str(), *score)).or_default() -= 1;
        }
    }
    for answer in &batch.answers {
        if let Some(score) = answer.score() {
            *deltas
                .entry((answer.question_key.as_str(), i32::from(score)))
                .or_default() += 1;
        }
    }
    deltas.retain(|_, n| *n != 0);
    // One statement for all answers of the page and one for their day buckets,
    // however many questions it has (a question appears once per batch).
    if !batch.answers.is_empty() {
        let values = batch
            .answers
            .iter()
            .map(|a| Ok((a, to_json(&a.value)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut insert =
            query("INSERT INTO answers (response_id, question_key, score, value, follow_up) ");
        insert.push_values(values, |(answer, value)| {
            vec![
                response_id.into(),
                (&answer.question_key).into(),
                answer.score().map(i32::from).into(),
                value.into(),
                (&answer.follow_up).into(),
            ]
        });
        insert.execute(&mut *tx).await?;
    }
    if let Some(w) = weight {
        let everyone = std::iter::once("").chain(batch.segments.iter().map(String::as_str));
        let rows: BTreeMap<WeightKey, WeightSum> = deltas
            .iter()
            .flat_map(|(&(key, score), &n)| {
                everyone.clone().map(move |segment| {
                    let sum = (n, n as f64 * w, n as f64 * w * w);
                    ((key.to_owned(), segment.to_owned(), day, score), sum)
                })
            })
            .collect();
        add_weights(tx, batch.survey_id, rows).await?;
    }
    // A new response is counted once in each of its segments.
    if recorded == Recorded::New {
        deltas.insert((RESPONSES, 0), 1);
        let sizes: Vec<&String> = batch
            .segments
            .iter()
            .filter(|s| condition(s).is_some())
            .collect();
        if !sizes.is_empty() {
            let mut insert = query("INSERT INTO segment_sizes (survey_id, segment, n) ");
            insert.push_values(sizes, |segment| {
                vec![batch.survey_id.into(), segment.into(), 1_i64.into()]
            });
            insert.push(" ON CONFLICT (survey_id, segment) DO UPDATE SET n = segment_sizes.n + 1");
            insert.execute(&mut *tx).await?;
        }
    }
    // The buckets change in one statement, in key order: two respondents changing
    // answers in opposite directions on the same day then lock the same rows in the
    // same order, so PostgreSQL never finds them waiting for each other.
    if !deltas.is_empty() {
        let rows: BTreeMap<BucketKey, i64> = deltas
            .iter()
            .flat_map(|(&(key, score), &n)| {
                // Everyone's segment, then the response's own.
                std::iter::once("")
                    .chain(batch.segments.iter().map(String::as_str))
                    .map(move |segment| {
                        let key = (batch.survey_id, key.to_owned(), segment.to_owned());
                        ((key, day, score), n)
                    })
            })
            .collect();
        add_buckets(tx, rows).await?;
    }
    if let Some(invitation_id) = batch.invitation_id {
        query(
            "UPDATE invitations SET answered = TRUE, completed = (completed OR $2) WHERE id = $1",
        )
        .bind(invitation_id)
        .bind(first_completion)
        .execute(&mut *tx)
        .await?;
    }
    Ok(recorded)
}

/// The webhook events of an answer: `response.completed` at its first completion, and
/// `response.changed` when a completed response changes. An anonymous response (it has
/// no time) makes only the first, held, with the day and the answers the use case kept
/// for it, and no reference to the response.
async fn response_events(
    tx: &mut Tx,
    batch: &AnswerBatch,
    response_id: i64,
    first_completion: bool,
    was_completed: bool,
) -> Result<(), StoreError> {
    let about = About {
        survey_id: Some(batch.survey_id),
        response_id: Some(response_id),
        ..About::default()
    };
    match (batch.at, &batch.webhook_payload) {
        (None, Some(payload)) if first_completion => {
            let anonymous = About {
                survey_id: Some(batch.survey_id),
                ..About::default()
            };
            let midnight = batch.day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
            let Some(day) = midnight else { return Ok(()) };
            webhooks::queue(tx, Event::ResponseCompleted, anonymous, payload, day, true).await
        }
        (None, _) => Ok(()),
        (Some(at), _) if first_completion => {
            webhooks::queue(tx, Event::ResponseCompleted, about, "{}", at, false).await
        }
        (Some(at), _) if was_completed => {
            webhooks::queue(tx, Event::ResponseChanged, about, "{}", at, false).await
        }
        _ => Ok(()),
    }
}

#[async_trait::async_trait]
impl app::ports::Responses for Storage {
    async fn create_invitation(&self, invitation: NewInvitation) -> Result<i64, StoreError> {
        query(
            "INSERT INTO invitations (survey_id, token_hash, contact_id, locale, attributes, \
             created_at, send_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(invitation.survey_id)
        .bind(&invitation.token_hash)
        .bind(invitation.contact_id)
        .bind(invitation.locale.map(|l| l.as_str()))
        .bind(to_json(&invitation.attributes)?)
        .bind(Utc::now())
        .bind(invitation.send_id)
        .scalar(&self.db)
        .await
    }

    async fn invitation(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError> {
        query(
            "SELECT id, survey_id, contact_id, locale, attributes, answered, send_id \
             FROM invitations WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional::<InvitationRow>(&self.db)
        .await?
        .map(Invitation::try_from)
        .transpose()
    }

    async fn record_answers(&self, batch: AnswerBatch) -> Result<Recorded, StoreError> {
        let mut tx = self.db.begin().await?;
        let recorded = record(&mut tx, batch).await?;
        // A full survey's response is rolled back with the transaction.
        if recorded != Recorded::Full {
            tx.commit().await?;
        }
        Ok(recorded)
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        query(self.db.dialect().refresh_statistics)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    async fn record_answers_in_bulk(&self, batches: Vec<AnswerBatch>) -> Result<(), StoreError> {
        if batches.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        record_new(&mut tx, &batches).await?;
        tx.commit().await
    }

    async fn response(&self, response_key: &str) -> Result<Option<ResponseRecord>, StoreError> {
        let found: Option<(i64, bool)> =
            query("SELECT id, completed FROM responses WHERE response_key = $1")
                .bind(response_key)
                .fetch_optional(&self.db)
                .await?;
        let Some((id, completed)) = found else {
            return Ok(None);
        };
        let answers = answers_of(&self.db, id).await?;
        Ok(Some(ResponseRecord {
            id,
            answers,
            completed,
        }))
    }

    async fn response_by_id(&self, id: i64) -> Result<Option<StoredResponse>, StoreError> {
        let Some(row) = query(
            "SELECT id, survey_id, version, contact_id, groups, locale, day, submitted_at, \
             updated_at, completed FROM responses WHERE id = $1",
        )
        .bind(id)
        .fetch_optional::<ResponseRow>(&self.db)
        .await?
        else {
            return Ok(None);
        };
        let answers = answers_of(&self.db, id).await?;
        row.into_response(answers).map(Some)
    }

    async fn score_histograms(
        &self,
        survey_id: i64,
        question_keys: &[&str],
    ) -> Result<BTreeMap<String, [u64; 11]>, StoreError> {
        if question_keys.is_empty() {
            return Ok(BTreeMap::new());
        }
        // Each question's everyone segment is one range of the key: naming the questions
        // keeps the other segments' rows unread.
        let mut sql = query(
            "SELECT question_key, score, CAST(SUM(n) AS BIGINT) FROM answer_buckets \
             WHERE segment = '' AND survey_id = ",
        );
        sql.push_bind(survey_id)
            .push(" AND question_key IN ")
            .push_tuple(question_keys.iter().copied())
            .push(" GROUP BY question_key, score");
        let rows: Vec<(String, i32, i64)> = sql.fetch_all(&self.db).await?;
        let mut histograms = BTreeMap::<String, [u64; 11]>::new();
        for (key, score, n) in rows {
            let slot = usize::try_from(score)
                .ok()
                .and_then(|i| histograms.entry(key).or_default().get_mut(i))
                .ok_or_else(|| StoreError::Backend(format!("score {score} out of range")))?;
            *slot = u64::try_from(n).unwrap_or(0);
        }
        Ok(histograms)
    }

    async fn daily_histograms(
        &self,
        survey_id: i64,
        question_key: &str,
        segment: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, [u64; 11])>, StoreError> {
        let conditions = conditions_of(segment);
        let rows: Vec<(NaiveDate, i32, i64)> = if conditions.len() > COUNTED_CONDITIONS {
            let range = (from, to);
            scanned_histograms(&self.db, survey_id, question_key, &conditions, range).await?
        } else {
            // One range of the key: survey, question, segment, days.
            query(
                "SELECT day, score, n FROM answer_buckets \
                 WHERE survey_id = $1 AND question_key = $2 AND segment = $3 \
                 AND day >= $4 AND day <= $5 ORDER BY day, score",
            )
            .bind(survey_id)
            .bind(question_key)
            .bind(segment)
            .bind(from)
            .bind(to)
            .fetch_all(&self.db)
            .await?
        };
        let mut days: Vec<(NaiveDate, [u64; 11])> = Vec::new();
        for (day, score, n) in rows {
            if days.last().is_none_or(|(last, _)| *last != day) {
                days.push((day, [0; 11]));
            }
            let slot = usize::try_from(score)
                .ok()
                .and_then(|i| days.last_mut().and_then(|(_, h)| h.get_mut(i)))
                .ok_or_else(|| StoreError::Backend(format!("score {score} out of range")))?;
            *slot = u64::try_from(n).unwrap_or(0);
        }
        Ok(days)
    }

    async fn weight_sums(
        &self,
        survey_id: i64,
        question_key: &str,
        segment: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<WeightSums, StoreError> {
        let conditions = conditions_of(segment);
        let rows: Vec<(i32, i64, f64, f64)> = if conditions.len() > COUNTED_CONDITIONS {
            // Not counted so narrowly: from the answers and their responses' weights.
            let mut sql = query(
                "SELECT a.score, COUNT(*), SUM(r.weight), SUM(r.weight * r.weight) \
                 FROM responses r JOIN answers a ON a.response_id = r.id \
                 WHERE r.weight IS NOT NULL AND a.score IS NOT NULL AND r.survey_id = ",
            );
            sql.push_bind(survey_id)
                .push(" AND a.question_key = ")
                .push_bind(question_key)
                .push(" AND r.day >= ")
                .push_bind(from)
                .push(" AND r.day <= ")
                .push_bind(to);
            push_conditions(&mut sql, self.db.dialect(), &conditions)?;
            sql.push(" GROUP BY a.score");
            sql.fetch_all(&self.db).await?
        } else {
            query(
                "SELECT score, CAST(SUM(n) AS BIGINT), SUM(weight), SUM(weight_sq) \
                 FROM answer_weights WHERE survey_id = $1 AND question_key = $2 \
                 AND segment = $3 AND day >= $4 AND day <= $5 GROUP BY score",
            )
            .bind(survey_id)
            .bind(question_key)
            .bind(segment)
            .bind(from)
            .bind(to)
            .fetch_all(&self.db)
            .await?
        };
        let mut sums: WeightSums = [(0, 0.0, 0.0); 11];
        for (score, n, w, w2) in rows {
            let slot = usize::try_from(score)
                .ok()
                .and_then(|i| sums.get_mut(i))
                .ok_or_else(|| StoreError::Backend(format!("score {score} out of range")))?;
            *slot = (u64::try_from(n).unwrap_or(0), w, w2);
        }
        Ok(sums)
    }

    async fn first_answer_day(&self, survey_id: i64) -> Result<Option<NaiveDate>, StoreError> {
        let (day,): (Option<NaiveDate>,) = query(
            "SELECT MIN(day) FROM answer_buckets \
             WHERE survey_id = $1 AND question_key = $2 AND segment = ''",
        )
        .bind(survey_id)
        .bind(RESPONSES)
        .fetch_one(&self.db)
        .await?;
        Ok(day)
    }

    async fn wave_scores(
        &self,
        send_id: i64,
        question_key: &str,
    ) -> Result<Vec<(i64, u8)>, StoreError> {
        let rows: Vec<(i64, i32)> = query(
            "SELECT r.contact_id, a.score FROM responses r \
             JOIN answers a ON a.response_id = r.id AND a.question_key = $2 \
             WHERE r.send_id = $1 AND r.contact_id IS NOT NULL AND a.score IS NOT NULL \
             ORDER BY r.id",
        )
        .bind(send_id)
        .bind(question_key)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(who, score)| Some((who, u8::try_from(score).ok()?)))
            .collect())
    }

    async fn comments(
        &self,
        survey_id: i64,
        q: &CommentQuery,
    ) -> Result<Vec<CommentRow>, StoreError> {
        let dialect = self.db.dialect();
        let mut sql = query(
            "SELECT r.id, r.day, r.submitted_at, a.question_key, a.value, a.follow_up, h.score \
             FROM responses r JOIN answers a ON a.response_id = r.id \
             LEFT JOIN answers h ON h.response_id = r.id AND h.question_key = ",
        );
        sql.push_bind(&q.headline_key)
            .push(" WHERE r.survey_id = ")
            .push_bind(survey_id);
        push_view(&mut sql, dialect, (q.from, q.to), q.send, &q.conditions)?;
        sql.push(" AND (COALESCE(a.follow_up, '') <> ''");
        if !q.text_keys.is_empty() {
            sql.push(" OR a.question_key IN ")
                .push_tuple(q.text_keys.iter().map(String::as_str));
        }
        sql.push(")");
        if let Some((low, high)) = q.scores {
            sql.push(" AND h.score >= ")
                .push_bind(i32::from(low))
                .push(" AND h.score <= ")
                .push_bind(i32::from(high));
        }
        if !q.search.is_empty() {
            // The stored value is JSON; its text is searched as written there.
            let pattern = like_pattern(&q.search);
            sql.push(" AND (a.follow_up ")
                .push(dialect.like_any_case)
                .push(" ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR (a.question_key IN ")
                .push_tuple(q.text_keys.iter().map(String::as_str).chain([""]))
                .push(" AND a.value ")
                .push(dialect.like_any_case)
                .push(" ")
                .push_bind(pattern)
                .push(" ESCAPE '\\'))");
        }
        // Anonymous comments carry no time, and within a day follow the response's keyed
        // hash, which says nothing of when it came. Identified ones follow the id, which
        // grows as responses arrive: the index on (survey, day, id) then gives the newest
        // first, and a page reads its rows, not the range's.
        sql.push(if q.anonymous {
            " ORDER BY r.day DESC, r.response_key, a.question_key"
        } else {
            " ORDER BY r.day DESC, r.id DESC, a.question_key"
        });
        sql.push(" LIMIT ")
            .push_bind(i64::try_from(q.limit).unwrap_or(i64::MAX))
            .push(" OFFSET ")
            .push_bind(i64::try_from(q.offset).unwrap_or(i64::MAX));
        let rows: Vec<CommentRecord> = sql.fetch_all(&self.db).await?;
        rows.into_iter()
            .map(|r| {
                Ok(CommentRow {
                    response_id: r.id,
                    day: r.day,
                    submitted_at: r.submitted_at.filter(|_| !q.anonymous),
                    value: from_json("value", &r.value)?,
                    question_key: r.question_key,
                    follow_up: r.follow_up,
                    score: r.score.and_then(|s| u8::try_from(s).ok()),
                })
            })
            .collect()
    }

    async fn export_page(
        &self,
        survey_id: i64,
        q: &ExportQuery,
    ) -> Result<Vec<ExportedResponse>, StoreError> {
        let dialect = self.db.dialect();
        // An anonymous survey's responses have no contact: the join finds none.
        let mut sql = query(
            "SELECT r.id, r.response_key, r.day, r.submitted_at, r.locale, r.completed, \
             r.groups, c.email, c.name FROM responses r \
             LEFT JOIN contacts c ON c.id = r.contact_id WHERE r.survey_id = ",
        );
        sql.push_bind(survey_id);
        push_view(&mut sql, dialect, (q.from, q.to), q.send, &q.conditions)?;
        // Pages follow an index on (survey, day, id), or for an anonymous survey on
        // (survey, day, keyed hash), which says nothing of when each came; a page starts
        // in the index where the last one ended (a row value), so the file costs its
        // rows once, not once per page.
        let within = if q.anonymous {
            "r.response_key"
        } else {
            "r.id"
        };
        if let Some(after) = &q.after {
            sql.push(" AND r.day >= ")
                .push_bind(after.day)
                .push(" AND (r.day, ")
                .push(within)
                .push(") > (")
                .push_bind(after.day)
                .push(", ");
            if q.anonymous {
                sql.push_bind(after.key.clone());
            } else {
                sql.push_bind(after.id);
            }
            sql.push(")");
        }
        sql.push(" ORDER BY r.day, ")
            .push(within)
            .push(" LIMIT ")
            .push_bind(i64::try_from(q.limit).unwrap_or(i64::MAX));
        let rows: Vec<ExportRecord> = sql.fetch_all(&self.db).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut answers = query(
            "SELECT response_id, question_key, value, follow_up FROM answers \
             WHERE response_id IN ",
        );
        answers.push_tuple(rows.iter().map(|r| r.id));
        let answers: Vec<(i64, String, String, Option<String>)> =
            answers.fetch_all(&self.db).await?;
        let mut by_response: HashMap<i64, Vec<(String, AnswerValue, Option<String>)>> =
            HashMap::new();
        for (id, key, value, follow_up) in answers {
            by_response
                .entry(id)
                .or_default()
                .push((key, from_json("value", &value)?, follow_up));
        }
        rows.into_iter()
            .map(|r| {
                Ok(ExportedResponse {
                    answers: by_response.remove(&r.id).unwrap_or_default(),
                    groups: from_json("groups", &r.groups)?,
                    cursor: ExportCursor {
                        day: r.day,
                        id: r.id,
                        key: r.response_key,
                    },
                    submitted_at: r.submitted_at,
                    locale: r.locale,
                    completed: r.completed,
                    email: r.email,
                    name: r.name,
                })
            })
            .collect()
    }

    async fn segment_sizes(&self, survey_id: i64) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> =
            query("SELECT segment, n FROM segment_sizes WHERE survey_id = $1")
                .bind(survey_id)
                .fetch_all(&self.db)
                .await?;
        // Sorted here: PostgreSQL's collation may order text otherwise than bytes.
        let mut sizes: Vec<(String, u64)> = rows
            .into_iter()
            .map(|(segment, n)| (segment, u64::try_from(n).unwrap_or(0)))
            .collect();
        sizes.sort();
        Ok(sizes)
    }

    async fn value_counts(&self, survey_id: i64) -> Result<Vec<(String, String, i64)>, StoreError> {
        query(
            "SELECT a.question_key, a.value, COUNT(*) FROM answers a \
             JOIN responses r ON r.id = a.response_id \
             WHERE r.survey_id = $1 AND a.score IS NULL \
             GROUP BY a.question_key, a.value ORDER BY a.question_key, a.value",
        )
        .bind(survey_id)
        .fetch_all(&self.db)
        .await
    }
}
