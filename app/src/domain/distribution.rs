//! How a question's answers spread over its scale: a bar per point, each in the category
//! the engine counts it in (detractor, passive, promoter for 0–10; disagree, neutral,
//! agree for the agreement and satisfaction scales). On an anonymous survey a bar with
//! fewer answers than the minimum group is withheld, with the next smallest, since the
//! bars add up to the total shown beside them.

use super::anonymity::withheld_groups;
use super::survey::QuestionKind;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Bar {
    /// The point on the scale, e.g. "9".
    pub label: String,
    /// `None` when withheld.
    pub n: Option<u64>,
    /// Share of all answers, 0–100; `None` when withheld.
    pub share: Option<f64>,
    /// detractor, passive, promoter; or low, neutral, high.
    pub category: String,
    /// `Some("anonymity")` when withheld.
    pub withheld: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Distribution {
    pub n: u64,
    pub bars: Vec<Bar>,
}

impl Distribution {
    /// The bars in words, for those who cannot see them.
    pub fn description(&self) -> String {
        let bars: Vec<String> = self
            .bars
            .iter()
            .map(|b| match (b.n, b.share) {
                (Some(n), Some(share)) => format!("{}: {n} ({share:.1} %)", b.label),
                _ => format!("{}: hidden", b.label),
            })
            .collect();
        format!("Answers by score, n = {}. {}.", self.n, bars.join(", "))
    }
}

/// Which category the engine counts `score` of a question of `kind` in.
pub fn category(kind: &QuestionKind, score: u8) -> &'static str {
    match kind {
        QuestionKind::Nps | QuestionKind::Enps => match score {
            0..=6 => "detractor",
            7..=8 => "passive",
            _ => "promoter",
        },
        QuestionKind::Ces { scale } => match score {
            s if s >= scale.agree_from() => "high",
            s if s + 1 == scale.agree_from() => "neutral",
            _ => "low",
        },
        QuestionKind::Csat | QuestionKind::Likert => match score {
            4.. => "high",
            3 => "neutral",
            _ => "low",
        },
        _ => "neutral",
    }
}

/// The distribution of `histogram` (answers per score 0–10) over the scale of a question
/// of `kind`; `None` for questions without a scale. `min_group` is the anonymous
/// survey's minimum group size.
pub fn distribution(
    kind: &QuestionKind,
    histogram: &[u64; 11],
    min_group: Option<u64>,
) -> Option<Distribution> {
    let (low, high) = kind.score_range()?;
    let points: Vec<u8> = (low..=high.min(10)).collect();
    let counts: Vec<u64> = points.iter().map(|&s| histogram[usize::from(s)]).collect();
    let n: u64 = counts.iter().sum();
    let withheld = withheld_groups(&counts, min_group);
    let bars = points
        .iter()
        .zip(counts.iter().zip(withheld))
        .map(|(&score, (&count, withheld))| Bar {
            label: score.to_string(),
            n: (!withheld).then_some(count),
            share: (!withheld && n > 0).then(|| 100.0 * count as f64 / n as f64),
            category: category(kind, score).to_owned(),
            withheld: withheld.then(|| "anonymity".to_owned()),
        })
        .collect();
    Some(Distribution { n, bars })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ces::CesScale;

    #[test]
    fn nps_bars_are_coloured_as_the_engine_counts_them() {
        let mut h = [0; 11];
        h[10] = 6;
        h[8] = 3;
        h[2] = 1;
        let d = distribution(&QuestionKind::Nps, &h, None).unwrap();
        assert_eq!((d.n, d.bars.len()), (10, 11));
        assert_eq!(
            (d.bars[6].category.as_str(), d.bars[7].category.as_str()),
            ("detractor", "passive")
        );
        assert_eq!(d.bars[9].category, "promoter");
        assert_eq!((d.bars[10].n, d.bars[10].share), (Some(6), Some(60.0)));
        assert_eq!(
            d.description(),
            "Answers by score, n = 10. 0: 0 (0.0 %), 1: 0 (0.0 %), 2: 1 (10.0 %), 3: 0 (0.0 %), \
             4: 0 (0.0 %), 5: 0 (0.0 %), 6: 0 (0.0 %), 7: 0 (0.0 %), 8: 3 (30.0 %), \
             9: 0 (0.0 %), 10: 6 (60.0 %)."
        );
    }

    #[test]
    fn agreement_scales_split_at_their_own_threshold() {
        let h = [0; 11];
        let seven = distribution(
            &QuestionKind::Ces {
                scale: CesScale::Seven,
            },
            &h,
            None,
        )
        .unwrap();
        let cats: Vec<&str> = seven.bars.iter().map(|b| b.category.as_str()).collect();
        assert_eq!(
            cats,
            ["low", "low", "low", "neutral", "high", "high", "high"]
        );
        let csat = distribution(&QuestionKind::Csat, &h, None).unwrap();
        assert_eq!(csat.bars.len(), 5);
        assert_eq!(csat.bars[2].category, "neutral");
    }

    #[test]
    fn an_anonymous_surveys_small_bars_are_withheld_with_the_next_smallest() {
        let mut h = [0; 11];
        h[10] = 20;
        h[9] = 6;
        h[0] = 1;
        let d = distribution(&QuestionKind::Enps, &h, Some(5)).unwrap();
        let hidden: Vec<&str> = d
            .bars
            .iter()
            .filter(|b| b.withheld.is_some())
            .map(|b| b.label.as_str())
            .collect();
        assert_eq!(hidden, ["0", "9"]);
        assert!(d
            .bars
            .iter()
            .filter(|b| b.withheld.is_some())
            .all(|b| b.n.is_none() && b.share.is_none()));
        assert!(d.description().contains("0: hidden"));
    }
}
