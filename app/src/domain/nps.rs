//! Net Promoter Score (and eNPS, which asks the same 0–10 question of
//! employees).
//!
//! The interval and the comparison use the adjusted-Wald method (Sauro &
//! Lewis): add 3 pseudo-answers, ¾ of a promoter and ¾ of a detractor among
//! them, before applying the normal approximation. Plain Wald intervals are
//! far too narrow for the small samples that eNPS pulse surveys produce.

use super::stats::{two_sided_p, Comparison, Interval, Z_95};
use super::{score_in_range, ScoreError};
use serde::{Deserialize, Serialize};

/// One valid answer to "how likely are you to recommend…", 0 to 10.
///
/// Deserialising goes through [`NpsScore::parse`], so stored data cannot
/// smuggle in an out-of-range score.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(try_from = "i64", into = "u8")]
pub struct NpsScore(u8);

impl NpsScore {
    /// Accepts only the integers 0 to 10.
    pub fn parse(value: i64) -> Result<NpsScore, ScoreError> {
        score_in_range(value, 0, 10).map(NpsScore)
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn category(self) -> NpsCategory {
        match self.0 {
            9.. => NpsCategory::Promoter,
            7 | 8 => NpsCategory::Passive,
            _ => NpsCategory::Detractor,
        }
    }
}

impl TryFrom<i64> for NpsScore {
    type Error = ScoreError;

    fn try_from(value: i64) -> Result<NpsScore, ScoreError> {
        NpsScore::parse(value)
    }
}

impl From<NpsScore> for u8 {
    fn from(score: NpsScore) -> u8 {
        score.0
    }
}

/// Promoter 9–10, Passive 7–8, Detractor 0–6.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NpsCategory {
    Promoter,
    Passive,
    Detractor,
}

/// Score of one set of NPS answers.
///
/// Invariant when built by the constructors: `n = promoters + passives +
/// detractors`; skipped answers are not counted anywhere.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NpsResult {
    pub n: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// % promoters − % detractors, in points from −100 to 100.
    pub nps: f64,
    /// Adjusted-Wald point estimate in points: the centre of `ci`. It is
    /// pulled towards 0 for small samples, so `ci` may exclude `nps` itself
    /// (e.g. a single promoter).
    pub adjusted: f64,
    /// 95 % adjusted-Wald interval in points, clamped to −100..=100.
    pub ci: Interval,
}

impl NpsResult {
    /// With no answers the score is 0 and the interval the full −100..=100:
    /// the adjusted-Wald formula would otherwise claim −80..80 from three
    /// imaginary answers, which suggests knowledge that does not exist.
    ///
    /// Counts saturate rather than overflow at `u64::MAX`.
    pub fn from_counts(promoters: u64, passives: u64, detractors: u64) -> NpsResult {
        let n = promoters
            .saturating_add(passives)
            .saturating_add(detractors);
        if n == 0 {
            return NpsResult {
                n,
                promoters,
                passives,
                detractors,
                nps: 0.0,
                adjusted: 0.0,
                ci: Interval {
                    low: -100.0,
                    high: 100.0,
                },
            };
        }
        let nps = 100.0 * (promoters as f64 - detractors as f64) / n as f64;
        let adjusted = Adjusted::from_counts(promoters, detractors, n);
        let half = Z_95 * adjusted.variance.sqrt();
        NpsResult {
            n,
            promoters,
            passives,
            detractors,
            nps,
            adjusted: 100.0 * adjusted.nps,
            ci: Interval {
                low: 100.0 * (adjusted.nps - half),
                high: 100.0 * (adjusted.nps + half),
            }
            .clamped(-100.0, 100.0),
        }
    }

    /// `histogram[s]` is the number of answers with score `s`, 0 to 10.
    pub fn from_histogram(histogram: &[u64; 11]) -> NpsResult {
        let sum = |scores: &[u64]| scores.iter().fold(0_u64, |acc, &c| acc.saturating_add(c));
        NpsResult::from_counts(
            sum(&histogram[9..]),
            sum(&histogram[7..9]),
            sum(&histogram[..7]),
        )
    }

    /// `None` is a skipped question: it is left out of the denominator.
    pub fn from_answers(answers: impl IntoIterator<Item = Option<NpsScore>>) -> NpsResult {
        let mut histogram = [0_u64; 11];
        for score in answers.into_iter().flatten() {
            let slot = &mut histogram[usize::from(score.value())];
            *slot = slot.saturating_add(1);
        }
        NpsResult::from_histogram(&histogram)
    }

    /// Share of promoters, 0–100; 0 when there are no answers.
    pub fn promoter_pct(&self) -> f64 {
        percent(self.promoters, self.n)
    }

    /// Share of passives, 0–100; 0 when there are no answers.
    pub fn passive_pct(&self) -> f64 {
        percent(self.passives, self.n)
    }

    /// Share of detractors, 0–100; 0 when there are no answers.
    pub fn detractor_pct(&self) -> f64 {
        percent(self.detractors, self.n)
    }
}

fn percent(part: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        100.0 * part as f64 / n as f64
    }
}

/// Adjusted-Wald NPS and its variance, as proportions (−1..1).
struct Adjusted {
    nps: f64,
    variance: f64,
}

impl Adjusted {
    fn from_counts(promoters: u64, detractors: u64, n: u64) -> Adjusted {
        let n_adj = n as f64 + 3.0;
        let p = (promoters as f64 + 0.75) / n_adj;
        let d = (detractors as f64 + 0.75) / n_adj;
        let nps = p - d;
        Adjusted {
            nps,
            variance: (p + d - nps * nps) / n_adj,
        }
    }
}

/// Tests whether the NPS of `second` differs from that of `first`.
///
/// `difference` is `second.nps − first.nps` in points (positive = improved);
/// `z` is computed on the adjusted-Wald estimates and variances, so it has
/// the same sign in all but borderline cases. If either wave has no answers
/// there is nothing to test: z 0, p 1.
pub fn compare_nps(first: &NpsResult, second: &NpsResult) -> Comparison {
    let difference = second.nps - first.nps;
    if first.n == 0 || second.n == 0 {
        return Comparison {
            difference,
            z: 0.0,
            p: 1.0,
        };
    }
    let a = Adjusted::from_counts(first.promoters, first.detractors, first.n);
    let b = Adjusted::from_counts(second.promoters, second.detractors, second.n);
    // Both variances are strictly positive thanks to the pseudo-answers.
    let z = (b.nps - a.nps) / (a.variance + b.variance).sqrt();
    Comparison {
        difference,
        z,
        p: two_sided_p(z),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one_decimal(x: f64) -> String {
        format!("{x:.1}")
    }

    fn scores(values: &[i64]) -> Vec<Option<NpsScore>> {
        values.iter().map(|&v| NpsScore::parse(v).ok()).collect()
    }

    #[test]
    fn nps_score_accepts_every_whole_number_from_0_to_10() {
        for value in 0..=10 {
            assert_eq!(NpsScore::parse(value).map(NpsScore::value), Ok(value as u8));
        }
    }

    #[test]
    fn nps_score_rejects_numbers_outside_0_to_10_with_a_readable_message() {
        for value in [-1, 11, 256, i64::MIN, i64::MAX] {
            let error = NpsScore::parse(value).unwrap_err();
            assert_eq!(
                error,
                ScoreError::OutOfRange {
                    value,
                    min: 0,
                    max: 10
                }
            );
            assert_eq!(
                error.to_string(),
                "score must be a whole number from 0 to 10"
            );
        }
    }

    #[test]
    fn nps_categories_split_at_6_7_and_8_9() {
        let category = |v| NpsScore::parse(v).map(NpsScore::category);
        assert_eq!(category(0), Ok(NpsCategory::Detractor));
        assert_eq!(category(6), Ok(NpsCategory::Detractor));
        assert_eq!(category(7), Ok(NpsCategory::Passive));
        assert_eq!(category(8), Ok(NpsCategory::Passive));
        assert_eq!(category(9), Ok(NpsCategory::Promoter));
        assert_eq!(category(10), Ok(NpsCategory::Promoter));
    }

    #[test]
    fn nps_of_the_published_example_is_30_with_ci_18_8_to_40_3() {
        // n' = 203, p' = 100.75/203 = 0.49631, d' = 40.75/203 = 0.20074,
        // NPS' = 0.29557, Var' = (0.69704 − 0.29557²)/203 = 0.0030034,
        // CI = 0.29557 ± 1.96 · 0.054803 = 0.18815 to 0.40298.
        let r = NpsResult::from_counts(100, 60, 40);
        assert_eq!(r.n, 200);
        assert_eq!(one_decimal(r.nps), "30.0");
        assert_eq!(one_decimal(r.adjusted), "29.6");
        assert_eq!(one_decimal(r.ci.low), "18.8");
        assert_eq!(one_decimal(r.ci.high), "40.3");
    }

    #[test]
    fn nps_of_the_second_wave_is_10() {
        let r = NpsResult::from_counts(60, 45, 45);
        assert_eq!(r.n, 150);
        assert_eq!(one_decimal(r.nps), "10.0");
    }

    #[test]
    fn comparing_the_two_waves_gives_z_about_minus_2_28_and_p_about_0_022() {
        // NPS'₂ = (60.75 − 45.75)/153 = 0.098039, Var'₂ = 0.0044867;
        // z = (0.098039 − 0.295567) / √(0.0030034 + 0.0044867) = −2.2824.
        let first = NpsResult::from_counts(100, 60, 40);
        let second = NpsResult::from_counts(60, 45, 45);
        let c = compare_nps(&first, &second);
        assert!((c.difference + 20.0).abs() < 1e-9);
        assert_eq!(format!("{:.2}", c.z), "-2.28");
        assert_eq!(format!("{:.3}", c.p), "0.022");
    }

    #[test]
    fn comparison_sign_follows_second_minus_first() {
        let worse = NpsResult::from_counts(60, 45, 45);
        let better = NpsResult::from_counts(100, 60, 40);
        let c = compare_nps(&worse, &better);
        assert!(c.difference > 0.0 && c.z > 0.0);
    }

    #[test]
    fn comparing_with_an_empty_wave_shows_no_evidence() {
        let c = compare_nps(
            &NpsResult::from_counts(0, 0, 0),
            &NpsResult::from_counts(5, 0, 0),
        );
        assert_eq!((c.z, c.p), (0.0, 1.0));
    }

    #[test]
    fn empty_result_scores_0_with_the_full_range_as_interval() {
        let r = NpsResult::from_answers(scores(&[]));
        assert_eq!(r.n, 0);
        assert_eq!((r.nps, r.adjusted), (0.0, 0.0));
        assert_eq!(
            r.ci,
            Interval {
                low: -100.0,
                high: 100.0
            }
        );
        assert_eq!(
            (r.promoter_pct(), r.passive_pct(), r.detractor_pct()),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn category_percentages_add_up_to_100() {
        let r = NpsResult::from_counts(100, 60, 40);
        assert_eq!(
            (r.promoter_pct(), r.passive_pct(), r.detractor_pct()),
            (50.0, 30.0, 20.0)
        );
    }

    #[test]
    fn histogram_groups_scores_into_categories() {
        let histogram = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        assert_eq!(
            NpsResult::from_histogram(&histogram),
            NpsResult::from_counts(21, 17, 28)
        );
    }

    #[test]
    fn answers_are_counted_by_category_and_skips_ignored() {
        let r = NpsResult::from_answers(scores(&[10, 9, 8, 0, 6, 42, -3]));
        assert_eq!((r.n, r.promoters, r.passives, r.detractors), (5, 2, 1, 2));
    }

    #[test]
    fn unanimous_promoters_keep_the_interval_inside_100() {
        let r = NpsResult::from_counts(10_000, 0, 0);
        assert_eq!(r.nps, 100.0);
        assert!(r.ci.high <= 100.0 && r.ci.contains(r.adjusted));
    }

    fn answers() -> impl Strategy<Value = Vec<Option<NpsScore>>> {
        prop::collection::vec(prop::option::of(0_i64..=10), 0..300).prop_map(|values| {
            values
                .into_iter()
                .map(|v| v.and_then(|v| NpsScore::parse(v).ok()))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn nps_always_lies_between_minus_100_and_100(p in 0_u64..5_000, pa in 0_u64..5_000, d in 0_u64..5_000) {
            let r = NpsResult::from_counts(p, pa, d);
            prop_assert!((-100.0..=100.0).contains(&r.nps));
            prop_assert!(-100.0 <= r.ci.low && r.ci.high <= 100.0);
        }

        #[test]
        fn order_of_answers_does_not_matter(
            (original, shuffled) in answers().prop_flat_map(|a| (Just(a.clone()), Just(a).prop_shuffle()))
        ) {
            prop_assert_eq!(NpsResult::from_answers(original), NpsResult::from_answers(shuffled));
        }

        #[test]
        fn interval_contains_the_adjusted_estimate(p in 0_u64..5_000, pa in 0_u64..5_000, d in 0_u64..5_000) {
            let r = NpsResult::from_counts(p, pa, d);
            prop_assert!(r.ci.contains(r.adjusted));
        }

        #[test]
        fn skipped_answers_change_nothing(given in answers(), skips in 0_usize..100) {
            let with_skips = given.iter().copied().chain(std::iter::repeat_n(None, skips));
            let without = given.iter().copied().flatten().map(Some);
            prop_assert_eq!(NpsResult::from_answers(with_skips), NpsResult::from_answers(without));
        }

        #[test]
        fn comparing_a_wave_with_itself_shows_no_difference(p in 0_u64..2_000, pa in 0_u64..2_000, d in 0_u64..2_000) {
            let r = NpsResult::from_counts(p, pa, d);
            let c = compare_nps(&r, &r);
            prop_assert_eq!((c.difference, c.z, c.p), (0.0, 0.0, 1.0));
        }
    }
}
