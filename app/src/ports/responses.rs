//! Personal links, responses and their answers, and the counts kept as answers arrive.

use super::{NewMessage, StoreError};
use crate::domain::survey::AnswerValue;
use crate::domain::Locale;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// A personal link to a survey: what it knows about the person it was made for.
#[derive(Clone, Debug, PartialEq)]
pub struct Invitation {
    pub id: i64,
    pub survey_id: i64,
    pub contact_id: Option<i64>,
    pub locale: Option<Locale>,
    /// Contact attributes, for placeholders and the survey's grouping attributes.
    pub attributes: BTreeMap<String, String>,
    pub answered: bool,
    /// The send that made it; None for links made one at a time.
    pub send_id: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub survey_id: i64,
    pub token_hash: String,
    pub contact_id: Option<i64>,
    pub locale: Option<Locale>,
    pub attributes: BTreeMap<String, String>,
    /// The send whose email carries the link.
    pub send_id: Option<i64>,
}

/// One question's checked answer, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredAnswer {
    pub question_key: String,
    pub value: AnswerValue,
    /// The answer to the category's "why?" prompt.
    pub follow_up: Option<String>,
}

impl StoredAnswer {
    /// The score reports count, for scale questions.
    pub fn score(&self) -> Option<u8> {
        match self.value {
            AnswerValue::Score(score) => Some(score),
            _ => None,
        }
    }
}

/// Answers to one page of a survey, added to (or changing) the response that
/// `response_key` names. For anonymous surveys `contact_id` and `at` are None: only the
/// day is kept, so the row cannot be matched to a send.
#[derive(Clone, Debug)]
pub struct AnswerBatch {
    /// The id a new response takes; `None` for the next one the database counts. An
    /// anonymous response takes a random one, so ids do not follow the order of answers.
    pub id: Option<i64>,
    pub survey_id: i64,
    pub version: i64,
    pub response_key: String,
    pub invitation_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// The send whose invitation it answers; None for anonymous surveys.
    pub send_id: Option<i64>,
    /// The grouping attributes the survey names, copied from the contact.
    pub groups: BTreeMap<String, String>,
    /// The segments its answers are counted in ([`crate::domain::filter::answer_segments`]):
    /// a response keeps them from its first page to its last.
    pub segments: Vec<String>,
    /// The respondent's weight under the survey's weighting, if it has one and the
    /// respondent carries a weight ([`crate::domain::weighting`]).
    pub weight: Option<f64>,
    pub locale: Locale,
    pub day: NaiveDate,
    pub at: Option<DateTime<Utc>>,
    /// Answers to store; a question answered before is replaced.
    pub answers: Vec<StoredAnswer>,
    /// Questions skipped on this page: an earlier answer to them is removed.
    pub cleared: Vec<String>,
    /// The last page was submitted.
    pub completed: bool,
    /// The survey has a response cap, so a new response is checked against it.
    pub capped: bool,
    /// Emails queued, in the same transaction, when this batch completes the response for
    /// the first time (a thank-you, an alert); each is linked to the response.
    pub on_completion: Vec<NewMessage>,
    /// A case opened, in the same transaction, when this batch completes the response for
    /// the first time (the survey's case rule decided it would).
    pub open_case: Option<super::NewCase>,
    /// An anonymous survey's response as its `response.completed` webhook message keeps
    /// it (the day and the answers: no contact, no time, no grouping attribute), queued
    /// with its first completion. Identified surveys' messages need none: the store
    /// queues them by reference and their data is read when they are delivered.
    pub webhook_payload: Option<String>,
}

/// A response as it is stored. Anonymous ones have no contact and no time, only the day.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredResponse {
    pub id: i64,
    pub survey_id: i64,
    pub version: i64,
    pub contact_id: Option<i64>,
    pub groups: BTreeMap<String, String>,
    pub locale: Locale,
    pub day: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub completed: bool,
    pub answers: Vec<StoredAnswer>,
}

/// A response as its respondent left it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseRecord {
    pub id: i64,
    pub answers: Vec<StoredAnswer>,
    pub completed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The first answers of a new response (it counts against the cap).
    New,
    /// Answers added to or changed in an existing response.
    Updated,
    /// The survey reached its response cap: nothing was written.
    Full,
}

/// Which comments to read: answers' follow-ups and free-text answers of responses dated
/// `from..=to`, narrowed like a dashboard.
#[derive(Clone, Debug, Default)]
pub struct CommentQuery {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub send: Option<i64>,
    /// Grouping attributes' values, all of which must hold.
    pub conditions: Vec<(String, String)>,
    /// The free-text questions, whose answers are comments too.
    pub text_keys: Vec<String>,
    /// The headline question, whose score each comment is shown with, and the range of
    /// scores to keep (a category).
    pub headline_key: String,
    pub scores: Option<(u8, u8)>,
    /// Text the comment must contain, in any case.
    pub search: String,
    /// Anonymous: newest day first, in an order within the day that follows no time.
    pub anonymous: bool,
    pub offset: u64,
    pub limit: u64,
}

/// A page of responses to export ([`Responses::export_page`]), under a dashboard's filters.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportQuery {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub send: Option<i64>,
    /// Grouping attributes' values, all of which must hold.
    pub conditions: Vec<(String, String)>,
    /// Anonymous: within a day, the responses' keyed hashes give the order, not arrival.
    pub anonymous: bool,
    /// Where the previous page ended (its last row's cursor), none for the first.
    pub after: Option<ExportCursor>,
    pub limit: u64,
}

/// A place in an export's order: the day, then the id (identified) or the response key
/// (anonymous).
#[derive(Clone, Debug, PartialEq)]
pub struct ExportCursor {
    pub day: chrono::NaiveDate,
    pub id: i64,
    pub key: String,
}

/// One response as an export holds it, with its answers in no particular order.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportedResponse {
    pub cursor: ExportCursor,
    pub submitted_at: Option<DateTime<Utc>>,
    pub locale: String,
    pub completed: bool,
    pub groups: BTreeMap<String, String>,
    /// The contact's address and name (identified surveys' personal links only).
    pub email: Option<String>,
    pub name: Option<String>,
    /// (question key, value, follow-up)
    pub answers: Vec<(String, AnswerValue, Option<String>)>,
}

/// One answer with a comment: its follow-up, or (free-text questions) its value.
#[derive(Clone, Debug, PartialEq)]
pub struct CommentRow {
    pub response_id: i64,
    pub day: chrono::NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub question_key: String,
    pub value: AnswerValue,
    pub follow_up: Option<String>,
    /// The headline question's score in the same response.
    pub score: Option<u8>,
}

/// The question key under which the day buckets count responses (at score 0).
pub const RESPONSES: &str = "";

/// Personal links, responses and answers; the day buckets the reports read.
#[async_trait]
pub trait Responses: Send + Sync {
    async fn create_invitation(&self, invitation: NewInvitation) -> Result<i64, StoreError>;
    async fn invitation(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError>;
    /// Stores a page of answers in one transaction: creates the response on its first
    /// page (counted against the cap), replaces earlier answers to the same questions and
    /// keeps the day buckets in step.
    async fn record_answers(&self, batch: AnswerBatch) -> Result<Recorded, StoreError>;
    /// Records many new responses in one transaction, all or none: a bulk load such as
    /// the demo data, which would otherwise wait for a commit and a round trip per
    /// response. Each must be new (a key already recorded is a conflict), uncapped, clear
    /// nothing and send nothing.
    async fn record_answers_in_bulk(&self, batches: Vec<AnswerBatch>) -> Result<(), StoreError>;
    /// Refreshes the query planner's statistics after a bulk load, so the first views
    /// after it are planned for the data they read.
    async fn refresh_statistics(&self) -> Result<(), StoreError>;
    async fn response(&self, response_key: &str) -> Result<Option<ResponseRecord>, StoreError>;
    /// One response with its answers, as the admin area shows it.
    async fn response_by_id(&self, id: i64) -> Result<Option<StoredResponse>, StoreError>;
    /// Answers per score 0..=10 of each of `question_keys` of a survey, read from
    /// everyone's day buckets in one query; questions nobody scored are absent.
    async fn score_histograms(
        &self,
        survey_id: i64,
        question_keys: &[&str],
    ) -> Result<BTreeMap<String, [u64; 11]>, StoreError>;
    /// Answers per score 0..=10 of one question (or, for [`RESPONSES`], responses at
    /// score 0) in one segment (see [`crate::domain::filter`]), day by day over
    /// `from..=to`, read from the day buckets: days without answers are absent.
    async fn daily_histograms(
        &self,
        survey_id: i64,
        question_key: &str,
        segment: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<(chrono::NaiveDate, [u64; 11])>, StoreError>;
    /// Per score 0..=10 of one question in one segment over `from..=to`: the answers
    /// that carried a weight, Σw and Σw², read from the weight buckets.
    async fn weight_sums(
        &self,
        survey_id: i64,
        question_key: &str,
        segment: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<crate::domain::weighting::WeightSums, StoreError>;
    /// The day of the survey's earliest response, if it has any.
    async fn first_answer_day(
        &self,
        survey_id: i64,
    ) -> Result<Option<chrono::NaiveDate>, StoreError>;
    /// Each identified respondent's score to `question_key` in the responses to send
    /// `send_id`: (contact id, score), in response order.
    async fn wave_scores(
        &self,
        send_id: i64,
        question_key: &str,
    ) -> Result<Vec<(i64, u8)>, StoreError>;
    /// A page of comments, newest first (see [`CommentQuery`]).
    async fn comments(
        &self,
        survey_id: i64,
        query: &CommentQuery,
    ) -> Result<Vec<CommentRow>, StoreError>;
    /// The next page of a survey's responses under `query`, in its order: memory stays a
    /// page, however many there are.
    async fn export_page(
        &self,
        survey_id: i64,
        query: &ExportQuery,
    ) -> Result<Vec<ExportedResponse>, StoreError>;
    /// Every one-condition segment (`attribute=value`) of the survey's responses with how
    /// many responses it holds, in segment order.
    async fn segment_sizes(&self, survey_id: i64) -> Result<Vec<(String, u64)>, StoreError>;
    /// How often each stored value (as JSON) was given to each question without a score
    /// (choices, text), in one query: (question key, value, count).
    async fn value_counts(&self, survey_id: i64) -> Result<Vec<(String, String, i64)>, StoreError>;
}
