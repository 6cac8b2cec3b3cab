//! A question's score tile over a range: the score from the one engine with its n, the
//! skipped answers apart, the change against the period of the same length before, and
//! the two states a manager must tell apart: "not enough answers yet" (shown, marked, no
//! significance drawn) and "hidden to protect anonymity" (nothing shown at all).

use super::report::{score_question, Headline, QuestionScore};
use super::stats::Interval;
use super::survey::QuestionKind;
use serde::{Deserialize, Serialize};

/// A change is marked as significant below this p-value.
pub const SIGNIFICANCE: f64 = 0.05;

/// The change against the previous period, in the headline's units.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Change {
    pub difference: f64,
    /// Two-sided p-value of the engine's test for the two periods.
    pub p: f64,
    /// p < 0.05 with enough answers in both periods to read them.
    pub significant: bool,
    pub previous_value: f64,
    pub previous_n: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Tile {
    pub measure: String,
    pub unit: String,
    /// Answers counted; `None` when withheld.
    pub n: Option<u64>,
    /// Responses in the range that left this question unanswered: never in `n`.
    pub skipped: Option<u64>,
    pub value: Option<f64>,
    pub ci: Option<Interval>,
    /// The whole score (e.g. promoters, passives and detractors).
    pub score: Option<QuestionScore>,
    /// Fewer answers than the survey's minimum for a meaningful score: the value is there,
    /// one click away.
    pub too_few: bool,
    /// The survey's minimum for a meaningful score that `too_few` is against.
    #[serde(default)]
    pub min_meaningful: u64,
    pub change: Option<Change>,
    /// `Some("anonymity")` when withheld; then every number above is `None`.
    pub withheld: Option<String>,
    /// Months hidden to protect anonymity that the figures leave out (their answers are
    /// in no shown total, so no subtraction finds them).
    pub hidden_periods: u32,
}

/// One period's counts, and whether anonymity lets it be shown.
pub struct PeriodCounts {
    /// Answers per score, 0–10.
    pub histogram: [u64; 11],
    /// Responses in the period, answered or not; `None` when they cannot be told apart
    /// from hidden months' respondents.
    pub responses: Option<u64>,
    pub may_show: bool,
    /// Months of an anonymous survey left out of the counts because the trend hides them.
    pub hidden_periods: u32,
}

/// The tile of a question of `kind` for `current`, compared with `previous`, a score of
/// fewer than `min_meaningful` answers being "not enough answers yet". `None` for
/// questions without a score.
pub fn tile(
    kind: &QuestionKind,
    current: &PeriodCounts,
    previous: &PeriodCounts,
    min_meaningful: u64,
) -> Option<Tile> {
    let score = score_question(kind, &current.histogram)?;
    let Headline {
        value,
        ci,
        measure,
        unit,
        ..
    } = score.headline();
    if !current.may_show {
        return Some(Tile {
            measure: measure.to_owned(),
            unit: unit.to_owned(),
            n: None,
            skipped: None,
            value: None,
            ci: None,
            score: None,
            too_few: false,
            min_meaningful,
            change: None,
            withheld: Some("anonymity".to_owned()),
            hidden_periods: current.hidden_periods,
        });
    }
    let n = score.n();
    let too_few = n < min_meaningful;
    let change = score_question(kind, &previous.histogram)
        .filter(|before| previous.may_show && before.n() > 0 && n > 0)
        .and_then(|before| {
            let test = before.compare(&score)?;
            Some(Change {
                difference: test.difference,
                p: test.p,
                significant: test.p < SIGNIFICANCE && !too_few && before.n() >= min_meaningful,
                previous_value: before.headline().value,
                previous_n: before.n(),
            })
        });
    Some(Tile {
        measure: measure.to_owned(),
        unit: unit.to_owned(),
        n: Some(n),
        skipped: current.responses.map(|r| r.saturating_sub(n)),
        value: (n > 0).then_some(value),
        ci: (n > 0).then_some(ci),
        score: Some(score),
        too_few,
        min_meaningful,
        change,
        withheld: None,
        hidden_periods: current.hidden_periods,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::trend::MIN_MEANINGFUL;

    fn nps(promoters: u64, passives: u64, detractors: u64, responses: u64) -> PeriodCounts {
        let mut histogram = [0; 11];
        histogram[10] = promoters;
        histogram[7] = passives;
        histogram[0] = detractors;
        PeriodCounts {
            histogram,
            responses: Some(responses),
            may_show: true,
            hidden_periods: 0,
        }
    }

    #[test]
    fn the_worked_example_is_a_significant_rise_and_skips_stay_apart() {
        // 60/45/45 (NPS 10) before, 100/60/40 (NPS 30) now: z ≈ 2.28, p ≈ 0.02.
        let t = tile(
            &QuestionKind::Nps,
            &nps(100, 60, 40, 210),
            &nps(60, 45, 45, 150),
            MIN_MEANINGFUL,
        )
        .unwrap();
        assert_eq!((t.n, t.skipped), (Some(200), Some(10)));
        assert!((t.value.unwrap() - 30.0).abs() < 1e-9);
        let change = t.change.unwrap();
        assert!((change.difference - 20.0).abs() < 1e-9);
        assert!((change.p - 0.0226).abs() < 0.001, "{}", change.p);
        assert!(change.significant);
        assert_eq!((change.previous_value, change.previous_n), (10.0, 150));
    }

    #[test]
    fn a_change_within_noise_is_not_marked() {
        let t = tile(
            &QuestionKind::Nps,
            &nps(22, 10, 18, 50),
            &nps(20, 10, 20, 50),
            MIN_MEANINGFUL,
        )
        .unwrap();
        let change = t.change.unwrap();
        assert!(change.p > 0.05 && !change.significant);
    }

    #[test]
    fn too_few_answers_keep_the_score_but_never_mark_a_change() {
        // A huge swing on 4 answers: shown, but not read as significant.
        let t = tile(
            &QuestionKind::Nps,
            &nps(4, 0, 0, 4),
            &nps(0, 0, 40, 40),
            MIN_MEANINGFUL,
        )
        .unwrap();
        assert!(t.too_few);
        assert_eq!(t.value, Some(100.0));
        let change = t.change.unwrap();
        assert!(change.p < 0.05 && !change.significant);
    }

    #[test]
    fn a_withheld_period_shows_nothing_and_a_withheld_previous_shows_no_change() {
        let mut hidden = nps(2, 0, 1, 3);
        hidden.may_show = false;
        let t = tile(
            &QuestionKind::Enps,
            &hidden,
            &nps(9, 0, 0, 9),
            MIN_MEANINGFUL,
        )
        .unwrap();
        assert_eq!((t.n, t.value, t.ci, t.skipped), (None, None, None, None));
        assert!(t.score.is_none() && t.change.is_none());
        assert_eq!(t.withheld.as_deref(), Some("anonymity"));
        let t = tile(
            &QuestionKind::Enps,
            &nps(9, 0, 0, 9),
            &hidden,
            MIN_MEANINGFUL,
        )
        .unwrap();
        assert!(
            t.change.is_none(),
            "the change would give the previous value away"
        );
    }

    #[test]
    fn shares_change_in_points() {
        let csat = |satisfied: u64, not: u64| {
            let mut histogram = [0; 11];
            histogram[5] = satisfied;
            histogram[2] = not;
            PeriodCounts {
                histogram,
                responses: Some(satisfied + not),
                may_show: true,
                hidden_periods: 0,
            }
        };
        let t = tile(
            &QuestionKind::Csat,
            &csat(80, 20),
            &csat(60, 40),
            MIN_MEANINGFUL,
        )
        .unwrap();
        assert_eq!(t.measure, "% satisfied");
        assert!((t.change.unwrap().difference - 20.0).abs() < 1e-9);
    }
}
