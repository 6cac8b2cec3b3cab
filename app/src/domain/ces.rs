//! Customer Effort Score: agreement with "the company made it easy for me to
//! handle my issue" on a 7-point (CES 2.0) or 5-point scale.
//!
//! The two scales are never pooled or compared with each other: a 5 means
//! "agree" on one and "strongly agree" on the other. Every answer and result
//! therefore carries its scale.

use super::stats::{summarise_scale, wilson, Interval};
use super::{score_in_range, ScoreError};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CesScale {
    /// 1 = strongly disagree … 7 = strongly agree.
    Seven,
    /// 1 = strongly disagree … 5 = strongly agree.
    Five,
}

impl CesScale {
    /// Highest score; the lowest is always 1.
    pub fn max(self) -> u8 {
        match self {
            CesScale::Seven => 7,
            CesScale::Five => 5,
        }
    }

    /// Lowest score that counts as agreeing: 5 of 7, 4 of 5.
    pub fn agree_from(self) -> u8 {
        match self {
            CesScale::Seven => 5,
            CesScale::Five => 4,
        }
    }

    /// Number of distinct scores, i.e. the histogram length.
    pub fn points(self) -> usize {
        usize::from(self.max())
    }
}

/// One valid CES answer on a given scale.
///
/// Deserialising re-validates the value against the scale.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(try_from = "RawCesAnswer")]
pub struct CesAnswer {
    scale: CesScale,
    value: u8,
}

#[derive(Deserialize)]
struct RawCesAnswer {
    scale: CesScale,
    value: i64,
}

impl TryFrom<RawCesAnswer> for CesAnswer {
    type Error = ScoreError;

    fn try_from(raw: RawCesAnswer) -> Result<CesAnswer, ScoreError> {
        CesAnswer::parse(raw.scale, raw.value)
    }
}

impl CesAnswer {
    /// Accepts only the integers 1 to `scale.max()`.
    pub fn parse(scale: CesScale, value: i64) -> Result<CesAnswer, ScoreError> {
        score_in_range(value, 1, scale.max()).map(|value| CesAnswer { scale, value })
    }

    pub fn scale(self) -> CesScale {
        self.scale
    }

    pub fn value(self) -> u8 {
        self.value
    }

    pub fn agrees(self) -> bool {
        self.value >= self.scale.agree_from()
    }
}

/// Score of one set of CES answers on one scale.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CesResult {
    pub scale: CesScale,
    pub n: u64,
    /// Mean score. With no answers, the scale midpoint (check `n`).
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 with fewer than two answers.
    /// Kept so that waves can be compared with `compare_means`.
    pub sd: f64,
    /// 95 % t interval, clamped to the scale; the whole scale when n < 2.
    pub mean_ci: Interval,
    /// Share agreeing, 0–100; 0 with no answers.
    pub agree_pct: f64,
    /// 95 % Wilson interval of `agree_pct`, 0–100.
    pub agree_ci: Interval,
}

impl CesResult {
    /// `counts[i]` is the number of answers with score `i + 1`; its length
    /// must equal the number of points on `scale`.
    pub fn from_histogram(scale: CesScale, counts: &[u64]) -> Result<CesResult, ScoreError> {
        if counts.len() != scale.points() {
            return Err(ScoreError::HistogramLength {
                expected: scale.points(),
                actual: counts.len(),
            });
        }
        let summary = summarise_scale(counts, 1);
        let agree = counts[usize::from(scale.agree_from() - 1)..]
            .iter()
            .fold(0_u64, |sum, &c| sum.saturating_add(c));
        let agree_pct = if summary.n == 0 {
            0.0
        } else {
            100.0 * agree as f64 / summary.n as f64
        };
        Ok(CesResult {
            scale,
            n: summary.n,
            mean: summary.mean,
            sd: summary.sd,
            mean_ci: summary.mean_ci,
            agree_pct,
            agree_ci: wilson(agree, summary.n).scaled(100.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn two_decimals(x: f64) -> String {
        format!("{x:.2}")
    }

    #[test]
    fn ces_answer_accepts_1_to_7_on_the_seven_point_scale() {
        for value in 1..=7 {
            assert!(CesAnswer::parse(CesScale::Seven, value).is_ok());
        }
        assert_eq!(
            CesAnswer::parse(CesScale::Seven, 8).map_err(|e| e.to_string()),
            Err("score must be a whole number from 1 to 7".to_owned())
        );
        assert!(CesAnswer::parse(CesScale::Seven, 0).is_err());
    }

    #[test]
    fn ces_answer_rejects_6_on_the_five_point_scale() {
        assert_eq!(
            CesAnswer::parse(CesScale::Five, 6),
            Err(ScoreError::OutOfRange {
                value: 6,
                min: 1,
                max: 5
            })
        );
    }

    #[test]
    fn agreement_starts_at_5_of_7_and_4_of_5() {
        let agrees = |scale, v| CesAnswer::parse(scale, v).map(CesAnswer::agrees);
        assert_eq!(agrees(CesScale::Seven, 4), Ok(false));
        assert_eq!(agrees(CesScale::Seven, 5), Ok(true));
        assert_eq!(agrees(CesScale::Five, 3), Ok(false));
        assert_eq!(agrees(CesScale::Five, 4), Ok(true));
    }

    #[test]
    fn seven_point_example_has_mean_5_43_ci_5_15_to_5_71_and_80_percent_agreeing() {
        // Counts for 1..7: 2, 3, 5, 10, 20, 40, 20 → n = 100.
        // Σx = 2 + 6 + 15 + 40 + 100 + 240 + 140 = 543 → mean 5.43.
        // Σx² = 2 + 12 + 45 + 160 + 500 + 1440 + 980 = 3139;
        // SS = 3139 − 543²/100 = 190.51; s² = 190.51/99 = 1.92434; s = 1.38721.
        // t(0.975, 99) = 1.98422 → half-width 1.98422 · 1.38721/10 = 0.27525,
        // CI 5.15475 to 5.70525.
        // Agree (5–7) = 80/100. Wilson: centre (0.8 + 1.96²/200)/(1 + 1.96²/100)
        // = 0.78890, half 1.96/1.038416 · √(0.0016 + 0.00009604) = 0.07773,
        // CI 71.1 % to 86.7 %.
        let r = CesResult::from_histogram(CesScale::Seven, &[2, 3, 5, 10, 20, 40, 20])
            .expect("seven counts for a seven-point scale");
        assert_eq!(r.scale, CesScale::Seven);
        assert_eq!(r.n, 100);
        assert_eq!(two_decimals(r.mean), "5.43");
        assert_eq!(format!("{:.5}", r.sd), "1.38721");
        assert_eq!(two_decimals(r.mean_ci.low), "5.15");
        assert_eq!(two_decimals(r.mean_ci.high), "5.71");
        assert_eq!(r.agree_pct, 80.0);
        assert_eq!(format!("{:.1}", r.agree_ci.low), "71.1");
        assert_eq!(format!("{:.1}", r.agree_ci.high), "86.7");
    }

    #[test]
    fn five_point_example_has_mean_3_6_ci_2_63_to_4_57_and_60_percent_agreeing() {
        // Counts for 1..5: 1, 1, 2, 3, 3 → n = 10.
        // Σx = 1 + 2 + 6 + 12 + 15 = 36 → mean 3.6.
        // Σx² = 1 + 4 + 18 + 48 + 75 = 146; SS = 146 − 36²/10 = 16.4;
        // s² = 16.4/9 = 1.82222; s = 1.34990; SE = 1.34990/√10 = 0.42687.
        // t(0.975, 9) = 2.26216 → half-width 0.96566, CI 2.63434 to 4.56566.
        // Agree (4–5) = 6/10. Wilson: denominator 1 + 0.38416 = 1.38416,
        // centre (0.6 + 0.19208)/1.38416 = 0.57225,
        // half 1.96/1.38416 · √(0.024 + 0.009604) = 0.25958,
        // CI 31.3 % to 83.2 %.
        let r = CesResult::from_histogram(CesScale::Five, &[1, 1, 2, 3, 3])
            .expect("five counts for a five-point scale");
        assert_eq!(r.n, 10);
        assert_eq!(two_decimals(r.mean), "3.60");
        assert_eq!(two_decimals(r.mean_ci.low), "2.63");
        assert_eq!(two_decimals(r.mean_ci.high), "4.57");
        assert_eq!(r.agree_pct, 60.0);
        assert_eq!(format!("{:.1}", r.agree_ci.low), "31.3");
        assert_eq!(format!("{:.1}", r.agree_ci.high), "83.2");
    }

    #[test]
    fn histogram_of_the_wrong_length_is_rejected() {
        assert_eq!(
            CesResult::from_histogram(CesScale::Seven, &[1, 2, 3, 4, 5]),
            Err(ScoreError::HistogramLength {
                expected: 7,
                actual: 5
            })
        );
    }

    #[test]
    fn a_single_answer_gives_the_whole_scale_as_mean_interval() {
        let r = CesResult::from_histogram(CesScale::Five, &[0, 0, 0, 1, 0])
            .expect("five counts for a five-point scale");
        assert_eq!((r.n, r.mean, r.sd), (1, 4.0, 0.0));
        assert_eq!(
            r.mean_ci,
            Interval {
                low: 1.0,
                high: 5.0
            }
        );
    }

    #[test]
    fn no_answers_report_the_midpoint_and_nobody_agreeing() {
        let r = CesResult::from_histogram(CesScale::Seven, &[0; 7])
            .expect("seven counts for a seven-point scale");
        assert_eq!((r.n, r.mean, r.agree_pct), (0, 4.0, 0.0));
        assert_eq!(
            r.mean_ci,
            Interval {
                low: 1.0,
                high: 7.0
            }
        );
        assert_eq!(
            r.agree_ci,
            Interval {
                low: 0.0,
                high: 100.0
            }
        );
    }

    proptest! {
        #[test]
        fn intervals_stay_on_the_scale_and_contain_their_estimates(
            counts in prop::collection::vec(0_u64..1_000, 7)
        ) {
            let r = CesResult::from_histogram(CesScale::Seven, &counts)
                .expect("seven counts for a seven-point scale");
            prop_assert!(1.0 <= r.mean_ci.low && r.mean_ci.high <= 7.0);
            prop_assert!(r.mean_ci.contains(r.mean));
            prop_assert!(0.0 <= r.agree_ci.low && r.agree_ci.high <= 100.0);
            prop_assert!(r.agree_ci.contains(r.agree_pct));
        }
    }
}
