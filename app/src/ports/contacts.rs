//! Contacts, their segments and privacy requests about them.

use super::{StoreError, StoredAnswer};
use crate::domain::segments::SegmentFilter;
use crate::domain::Locale;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// A contact to create or update, keyed by its (lower-cased) email.
#[derive(Clone, Debug, PartialEq)]
pub struct NewContact {
    pub email: String,
    pub name: String,
    pub locale: Option<Locale>,
    pub attributes: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub locale: Option<Locale>,
    pub attributes: BTreeMap<String, String>,
    /// unsubscribed, bounced or complained: never sent to.
    pub suppressed: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A saved audience.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub id: i64,
    pub name: String,
    pub filter: SegmentFilter,
}

/// A personal link made for a contact.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactInvitation {
    pub survey_id: i64,
    pub created_at: DateTime<Utc>,
    pub answered: bool,
}

/// A response a contact gave (never one to an anonymous survey: those keep no contact).
#[derive(Clone, Debug, PartialEq)]
pub struct ContactResponse {
    pub id: i64,
    pub survey_id: i64,
    pub version: i64,
    pub day: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub answers: Vec<StoredAnswer>,
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Upserted {
    pub inserted: u64,
    pub updated: u64,
}

/// Contacts (customers or employees), saved audiences and privacy requests.
#[async_trait]
pub trait Contacts: Send + Sync {
    /// Creates or updates contacts by email, committed a chunk of 1 000 at a time so a
    /// large file never holds the write lock for long. An update keeps the
    /// name and language when the new ones are empty, and merges the attributes (a new
    /// value replaces the old one of the same key).
    async fn upsert_contacts(&self, contacts: &[NewContact]) -> Result<Upserted, StoreError>;
    /// Contacts by id, after `after_id`, at most `limit`.
    async fn list_contacts(&self, after_id: i64, limit: i64) -> Result<Vec<Contact>, StoreError>;
    async fn count_contacts(&self) -> Result<i64, StoreError>;
    async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>, StoreError>;
    /// Marks a contact as never to be sent to (`unsubscribed`, `bounced`, `complained`)
    /// or, with None, as reachable again. False when no contact has this id.
    async fn set_suppression(
        &self,
        contact_id: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Contacts whose attributes match every condition, and how many of them may be sent
    /// to (not suppressed).
    async fn count_matching(&self, filter: &SegmentFilter) -> Result<(i64, i64), StoreError>;
    /// Conflict when another segment has the name.
    async fn create_segment(
        &self,
        name: &str,
        filter: &SegmentFilter,
        user_id: i64,
    ) -> Result<Segment, StoreError>;
    async fn list_segments(&self) -> Result<Vec<Segment>, StoreError>;
    async fn delete_segment(&self, id: i64) -> Result<bool, StoreError>;
    /// The personal links made for a contact and the responses it gave.
    async fn contact_history(
        &self,
        contact_id: i64,
    ) -> Result<(Vec<ContactInvitation>, Vec<ContactResponse>), StoreError>;
    /// Deletes a contact and de-identifies what refers to it, in one transaction: its
    /// responses lose the contact, the time and their free text (text answers and
    /// comments: people write names in them); scores, choices and the day stay. Its
    /// personal links lose the contact, its attributes and their token (the link dies).
    /// The responses keyed by `response_keys` (its anonymous ones, whose keys only the
    /// caller can work out) and its identified ones get new, random keys, so no one can
    /// find them again from its links. Returns the identified responses changed.
    async fn erase_contact(
        &self,
        contact_id: i64,
        response_keys: &[String],
    ) -> Result<u64, StoreError>;
    /// The sends that made a personal link for a contact, with each send's link salt.
    async fn contact_sends(
        &self,
        contact_id: i64,
    ) -> Result<Vec<(i64, Option<String>)>, StoreError>;
    async fn contact(&self, id: i64) -> Result<Option<Contact>, StoreError>;
}
