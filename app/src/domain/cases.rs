//! Cases: a critical answer followed up until someone has acted on it. This module owns
//! which answers open one (the survey's rule), who owns a new one (the respondent's
//! team's manager, else the survey's owner), where a case may move next, and the figures
//! the dashboard shows (open, overdue, median hours to first contact and to resolution).
//!
//! Times are seconds since 1970 (UTC), so the rules stay pure and testable.

use crate::domain::access::{decide, Access, Action, Role, Scope, SurveyFacts};
use crate::domain::trend::{Day, Grain};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a case is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Nobody has answered the respondent yet.
    Open,
    /// Someone wrote to the respondent (by the case's reply, or said so).
    Contacted,
    /// Acted on and done.
    Resolved,
    /// Done without action (a duplicate, nothing to do).
    Closed,
}

impl CaseState {
    pub const ALL: [CaseState; 4] = [
        CaseState::Open,
        CaseState::Contacted,
        CaseState::Resolved,
        CaseState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Contacted => "contacted",
            CaseState::Resolved => "resolved",
            CaseState::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What the pages call it.
    pub fn label(self) -> &'static str {
        match self {
            CaseState::Open => "Open",
            CaseState::Contacted => "Contacted",
            CaseState::Resolved => "Resolved",
            CaseState::Closed => "Closed without action",
        }
    }

    /// Resolved or closed: no longer waiting on anyone, never overdue.
    pub fn is_done(self) -> bool {
        matches!(self, CaseState::Resolved | CaseState::Closed)
    }

    /// The states a case in `self` may move to: forward, or reopened once done.
    pub fn next(self) -> &'static [CaseState] {
        match self {
            CaseState::Open => &[CaseState::Contacted, CaseState::Resolved, CaseState::Closed],
            CaseState::Contacted => &[CaseState::Resolved, CaseState::Closed],
            CaseState::Resolved | CaseState::Closed => &[CaseState::Open],
        }
    }

    pub fn may_become(self, to: CaseState) -> bool {
        self.next().contains(&to)
    }
}

/// The headline scores that open a case, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScoreRange {
    pub from: u8,
    pub to: u8,
}

/// Which completed answers of an identified survey open a case, and how soon one is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseRule {
    /// A headline score in this range opens a case (NPS detractors: 0–6).
    pub scores: Option<ScoreRange>,
    /// Any comment (a follow-up or a free-text answer) opens a case too.
    pub any_comment: bool,
    /// Hours from the answer to when the case is overdue unless done or contacted.
    pub due_hours: u32,
}

/// The longest target a case may have: a year.
pub const MAX_DUE_HOURS: u32 = 24 * 365;

/// A case rule that cannot be read, with the form field it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub field: &'static str,
    pub message: String,
}

impl CaseRule {
    /// Whether a completed response with headline score `score` and a comment or not
    /// opens a case.
    pub fn opens(&self, score: Option<u8>, commented: bool) -> bool {
        let low = match (self.scores, score) {
            (Some(r), Some(s)) => (r.from..=r.to).contains(&s),
            _ => false,
        };
        low || (self.any_comment && commented)
    }

    /// Reads the settings form: `scores` as `0-6` (or `0–6`, or one score, or empty for
    /// none) on a headline scale of `min..=max`; `due_hours` a whole number of hours.
    pub fn parse(
        scores: &str,
        any_comment: bool,
        due_hours: &str,
        scale: (u8, u8),
    ) -> Result<CaseRule, RuleError> {
        let (min, max) = scale;
        let bad_range = || {
            RuleError {
            field: "case_scores",
            message: format!(
                "Write the scores that open a case as a range within {min}–{max}, such as {min}-{}, or leave it empty.",
                min.saturating_add(max.saturating_sub(min) / 2)
            ),
        }
        };
        let text = scores.trim();
        let scores = if text.is_empty() {
            None
        } else {
            let (from, to) = text
                .split_once(['-', '–'])
                .map_or((text, text), |(a, b)| (a.trim(), b.trim()));
            let from: u8 = from.parse().map_err(|_| bad_range())?;
            let to: u8 = to.parse().map_err(|_| bad_range())?;
            if from > to || from < min || to > max {
                return Err(bad_range());
            }
            Some(ScoreRange { from, to })
        };
        let due_hours = due_hours
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|h| (1..=MAX_DUE_HOURS).contains(h))
            .ok_or_else(|| RuleError {
                field: "case_due_hours",
                message: format!(
                    "The target is a whole number of hours from 1 to {MAX_DUE_HOURS}, such as 48."
                ),
            })?;
        if scores.is_none() && !any_comment {
            return Err(RuleError {
                field: "case_scores",
                message: "Say which answers open a case: a range of scores, any comment, or both."
                    .into(),
            });
        }
        Ok(CaseRule {
            scores,
            any_comment,
            due_hours,
        })
    }

    /// The range as the form shows it, e.g. `0-6`.
    pub fn scores_text(&self) -> String {
        match self.scores {
            Some(ScoreRange { from, to }) if from == to => from.to_string(),
            Some(ScoreRange { from, to }) => format!("{from}-{to}"),
            None => String::new(),
        }
    }
}

/// Someone a new case could go to.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub role: Role,
    pub scope: Scope,
}

/// Who owns a new case: the first manager (in the order given) whose scope holds the
/// respondent's value of one of the survey's grouping attributes and who may read that
/// response, else `fallback` (the survey's owner). A manager who may not read single
/// responses of this survey (employee surveys) never gets its cases.
pub fn route(
    groups: &BTreeMap<String, String>,
    survey: &SurveyFacts,
    candidates: &[Candidate],
    fallback: i64,
) -> i64 {
    for attribute in &survey.grouping {
        let Some(value) = groups.get(attribute) else {
            continue;
        };
        let owner = candidates.iter().find(|c| {
            c.role == Role::Manager
                && c.scope.contains(attribute, value)
                && match decide(c.role, &c.scope, Action::ReadResponse(survey)) {
                    Access::Allowed => true,
                    Access::WithinScope(conditions) => {
                        conditions.iter().any(|(a, v)| a == attribute && v == value)
                    }
                    Access::Denied => false,
                }
        });
        if let Some(owner) = owner {
            return owner.id;
        }
    }
    fallback
}

/// Whether `role` with `scope` may read single responses of some identified survey, and
/// so work on cases: everyone but viewers (a manager within their scope).
pub fn may_work_on_cases(role: Role, scope: &Scope) -> bool {
    let grouping: Vec<String> = scope.pairs().iter().map(|(a, _)| a.clone()).collect();
    [false, true].into_iter().any(|employees| {
        let survey = SurveyFacts {
            employees,
            anonymous: false,
            grouping: grouping.clone(),
        };
        decide(role, scope, Action::ReadResponse(&survey)).allowed()
    })
}

/// What the figures need of one case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseTiming {
    pub state: CaseState,
    pub opened_at: i64,
    pub due_at: i64,
    pub first_contact_at: Option<i64>,
    /// When it was resolved or closed (the last time, if reopened since it is not done).
    pub done_at: Option<i64>,
    /// The respondent's value of the attribute the figures are broken down by.
    pub team: Option<String>,
}

impl CaseTiming {
    /// Not done and past its due time without a first contact.
    pub fn overdue(&self, now: i64) -> bool {
        !self.state.is_done() && self.first_contact_at.is_none() && self.due_at < now
    }
}

/// Case figures over a set of cases.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseFigures {
    /// Cases opened.
    pub opened: u64,
    /// Of them, not yet resolved or closed.
    pub open: u64,
    /// Of them, past their due time with nobody having contacted the respondent.
    pub overdue: u64,
    /// Median hours from the answer to the first contact, over cases contacted.
    pub median_hours_to_contact: Option<f64>,
    /// Median hours from the answer to resolution, over cases resolved or closed.
    pub median_hours_to_resolve: Option<f64>,
}

/// The figures of `cases` at time `now`.
pub fn figures<'a>(cases: impl IntoIterator<Item = &'a CaseTiming>, now: i64) -> CaseFigures {
    let mut out = CaseFigures::default();
    let mut to_contact = Vec::new();
    let mut to_resolve = Vec::new();
    for case in cases {
        out.opened += 1;
        if !case.state.is_done() {
            out.open += 1;
        }
        if case.overdue(now) {
            out.overdue += 1;
        }
        if let Some(at) = case.first_contact_at {
            to_contact.push(hours(at - case.opened_at));
        }
        if let (true, Some(at)) = (case.state.is_done(), case.done_at) {
            to_resolve.push(hours(at - case.opened_at));
        }
    }
    out.median_hours_to_contact = median(&mut to_contact);
    out.median_hours_to_resolve = median(&mut to_resolve);
    out
}

fn hours(seconds: i64) -> f64 {
    seconds.max(0) as f64 / 3600.0
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(match values.len() % 2 {
        1 => values[mid],
        _ => (values[mid - 1] + values[mid]) / 2.0,
    })
}

/// The figures of the cases opened in each period of `grain`, oldest first; periods
/// without a case are left out.
pub fn by_period(cases: &[CaseTiming], grain: Grain, now: i64) -> Vec<(Day, CaseFigures)> {
    let mut periods: BTreeMap<Day, Vec<&CaseTiming>> = BTreeMap::new();
    for case in cases {
        let day = Day(i32::try_from(case.opened_at.div_euclid(86_400)).unwrap_or(i32::MAX));
        periods.entry(grain.start(day)).or_default().push(case);
    }
    periods
        .into_iter()
        .map(|(start, cases)| (start, figures(cases, now)))
        .collect()
}

/// The figures per team (value of the breakdown attribute), teams in order; cases of
/// respondents without a value are under `None`, last.
pub fn by_team(cases: &[CaseTiming], now: i64) -> Vec<(Option<String>, CaseFigures)> {
    let mut teams: BTreeMap<(bool, Option<&str>), Vec<&CaseTiming>> = BTreeMap::new();
    for case in cases {
        let team = case.team.as_deref();
        teams.entry((team.is_none(), team)).or_default().push(case);
    }
    teams
        .into_iter()
        .map(|((_, team), cases)| (team.map(str::to_owned), figures(cases, now)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    fn timing(
        state: CaseState,
        opened_h: i64,
        contact_h: Option<i64>,
        done_h: Option<i64>,
    ) -> CaseTiming {
        CaseTiming {
            state,
            opened_at: opened_h * H,
            due_at: (opened_h + 48) * H,
            first_contact_at: contact_h.map(|h| h * H),
            done_at: done_h.map(|h| h * H),
            team: None,
        }
    }

    #[test]
    fn a_detractor_score_opens_a_case_and_a_passive_does_not() {
        let rule = CaseRule::parse("0-6", false, "48", (0, 10)).unwrap();
        assert!(rule.opens(Some(0), false));
        assert!(rule.opens(Some(6), false));
        assert!(!rule.opens(Some(7), true));
        assert!(!rule.opens(None, true));
    }

    #[test]
    fn any_comment_opens_a_case_when_the_rule_says_so() {
        let rule = CaseRule::parse("", true, "24", (0, 10)).unwrap();
        assert!(rule.opens(Some(10), true));
        assert!(!rule.opens(Some(0), false));
        let both = CaseRule::parse("0–6", true, "24", (0, 10)).unwrap();
        assert!(both.opens(Some(3), false) && both.opens(Some(9), true));
        assert_eq!(both.scores_text(), "0-6");
    }

    #[test]
    fn a_rule_outside_the_scale_or_without_a_trigger_is_refused_with_its_field() {
        let scale = (1, 7);
        assert_eq!(
            CaseRule::parse("0-3", false, "48", scale)
                .unwrap_err()
                .field,
            "case_scores"
        );
        assert_eq!(
            CaseRule::parse("5-2", false, "48", scale)
                .unwrap_err()
                .field,
            "case_scores"
        );
        assert_eq!(
            CaseRule::parse("low", false, "48", scale)
                .unwrap_err()
                .field,
            "case_scores"
        );
        assert_eq!(
            CaseRule::parse("", false, "48", scale).unwrap_err().field,
            "case_scores"
        );
        assert_eq!(
            CaseRule::parse("1-3", false, "0", scale).unwrap_err().field,
            "case_due_hours"
        );
        assert_eq!(
            CaseRule::parse("1-3", false, "two days", scale)
                .unwrap_err()
                .field,
            "case_due_hours"
        );
        assert_eq!(
            CaseRule::parse("2", false, "8", scale).unwrap().scores,
            Some(ScoreRange { from: 2, to: 2 })
        );
    }

    #[test]
    fn a_case_moves_forward_or_is_reopened_but_never_stays_put() {
        assert!(CaseState::Open.may_become(CaseState::Contacted));
        assert!(CaseState::Open.may_become(CaseState::Closed));
        assert!(CaseState::Contacted.may_become(CaseState::Resolved));
        assert!(!CaseState::Contacted.may_become(CaseState::Open));
        assert!(CaseState::Resolved.may_become(CaseState::Open));
        assert!(!CaseState::Resolved.may_become(CaseState::Closed));
        for state in CaseState::ALL {
            assert!(!state.may_become(state));
            assert_eq!(CaseState::parse(state.as_str()), Some(state));
        }
    }

    fn facts(employees: bool) -> SurveyFacts {
        SurveyFacts {
            employees,
            anonymous: false,
            grouping: vec!["region".into(), "team".into()],
        }
    }

    fn manager(id: i64, scope: &str) -> Candidate {
        Candidate {
            id,
            role: Role::Manager,
            scope: Scope::parse([scope]).unwrap(),
        }
    }

    #[test]
    fn a_case_goes_to_the_manager_of_the_respondents_team() {
        let groups = BTreeMap::from([("team".to_owned(), "Sales".to_owned())]);
        let candidates = [
            Candidate {
                id: 1,
                role: Role::Admin,
                scope: Scope::default(),
            },
            manager(2, "team=Ops"),
            manager(3, "team=Sales"),
            manager(4, "team=Sales"),
        ];
        assert_eq!(route(&groups, &facts(false), &candidates, 9), 3);
    }

    #[test]
    fn without_a_manager_for_the_team_the_survey_owner_gets_the_case() {
        let groups = BTreeMap::from([("team".to_owned(), "Legal".to_owned())]);
        let candidates = [manager(2, "team=Ops"), manager(3, "team=Sales")];
        assert_eq!(route(&groups, &facts(false), &candidates, 9), 9);
        // An attribute the survey does not group by routes nothing.
        let plan = BTreeMap::from([("plan".to_owned(), "Pro".to_owned())]);
        assert_eq!(route(&plan, &facts(false), &[manager(5, "plan=Pro")], 9), 9);
    }

    #[test]
    fn everyone_but_viewers_works_on_cases() {
        assert!(may_work_on_cases(Role::Admin, &Scope::default()));
        assert!(may_work_on_cases(Role::Hr, &Scope::default()));
        assert!(may_work_on_cases(
            Role::Manager,
            &Scope::parse(["team=Sales"]).unwrap()
        ));
        assert!(!may_work_on_cases(Role::Viewer, &Scope::default()));
    }

    #[test]
    fn a_manager_never_gets_a_case_of_an_employee_survey_they_may_not_read() {
        let groups = BTreeMap::from([("team".to_owned(), "Sales".to_owned())]);
        assert_eq!(
            route(&groups, &facts(true), &[manager(3, "team=Sales")], 9),
            9
        );
    }

    #[test]
    fn figures_count_open_and_overdue_cases_and_take_medians_in_hours() {
        let now = 100 * H;
        let cases = [
            // Contacted after 2 h, resolved after 10 h.
            timing(CaseState::Resolved, 0, Some(2), Some(10)),
            // Contacted after 4 h, still going.
            timing(CaseState::Contacted, 10, Some(14), None),
            // Opened at 20 h, due at 68 h, nobody wrote: overdue at 100 h.
            timing(CaseState::Open, 20, None, None),
            // Due at 128 h: open, not overdue.
            timing(CaseState::Open, 80, None, None),
            // Closed without a contact after 30 h.
            timing(CaseState::Closed, 30, None, Some(60)),
        ];
        let f = figures(&cases, now);
        assert_eq!((f.opened, f.open, f.overdue), (5, 3, 1));
        // Contact: 2 h and 4 h → 3 h. Resolution: 10 h and 30 h → 20 h.
        assert_eq!(f.median_hours_to_contact, Some(3.0));
        assert_eq!(f.median_hours_to_resolve, Some(20.0));
    }

    #[test]
    fn a_reopened_case_counts_as_open_and_its_old_resolution_is_not_a_median() {
        let case = timing(CaseState::Open, 0, Some(1), Some(5));
        let f = figures([&case], 10 * H);
        assert_eq!((f.open, f.median_hours_to_resolve), (1, None));
        assert_eq!(f.median_hours_to_contact, Some(1.0));
    }

    #[test]
    fn figures_split_by_period_and_by_team() {
        let day = 86_400;
        let mut a = timing(CaseState::Open, 0, None, None);
        a.team = Some("Sales".into());
        let mut b = timing(CaseState::Open, 0, None, None);
        b.opened_at = 40 * day;
        b.team = Some("Ops".into());
        let c = timing(CaseState::Resolved, 1, None, Some(3));
        let cases = [a, b, c];
        let periods = by_period(&cases, Grain::Month, 41 * day);
        assert_eq!(periods.len(), 2);
        assert_eq!(periods[0].0.to_string(), "1970-01-01");
        assert_eq!(periods[0].1.opened, 2);
        assert_eq!(periods[1].0.to_string(), "1970-02-01");
        let teams = by_team(&cases, 41 * day);
        let names: Vec<Option<&str>> = teams.iter().map(|(t, _)| t.as_deref()).collect();
        assert_eq!(names, [Some("Ops"), Some("Sales"), None]);
        assert_eq!(teams[2].1.median_hours_to_resolve, Some(2.0));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
