//! Surveys, their versions and the editor's working copy.

use super::StoreError;
use crate::domain::editor::SurveyForm;
use crate::domain::survey::SurveyDefinition;
use crate::domain::weighting::Weighting;
use crate::model::{SurveyKind, SurveyStatus};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

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
    /// Anonymous surveys: fewer respondents than this are never reported as a group.
    pub min_group_size: i64,
    /// Fewer answers than this make a score "not enough answers yet".
    pub min_meaningful: i64,
    /// Where respondents' weights come from, for the weighted NPS; identified surveys only.
    pub weighting: Option<Weighting>,
    pub notifications: Notifications,
    pub cases: CaseSettings,
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

/// Which answers open a case, and who besides a case's owner gets the low-score alert.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseSettings {
    /// None: no answer opens a case.
    pub rule: Option<crate::domain::cases::CaseRule>,
    /// Users who get every low-score alert of the survey.
    pub alert_recipients: Vec<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotOpen {
    Draft,
    Closed,
    Full,
}

impl Survey {
    /// The minimum group size the anonymity rules apply, `None` for identified surveys.
    pub fn min_group(&self) -> Option<u64> {
        self.definition
            .anonymous
            .then(|| u64::try_from(self.min_group_size).unwrap_or(0))
    }

    /// What the access rule needs to know of it.
    pub fn facts(&self) -> crate::domain::access::SurveyFacts {
        crate::domain::access::SurveyFacts {
            employees: self.definition.for_employees(),
            anonymous: self.definition.anonymous,
            grouping: self.definition.grouping_attributes.clone(),
        }
    }

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

/// The editor's unsaved working copy of a survey, kept even while invalid.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EditorDraft {
    pub form: SurveyForm,
    /// Whether the author has tried to save it, so its problems are shown.
    pub checked: bool,
}

/// Surveys, their published versions and drafts.
#[async_trait]
pub trait Surveys: Send + Sync {
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
    /// Sets the anonymity threshold and the minimum for a meaningful score; false when
    /// there is no such survey.
    async fn update_survey_thresholds(
        &self,
        id: i64,
        min_group_size: i64,
        min_meaningful: i64,
    ) -> Result<bool, StoreError>;
    /// Sets (or, with `None`, removes) the survey's weighting and weighs its answers so
    /// far again, each by its contact's attribute as it is now, in one transaction.
    /// False when there is no such survey.
    async fn set_weighting(
        &self,
        id: i64,
        weighting: Option<&Weighting>,
    ) -> Result<bool, StoreError>;
    async fn update_survey_settings(
        &self,
        id: i64,
        settings: &SurveySettings,
    ) -> Result<bool, StoreError>;
    /// False when no survey has this id.
    async fn update_case_settings(
        &self,
        id: i64,
        settings: &CaseSettings,
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
}
