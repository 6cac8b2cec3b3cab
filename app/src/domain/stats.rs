//! Distribution functions, confidence intervals and significance tests.
//!
//! Everything here is written out by hand because the module also runs in the
//! browser, where pulling in a statistics crate would cost download size.
//! Accuracy targets are those of a survey report: far beyond the one or two
//! decimals ever shown, not a numerical library.

use serde::{Deserialize, Serialize};
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Critical value of the standard normal distribution for 95 % confidence.
///
/// The conventional rounded 1.96 rather than 1.959964… so that figures match
/// the published worked examples analysts check against.
pub const Z_95: f64 = 1.96;

/// A closed interval `[low, high]`.
///
/// [`mean_interval`] may return infinite bounds (see there); every result type
/// in this module clamps to its scale before storing an interval.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies in the interval, bounds included.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// Both bounds multiplied by `factor`, e.g. 100 to turn proportions into
    /// percentages.
    pub fn scaled(self, factor: f64) -> Interval {
        Interval {
            low: self.low * factor,
            high: self.high * factor,
        }
    }

    /// The interval intersected with `[min, max]`.
    pub(crate) fn clamped(self, min: f64, max: f64) -> Interval {
        Interval {
            low: self.low.clamp(min, max),
            high: self.high.clamp(min, max),
        }
    }
}

/// Outcome of a two-sided significance test between two groups.
///
/// Sign convention everywhere in this module: `difference` is **second minus
/// first**, so comparing last wave (first) with this wave (second) gives a
/// positive difference when things improved. `z` carries the same sign.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    pub difference: f64,
    pub z: f64,
    /// Two-sided p-value from the standard normal distribution.
    pub p: f64,
}

impl Comparison {
    /// A test whose standard error is zero or undefined (an empty group, or
    /// both groups unanimous) carries no evidence: report z 0 and p 1 rather
    /// than NaN or infinity, which would not survive JSON.
    fn from_difference(difference: f64, standard_error: f64) -> Comparison {
        if standard_error > 0.0 && standard_error.is_finite() {
            let z = difference / standard_error;
            Comparison {
                difference,
                z,
                p: two_sided_p(z),
            }
        } else {
            Comparison {
                difference,
                z: 0.0,
                p: 1.0,
            }
        }
    }
}

/// Two-sided p-value of a standard normal test statistic.
pub(crate) fn two_sided_p(z: f64) -> f64 {
    // erfc of a non-negative argument keeps full relative precision in the
    // tail, unlike 1 − Φ(|z|).
    erfc(z.abs() * FRAC_1_SQRT_2).min(1.0)
}

/// Complementary error function, accurate to about 1e-15.
///
/// A positive-term series for small arguments and a continued fraction in the
/// tail: both derive from first principles, so no magic coefficient tables
/// need to be trusted.
fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 3.0 {
        // erf(x) = 2/√π · e^(−x²) · Σ (2x²)ⁿ x / (1·3·…·(2n+1)): every term is
        // positive, so nothing cancels.
        let two_x2 = 2.0 * x * x;
        let mut term = x;
        let mut sum = x;
        let mut k = 1.0;
        while term > sum * 1e-17 && k < 400.0 {
            term *= two_x2 / (2.0 * k + 1.0);
            sum += term;
            k += 1.0;
        }
        1.0 - 2.0 / PI.sqrt() * (-x * x).exp() * sum
    } else {
        // erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))), evaluated
        // from the tail up; at x ≥ 3 sixty levels are far more than enough.
        let mut tail = x;
        for k in (1..=60).rev() {
            tail = x + (f64::from(k) / 2.0) / tail;
        }
        (-x * x).exp() / (PI.sqrt() * tail)
    }
}

/// Cumulative distribution function of the standard normal distribution.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z * FRAC_1_SQRT_2)
}

/// Inverse of [`normal_cdf`]: the `z` with `normal_cdf(z) == p`.
///
/// Acklam's rational approximation (relative error 1.15e-9) polished with one
/// Halley step, giving close to full double precision. `p ≤ 0` gives −∞,
/// `p ≥ 1` gives +∞ and NaN stays NaN.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;

    if p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }

    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    };

    let error = normal_cdf(x) - p;
    let u = error * (2.0 * PI).sqrt() * (x * x / 2.0).exp();
    let refined = x - u / (1.0 + x * u / 2.0);
    // Far in the tail the density underflows and the step can turn into
    // ∞/∞; the unrefined value is then still good to 1e-9.
    if refined.is_finite() {
        refined
    } else {
        x
    }
}

/// Quantile of Student's t distribution with `df` degrees of freedom: the `t`
/// with P(T ≤ t) = `p`.
///
/// Exact closed forms for 1 and 2 degrees of freedom; Hill's algorithm 396
/// (CACM 1970) otherwise, whose relative error is below 1e-5 at df 3 and
/// shrinks quickly as df grows (below 1e-9 from df 20). `df == 0` or NaN `p`
/// gives NaN; `p ≤ 0` gives −∞ and `p ≥ 1` gives +∞.
pub fn t_quantile(p: f64, df: u64) -> f64 {
    if df == 0 || p.is_nan() {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    match df {
        1 => (PI * (p - 0.5)).tan(),
        2 => (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt(),
        _ => {
            // Hill works with the two-tailed probability and returns |t|.
            let two_tailed = 2.0 * p.min(1.0 - p);
            let magnitude = hill_396(two_tailed, df as f64);
            if p < 0.5 {
                -magnitude
            } else {
                magnitude
            }
        }
    }
}

/// Hill (1970), Algorithm 396, for `n ≥ 3`: |t| exceeded with two-tailed
/// probability `two_tailed`.
fn hill_396(two_tailed: f64, n: f64) -> f64 {
    let a = 1.0 / (n - 0.5);
    let b = 48.0 / (a * a);
    let mut c = ((20_700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    let d = ((94.5 / (b + c) - 3.0) / b + 1.0) * (a * PI / 2.0).sqrt() * n;
    let mut y = (d * two_tailed).powf(2.0 / n);
    if y > 0.05 + a {
        // Moderate tails: an asymptotic expansion around the normal quantile.
        let x = normal_quantile(0.5 * two_tailed);
        y = x * x;
        if n < 5.0 {
            c += 0.3 * (n - 4.5) * (x + 0.6);
        }
        c += (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b;
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
        y = (a * y * y).exp_m1();
    } else {
        // Extreme tails: a series in the probability itself.
        y = ((1.0 / (((n + 6.0) / (n * y) - 0.089 * d - 0.822) * (n + 2.0) * 3.0)
            + 0.5 / (n + 4.0))
            * y
            - 1.0)
            * (n + 1.0)
            / (n + 2.0)
            + 1.0 / y;
    }
    (n * y).sqrt()
}

/// 95 % Wilson score interval for a proportion, as proportions in `0..=1`.
///
/// With no trials nothing is known and the whole unit interval is returned.
/// `successes` above `n` is treated as `n`, since a share cannot exceed 1.
pub fn wilson(successes: u64, n: u64) -> Interval {
    if n == 0 {
        return Interval {
            low: 0.0,
            high: 1.0,
        };
    }
    let n_f = n as f64;
    let p = successes.min(n) as f64 / n_f;
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z_95 / denominator * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt();
    // At none or all, the bound is exactly 0 or 1: rounding could leave it a hair
    // inside, past the observed share.
    let successes = successes.min(n);
    Interval {
        low: if successes == 0 { 0.0 } else { centre - half },
        high: if successes == n { 1.0 } else { centre + half },
    }
    .clamped(0.0, 1.0)
}

/// 95 % t-based confidence interval for a mean, from the sample standard
/// deviation `sd` (n − 1 denominator) of `n` observations.
///
/// With fewer than two observations the spread is unknown and the interval is
/// unbounded (−∞, +∞); callers that know their scale clamp it to the scale,
/// which yields the whole scale range.
pub fn mean_interval(mean: f64, sd: f64, n: u64) -> Interval {
    if n < 2 {
        return Interval {
            low: f64::NEG_INFINITY,
            high: f64::INFINITY,
        };
    }
    let half = t_quantile(0.975, n - 1) * sd / (n as f64).sqrt();
    Interval {
        low: mean - half,
        high: mean + half,
    }
}

/// Two-proportion z test with the pooled standard error.
///
/// `difference` is `successes_b / n_b − successes_a / n_a` as a proportion
/// (not percentage points). An empty group counts as proportion 0 and the test
/// then reports z 0, p 1.
pub fn compare_proportions(successes_a: u64, n_a: u64, successes_b: u64, n_b: u64) -> Comparison {
    let share = |successes: u64, n: u64| {
        if n == 0 {
            0.0
        } else {
            successes.min(n) as f64 / n as f64
        }
    };
    let difference = share(successes_b, n_b) - share(successes_a, n_a);
    if n_a == 0 || n_b == 0 {
        return Comparison::from_difference(difference, 0.0);
    }
    let (na, nb) = (n_a as f64, n_b as f64);
    let pooled = (successes_a.min(n_a) as f64 + successes_b.min(n_b) as f64) / (na + nb);
    let standard_error = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    Comparison::from_difference(difference, standard_error)
}

/// z test for the difference of two means on their unpooled standard errors,
/// `√(sd_a²/n_a + sd_b²/n_b)`; adequate for the sample sizes of survey waves.
///
/// `difference` is `mean_b − mean_a`. An empty group makes the standard error
/// undefined and the test reports z 0, p 1.
pub fn compare_means(
    mean_a: f64,
    sd_a: f64,
    n_a: u64,
    mean_b: f64,
    sd_b: f64,
    n_b: u64,
) -> Comparison {
    let difference = mean_b - mean_a;
    if n_a == 0 || n_b == 0 {
        return Comparison::from_difference(difference, 0.0);
    }
    let standard_error = (sd_a * sd_a / n_a as f64 + sd_b * sd_b / n_b as f64).sqrt();
    Comparison::from_difference(difference, standard_error)
}

/// Count, mean, sample standard deviation and clamped 95 % interval of the
/// mean of a histogram over a rating scale.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct ScaleSummary {
    pub n: u64,
    pub mean: f64,
    pub sd: f64,
    pub mean_ci: Interval,
}

/// Summarises `counts[i]` answers of value `lowest + i`.
///
/// With no answers the mean is reported as the midpoint of the scale so that
/// the point estimate still lies inside its interval (the whole scale); with
/// one answer the standard deviation is 0 and the interval the whole scale.
pub fn summarise_scale(counts: &[u64], lowest: u8) -> ScaleSummary {
    let low = f64::from(lowest);
    let high = low + counts.len().saturating_sub(1) as f64;
    let n = counts.iter().fold(0_u64, |sum, &c| sum.saturating_add(c));
    if n == 0 {
        return ScaleSummary {
            n,
            mean: (low + high) / 2.0,
            sd: 0.0,
            mean_ci: Interval { low, high },
        };
    }
    let values = || {
        counts
            .iter()
            .zip(0_u32..)
            .map(move |(&count, offset)| (count as f64, low + f64::from(offset)))
    };
    let n_f = n as f64;
    let mean = values().map(|(count, value)| count * value).sum::<f64>() / n_f;
    // Two passes: summing squared deviations avoids the cancellation of
    // Σx² − n·mean² when answers cluster.
    let sd = if n < 2 {
        0.0
    } else {
        let squares: f64 = values()
            .map(|(count, value)| count * (value - mean) * (value - mean))
            .sum();
        (squares / (n_f - 1.0)).sqrt()
    };
    ScaleSummary {
        n,
        mean,
        sd,
        mean_ci: mean_interval(mean, sd, n).clamped(low, high),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "expected {expected} ± {tolerance}, got {actual}"
        );
    }

    #[test]
    fn normal_cdf_matches_reference_values() {
        assert_close(normal_cdf(0.0), 0.5, 1e-15);
        assert_close(normal_cdf(1.96), 0.975_002_104_851_779_5, 1e-14);
        assert_close(normal_cdf(-1.0), 0.158_655_253_931_457_07, 1e-14);
        assert_close(normal_cdf(3.5), 0.999_767_370_920_964_5, 1e-14);
        assert_close(normal_cdf(2.9999), 0.998_649_658_717_045, 1e-14);
    }

    #[test]
    fn normal_cdf_keeps_relative_precision_far_in_the_lower_tail() {
        let expected = 2.866_515_718_791_946e-7;
        assert_close(normal_cdf(-5.0) / expected, 1.0, 1e-12);
        assert_close(normal_cdf(-8.0) / 6.220_960_574_271_819e-16, 1.0, 1e-12);
    }

    #[test]
    fn normal_cdf_saturates_at_infinity() {
        assert_close(normal_cdf(f64::INFINITY), 1.0, 0.0);
        assert_close(normal_cdf(f64::NEG_INFINITY), 0.0, 0.0);
        assert!(normal_cdf(f64::NAN).is_nan());
    }

    #[test]
    fn normal_quantile_matches_reference_values_to_1e_6() {
        assert_close(normal_quantile(0.975), 1.959_963_984_540_053_6, 1e-9);
        assert_close(normal_quantile(0.5), 0.0, 1e-12);
        assert_close(normal_quantile(0.3), -0.524_400_512_708_040_7, 1e-9);
        assert_close(normal_quantile(0.001), -3.090_232_306_167_813, 1e-9);
        assert_close(normal_quantile(0.024_25), -1.972_961_051_311_884_5, 1e-9);
        assert_close(normal_quantile(1e-10), -6.361_340_902_404_056, 1e-6);
    }

    #[test]
    fn normal_quantile_outside_the_open_unit_interval_is_infinite() {
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(-1.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(f64::NAN).is_nan());
    }

    #[test]
    fn t_quantile_matches_printed_tables() {
        for (df, table) in [
            (1, 12.706),
            (2, 4.303),
            (5, 2.571),
            (10, 2.228),
            (30, 2.042),
            (100, 1.984),
        ] {
            assert_close(t_quantile(0.975, df), table, 5e-4);
        }
    }

    #[test]
    fn t_quantile_matches_high_precision_values() {
        for (p, df, exact) in [
            (0.975, 3, 3.182_446_305_284),
            (0.975, 4, 2.776_445_105_198),
            (0.975, 5, 2.570_581_835_636),
            (0.975, 9, 2.262_157_162_798),
            (0.975, 99, 1.984_216_951_586),
            (0.995, 20, 2.845_339_709_786),
            (0.9, 7, 1.414_923_927_651),
        ] {
            assert_close(t_quantile(p, df) / exact, 1.0, 1e-5);
        }
    }

    #[test]
    fn t_quantile_is_exact_for_one_and_two_degrees_of_freedom() {
        assert_close(t_quantile(0.975, 1), 12.706_204_736_174_7, 1e-9);
        assert_close(t_quantile(0.975, 2), 4.302_652_729_749_464, 1e-12);
        assert_close(t_quantile(0.75, 1), 1.0, 1e-12);
        assert_close(t_quantile(0.75, 2), 0.5 / 0.375_f64.sqrt(), 1e-12);
    }

    #[test]
    fn t_quantile_approaches_the_normal_quantile_for_many_degrees_of_freedom() {
        assert_close(t_quantile(0.975, 1_000_000), normal_quantile(0.975), 1e-5);
    }

    #[test]
    fn t_quantile_without_degrees_of_freedom_is_nan() {
        assert!(t_quantile(0.975, 0).is_nan());
    }

    #[test]
    fn wilson_of_80_out_of_100_is_71_1_to_86_7_percent() {
        let ci = wilson(80, 100);
        assert_close(ci.low, 0.711_169_038_073_497_7, 1e-12);
        assert_close(ci.high, 0.866_634_077_440_901_2, 1e-12);
    }

    #[test]
    fn wilson_without_trials_is_the_whole_unit_interval() {
        assert_eq!(
            wilson(0, 0),
            Interval {
                low: 0.0,
                high: 1.0
            }
        );
    }

    #[test]
    fn wilson_treats_more_successes_than_trials_as_all_successes() {
        assert_eq!(wilson(12, 10), wilson(10, 10));
    }

    #[test]
    fn mean_interval_of_mean_5_sd_2_over_25_answers_is_4_17_to_5_83() {
        // t(0.975, 24) = 2.063899; half-width = 2.063899 · 2 / √25 = 0.825559.
        let ci = mean_interval(5.0, 2.0, 25);
        assert_close(ci.low, 4.174_440_575, 1e-6);
        assert_close(ci.high, 5.825_559_425, 1e-6);
    }

    #[test]
    fn mean_interval_with_fewer_than_two_answers_is_unbounded() {
        for n in [0, 1] {
            let ci = mean_interval(3.0, 0.0, n);
            assert_eq!(ci.low, f64::NEG_INFINITY);
            assert_eq!(ci.high, f64::INFINITY);
        }
    }

    #[test]
    fn comparing_60_of_100_with_45_of_100_gives_z_minus_2_12_and_p_0_034() {
        // Pooled share 105/200 = 0.525; SE = √(0.525 · 0.475 · (1/100 + 1/100))
        // = 0.070622; z = (0.45 − 0.60) / 0.070622 = −2.1240.
        let c = compare_proportions(60, 100, 45, 100);
        assert_close(c.difference, -0.15, 1e-12);
        assert_close(c.z, -2.123_976_976, 1e-8);
        assert_close(c.p, 0.033_672_068_856, 1e-9);
    }

    #[test]
    fn comparing_proportions_with_an_empty_group_shows_no_evidence() {
        let c = compare_proportions(5, 10, 0, 0);
        assert_close(c.difference, -0.5, 1e-12);
        assert_eq!((c.z, c.p), (0.0, 1.0));
    }

    #[test]
    fn comparing_two_unanimous_groups_shows_no_evidence() {
        let c = compare_proportions(10, 10, 30, 30);
        assert_eq!((c.difference, c.z, c.p), (0.0, 0.0, 1.0));
    }

    #[test]
    fn comparing_means_5_0_and_5_3_gives_z_1_92_and_p_0_055() {
        // SE = √(1.0²/100 + 1.2²/100) = √0.0244 = 0.156205; z = 0.3 / 0.156205.
        let c = compare_means(5.0, 1.0, 100, 5.3, 1.2, 100);
        assert_close(c.difference, 0.3, 1e-12);
        assert_close(c.z, 1.920_553_199, 1e-8);
        assert_close(c.p, 0.054_788_060_215, 1e-9);
    }

    #[test]
    fn comparing_means_with_an_empty_group_shows_no_evidence() {
        let c = compare_means(5.0, 1.0, 0, 5.3, 1.2, 100);
        assert_eq!((c.z, c.p), (0.0, 1.0));
    }

    #[test]
    fn summary_of_an_empty_scale_sits_at_the_midpoint_with_the_whole_range() {
        let s = summarise_scale(&[0; 7], 1);
        assert_eq!(s.n, 0);
        assert_close(s.mean, 4.0, 0.0);
        assert_eq!(
            s.mean_ci,
            Interval {
                low: 1.0,
                high: 7.0
            }
        );
    }

    proptest! {
        // Above z ≈ 5, Φ(z) rounds to within a few ulps of 1 and no longer
        // determines z; the lower tail keeps full precision.
        #[test]
        fn normal_quantile_inverts_normal_cdf(z in -8.0_f64..5.0) {
            prop_assert!((normal_quantile(normal_cdf(z)) - z).abs() < 1e-6);
        }

        #[test]
        fn t_quantile_is_antisymmetric(p in 0.0001_f64..0.9999, df in 1_u64..500) {
            let sum = t_quantile(p, df) + t_quantile(1.0 - p, df);
            prop_assert!(sum.abs() < 1e-9 * t_quantile(p, df).abs().max(1.0));
        }

        #[test]
        fn t_quantile_exceeds_the_normal_quantile_in_the_upper_half(p in 0.5001_f64..0.9999, df in 1_u64..500) {
            prop_assert!(t_quantile(p, df) >= normal_quantile(p) - 1e-9);
        }

        #[test]
        fn wilson_contains_the_observed_share_and_stays_in_the_unit_interval(n in 1_u64..10_000, fraction in 0.0_f64..=1.0) {
            let successes = (n as f64 * fraction).round() as u64;
            let ci = wilson(successes, n);
            prop_assert!(ci.contains(successes as f64 / n as f64));
            prop_assert!(0.0 <= ci.low && ci.high <= 1.0);
        }

        #[test]
        fn two_sided_p_is_a_probability(z in -50.0_f64..50.0) {
            let p = two_sided_p(z);
            prop_assert!((0.0..=1.0).contains(&p));
        }
    }
}
