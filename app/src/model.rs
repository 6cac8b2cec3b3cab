//! What the pages and the JSON API show: plain data, serialisable, the same on both sides
//! of the wire.

use crate::domain::NpsResult;
/// The kinds of survey are the domain's; the model re-exports them for the pages.
pub use crate::domain::SurveyKind;
use serde::{Deserialize, Serialize};

/// A user's role decides what they may do; see `api::auth::authorize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Hr,
    Manager,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Hr, Role::Manager, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Hr => "hr",
            Role::Manager => "manager",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
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
    pub question: String,
    pub status: SurveyStatus,
    pub public_url: String,
    pub created_at: String,
    /// When the survey stops taking answers, UTC, as `YYYY-MM-DDTHH:MM`.
    pub closes_at: Option<String>,
    pub response_cap: Option<i64>,
    pub response_count: i64,
    /// Active, before its close time and under its cap.
    pub accepting_answers: bool,
}

/// A survey's results: every number comes from the domain's scoring engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SurveyReport {
    pub survey: SurveySummary,
    /// n, promoters, passives, detractors, nps (points), adjusted, ci {low, high}.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub nps: NpsResult,
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

/// What a respondent sees of a survey; nothing about other answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicSurvey {
    pub slug: String,
    pub title: String,
    pub question: String,
    pub availability: Availability,
    /// A fresh key per page view, so a double-submitted form records one answer.
    pub submission_key: String,
    /// The language the page speaks: ?lang=, then Accept-Language, then the survey's.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub locale: crate::domain::Locale,
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
}

/// The only time a token's secret is visible: right after it is created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: ApiTokenView,
    pub secret: String,
}
