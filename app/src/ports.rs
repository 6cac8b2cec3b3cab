//! What the use cases need from the outside world. The server crate implements these
//! traits (SQLite, PostgreSQL) and hands them to every request as `Services`.

use crate::domain::editor::SurveyForm;
use crate::domain::segments::SegmentFilter;
use crate::domain::survey::{AnswerValue, SurveyDefinition};
use crate::domain::Locale;
use crate::model::{ImportReport, Repeat, Role, SurveyKind, SurveyStatus};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was hit (e.g. an email already taken).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage failure: {0}")]
    Backend(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
}

#[derive(Clone, Debug)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked: bool,
}

#[derive(Clone, Debug)]
pub struct NewSurvey {
    pub definition: SurveyDefinition,
    pub public_slug: String,
    pub created_by: i64,
}

/// A survey with its current definition. `version` counts the definitions that answers
/// were given to; see [`Store::save_definition`].
#[derive(Clone, Debug, PartialEq)]
pub struct Survey {
    pub id: i64,
    pub public_slug: String,
    pub version: i64,
    pub definition: SurveyDefinition,
    pub status: SurveyStatus,
    pub closes_at: Option<DateTime<Utc>>,
    pub response_cap: Option<i64>,
    pub response_count: i64,
    pub notifications: Notifications,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

/// What a survey sends after a completed response, besides its thank-you page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Notifications {
    /// A thank-you email to a respondent who came by a personal link. Never for anonymous
    /// surveys: the email's time would tell who answered when.
    pub thank_you_email: bool,
    /// An email to the survey's owner when the headline score is low (a detractor).
    pub detractor_alerts: bool,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotOpen {
    Draft,
    Closed,
    Full,
}

impl Survey {
    pub fn kind(&self) -> SurveyKind {
        self.definition.kind
    }

    /// The title in the survey's default language.
    pub fn title(&self) -> &str {
        self.definition.title.get(self.definition.default_locale)
    }

    /// Open means active, before its close time, and under its response cap.
    pub fn accepting_answers(&self, now: DateTime<Utc>) -> Result<(), NotOpen> {
        match self.status {
            SurveyStatus::Draft => Err(NotOpen::Draft),
            SurveyStatus::Closed => Err(NotOpen::Closed),
            SurveyStatus::Active if self.closes_at.is_some_and(|at| at <= now) => {
                Err(NotOpen::Closed)
            }
            SurveyStatus::Active
                if self
                    .response_cap
                    .is_some_and(|cap| self.response_count >= cap) =>
            {
                Err(NotOpen::Full)
            }
            SurveyStatus::Active => Ok(()),
        }
    }
}

/// What an admin sets on a survey's lifecycle.
#[derive(Clone, Debug, PartialEq)]
pub struct SurveySettings {
    pub status: SurveyStatus,
    pub closes_at: Option<DateTime<Utc>>,
    pub response_cap: Option<i64>,
    pub notifications: Notifications,
}

/// How a saved definition was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SavedAs {
    /// No answers yet: the current version was changed in place.
    SameVersion(i64),
    /// Answers exist: the change became this new version; earlier answers keep theirs.
    NewVersion(i64),
}

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
    pub survey_id: i64,
    pub version: i64,
    pub day: NaiveDate,
    pub submitted_at: Option<DateTime<Utc>>,
    pub answers: Vec<StoredAnswer>,
}

/// An import's report, or why its file could not be read at all.
pub type ImportOutcome = Result<ImportReport, String>;

/// What an upsert did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Upserted {
    pub inserted: u64,
    pub updated: u64,
}

/// The editor's unsaved working copy of a survey, kept even while invalid.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EditorDraft {
    pub form: SurveyForm,
    /// Whether the author has tried to save it, so its problems are shown.
    pub checked: bool,
}

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
    pub survey_id: i64,
    pub version: i64,
    pub response_key: String,
    pub invitation_id: Option<i64>,
    pub contact_id: Option<i64>,
    /// The grouping attributes the survey names, copied from the contact.
    pub groups: BTreeMap<String, String>,
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

#[async_trait]
pub trait Store: Sends + Imports + Send + Sync {
    async fn ping(&self) -> Result<(), StoreError>;

    async fn count_users(&self) -> Result<i64, StoreError>;
    /// Creates the first admin only while no user exists (the setup page); Conflict after.
    async fn create_first_user(&self, user: NewUser) -> Result<User, StoreError>;
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError>;
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// The user and their password hash.
    async fn user_credentials(&self, email: &str) -> Result<Option<(User, String)>, StoreError>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Deletes sessions that expired and login attempts older than `attempts_before`.
    async fn prune_auth_records(
        &self,
        now: DateTime<Utc>,
        attempts_before: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    async fn record_login_attempt(
        &self,
        account: &str,
        ip: &str,
        success: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Failed attempts since `since` for (this account, this IP).
    async fn login_failures_since(
        &self,
        account: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StoreError>;

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        prefix: &str,
        token_hash: &str,
    ) -> Result<ApiTokenRecord, StoreError>;
    async fn list_api_tokens(&self) -> Result<Vec<ApiTokenRecord>, StoreError>;
    /// True when a live token was revoked.
    async fn revoke_api_token(&self, id: i64) -> Result<bool, StoreError>;
    /// The owner of a live token; marks it used.
    async fn api_token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;

    async fn create_survey(&self, survey: NewSurvey) -> Result<Survey, StoreError>;
    async fn list_surveys(&self) -> Result<Vec<Survey>, StoreError>;
    async fn survey(&self, id: i64) -> Result<Option<Survey>, StoreError>;
    async fn survey_by_slug(&self, slug: &str) -> Result<Option<Survey>, StoreError>;
    /// Replaces the survey's definition: in place while it has no answers, as a new
    /// version once it has (the history stays readable). None when no survey has this id.
    async fn save_definition(
        &self,
        id: i64,
        definition: &SurveyDefinition,
    ) -> Result<Option<SavedAs>, StoreError>;
    /// A past definition, as the responses given to it saw it.
    async fn survey_version(
        &self,
        id: i64,
        version: i64,
    ) -> Result<Option<SurveyDefinition>, StoreError>;
    /// False when no survey has this id.
    async fn update_survey_settings(
        &self,
        id: i64,
        settings: &SurveySettings,
    ) -> Result<bool, StoreError>;

    /// Whether any response was given to this version of the survey.
    async fn version_answered(&self, survey_id: i64, version: i64) -> Result<bool, StoreError>;
    /// Keeps (replaces) the editor's working copy; nothing respondents see changes.
    async fn save_draft(
        &self,
        survey_id: i64,
        draft: &EditorDraft,
        user_id: i64,
    ) -> Result<(), StoreError>;
    async fn draft(&self, survey_id: i64) -> Result<Option<EditorDraft>, StoreError>;
    async fn discard_draft(&self, survey_id: i64) -> Result<(), StoreError>;

    /// Creates or updates contacts by email, all in one transaction. An update keeps the
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
    /// personal links lose the contact and its attributes. Returns the responses changed.
    async fn erase_contact(&self, contact_id: i64) -> Result<u64, StoreError>;
    /// Keeps what an import did (its report, or why the file could not be read).
    async fn save_import(
        &self,
        file_name: &str,
        outcome: &ImportOutcome,
        user_id: i64,
    ) -> Result<i64, StoreError>;

    async fn create_invitation(&self, invitation: NewInvitation) -> Result<i64, StoreError>;
    async fn invitation(&self, token_hash: &str) -> Result<Option<Invitation>, StoreError>;

    /// Stores a page of answers in one transaction: creates the response on its first
    /// page (counted against the cap), replaces earlier answers to the same questions and
    /// keeps the day buckets in step.
    async fn record_answers(&self, batch: AnswerBatch) -> Result<Recorded, StoreError>;
    async fn response(&self, response_key: &str) -> Result<Option<ResponseRecord>, StoreError>;
    /// One response with its answers, as the admin area shows it.
    async fn response_by_id(&self, id: i64) -> Result<Option<StoredResponse>, StoreError>;
    /// Answers per score 0..=10 of each scored question of a survey, read from the day
    /// buckets in one query; questions nobody scored are absent.
    async fn score_histograms(
        &self,
        survey_id: i64,
    ) -> Result<BTreeMap<String, [u64; 11]>, StoreError>;
    /// How often each stored value (as JSON) was given to each question without a score
    /// (choices, text), in one query: (question key, value, count).
    async fn value_counts(&self, survey_id: i64) -> Result<Vec<(String, String, i64)>, StoreError>;
}

/// A send as stored. Times are UTC.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSend {
    pub survey_id: i64,
    pub audience_name: String,
    pub audience: SegmentFilter,
    pub repeat: Repeat,
    pub wave: i64,
    pub reminders: Vec<u32>,
    pub per_minute: Option<u32>,
    pub scheduled_at: DateTime<Utc>,
    pub created_by: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoredSendState {
    Scheduled,
    Started,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SendRecord {
    pub id: i64,
    pub new: NewSend,
    pub reminders_sent: i64,
    pub state: StoredSendState,
    pub paused_reason: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
}

/// How each message of a send stands, counted in one query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub invitations: i64,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub bounced: i64,
    pub skipped_suppressed: i64,
    pub skipped_frequency: i64,
    pub reminders_sent: i64,
    pub answered: i64,
}

/// A message that did not (yet) reach its recipient.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxProblem {
    pub email: String,
    pub status: String,
    pub skip_reason: Option<String>,
    pub reply: Option<String>,
    pub attempts: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Invitation,
    Reminder,
    ThankYou,
    Alert,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Invitation => "invitation",
            MessageKind::Reminder => "reminder",
            MessageKind::ThankYou => "thank_you",
            MessageKind::Alert => "alert",
        }
    }

    pub fn parse(s: &str) -> Option<MessageKind> {
        [
            MessageKind::Invitation,
            MessageKind::Reminder,
            MessageKind::ThankYou,
            MessageKind::Alert,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A message a worker claimed, with what it needs to write it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimedMessage {
    pub id: i64,
    pub kind: MessageKind,
    pub send_id: Option<i64>,
    pub survey_id: i64,
    /// Attempts including this one.
    pub attempts: i64,
    pub contact_id: Option<i64>,
    pub email: String,
    pub name: String,
    pub locale: Option<Locale>,
    pub attributes: BTreeMap<String, String>,
    /// The response a thank-you or an alert is about.
    pub response_id: Option<i64>,
}

/// A message for one recipient outside a send (a thank-you, an alert). A contact who is
/// suppressed gets none.
#[derive(Clone, Debug, PartialEq)]
pub struct NewMessage {
    pub kind: MessageKind,
    /// A thank-you belongs to the send whose invitation was answered: it carries the same
    /// personal link (for unsubscribing) and pauses with the send.
    pub send_id: Option<i64>,
    pub survey_id: i64,
    pub contact_id: Option<i64>,
    pub user_id: Option<i64>,
}

/// What became of one attempt at a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Delivery {
    Sent,
    /// Try again at this time (a temporary failure, or a refusal not about the
    /// recipient).
    Retry {
        reply: String,
        at: DateTime<Utc>,
    },
    /// Given up after too many attempts.
    Failed {
        reply: String,
    },
    /// Refused for good: the contact becomes suppressed as bounced.
    Bounced {
        reply: String,
    },
}

/// The outbox and the sends that fill it (principle 3: the only way mail leaves).
#[async_trait]
pub trait Sends: Send + Sync {
    async fn create_send(&self, send: &NewSend) -> Result<SendRecord, StoreError>;
    async fn send_record(&self, id: i64) -> Result<Option<SendRecord>, StoreError>;
    /// A survey's sends, newest first.
    async fn list_sends(&self, survey_id: i64) -> Result<Vec<SendRecord>, StoreError>;
    async fn outbox_counts(&self, send_id: i64) -> Result<OutboxCounts, StoreError>;
    /// Messages not (yet) delivered: failed, bounced, retrying, skipped; at most `limit`.
    async fn outbox_problems(
        &self,
        send_id: i64,
        limit: i64,
    ) -> Result<Vec<OutboxProblem>, StoreError>;
    /// Pauses (with a reason) or resumes a started send. False when there is none.
    async fn set_paused(&self, send_id: i64, reason: Option<&str>) -> Result<bool, StoreError>;
    /// Cancels a send that has not started. False when it has or does not exist.
    async fn cancel_send(&self, send_id: i64) -> Result<bool, StoreError>;
    /// Scheduled sends whose time has come.
    async fn due_sends(&self, now: DateTime<Utc>) -> Result<Vec<SendRecord>, StoreError>;
    /// Starts a scheduled send in one transaction: one outbox row per contact of its
    /// audience, queued (spaced by the throttle) or skipped (suppressed, or invited to
    /// any survey within `min_days`), and the next wave when `next_wave` is given.
    /// None when another process started it first.
    async fn start_send(
        &self,
        send_id: i64,
        now: DateTime<Utc>,
        min_days: u32,
        next_wave: Option<NewSend>,
    ) -> Result<Option<i64>, StoreError>;
    /// Started sends with a reminder due: (send, survey, index of the reminder).
    async fn due_reminders(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(SendRecord, usize)>, StoreError>;
    /// Queues reminder `index` of a send to every contact whose invitation was sent and
    /// not answered (or, without `deliver`, only marks it done: the survey closed), once
    /// even with several processes. None when it was done already.
    async fn queue_reminders(
        &self,
        send_id: i64,
        index: usize,
        deliver: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>, StoreError>;
    /// Claims up to `limit` due messages of sends that are not paused, leasing them until
    /// `lease_until`; a message whose lease ran out (its worker died) is due again. Each
    /// claim counts as an attempt, so the worker can tell a message no process finishes.
    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedMessage>, StoreError>;
    /// Makes the personal links of claimed messages; a link made before is kept.
    async fn ensure_invitations(&self, invitations: &[NewInvitation]) -> Result<(), StoreError>;
    /// Records an attempt's outcome. `failure` says whether it breaks the send's run of
    /// successes; at `pause_after` failures in a row the send pauses with the reply.
    async fn finish_message(
        &self,
        id: i64,
        delivery: &Delivery,
        failure: bool,
        pause_after: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Days per survey kind of the contact frequency rule; kinds without a row are absent.
    async fn frequency_rules(&self) -> Result<Vec<(SurveyKind, u32)>, StoreError>;
    async fn set_frequency_rule(&self, kind: SurveyKind, min_days: u32) -> Result<(), StoreError>;
    async fn contact(&self, id: i64) -> Result<Option<Contact>, StoreError>;
}

/// An import as it is kept: waiting for its column mapping, running, or done.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRecord {
    pub id: i64,
    pub file_name: String,
    pub created_at: DateTime<Utc>,
    pub state: ImportState,
    /// Data rows, and how many of them the job has got through.
    pub rows_total: i64,
    pub rows_done: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportState {
    Pending,
    Running,
    Done(ImportOutcome),
}

/// A running import a process has taken on, with where it got to.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportJob {
    pub id: i64,
    pub file: Vec<u8>,
    /// The column mapping (JSON).
    pub mapping: String,
    pub rows_done: i64,
    pub inserted: i64,
    pub updated: i64,
}

/// Contact imports that wait for their mapping and then run as jobs: the file is kept
/// until the job is done, and progress is recorded as it goes, so a job whose process
/// died is taken up again by another when its lease runs out.
#[async_trait]
pub trait Imports: Send + Sync {
    /// Keeps an upload until its mapping is chosen. Returns its id.
    async fn create_pending_import(
        &self,
        file_name: &str,
        file: &[u8],
        rows_total: i64,
        user_id: i64,
    ) -> Result<i64, StoreError>;
    async fn contact_import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError>;
    /// The file of an import that is not done yet.
    async fn import_file(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    /// Starts a pending import with its mapping. False when it is not pending.
    async fn start_import(&self, id: i64, mapping: &str) -> Result<bool, StoreError>;
    /// Drops a pending import. False when it is not pending.
    async fn discard_import(&self, id: i64) -> Result<bool, StoreError>;
    /// Drops the pending imports uploaded before `before`, with their files. Returns how many.
    async fn drop_pending_imports(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Takes on one running import that no process holds (or whose holder's lease ran
    /// out), leasing it until `lease_until`.
    async fn claim_import(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<ImportJob>, StoreError>;
    /// Upserts one chunk of a job's contacts and records how far the job got (`rows_done`,
    /// and the chunk's inserts and updates added to its counts) in one transaction, so a
    /// job taken over after a crash neither loses nor recounts a chunk. Extends the lease.
    async fn import_chunk(
        &self,
        id: i64,
        contacts: &[NewContact],
        rows_done: i64,
        rows_total: i64,
        lease_until: DateTime<Utc>,
    ) -> Result<Upserted, StoreError>;
    /// Keeps the report and drops the file.
    async fn finish_import(&self, id: i64, outcome: &ImportOutcome) -> Result<(), StoreError>;
}

/// The instance's secret: keys the hashes of session and API-token secrets, so a copy of the
/// database alone cannot be used to check stolen tokens. Never printed.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// Process-wide settings the use cases need.
#[derive(Clone, Debug)]
pub struct Settings {
    pub secret_key: SecretKey,
    /// Public base URL without a trailing slash, used in links.
    pub base_url: String,
    /// Cookies get `Secure` when the base URL is https.
    pub secure_cookies: bool,
    pub session_days: i64,
    /// The organisation's name: what `{company}` says in survey texts.
    pub organisation: String,
}

impl Settings {
    /// HMAC-SHA256 of a token's secret under the instance key, hex-encoded.
    pub fn token_hash(&self, secret: &str) -> String {
        use hmac::{Mac, SimpleHmac};
        use sha2::Sha256;
        let mut mac = <SimpleHmac<Sha256> as Mac>::new_from_slice(&self.secret_key.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(secret.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A secret only this instance can compute, for a purpose and a subject, e.g. the
    /// personal link of one contact in one send. Nothing needs storing to find it again.
    pub fn derived_secret(&self, purpose: &str) -> String {
        use base64::Engine;
        use hmac::{Mac, SimpleHmac};
        use sha2::Sha256;
        let mut mac = <SimpleHmac<Sha256> as Mac>::new_from_slice(&self.secret_key.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"derive:");
        mac.update(purpose.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// Everything a request handler needs, provided as Leptos context and axum state.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
}
