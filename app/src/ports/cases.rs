//! Cases (see [`crate::domain::cases`]) and their history, as the store keeps them.

use super::StoreError;
use crate::domain::cases::{CaseState, CaseTiming};
use crate::domain::Locale;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A case to open with a response when it is completed for the first time
/// ([`super::AnswerBatch::open_case`]).
#[derive(Clone, Debug, PartialEq)]
pub struct NewCase {
    pub owner_id: i64,
    pub opened_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// The headline score and the first comment of the answer that opens it.
    pub score: Option<u8>,
    pub comment: Option<String>,
}

/// A case with what its pages show of its response and respondent.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredCase {
    pub id: i64,
    pub survey_id: i64,
    pub response_id: i64,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub state: CaseState,
    pub opened_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub first_contact_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub score: Option<u8>,
    pub comment: Option<String>,
    /// The response's grouping attributes.
    pub groups: BTreeMap<String, String>,
    /// The language the respondent answered in.
    pub locale: Locale,
    pub contact_id: Option<i64>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// What happened on a case.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseEventKind {
    Opened,
    Note,
    /// Moved to this state.
    State(CaseState),
    /// A reply to the respondent; its message's outbox status, if the row is still there.
    Reply {
        subject: String,
        status: Option<String>,
    },
    /// Given to another owner (named in the text).
    Owner,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CaseEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_name: Option<String>,
    pub kind: CaseEventKind,
    pub text: String,
}

/// Attribute values a case's response must hold one of (a manager's scope); `None`: any.
pub type Within = Option<Vec<(String, String)>>;

/// Which cases to list, newest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaseQuery {
    /// The surveys the caller may read cases of, each with the scope conditions one of
    /// which a case's response must meet (`None`: all of the survey's cases).
    pub surveys: Vec<(i64, Within)>,
    pub states: Vec<CaseState>,
    pub owner: Option<i64>,
    /// Only cases past their due time with nobody contacted.
    pub overdue_at: Option<DateTime<Utc>>,
    pub offset: u64,
    pub limit: u64,
}

/// A reply from a case, to queue for the respondent.
#[derive(Clone, Debug, PartialEq)]
pub struct NewReply {
    pub case_id: i64,
    pub user_id: i64,
    pub subject: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// What became of a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyQueued {
    /// Queued, and the case is marked contacted if it was open.
    Queued,
    /// The respondent asked for no more email (unsubscribed or bounced): nothing queued.
    Suppressed,
    /// The response has no contact to write to any more.
    NoContact,
}

/// A case reply's message as the outbox worker writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseMessage {
    pub subject: String,
    pub body: String,
    pub locale: Locale,
    /// Who wrote it: the reply goes back to them.
    pub from_email: Option<String>,
    pub from_name: Option<String>,
}

#[async_trait]
pub trait Cases: Send + Sync {
    /// Cases under `query`, newest first, and how many there are in all.
    async fn cases(&self, query: &CaseQuery) -> Result<(Vec<StoredCase>, u64), StoreError>;
    async fn case(&self, id: i64) -> Result<Option<StoredCase>, StoreError>;
    /// The case of a response, if it has one.
    async fn case_of_response(&self, response_id: i64) -> Result<Option<i64>, StoreError>;
    /// Oldest first.
    async fn case_events(&self, id: i64) -> Result<Vec<CaseEvent>, StoreError>;
    /// Moves a case from `from` to `to` (the first contact and the time it was done are
    /// kept); false when it was no longer in `from`.
    async fn change_case_state(
        &self,
        id: i64,
        user_id: i64,
        from: CaseState,
        to: CaseState,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn add_case_note(
        &self,
        id: i64,
        user_id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn change_case_owner(
        &self,
        id: i64,
        user_id: i64,
        owner_id: i64,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Queues the reply in the outbox and keeps it on the case, in one transaction.
    async fn reply_to_case(&self, reply: &NewReply) -> Result<ReplyQueued, StoreError>;
    /// The reply an outbox message carries.
    async fn case_message(&self, outbox_id: i64) -> Result<Option<CaseMessage>, StoreError>;
    /// The timings of a survey's cases opened in `from..to`, each with its response's
    /// value of `team` (if any) and its grouping attributes.
    async fn case_timings(
        &self,
        survey_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        team: Option<&str>,
    ) -> Result<Vec<(CaseTiming, BTreeMap<String, String>)>, StoreError>;
}
