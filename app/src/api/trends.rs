//! Where each scored question of a survey stands and where it is moving: its tile over a
//! range of days (the score, and the change against the period before) and its trend in
//! days, weeks or months, with the chart drawn from the same points.

use crate::error::AppError;
use crate::model::TrendView;
use leptos::prelude::*;

/// The ranges the page offers, as `range=` says them: (value, label, days back).
/// `all` starts on the day the survey was created.
pub const RANGES: [(&str, &str, Option<i32>); 5] = [
    ("7d", "Last 7 days", Some(7)),
    ("30d", "Last 30 days", Some(30)),
    ("90d", "Last 90 days", Some(90)),
    ("365d", "Last 12 months", Some(365)),
    ("all", "All time", None),
];
pub const DEFAULT_RANGE: &str = "90d";

/// Why an anonymous survey's trend looks coarser than asked for.
pub const ANONYMOUS_NOTE: &str = "Anonymous survey: shown by calendar month, and a month \
     with fewer answers than the minimum group size is hidden (with the next smallest, so \
     it cannot be worked out from the total). Finer periods could single people out.";

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::anonymity::withheld_groups;
    use crate::domain::distribution::distribution;
    use crate::domain::report::score_question;
    use crate::domain::survey::fill_placeholders;
    use crate::domain::tile::{tile, PeriodCounts};
    use crate::domain::trend::{periods, trend, Day, Grain, Limits, Plan};
    use crate::ports::Services;
    use chrono::{Datelike, NaiveDate, Utc};
    use std::collections::BTreeMap;

    fn day(date: NaiveDate) -> Day {
        Day::from_ymd(date.year(), date.month(), date.day())
    }

    /// The trend of every scored question of survey `id` over `range` (see [`RANGES`]),
    /// in periods of `grain` or, when it is empty, the one that suits the range.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn trends(
        services: &Services,
        id: i64,
        range: &str,
        grain: &str,
    ) -> Result<Vec<TrendView>, AppError> {
        let survey = crate::api::surveys::find(services, id).await?;
        let range = if range.is_empty() {
            DEFAULT_RANGE
        } else {
            range
        };
        let Some(&(_, _, back)) = RANGES.iter().find(|(value, _, _)| *value == range) else {
            return Err(AppError::bad_input(
                "range",
                "The range must be one of 7d, 30d, 90d, 365d or all.",
            ));
        };
        let grain = match grain {
            "" => None,
            text => Some(Grain::parse(text).ok_or_else(|| {
                AppError::bad_input("grain", "The period must be day, week or month.")
            })?),
        };
        let today = Utc::now().date_naive();
        let anonymous = survey.definition.anonymous;
        // A survey's life starts when it was created, or earlier with answers dated
        // before (imported, or demo data).
        let created = survey.created_at.date_naive();
        let first_answer = services.store.first_answer_day(survey.id).await?;
        let plan = Plan::new(
            day(today),
            day(first_answer.map_or(created, |d| d.min(created))),
            back,
            grain,
            anonymous,
        );
        let date = |d: Day| {
            let (y, m, d) = d.ymd();
            NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today)
        };
        let min_group = survey.min_group();
        let limits = Limits {
            min_group,
            min_meaningful: u64::try_from(survey.min_meaningful).unwrap_or(1).max(1),
        };
        let locale = survey.definition.default_locale;
        let company =
            BTreeMap::from([("company".to_owned(), services.settings.organisation.clone())]);
        let (previous_from, previous_to) = plan.previous();
        let read_from = plan.scored_from.min(previous_from);
        let responses = services
            .store
            .responses_between(survey.id, date(plan.from), date(plan.to))
            .await?;
        let previous_responses = services
            .store
            .responses_between(survey.id, date(previous_from), date(previous_to))
            .await?;
        let mut views = Vec::new();
        for question in &survey.definition.questions {
            if question.kind.score_range().is_none() {
                continue;
            }
            let days: Vec<(Day, [u64; 11])> = services
                .store
                .daily_histograms(survey.id, &question.key, date(read_from), today)
                .await?
                .into_iter()
                .map(|(date, counts)| (day(date), counts))
                .collect();
            // An anonymous survey's totals count only the months its trend shows: the
            // hidden ones are in no shown figure, so no subtraction finds them.
            let months = periods(&days, plan.scored_from, plan.to, Grain::Month);
            let sizes: Vec<u64> = months
                .iter()
                .map(|(_, _, h)| score_question(&question.kind, h).map_or(0, |s| s.n()))
                .collect();
            let hidden = withheld_groups(&sizes, min_group);
            // What a total adds up: the anonymous survey's months (some hidden), or days.
            let groups: Vec<(Day, [u64; 11], bool)> = if anonymous {
                months
                    .iter()
                    .zip(&hidden)
                    .map(|(&(start, _, h), &hidden)| (start, h, hidden))
                    .collect()
            } else {
                days.iter().map(|&(day, h)| (day, h, false)).collect()
            };
            let counts = |from: Day, to: Day, responses: u64| {
                let mut histogram = [0_u64; 11];
                let mut hidden_periods = 0;
                for (_, h, hidden) in groups.iter().filter(|(d, _, _)| (from..=to).contains(d)) {
                    if *hidden {
                        hidden_periods += 1;
                        continue;
                    }
                    for (sum, n) in histogram.iter_mut().zip(h) {
                        *sum += n;
                    }
                }
                let answered: u64 = histogram.iter().sum();
                PeriodCounts {
                    histogram,
                    responses: (hidden_periods == 0).then_some(responses),
                    may_show: hidden_periods == 0 || answered > 0,
                    hidden_periods,
                }
            };
            let current = counts(plan.from, plan.to, responses);
            let previous = counts(previous_from, previous_to, previous_responses);
            let Some(tile) = tile(&question.kind, &current, &previous, limits.min_meaningful)
            else {
                continue;
            };
            let distribution = tile
                .n
                .filter(|&n| n > 0)
                .and_then(|_| distribution(&question.kind, &current.histogram, min_group));
            let distribution_svg = match &distribution {
                Some(d) => services.charts.distribution_svg(d).map_err(|e| {
                    tracing::error!(error = e, "drawing a distribution");
                    AppError::internal()
                })?,
                None => String::new(),
            };
            let Some(mut trend) = trend(
                &question.key,
                &question.kind,
                &days,
                plan.scored_from,
                plan.to,
                plan.grain,
                limits,
            ) else {
                continue;
            };
            let shown_from = plan.from.to_string();
            trend.points.retain(|p| p.start >= shown_from);
            let svg = services.charts.trend_svg(&trend).map_err(|e| {
                tracing::error!(error = e, "drawing a trend");
                AppError::internal()
            })?;
            views.push(TrendView {
                question_key: question.key.clone(),
                question: fill_placeholders(question.text.get(locale), &company),
                description: trend.description(),
                from: plan.from.to_string(),
                to: plan.to.to_string(),
                note: anonymous.then(|| ANONYMOUS_NOTE.to_owned()),
                distribution,
                distribution_svg,
                previous_from: previous_from.to_string(),
                previous_to: previous_to.to_string(),
                tile,
                trend,
                svg,
            });
        }
        Ok(views)
    }
}

#[server(prefix = "/rpc", endpoint = "survey_trends")]
pub async fn load_trends(
    id: i64,
    range: String,
    grain: String,
) -> Result<Vec<TrendView>, AppError> {
    use crate::api::{auth::Permission, context};
    let (services, _) = context::require(Permission::ViewResults)
        .await
        .or_else(context::fail)?;
    trends(&services, id, &range, &grain)
        .await
        .or_else(context::fail)
}
