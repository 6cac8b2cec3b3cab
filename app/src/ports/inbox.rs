//! The responses inbox: identified surveys' responses one by one, newest first, under the
//! dashboard's filters and the inbox's own (category, comment, case, search).

use super::{StoreError, StoredAnswer, Within};
use crate::domain::cases::CaseState;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// One survey the inbox reads, with what its filters mean for it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InboxSurvey {
    pub id: i64,
    /// A manager's scope: the response must hold one of these values.
    pub within: Within,
    /// The headline question and the scores of the category asked for (none: any).
    pub headline: Option<(String, u8, u8)>,
    /// The free-text questions, whose answers are comments like follow-ups.
    pub text_keys: Vec<String>,
}

/// Which responses hold a case.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseFilter {
    /// No case.
    Without,
    /// A case in one of these states.
    In(Vec<CaseState>),
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InboxQuery {
    pub surveys: Vec<InboxSurvey>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub send: Option<i64>,
    /// Grouping attributes' values, all of which must hold.
    pub conditions: Vec<(String, String)>,
    /// With a comment (`true`) or without (`false`).
    pub commented: Option<bool>,
    pub case: Option<CaseFilter>,
    /// In a comment, or the respondent's name or address, in any case.
    pub search: String,
    pub offset: u64,
    pub limit: u64,
}

/// One response as the inbox lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct InboxRow {
    pub id: i64,
    pub survey_id: i64,
    pub day: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub completed: bool,
    pub groups: BTreeMap<String, String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub case: Option<(i64, CaseState)>,
    pub answers: Vec<StoredAnswer>,
}

#[async_trait]
pub trait Inbox: Send + Sync {
    /// Up to `limit` responses from `offset`, newest first; never an anonymous survey's
    /// (the caller names identified surveys only, and the store checks it again).
    async fn inbox(&self, query: &InboxQuery) -> Result<Vec<InboxRow>, StoreError>;
}
