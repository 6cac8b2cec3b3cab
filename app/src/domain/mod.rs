//! The pure core: what a survey is (questions, templates, languages, answer rules) and
//! the scoring engine that turns answers into scores, confidence intervals and
//! wave-to-wave comparisons.
//!
//! This module owns the meaning of every number Resonance reports — which
//! answers count as promoters, satisfied or agreeing, how intervals are
//! computed, and the sign of a difference. It does no I/O and has no platform
//! switches, because the same code runs in the browser (live previews) and on
//! the server (stored reports) and both must agree to the last digit.
//!
//! - [`access`]: who may do what, from role, scope and survey.
//! - [`stats`]: distributions, intervals and significance tests.
//! - [`trend`]: a score period by period (days, weeks, months) from day counts.
//! - [`anonymity`]: which groups of an anonymous survey may be reported.
//! - [`cases`]: which answers open a case, who owns it, its states and its figures.
//! - [`breakdown`]: a score per value of one attribute, each against the rest.
//! - [`tile`]: a score over a range with its change against the period before.
//! - [`distribution`]: how answers spread over a scale, bar by bar.
//! - [`shares`]: the three categories of a scale, period by period, stacked to 100 %.
//! - [`nps`]: Net Promoter Score, also used for eNPS (same 0–10 question).
//! - [`ces`]: Customer Effort Score on a 7- or 5-point agreement scale.
//! - [`contacts`]: contacts and the rules for reading them from an imported table.
//! - [`digest`]: how often a digest goes out, which days it covers, when it is due.
//! - [`csat`]: Customer Satisfaction on a 5-point scale.
//! - [`editor`]: the editor's working copy of a definition, kept even while invalid.
//! - [`filter`]: what a dashboard is narrowed to, and the segments answers are counted in.
//! - [`funnel`]: each send's recipients, delivered, started and completed.
//! - [`email`]: validated email addresses.
//! - [`export`]: CSV cells a spreadsheet opens as they are.
//! - [`report`]: which score each question kind gets, from its counts.
//! - [`segments`]: saved filters over contact attributes.
//! - [`sending`]: what a send may ask for, how SMTP replies are read, email texts.
//! - [`survey`]: survey definitions, question kinds, answer validation, follow-up routing.
//! - [`templates`]: the built-in NPS, eNPS, CES, CSAT, pulse and custom surveys (en, de).
//! - [`rate_limit`]: token buckets, a burst then a steady rate per key.
//! - [`locale`]: English and German, and which one a respondent gets.
//! - [`movement`]: who moved between categories from one wave to the next.
//! - [`weighting`]: weighted NPS, each answer counted with its respondent's weight.
//! - [`user_agent`]: a browser's User-Agent in words ("Firefox on Linux").
//! - [`webhooks`]: webhook events, their retry schedule, and which addresses are off limits.
//! - [`ui_text`]: every text of the respondent's page chrome, in both languages.
//!
//! Conventions shared by every result: percentages are 0–100, NPS is in
//! points (−100–100), intervals are 95 %, skipped answers are never in a
//! denominator, and comparisons report *second minus first*.

use serde::{Deserialize, Serialize};

pub mod access;
pub mod anonymity;
pub mod breakdown;
pub mod cases;
pub mod ces;
pub mod contacts;
pub mod csat;
pub mod digest;
pub mod distribution;
pub mod editor;
pub mod email;
pub mod export;
pub mod filter;
pub mod funnel;
pub mod locale;
pub mod movement;
pub mod nps;
pub mod rate_limit;
pub mod report;
pub mod segments;
pub mod sending;
pub mod shares;
pub mod stats;
pub mod survey;
pub mod templates;
pub mod tile;
pub mod trend;
pub mod ui_text;
pub mod user_agent;
pub mod webhooks;
pub mod weighting;

pub use ces::{CesAnswer, CesResult, CesScale};
pub use csat::{CsatAnswer, CsatResult};
pub use email::{Email, EmailError};
pub use locale::{Locale, LocalizedText};
pub use nps::{compare_nps, NpsCategory, NpsResult, NpsScore};
pub use stats::{
    compare_means, compare_proportions, mean_interval, normal_cdf, normal_quantile,
    summarise_scale, t_quantile, wilson, Comparison, Interval, ScaleSummary, Z_95,
};
pub use survey::{
    category, fill_placeholders, parse_follow_up_answer, AnswerError, AnswerValue, Category,
    ChoiceOption, FieldError, FollowUps, Question, QuestionKind, RawAnswer, SurveyDefinition,
    SurveyKind, TypedAnswer,
};
pub use templates::{ces_template, default_point_labels, template};
pub use ui_text::UiText;

/// Why an answer or a set of counts was rejected.
///
/// The messages are written to be shown to a respondent or survey author as
/// they are.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("score must be a whole number from {min} to {max}")]
    OutOfRange { value: i64, min: u8, max: u8 },
    #[error("expected counts for {expected} scores, got {actual}")]
    HistogramLength { expected: usize, actual: usize },
}

/// Checks that `value` lies in `min..=max` and narrows it.
fn score_in_range(value: i64, min: u8, max: u8) -> Result<u8, ScoreError> {
    u8::try_from(value)
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or(ScoreError::OutOfRange { value, min, max })
}
