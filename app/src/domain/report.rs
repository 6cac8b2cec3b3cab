//! Which score a question's answers make: the one place that decides, so that NPS is
//! only ever computed for NPS and eNPS questions and never for a plain 0–10 rating.

use super::ces::CesResult;
use super::csat::CsatResult;
use super::nps::{compare_nps, NpsResult};
use super::stats::{
    compare_means, compare_proportions, summarise_scale, Comparison, Interval, ScaleSummary,
};
use super::survey::QuestionKind;
use serde::{Deserialize, Serialize};

/// The score of one scale question.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", content = "result", rename_all = "snake_case")]
pub enum QuestionScore {
    Nps(NpsResult),
    /// Scored like NPS but reported apart: employees are not customers.
    Enps(NpsResult),
    Ces(CesResult),
    Csat(CsatResult),
    /// Agreement on 5 points: the share agreeing (4–5) and the mean, as CSAT counts them.
    Likert(CsatResult),
    /// A plain rating: mean and its interval only.
    Rating(ScaleSummary),
}

impl QuestionScore {
    /// Answers counted.
    pub fn n(&self) -> u64 {
        match self {
            QuestionScore::Nps(r) | QuestionScore::Enps(r) => r.n,
            QuestionScore::Ces(r) => r.n,
            QuestionScore::Csat(r) | QuestionScore::Likert(r) => r.n,
            QuestionScore::Rating(r) => r.n,
        }
    }
}

/// The one figure a score is followed by over time, with its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Headline {
    pub value: f64,
    pub ci: Interval,
    /// What the value is, e.g. "NPS" or "% satisfied".
    pub measure: &'static str,
    pub unit: &'static str,
    /// The whole scale of the value.
    pub scale: (f64, f64),
}

impl QuestionScore {
    /// NPS and eNPS in points; CES, CSAT and Likert as the share agreeing or satisfied
    /// (what their owners set targets on); a plain rating as its mean.
    pub fn headline(&self) -> Headline {
        let share = |value, ci, measure| Headline {
            value,
            ci,
            measure,
            unit: "%",
            scale: (0.0, 100.0),
        };
        match self {
            QuestionScore::Nps(r) | QuestionScore::Enps(r) => Headline {
                value: r.nps,
                ci: r.ci,
                measure: if matches!(self, QuestionScore::Nps(_)) {
                    "NPS"
                } else {
                    "eNPS"
                },
                unit: "points",
                scale: (-100.0, 100.0),
            },
            QuestionScore::Ces(r) => share(r.agree_pct, r.agree_ci, "% agree"),
            QuestionScore::Csat(r) => share(r.satisfied_pct, r.satisfied_ci, "% satisfied"),
            QuestionScore::Likert(r) => share(r.satisfied_pct, r.satisfied_ci, "% favourable"),
            QuestionScore::Rating(r) => Headline {
                value: r.mean,
                ci: r.mean_ci,
                measure: "mean",
                unit: "points",
                scale: (r.mean_ci.low.min(r.mean), r.mean_ci.high.max(r.mean)),
            },
        }
    }
}

impl QuestionScore {
    /// The test of the change from `self` (earlier) to `later` in the headline's units:
    /// NPS by the adjusted-Wald z test, shares as two proportions, a rating's mean by
    /// Welch's z. `None` for scores of different kinds.
    pub fn compare(&self, later: &QuestionScore) -> Option<Comparison> {
        let successes = |pct: f64, n: u64| (pct / 100.0 * n as f64).round() as u64;
        let shares = |c: Comparison| Comparison {
            difference: 100.0 * c.difference,
            ..c
        };
        Some(match (self, later) {
            (QuestionScore::Nps(a), QuestionScore::Nps(b))
            | (QuestionScore::Enps(a), QuestionScore::Enps(b)) => compare_nps(a, b),
            (QuestionScore::Ces(a), QuestionScore::Ces(b)) if a.scale == b.scale => {
                shares(compare_proportions(
                    successes(a.agree_pct, a.n),
                    a.n,
                    successes(b.agree_pct, b.n),
                    b.n,
                ))
            }
            (QuestionScore::Csat(a), QuestionScore::Csat(b))
            | (QuestionScore::Likert(a), QuestionScore::Likert(b)) => shares(compare_proportions(
                successes(a.satisfied_pct, a.n),
                a.n,
                successes(b.satisfied_pct, b.n),
                b.n,
            )),
            (QuestionScore::Rating(a), QuestionScore::Rating(b)) => {
                compare_means(a.mean, a.sd, a.n, b.mean, b.sd, b.n)
            }
            _ => return None,
        })
    }
}

/// Scores `histogram[s]` answers of score `s` (0..=10) for a question of `kind`; `None`
/// for kinds without a score (choices, free text).
pub fn score_question(kind: &QuestionKind, histogram: &[u64; 11]) -> Option<QuestionScore> {
    let (min, max) = kind.score_range()?;
    let counts = &histogram[usize::from(min)..=usize::from(max)];
    let five = || -> [u64; 5] {
        let mut five = [0; 5];
        five.copy_from_slice(&histogram[1..=5]);
        five
    };
    Some(match kind {
        QuestionKind::Nps => QuestionScore::Nps(NpsResult::from_histogram(histogram)),
        QuestionKind::Enps => QuestionScore::Enps(NpsResult::from_histogram(histogram)),
        QuestionKind::Ces { scale } => QuestionScore::Ces(
            CesResult::from_histogram(*scale, counts)
                .unwrap_or_else(|_| unreachable!("score_range matches the CES scale")),
        ),
        QuestionKind::Csat => QuestionScore::Csat(CsatResult::from_histogram(&five())),
        QuestionKind::Likert => QuestionScore::Likert(CsatResult::from_histogram(&five())),
        QuestionKind::Rating { .. } => QuestionScore::Rating(summarise_scale(counts, min)),
        QuestionKind::SingleChoice { .. }
        | QuestionKind::MultipleChoice { .. }
        | QuestionKind::FreeText { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ces::CesScale;

    fn histogram(pairs: &[(usize, u64)]) -> [u64; 11] {
        let mut h = [0; 11];
        for &(score, n) in pairs {
            h[score] = n;
        }
        h
    }

    #[test]
    fn a_zero_to_ten_rating_is_never_an_nps() {
        let h = histogram(&[(10, 3), (0, 1)]);
        let rating = score_question(&QuestionKind::Rating { min: 0, max: 10 }, &h).unwrap();
        let QuestionScore::Rating(summary) = rating else {
            panic!("a rating must be scored as a mean, got {rating:?}");
        };
        assert_eq!(summary.n, 4);
        assert!((summary.mean - 7.5).abs() < 1e-9);
        let nps = score_question(&QuestionKind::Nps, &h).unwrap();
        assert_eq!(nps, QuestionScore::Nps(NpsResult::from_counts(3, 0, 1)));
        assert!(matches!(
            score_question(&QuestionKind::Enps, &h),
            Some(QuestionScore::Enps(r)) if r.nps == 50.0
        ));
    }

    #[test]
    fn ces_is_scored_on_its_own_scale() {
        let h = histogram(&[(7, 2), (4, 1), (1, 1)]);
        let seven = QuestionKind::Ces {
            scale: CesScale::Seven,
        };
        let Some(QuestionScore::Ces(r)) = score_question(&seven, &h) else {
            panic!("CES questions get a CES score");
        };
        assert_eq!((r.n, r.agree_pct), (4, 50.0));
        let five = QuestionKind::Ces {
            scale: CesScale::Five,
        };
        let h = histogram(&[(5, 1), (4, 1), (2, 2)]);
        let Some(QuestionScore::Ces(r)) = score_question(&five, &h) else {
            panic!("CES questions get a CES score");
        };
        assert_eq!((r.scale, r.agree_pct), (CesScale::Five, 50.0));
    }

    #[test]
    fn csat_and_likert_count_four_and_five() {
        let h = histogram(&[(5, 1), (4, 2), (1, 1)]);
        let Some(QuestionScore::Csat(csat)) = score_question(&QuestionKind::Csat, &h) else {
            panic!("CSAT questions get a CSAT score");
        };
        assert_eq!((csat.n, csat.satisfied_pct), (4, 75.0));
        let Some(QuestionScore::Likert(likert)) = score_question(&QuestionKind::Likert, &h) else {
            panic!("Likert questions get an agreement score");
        };
        assert_eq!(likert, csat);
    }

    #[test]
    fn choices_and_text_have_no_score() {
        let h = histogram(&[(1, 5)]);
        assert_eq!(
            score_question(&QuestionKind::FreeText { max_chars: 100 }, &h),
            None
        );
        assert_eq!(
            score_question(&QuestionKind::SingleChoice { options: vec![] }, &h),
            None
        );
    }
}
