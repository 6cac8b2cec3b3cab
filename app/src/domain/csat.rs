//! Customer Satisfaction on a 5-point scale (1 = very dissatisfied …
//! 5 = very satisfied), reported as the share of satisfied answers (4–5) and
//! as a mean.

use super::stats::{summarise_scale, wilson, Interval};
use super::{score_in_range, ScoreError};
use serde::{Deserialize, Serialize};

/// Lowest score that counts as satisfied.
const SATISFIED_FROM: u8 = 4;

/// One valid CSAT answer, 1 to 5.
///
/// Deserialising goes through [`CsatAnswer::parse`].
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(try_from = "i64", into = "u8")]
pub struct CsatAnswer(u8);

impl CsatAnswer {
    /// Accepts only the integers 1 to 5.
    pub fn parse(value: i64) -> Result<CsatAnswer, ScoreError> {
        score_in_range(value, 1, 5).map(CsatAnswer)
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn is_satisfied(self) -> bool {
        self.0 >= SATISFIED_FROM
    }
}

impl TryFrom<i64> for CsatAnswer {
    type Error = ScoreError;

    fn try_from(value: i64) -> Result<CsatAnswer, ScoreError> {
        CsatAnswer::parse(value)
    }
}

impl From<CsatAnswer> for u8 {
    fn from(answer: CsatAnswer) -> u8 {
        answer.0
    }
}

/// Score of one set of CSAT answers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CsatResult {
    pub n: u64,
    /// Share of 4s and 5s, 0–100; 0 with no answers.
    pub satisfied_pct: f64,
    /// 95 % Wilson interval of `satisfied_pct`, 0–100.
    pub satisfied_ci: Interval,
    /// Mean score. With no answers, the scale midpoint 3 (check `n`).
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 with fewer than two answers.
    /// Kept so that waves can be compared with `compare_means`.
    pub sd: f64,
    /// 95 % t interval, clamped to 1..=5; the whole scale when n < 2.
    pub mean_ci: Interval,
}

impl CsatResult {
    /// `counts[i]` is the number of answers with score `i + 1`.
    pub fn from_histogram(counts: &[u64; 5]) -> CsatResult {
        let summary = summarise_scale(counts, 1);
        let satisfied = counts[usize::from(SATISFIED_FROM - 1)..]
            .iter()
            .fold(0_u64, |sum, &c| sum.saturating_add(c));
        let satisfied_pct = if summary.n == 0 {
            0.0
        } else {
            100.0 * satisfied as f64 / summary.n as f64
        };
        CsatResult {
            n: summary.n,
            satisfied_pct,
            satisfied_ci: wilson(satisfied, summary.n).scaled(100.0),
            mean: summary.mean,
            sd: summary.sd,
            mean_ci: summary.mean_ci,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn csat_answer_accepts_only_1_to_5() {
        for value in 1..=5 {
            assert_eq!(
                CsatAnswer::parse(value).map(CsatAnswer::value),
                Ok(value as u8)
            );
        }
        for value in [0, 6, -4] {
            assert_eq!(
                CsatAnswer::parse(value).map_err(|e| e.to_string()),
                Err("score must be a whole number from 1 to 5".to_owned())
            );
        }
    }

    #[test]
    fn four_and_five_count_as_satisfied() {
        let satisfied = |v| CsatAnswer::parse(v).map(CsatAnswer::is_satisfied);
        assert_eq!(satisfied(3), Ok(false));
        assert_eq!(satisfied(4), Ok(true));
        assert_eq!(satisfied(5), Ok(true));
    }

    #[test]
    fn example_has_75_percent_satisfied_ci_65_7_to_82_5_and_mean_4_01_ci_3_80_to_4_22() {
        // Counts for 1..5: 4, 6, 15, 35, 40 → n = 100; satisfied = 35 + 40 = 75.
        // Wilson: centre (0.75 + 0.019208)/1.038416 = 0.74077,
        // half 1.96/1.038416 · √(0.001875 + 0.00009604) = 0.08380,
        // CI 65.7 % to 82.5 %.
        // Σx = 4 + 12 + 45 + 140 + 200 = 401 → mean 4.01.
        // Σx² = 4 + 24 + 135 + 560 + 1000 = 1723; SS = 1723 − 401²/100 = 114.99;
        // s² = 114.99/99 = 1.16152; s = 1.07774.
        // t(0.975, 99) = 1.98422 → half-width 0.21385, CI 3.79615 to 4.22385.
        let r = CsatResult::from_histogram(&[4, 6, 15, 35, 40]);
        assert_eq!(r.n, 100);
        assert_eq!(r.satisfied_pct, 75.0);
        assert_eq!(format!("{:.1}", r.satisfied_ci.low), "65.7");
        assert_eq!(format!("{:.1}", r.satisfied_ci.high), "82.5");
        assert_eq!(format!("{:.2}", r.mean), "4.01");
        assert_eq!(format!("{:.5}", r.sd), "1.07774");
        assert_eq!(format!("{:.2}", r.mean_ci.low), "3.80");
        assert_eq!(format!("{:.2}", r.mean_ci.high), "4.22");
    }

    #[test]
    fn a_single_answer_gives_the_whole_scale_as_mean_interval() {
        let r = CsatResult::from_histogram(&[0, 0, 0, 0, 1]);
        assert_eq!((r.n, r.mean, r.satisfied_pct), (1, 5.0, 100.0));
        assert_eq!(
            r.mean_ci,
            Interval {
                low: 1.0,
                high: 5.0
            }
        );
    }

    #[test]
    fn no_answers_report_the_midpoint_and_nobody_satisfied() {
        let r = CsatResult::from_histogram(&[0; 5]);
        assert_eq!((r.n, r.mean, r.satisfied_pct), (0, 3.0, 0.0));
        assert_eq!(
            r.satisfied_ci,
            Interval {
                low: 0.0,
                high: 100.0
            }
        );
    }

    proptest! {
        #[test]
        fn intervals_stay_on_the_scale_and_contain_their_estimates(
            counts in prop::array::uniform5(0_u64..1_000)
        ) {
            let r = CsatResult::from_histogram(&counts);
            prop_assert!(1.0 <= r.mean_ci.low && r.mean_ci.high <= 5.0);
            prop_assert!(r.mean_ci.contains(r.mean));
            prop_assert!(0.0 <= r.satisfied_ci.low && r.satisfied_ci.high <= 100.0);
            prop_assert!(r.satisfied_ci.contains(r.satisfied_pct));
        }
    }
}
