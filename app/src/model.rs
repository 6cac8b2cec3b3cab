//! What the pages and the JSON API show: plain data, serialisable, the same on both sides
//! of the wire.

use crate::domain::report::QuestionScore;
/// The kinds of survey are the domain's; the model re-exports them for the pages.
pub use crate::domain::SurveyKind;
use crate::domain::{Locale, QuestionKind};
use serde::{Deserialize, Serialize};

/// A user's role decides what they may do: [`crate::domain::access::decide`].
pub use crate::domain::access::Role;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// A manager's attribute values, as `attribute=value` (e.g. `team=Sales`).
    pub scope: Vec<String>,
    /// A disabled user cannot sign in, and their tokens grant nothing.
    pub disabled: bool,
    /// Invited and not yet through their link, so without a password.
    pub invited: bool,
}

/// What an account link (an invitation, a password reset) is for, shown on its page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountLinkView {
    pub email: String,
    pub name: String,
    /// An invitation (a first password) rather than a reset.
    pub invite: bool,
}

/// One of the signed-in user's sessions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SessionView {
    /// Names the session to end it; not its secret.
    pub id: String,
    /// What it was started from (the browser's User-Agent, as sent).
    pub client: String,
    /// That browser in words, e.g. "Firefox on Linux".
    pub browser: String,
    pub started: String,
    pub expires: String,
    /// The session this request came with.
    pub current: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SurveyStatus {
    Draft,
    Active,
    Closed,
}

impl SurveyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyStatus::Draft => "draft",
            SurveyStatus::Active => "active",
            SurveyStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<SurveyStatus> {
        [
            SurveyStatus::Draft,
            SurveyStatus::Active,
            SurveyStatus::Closed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A survey as the admin area lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SurveySummary {
    pub id: i64,
    /// nps, enps, ces, csat, pulse or custom.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: SurveyKind,
    pub title: String,
    pub status: SurveyStatus,
    pub public_url: String,
    /// Number of questions in the current version.
    pub questions: usize,
    /// Grows when questions change after answers came in; answers keep their version.
    pub version: i64,
    pub anonymous: bool,
    pub created_at: String,
    /// When the survey stops taking answers, UTC, as `YYYY-MM-DDTHH:MM`.
    pub closes_at: Option<String>,
    pub response_cap: Option<i64>,
    /// `null` for an anonymous survey while fewer people answered than its minimum group
    /// size (a count that small, read as it changes, would tell who answered), and for a
    /// caller narrowed to their teams (the whole survey's count is not theirs).
    pub response_count: Option<i64>,
    /// Active, before its close time and under its cap.
    pub accepting_answers: bool,
    /// A thank-you email after a completed response (personal links, not anonymous).
    pub thank_you_email: bool,
    /// An email to the survey's owner when someone gives a low headline score.
    pub detractor_alerts: bool,
    /// Anonymous surveys: groups smaller than this are never reported (at least 3).
    pub min_group_size: i64,
    /// Fewer answers than this make a score "not enough answers yet".
    pub min_meaningful: i64,
    /// Where respondents' weights come from for the weighted NPS, if anywhere.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    #[serde(default)]
    pub weighting: Option<crate::domain::weighting::Weighting>,
}

/// A survey's results: every number comes from the domain's scoring engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SurveyReport {
    pub survey: SurveySummary,
    pub questions: Vec<QuestionReport>,
    /// What the caller may do here, so the page offers only that (the access rule
    /// decides again on every call): change and send the survey, see its sends.
    pub may_manage: bool,
    /// The case rule and alert recipients, for those who may change them.
    pub cases: Option<CaseSettingsView>,
    pub may_see_sends: bool,
    /// Read single responses, and so download the answers file.
    pub may_read_responses: bool,
    /// The caller's results are narrowed to their scope: whole-survey figures are not
    /// theirs.
    pub narrowed: bool,
}

/// One question's results: a score for scale questions, counts for choices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QuestionReport {
    pub key: String,
    pub text: String,
    /// nps, enps, ces, csat, likert or rating with n, the score and its 95 % interval.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub score: Option<QuestionScore>,
    /// For choice questions: how often each option was chosen.
    pub choices: Vec<ChoiceCount>,
    /// Answers given to this question; `null` when withheld.
    pub answered: Option<u64>,
    /// `"anonymity"` when an anonymous survey has fewer answers to this question than its
    /// minimum group size: then nothing about it is shown, its count included. `"scope"`
    /// for a caller narrowed to their teams: the survey's trends are, this report is not.
    pub withheld: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChoiceCount {
    pub key: String,
    pub label: String,
    /// `null` when withheld: an option chosen by fewer than an anonymous survey's minimum
    /// group size, with the next smallest so the total does not give it away.
    pub n: Option<u64>,
}

/// Whether a respondent can answer now, and if not, why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Open,
    NotYetOpen,
    Closed,
    Full,
}

/// One page of a survey as its respondent sees it: one question, in their language,
/// with what they answered before (coming back to change it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RespondentPage {
    /// The link's path, `/s/{slug}` (public) or `/t/{token}` (personal).
    pub link: String,
    pub title: String,
    /// Shown above the first question only.
    pub intro: Option<String>,
    pub locale: Locale,
    pub availability: Availability,
    pub brand_color: Option<String>,
    pub logo_url: Option<String>,
    /// 0-based page number and number of pages.
    pub step: usize,
    pub steps: usize,
    pub question: Option<QuestionView>,
    /// Ties the pages of a public link's response together; a personal link's token does.
    pub resume_key: String,
    /// Shown to an author: every page, nothing can be sent.
    pub preview: bool,
}

/// A question ready to render: texts localised and placeholders filled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub key: String,
    pub kind: QuestionKind,
    pub text: String,
    pub required: bool,
    /// Every point of a scale, lowest first, with its label if it has one.
    pub points: Vec<ScalePoint>,
    /// Choice options: (key, label).
    pub options: Vec<(String, String)>,
    /// The "why?" prompt per category (low, middle, high) and the generic one.
    pub follow_ups: [Option<String>; 3],
    pub follow_up_default: String,
    /// What the respondent gave before, or what `?score=` pre-selects.
    pub values: Vec<String>,
    pub follow_up: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalePoint {
    pub value: u8,
    pub label: Option<String>,
}

/// The thank-you page: the survey's own message in the respondent's language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThankYouView {
    pub title: String,
    pub message: String,
    pub locale: Locale,
    pub brand_color: Option<String>,
    /// Where to go back to change the answers, while the survey is open.
    pub change_link: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked: bool,
    /// What the token grants: never more than its creator.
    pub role: Role,
    /// A manager token's `attribute=value` items.
    pub scope: Vec<String>,
}

/// The only time a token's secret is visible: right after it is created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: ApiTokenView,
    pub secret: String,
}

/// The survey editor: the working copy with its problems, and what saving it will do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditorView {
    pub survey: SurveySummary,
    pub form: crate::domain::editor::SurveyForm,
    /// Shown once the author has tried to save; empty before.
    pub errors: Vec<crate::domain::FieldError>,
    /// The working copy differs from the saved survey.
    pub unsaved: bool,
    /// The version a save makes: the current one while nobody has answered it, the next
    /// one after that.
    pub saves_as: i64,
    /// Keys of questions that have answers: their key and type are fixed.
    pub fixed: Vec<String>,
    /// Previews show the working copy (it is complete) rather than the saved survey.
    pub preview_shows_draft: bool,
}

/// What an import did: every bad row with its line and reason; the good rows are in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// New contacts.
    pub inserted: u64,
    /// Contacts that existed and were updated.
    pub updated: u64,
    pub problems: Vec<ImportProblem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportProblem {
    pub line: u64,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ContactView {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// en or de; none when the survey's language rules decide.
    pub locale: Option<String>,
    pub attributes: std::collections::BTreeMap<String, String>,
    /// unsubscribed, bounced or complained: never sent to.
    pub suppressed: Option<String>,
}

/// One page of contacts, in id order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ContactPage {
    pub total: i64,
    pub contacts: Vec<ContactView>,
    /// Pass as `after` for the next page; none on the last.
    pub next_after: Option<i64>,
}

/// An import as its page and the API show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    pub created_at: String,
    /// pending (waiting for its column mapping), running, or done.
    pub state: String,
    /// While pending: the file's columns and first rows, to choose the mapping.
    pub preview: Option<ImportPreview>,
    /// Data rows, and how many the running import has got through.
    pub rows_total: i64,
    pub rows_done: i64,
    /// Once done: what was imported, and every row that was not.
    pub report: Option<ImportReport>,
    /// Why the file could not be read at all (nothing was imported).
    pub failure: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    pub headers: Vec<String>,
    /// The first rows as the file has them.
    pub sample: Vec<Vec<String>>,
    /// Data rows (blank ones not counted).
    pub rows: u64,
    /// One per column, as the header suggests: `email`, `name`, `locale`, `ignore` or
    /// `attribute:<key>`.
    pub choices: Vec<String>,
}

/// Everything Resonance keeps about one email address (a privacy request's export).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PersonalData {
    pub contact: ContactView,
    pub invitations: Vec<InvitationData>,
    /// Responses to surveys that are not anonymous (anonymous ones keep no contact).
    pub responses: Vec<ResponseData>,
    /// The cases their responses opened: what was kept, written to them and noted.
    #[serde(default)]
    pub cases: Vec<CaseData>,
}

/// A case in a privacy export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseData {
    pub survey_id: i64,
    pub state: crate::domain::cases::CaseState,
    /// UTC, `YYYY-MM-DD HH:MM`.
    pub opened_at: String,
    /// The answer's comment, as the case keeps it.
    pub comment: Option<String>,
    pub events: Vec<CaseEventView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvitationData {
    pub survey_id: i64,
    pub created_at: String,
    /// `null` for anonymous surveys: read again and again, it would tell when its person
    /// answered, and so which answer is theirs.
    pub answered: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResponseData {
    pub survey_id: i64,
    pub version: i64,
    pub day: String,
    pub submitted_at: Option<String>,
    pub answers: Vec<AnswerData>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnswerData {
    pub question: String,
    /// `{"type": "score", "value": 9}`, `{"type": "choice", …}`, `{"type": "text", …}`.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub value: crate::domain::AnswerValue,
    pub follow_up: Option<String>,
}

/// What an erasure did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Erased {
    pub email: String,
    /// Responses that lost their contact and time; their scores and answers stay.
    pub responses_deidentified: u64,
}

/// A saved audience with its current size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SegmentView {
    pub id: i64,
    pub name: String,
    pub conditions: Vec<ConditionView>,
    /// `team = Sales and tier = A`.
    pub description: String,
    pub size: SegmentSize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConditionView {
    pub attribute: String,
    pub value: String,
}

/// How many contacts match now, and how many of them may be sent to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SegmentSize {
    pub contacts: i64,
    /// Not unsubscribed, bounced or complained.
    pub sendable: i64,
}

/// How often a send repeats: each wave is its own send, with its own numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Repeat {
    #[default]
    None,
    Weekly,
    Monthly,
    Quarterly,
}

impl Repeat {
    pub const ALL: [Repeat; 4] = [
        Repeat::None,
        Repeat::Weekly,
        Repeat::Monthly,
        Repeat::Quarterly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Repeat::None => "none",
            Repeat::Weekly => "weekly",
            Repeat::Monthly => "monthly",
            Repeat::Quarterly => "quarterly",
        }
    }

    pub fn parse(s: &str) -> Option<Repeat> {
        Repeat::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Repeat::None => "Once",
            Repeat::Weekly => "Every week",
            Repeat::Monthly => "Every month",
            Repeat::Quarterly => "Every three months",
        }
    }
}

/// Where a send is: waiting for its time, sending, paused, done, or cancelled before it
/// started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SendState {
    Scheduled,
    Sending,
    Paused,
    Done,
    Cancelled,
}

/// What a send asks for (the admin form and `POST /api/v1/surveys/{id}/sends`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SendRequest {
    /// A segment's id; none sends to every contact.
    #[serde(default)]
    pub segment_id: Option<i64>,
    /// When to start, RFC 3339 (`2026-12-01T09:00:00Z`); none starts now.
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub repeat: Repeat,
    /// Days after the start at which those who have not answered are reminded, e.g.
    /// `[3, 7]`.
    #[serde(default)]
    pub reminders: Vec<u32>,
    /// At most this many messages a minute for this send; none: as fast as allowed.
    #[serde(default)]
    pub per_minute: Option<u32>,
}

/// A send's numbers. Reminders are counted apart from invitations; the response rate is
/// answered invitations over delivered ones.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SendCounts {
    /// Contacts the audience held when the send started.
    pub recipients: i64,
    /// Waiting to be sent, including retries after a temporary failure.
    pub queued: i64,
    pub sent: i64,
    /// Given up on after repeated temporary failures.
    pub failed: i64,
    /// Refused by the receiving server for good; the contact is now suppressed.
    pub bounced: i64,
    /// Not sent because the contact is suppressed.
    pub skipped_suppressed: i64,
    /// Not sent because of the contact frequency rule.
    pub skipped_frequency: i64,
    pub reminders_sent: i64,
    /// Invitations whose response was started, and of those completed; `null` for an
    /// anonymous survey's send while fewer than its minimum group size answered (or the
    /// started-but-not-completed are that few): counts that small, read as they change,
    /// would tell who answered.
    pub answered: Option<i64>,
    pub completed: Option<i64>,
    /// Percent of sent invitations answered, with its 95 % interval; none before any was
    /// sent, or while `answered` is withheld.
    pub response_rate: Option<RateView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RateView {
    pub percent: f64,
    pub low: f64,
    pub high: f64,
}

/// A recipient who did not get the email, and why (the SMTP reply, or the rule).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SendProblem {
    pub email: String,
    /// failed, bounced, retrying or skipped.
    pub status: String,
    pub reason: String,
    pub attempts: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SendView {
    pub id: i64,
    pub survey_id: i64,
    pub survey_title: String,
    pub audience_name: String,
    /// `team = Sales and tier = A`, or `every contact`.
    pub audience: String,
    pub repeat: Repeat,
    pub wave: i64,
    pub reminders: Vec<u32>,
    pub reminders_done: i64,
    pub per_minute: Option<u32>,
    pub state: SendState,
    /// Why the send stopped by itself, or that someone paused it.
    pub paused_reason: Option<String>,
    pub scheduled_at: String,
    pub started_at: Option<String>,
    pub counts: SendCounts,
}

/// A send with the recipients it could not reach, as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SendDetail {
    pub send: SendView,
    /// The first 200 recipients not reached.
    pub problems: Vec<SendProblem>,
}

/// The contact frequency rule for one survey kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FrequencyRule {
    /// nps, enps, ces, csat, pulse or custom.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: SurveyKind,
    /// Nobody gets an invitation of this kind within this many days of any earlier one.
    pub min_days: u32,
}

/// What the unsubscribe page shows: whose address, in their language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnsubscribeView {
    /// The address with most of its name hidden (`a***@example.com`).
    pub email_hint: String,
    pub locale: Locale,
    pub unsubscribed: bool,
}

/// One response in the admin area: where a detractor alert links to. Anonymous surveys'
/// responses show the answers only, never who, when or in which group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResponseView {
    pub id: i64,
    pub survey_id: i64,
    pub survey_title: String,
    /// "Name <email>"; None for public links and erased contacts. (An anonymous survey's
    /// responses are never shown one by one.)
    pub respondent: Option<String>,
    /// UTC, `YYYY-MM-DD HH:MM`.
    pub submitted_at: Option<String>,
    pub updated_at: Option<String>,
    /// The day it was given.
    pub day: Option<String>,
    /// The last page was sent.
    pub completed: bool,
    /// The survey version it answered.
    pub version: i64,
    pub locale: String,
    /// The survey's grouping attributes as the respondent had them.
    pub groups: Vec<(String, String)>,
    pub answers: Vec<ResponseAnswer>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResponseAnswer {
    pub question_key: String,
    /// The question as the respondent saw it, in the survey's default language.
    pub question: String,
    /// The answer as text: a score, option labels, or what was written.
    pub answer: String,
    pub score: Option<u8>,
    /// low, middle or high, for scales with categories (NPS: detractor, passive, promoter).
    pub category: Option<String>,
    pub follow_up: Option<String>,
}

/// A question's trend as the survey page and the API show it: the points from the one
/// scoring engine, the chart drawn from them, and what the chart says in words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TrendView {
    pub question_key: String,
    pub question: String,
    /// The score over the range, and its change against the period before.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub tile: crate::domain::tile::Tile,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub trend: crate::domain::trend::Trend,
    /// The period the tile's change is against, `YYYY-MM-DD`.
    pub previous_from: String,
    pub previous_to: String,
    /// The first and last day shown, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// The chart as an SVG element; withheld points are not in it.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub svg: String,
    /// The chart in words (`aria-label`).
    pub description: String,
    /// How the tile's answers spread over the scale; `None` when the tile is withheld.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub distribution: Option<crate::domain::distribution::Distribution>,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub distribution_svg: String,
    /// Why the view differs from what was asked for, if it does.
    pub note: Option<String>,
    /// The three categories' shares period by period (stacked to 100 %).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub shares: Option<crate::domain::shares::Shares>,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub shares_svg: String,
    /// The score per value of the attribute chosen with `by=`, if one was.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub breakdown: Option<crate::domain::breakdown::Breakdown>,
    /// The NPS with each answer weighted by its respondent's tier or revenue, when the
    /// survey has a weighting; never for anonymous surveys.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    #[serde(default)]
    pub weighted: Option<crate::domain::weighting::WeightedNps>,
}

/// What a survey's dashboard shows, as its URL says it: every field is a query
/// A query parameter's value as a URL carries it (percent-encoded but for RFC 3986's
/// unreserved characters).
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// parameter of the page and of the API, empty for the default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct DashboardQuery {
    /// `7d`, `30d`, `90d` (default), `this_month`, `last_month`, `this_quarter`,
    /// `last_quarter`, `this_year`, `last_year`, `365d`, `all` or `custom`.
    #[serde(default)]
    pub range: String,
    /// With `range=custom`: the first and last day, `YYYY-MM-DD`.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// `day`, `week` or `month`; empty: the one that suits the range.
    #[serde(default)]
    pub grain: String,
    /// Only answers to this send (a wave of a recurring send is a send of its own).
    #[serde(default)]
    pub send: String,
    /// Only answers whose grouping attribute has this value, as `attribute:value`; at
    /// most two conditions with the send, one on an anonymous survey.
    #[serde(default)]
    pub filter: Vec<String>,
    /// Break each score down by this grouping attribute.
    #[serde(default)]
    pub by: String,
    /// The breakdown's order: `value` (default), `score` or `n`.
    #[serde(default)]
    pub sort: String,
    /// Comments of one category of the headline question: `detractor`, `passive` or
    /// `promoter` (NPS, eNPS), `low`, `neutral` or `high` (other scales).
    #[serde(default)]
    pub category: String,
    /// Comments containing this text, in any case.
    #[serde(default)]
    pub q: String,
    /// The page of comments, from 1.
    #[serde(default)]
    pub page: String,
}

impl DashboardQuery {
    /// The page's query string for this view (`?range=…&filter=…`), without empty
    /// parameters: what a link to a re-sorted breakdown or a bookmark says.
    pub fn to_query_string(&self) -> String {
        let encode = query_value;
        let single = [
            ("range", &self.range),
            ("from", &self.from),
            ("to", &self.to),
            ("grain", &self.grain),
            ("send", &self.send),
        ];
        let pairs = single
            .into_iter()
            .chain(self.filter.iter().map(|f| ("filter", f)))
            .chain([
                ("by", &self.by),
                ("sort", &self.sort),
                ("category", &self.category),
                ("q", &self.q),
                ("page", &self.page),
            ])
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>();
        format!("?{}", pairs.join("&"))
    }
}

/// A value the dashboard can be filtered by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FilterChoice {
    /// What the query parameter says: `attribute:value`, or the send's id.
    pub param: String,
    pub label: String,
}

/// The attributes and sends a survey's dashboard can be narrowed to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FilterChoices {
    /// Each grouping attribute with its values; an anonymous survey offers only values
    /// held by at least its minimum group size.
    pub attributes: Vec<(String, Vec<FilterChoice>)>,
    /// Sends and waves (identified surveys only).
    pub sends: Vec<FilterChoice>,
    /// At most this many attribute filters combine: one for an anonymous survey, else
    /// one per grouping attribute (and the send beside them).
    pub max_conditions: usize,
}

/// A survey's dashboard: each scored question's view under one query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// The query as understood (the range resolved to days in each view).
    pub query: DashboardQuery,
    pub choices: FilterChoices,
    pub questions: Vec<TrendView>,
    /// Each send's and wave's response funnel, oldest first (whatever the filters).
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Object>))]
    pub funnels: Vec<crate::domain::funnel::Funnel>,
    /// The latest sends' funnels as a chart, and in words.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub funnel_svg: String,
    pub funnel_description: String,
    /// Sends of an anonymous survey left out of `funnels`: too few answered yet for their
    /// counts to be shown.
    pub funnels_withheld: u64,
    pub comments: Comments,
    /// Identified surveys sent more than once: of those who answered the chosen send (or
    /// the latest) and the one before, who moved between the headline's categories.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub movement: Option<crate::domain::movement::Movement>,
    /// The view's cases, for those who may read its responses (identified surveys only).
    #[serde(default)]
    pub cases: Option<CaseStats>,
}

/// A survey on the overview: its headline score over the last 90 days (the survey page's
/// default view) with the change against the 90 before, a sparkline of its trend, and the
/// completion rate of its latest send.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OverviewRow {
    pub survey: SurveySummary,
    pub question_key: Option<String>,
    /// The headline question's tile; `None` for surveys without a scored question.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub tile: Option<crate::domain::tile::Tile>,
    /// The trend the sparkline draws, period by period.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub trend: Option<crate::domain::trend::Trend>,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub sparkline_svg: String,
    /// The latest send's funnel (its completion rate and interval), if it was sent.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub latest_send: Option<crate::domain::funnel::Funnel>,
}

/// A comment: a follow-up or a free-text answer, with the headline score of its response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CommentView {
    /// `YYYY-MM-DD`; anonymous surveys keep nothing finer.
    pub day: String,
    /// When it was given (RFC 3339); `None` for anonymous surveys.
    pub at: Option<String>,
    /// The question it answers.
    pub question: String,
    pub text: String,
    /// The headline question's score in the same response, and its category.
    pub score: Option<u8>,
    pub category: Option<String>,
    /// The response's page (identified surveys only).
    pub response_url: Option<String>,
}

/// A page of comments, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comments {
    pub items: Vec<CommentView>,
    pub page: u64,
    pub has_more: bool,
    /// `Some("anonymity")` when the view's group is too small for its comments to be
    /// shown; then `items` is empty.
    pub withheld: Option<String>,
    /// The categories the headline question's comments can be filtered by.
    pub categories: Vec<String>,
}

/// One case as its list and its page show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseView {
    pub id: i64,
    pub survey_id: i64,
    pub survey_title: String,
    pub response_id: i64,
    /// The response's page in the admin area.
    pub response_url: String,
    pub state: crate::domain::cases::CaseState,
    pub owner_id: Option<i64>,
    pub owner: Option<String>,
    /// "Name <email>"; None once the contact is erased.
    pub respondent: Option<String>,
    /// The headline score and first comment of the answer that opened it.
    pub score: Option<u8>,
    pub comment: Option<String>,
    pub groups: Vec<(String, String)>,
    /// The language the respondent answered in (`en`, `de`): a reply is written in it.
    pub language: String,
    /// UTC, `YYYY-MM-DD HH:MM`.
    pub opened_at: String,
    pub due_at: String,
    /// Past its due time, not done, and nobody has written to the respondent.
    pub overdue: bool,
    pub first_contact_at: Option<String>,
    pub done_at: Option<String>,
}

/// A page of cases, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseList {
    pub cases: Vec<CaseView>,
    /// Cases under the filters, on every page.
    pub total: u64,
    /// From 1.
    pub page: u64,
    pub pages: u64,
    /// The surveys the caller may see cases of, for the filter: (id, title).
    pub surveys: Vec<(i64, String)>,
}

/// What happened on a case, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseEventView {
    /// UTC, `YYYY-MM-DD HH:MM`.
    pub at: String,
    /// Who did it; None for the case opening itself.
    pub who: Option<String>,
    /// `opened`, `note`, `state`, `reply` or `owner`.
    pub kind: String,
    /// The state it moved to (`state`).
    pub state: Option<crate::domain::cases::CaseState>,
    /// A reply's subject.
    pub subject: Option<String>,
    /// A note's or reply's text, or the new owner's name.
    pub text: String,
    /// A reply's message: `queued`, `sending`, `sent`, `failed`, `bounced` or `skipped`.
    pub delivery: Option<String>,
}

/// A case's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    pub case: CaseView,
    pub events: Vec<CaseEventView>,
    /// Where it may move from here.
    pub next_states: Vec<crate::domain::cases::CaseState>,
    /// Who may own it (they may read its response): (id, name).
    pub owners: Vec<(i64, String)>,
    /// A reply's subject unless another is written, in the respondent's language.
    pub reply_subject: String,
    /// Why no reply can be sent, if none can (no contact, or they asked for no email).
    pub reply_blocked: Option<String>,
}

/// A case's new state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseStateChange {
    pub state: crate::domain::cases::CaseState,
}

/// A note on a case, for the people who work on it (the respondent never sees it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseNote {
    pub text: String,
}

/// A reply to the respondent, sent by email with the writer as its reply-to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseReply {
    /// Empty or absent: the case's default subject.
    #[serde(default)]
    pub subject: String,
    pub body: String,
}

/// Who owns a case from now on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseOwnerChange {
    pub owner_id: i64,
}

/// A survey's case rule and alert recipients, as its settings show and the API sets them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseSettingsView {
    /// None: no answer opens a case.
    pub rule: Option<crate::domain::cases::CaseRule>,
    /// The users' email addresses.
    #[serde(default)]
    pub alert_recipients: Vec<String>,
}

/// The cases of a dashboard's view: opened in its range, narrowed like it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseStats {
    pub all: crate::domain::cases::CaseFigures,
    /// Per period of the dashboard's grain, by the day each case opened.
    pub periods: Vec<CasePeriod>,
    /// The attribute the teams are values of (the breakdown's, else the first grouping
    /// attribute); None when the survey groups by nothing.
    pub team_attribute: Option<String>,
    pub teams: Vec<CaseTeam>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CasePeriod {
    /// The period's first day, `YYYY-MM-DD`.
    pub start: String,
    pub figures: crate::domain::cases::CaseFigures,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseTeam {
    /// None: respondents without a value.
    pub team: Option<String>,
    pub figures: crate::domain::cases::CaseFigures,
}

/// The responses inbox's filters, as the page's URL and the API's query parameters say
/// them; empty for the default.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct InboxFilters {
    /// One survey's responses; empty: every identified survey the caller may read.
    #[serde(default)]
    pub survey: String,
    /// As the dashboard's: `7d`, `30d`, `90d` (default), …, `all` or `custom`.
    #[serde(default)]
    pub range: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Only responses to this send (with a survey).
    #[serde(default)]
    pub send: String,
    /// Only responses whose grouping attribute has this value, as `attribute:value`.
    #[serde(default)]
    pub filter: Vec<String>,
    /// The headline's category: `low` (NPS detractors), `neutral` (passives) or `high`
    /// (promoters); `detractor`, `passive` and `promoter` say the same.
    #[serde(default)]
    pub category: String,
    /// `with` or `without` a comment.
    #[serde(default)]
    pub comment: String,
    /// `none` (no case), `any`, `open` (open or contacted), `done` (resolved or closed),
    /// or one state.
    #[serde(default)]
    pub case: String,
    /// Text in a comment, or in the respondent's name or address.
    #[serde(default)]
    pub q: String,
    /// From 1.
    #[serde(default)]
    pub page: String,
}

/// One response in the inbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InboxItem {
    pub response_id: i64,
    pub survey_id: i64,
    pub survey_title: String,
    /// The response's page in the admin area.
    pub response_url: String,
    /// "Name <email>"; None for public links and erased contacts.
    pub respondent: Option<String>,
    /// UTC, `YYYY-MM-DD HH:MM`, else the day.
    pub at: String,
    pub completed: bool,
    /// The headline question's score and its category (`low`, `neutral`, `high`).
    pub score: Option<u8>,
    pub category: Option<String>,
    /// The first comment (a follow-up or a free-text answer).
    pub comment: Option<String>,
    pub groups: Vec<(String, String)>,
    pub case_id: Option<i64>,
    pub case_state: Option<crate::domain::cases::CaseState>,
}

/// A page of the inbox, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InboxList {
    /// The filters as understood (the range resolved to days).
    pub filters: InboxFilters,
    pub items: Vec<InboxItem>,
    pub page: u64,
    /// Another page follows.
    pub more: bool,
    /// The identified surveys the caller may read responses of: (id, title).
    pub surveys: Vec<(i64, String)>,
    /// With a survey chosen: its attributes' values and its sends, as the dashboard
    /// offers them.
    pub choices: FilterChoices,
}

/// One of a user's digests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DigestView {
    pub id: i64,
    /// None: every survey the user may read.
    pub survey_id: Option<i64>,
    pub survey_title: Option<String>,
    pub frequency: crate::domain::digest::Frequency,
    /// The dashboard view's attribute filters, `attribute:value`.
    pub filters: Vec<String>,
    /// When the next one goes out, UTC `YYYY-MM-DD HH:MM`.
    pub next_at: String,
}

/// A new digest: of one survey's view (`survey` and its `filter`s), or of every survey.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DigestRequestBody {
    #[serde(default)]
    pub survey_id: Option<i64>,
    /// `weekly` or `monthly`.
    pub frequency: String,
    /// `attribute:value`, as the dashboard's filter.
    #[serde(default)]
    pub filter: Vec<String>,
}

/// The language of the mail a user gets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LanguageBody {
    /// `en` or `de`.
    pub locale: String,
}

/// The account page's digests and the language of the user's mail.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DigestSettings {
    /// `en` or `de`.
    pub language: String,
    pub digests: Vec<DigestView>,
}

/// A webhook endpoint as admins see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// The events it receives: `response.completed`, `response.changed`, `case.opened`,
    /// `case.changed`, `send.finished`.
    pub events: Vec<crate::domain::webhooks::Event>,
    pub enabled: bool,
    /// Why it was disabled: by hand, or failing for days.
    pub disabled_reason: Option<String>,
    /// Failing since (UTC `YYYY-MM-DD HH:MM`), when its last attempt failed.
    pub failing_since: Option<String>,
    pub created_at: String,
}

/// An endpoint with its signing secret(s) and recent deliveries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookDetail {
    pub endpoint: WebhookView,
    /// The signing secret (`whsec_…`): give it to the receiver to verify signatures.
    pub secret: String,
    /// The previous secret, which still signs until `previous_until` after a rotation.
    pub previous_secret: Option<String>,
    pub previous_until: Option<String>,
    /// The 50 most recent deliveries, newest first.
    pub deliveries: Vec<WebhookDeliveryView>,
}

/// One message to one endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryView {
    /// The `webhook-id` the receiver sees, the same on every attempt and replay.
    pub message_id: String,
    pub event: crate::domain::webhooks::Event,
    /// When it happened (UTC); an anonymous survey's message says only the day.
    pub occurred: String,
    /// held, queued, sending, delivered or failed.
    pub status: String,
    pub attempts: i64,
    pub next_attempt: Option<String>,
    pub last_attempt: Option<String>,
    /// The receiver's HTTP status at the last attempt.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

/// A new endpoint, or an endpoint's new settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WebhookInput {
    /// An `https://` (or `http://`) URL of a public address, or of a host an admin allows.
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// At least one event name.
    pub events: Vec<String>,
}
