//! Weighted NPS: each answer counts with its respondent's weight, a tier's weight the
//! admin sets (A = 3, B = 2, C = 1) or a number the contact carries (revenue, contribution
//! margin), so the customers who matter most to the business weigh most in the score.
//!
//! The interval is the plain score's adjusted-Wald interval on Kish's effective sample
//! size, n_eff = (Σw)² / Σw²: weights that differ a lot make the sample worth fewer
//! answers, and the interval widens accordingly. "Revenue at risk" is the share of the
//! total weight held by detractors.

use super::stats::{Interval, Z_95};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most tier values a weighting may name.
pub const MAX_TIERS: usize = 50;
/// The largest weight a contact may carry: far beyond any revenue, well inside f64's
/// exact range once squared and summed over millions of answers.
pub const MAX_WEIGHT: f64 = 1e12;

/// Where each respondent's weight comes from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Weighting {
    /// The contact attribute the weight is read from, e.g. `tier` or `revenue`.
    pub attribute: String,
    /// A weight per value of the attribute (tiers). Empty: the value itself is the
    /// weight, a number such as a yearly revenue.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
}

impl Weighting {
    /// The first problem with this weighting, as (field, message).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let attribute = self.attribute.trim();
        if attribute.is_empty() || attribute.len() > 64 {
            return Err((
                "attribute",
                "Name the contact attribute the weights come from (1 to 64 characters), e.g. tier or revenue.".into(),
            ));
        }
        if self.weights.len() > MAX_TIERS {
            return Err((
                "weights",
                format!("At most {MAX_TIERS} values can carry a weight."),
            ));
        }
        for (value, weight) in &self.weights {
            if value.trim().is_empty() {
                return Err(("weights", "Each weight needs the value it is for.".into()));
            }
            if !(0.0..=MAX_WEIGHT).contains(weight) {
                return Err((
                    "weights",
                    format!("The weight of \"{value}\" must be a number from 0 to {MAX_WEIGHT}."),
                ));
            }
        }
        Ok(())
    }

    /// The weight of a respondent with these attributes; `None` when the attribute is
    /// missing, not a number, or a value without a weight: such answers are left out
    /// of the weighted score (and counted as such).
    pub fn weight_of(&self, attributes: &BTreeMap<String, String>) -> Option<f64> {
        let value = attributes.get(&self.attribute)?.trim();
        if self.weights.is_empty() {
            parse_amount(value)
        } else {
            self.weights.get(value).copied()
        }
    }

    /// `A=3, B=2, C=1`: how the settings form shows the weights.
    pub fn weights_text(&self) -> String {
        self.weights
            .iter()
            .map(|(value, weight)| format!("{value}={weight}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads the settings form's `A=3, B=2, C=1` (commas or new lines between).
    pub fn parse_weights(text: &str) -> Result<BTreeMap<String, f64>, String> {
        let mut weights = BTreeMap::new();
        for part in text.split([',', '\n', ';']).map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let (value, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("\"{part}\" is not value=weight, e.g. A=3."))?;
            let weight = parse_amount(weight.trim())
                .ok_or_else(|| format!("\"{}\" is not a number of 0 or more.", weight.trim()))?;
            weights.insert(value.trim().to_owned(), weight);
        }
        Ok(weights)
    }
}

/// A non-negative amount as contacts carry it: `12500`, `12500.50`, `12 500` or
/// `12_500`. A comma is refused: it is a decimal mark in German and a thousands
/// separator in English, and a weight read wrongly by a factor of 1000 is worse than
/// none.
pub fn parse_amount(text: &str) -> Option<f64> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '_')).collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    digits
        .parse::<f64>()
        .ok()
        .filter(|w| w.is_finite() && (0.0..=MAX_WEIGHT).contains(w))
}

/// Per score 0–10: answers with a weight, Σw and Σw².
pub type WeightSums = [(u64, f64, f64); 11];

/// The weighted NPS of one set of answers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct WeightedNps {
    /// The attribute the weights come from.
    pub attribute: String,
    /// The weight is the attribute's own amount (a revenue), not a tier's weight: then
    /// `total_weight` and `at_risk` are amounts of it.
    pub amount: bool,
    /// Answers that carried a weight.
    pub n: u64,
    /// Kish's effective sample size, (Σw)² / Σw².
    pub effective_n: f64,
    /// Σw: the total weight (the revenue of the respondents, for a revenue attribute).
    pub total_weight: f64,
    /// Promoters' weight − detractors' weight, as % of the total, in points.
    pub nps: f64,
    /// 95 % adjusted-Wald interval on the effective n, clamped to −100..=100.
    pub ci: Interval,
    /// Detractors' share of the total weight, 0–100: "revenue at risk".
    pub at_risk_pct: f64,
    /// Detractors' weight (the revenue at risk itself, for a revenue attribute).
    pub at_risk: f64,
    /// The effective n is below the survey's minimum for a meaningful score.
    pub too_few: bool,
}

impl WeightedNps {
    /// `None` when no answer carries a positive weight.
    pub fn from_sums(
        weighting: &Weighting,
        sums: &WeightSums,
        min_meaningful: u64,
    ) -> Option<WeightedNps> {
        let total = |range: std::ops::Range<usize>| {
            sums[range].iter().fold((0_u64, 0.0, 0.0), |(n, w, w2), s| {
                (n + s.0, w + s.1, w2 + s.2)
            })
        };
        let (detractors, passives, promoters) = (total(0..7), total(7..9), total(9..11));
        let n = detractors.0 + passives.0 + promoters.0;
        let weight = detractors.1 + passives.1 + promoters.1;
        let weight_sq = detractors.2 + passives.2 + promoters.2;
        if weight <= 0.0 || weight_sq <= 0.0 {
            return None;
        }
        let effective_n = weight * weight / weight_sq;
        let (p, d) = (promoters.1 / weight, detractors.1 / weight);
        // As the plain score: adjusted Wald, three imaginary answers split 0.75 /
        // 1.5 / 0.75, here added to the effective n.
        let n_adj = effective_n + 3.0;
        let p_adj = (p * effective_n + 0.75) / n_adj;
        let d_adj = (d * effective_n + 0.75) / n_adj;
        let centre = p_adj - d_adj;
        let half = Z_95 * ((p_adj + d_adj - centre * centre) / n_adj).sqrt();
        Some(WeightedNps {
            attribute: weighting.attribute.clone(),
            amount: weighting.weights.is_empty(),
            n,
            effective_n,
            total_weight: weight,
            nps: 100.0 * (p - d),
            ci: Interval {
                low: (100.0 * (centre - half)).clamp(-100.0, 100.0),
                high: (100.0 * (centre + half)).clamp(-100.0, 100.0),
            },
            at_risk_pct: 100.0 * d,
            at_risk: detractors.1,
            too_few: effective_n < min_meaningful as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::nps::NpsResult;

    fn tiers() -> Weighting {
        Weighting {
            attribute: "tier".into(),
            weights: BTreeMap::from([("A".into(), 3.0), ("B".into(), 2.0), ("C".into(), 1.0)]),
        }
    }

    fn sums_of(answers: &[(u8, f64)]) -> WeightSums {
        let mut sums = [(0, 0.0, 0.0); 11];
        for &(score, w) in answers {
            let s = &mut sums[usize::from(score)];
            *s = (s.0 + 1, s.1 + w, s.2 + w * w);
        }
        sums
    }

    #[test]
    fn a_tier_weight_comes_from_the_admins_table_and_revenue_from_the_contact() {
        let attrs = |k: &str, v: &str| BTreeMap::from([(k.to_owned(), v.to_owned())]);
        assert_eq!(tiers().weight_of(&attrs("tier", "A")), Some(3.0));
        assert_eq!(tiers().weight_of(&attrs("tier", "D")), None);
        assert_eq!(tiers().weight_of(&attrs("plan", "A")), None);
        let revenue = Weighting {
            attribute: "revenue".into(),
            weights: BTreeMap::new(),
        };
        assert_eq!(
            revenue.weight_of(&attrs("revenue", "12 500.5")),
            Some(12500.5)
        );
        assert_eq!(revenue.weight_of(&attrs("revenue", "12,500")), None);
        assert_eq!(revenue.weight_of(&attrs("revenue", "-5")), None);
        assert_eq!(revenue.weight_of(&attrs("revenue", "lots")), None);
    }

    #[test]
    fn the_settings_text_reads_back_as_the_weights_it_shows() {
        let parsed = Weighting::parse_weights("A=3, B = 2\nC=1").unwrap();
        assert_eq!(parsed, tiers().weights);
        assert_eq!(
            Weighting::parse_weights(&tiers().weights_text()),
            Ok(parsed)
        );
        assert!(Weighting::parse_weights("A3").unwrap_err().contains("A3"));
        assert!(Weighting::parse_weights("A=-1").is_err());
    }

    #[test]
    fn a_weighting_without_attribute_or_with_a_huge_weight_is_refused() {
        let mut w = tiers();
        w.attribute = " ".into();
        assert_eq!(w.validate().unwrap_err().0, "attribute");
        let mut w = tiers();
        w.weights.insert("X".into(), 1e13);
        assert_eq!(w.validate().unwrap_err().0, "weights");
        assert!(tiers().validate().is_ok());
    }

    #[test]
    fn equal_weights_give_the_plain_score_and_its_interval() {
        let answers: Vec<(u8, f64)> = (0..100)
            .map(|i| {
                (
                    if i < 50 {
                        10
                    } else if i < 80 {
                        8
                    } else {
                        3
                    },
                    2.0,
                )
            })
            .collect();
        let weighted = WeightedNps::from_sums(&tiers(), &sums_of(&answers), 10).unwrap();
        let plain = NpsResult::from_counts(50, 30, 20);
        assert!((weighted.nps - plain.nps).abs() < 1e-9);
        assert!((weighted.effective_n - 100.0).abs() < 1e-9);
        assert!((weighted.ci.low - plain.ci.low).abs() < 1e-9);
        assert!((weighted.ci.high - plain.ci.high).abs() < 1e-9);
        assert!((weighted.at_risk_pct - 20.0).abs() < 1e-9);
    }

    /// Worked by hand: 2 A promoters (w 3), 1 B passive (w 2), 3 C detractors (w 1).
    /// Σw = 11, Σw² = 25, n_eff = 121/25 = 4.84; p = 6/11, d = 3/11, NPS = 27.27.
    /// Adjusted: n' = 7.84, p' = (6/11·4.84 + 0.75)/7.84 = 0.432398, d' = (3/11·4.84 +
    /// 0.75)/7.84 = 0.264031; centre 0.168367; variance (0.696429 − 0.028348)/7.84 =
    /// 0.085214; half 1.96·0.291915 = 0.572153; interval −40.38 to 74.05.
    #[test]
    fn tier_weights_move_the_score_towards_the_heavy_customers_with_kishs_interval() {
        let answers = [(10, 3.0), (9, 3.0), (8, 2.0), (0, 1.0), (5, 1.0), (6, 1.0)];
        let w = WeightedNps::from_sums(&tiers(), &sums_of(&answers), 10).unwrap();
        assert_eq!(w.n, 6);
        assert!((w.total_weight - 11.0).abs() < 1e-12);
        assert!((w.effective_n - 4.84).abs() < 1e-12);
        assert!((w.nps - 300.0 / 11.0).abs() < 1e-9, "{}", w.nps);
        assert!((w.ci.low - -40.38).abs() < 0.01, "{:?}", w.ci);
        assert!((w.ci.high - 74.05).abs() < 0.01, "{:?}", w.ci);
        assert!((w.at_risk - 3.0).abs() < 1e-12);
        assert!((w.at_risk_pct - 300.0 / 11.0).abs() < 1e-9);
        assert!(w.too_few, "an effective n of 4.84 is below 10");
        // The plain score of the same answers is −16.7: the weights tell another story.
        assert_eq!(NpsResult::from_counts(2, 1, 3).nps, -100.0 / 6.0);
    }

    #[test]
    fn answers_without_weight_or_with_weight_zero_give_no_weighted_score() {
        assert_eq!(
            WeightedNps::from_sums(&tiers(), &[(0, 0.0, 0.0); 11], 1),
            None
        );
        assert_eq!(
            WeightedNps::from_sums(&tiers(), &sums_of(&[(10, 0.0)]), 1),
            None
        );
    }
}
