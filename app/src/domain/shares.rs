//! How a question's answers split into the engine's three categories period by period
//! (detractors, passives and promoters for NPS; low, neutral and high answers for the
//! other scales): the shares stacked to 100 %, withheld where the trend withholds.

use super::distribution::category;
use super::survey::QuestionKind;
use super::trend::{Day, Grain, Trend};
use serde::{Deserialize, Serialize};

/// One period: the share of each category in %, lowest category first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SharePoint {
    pub start: String,
    pub end: String,
    /// `None` when withheld.
    pub n: Option<u64>,
    /// `None` when withheld or without answers.
    pub shares: Option<[f64; 3]>,
    pub too_few: bool,
    pub withheld: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Shares {
    pub grain: Grain,
    /// The categories' names, lowest first, e.g. detractors, passives, promoters.
    pub categories: [String; 3],
    pub points: Vec<SharePoint>,
}

impl Shares {
    /// What the chart shows, in words: the latest period that can be read.
    pub fn description(&self) -> String {
        let [a, b, c] = &self.categories;
        let latest = self.points.iter().rev().find(|p| p.shares.is_some());
        match latest {
            Some(SharePoint {
                start,
                shares: Some([x, y, z]),
                n,
                ..
            }) => format!(
                "Shares of {a}, {b} and {c} by {}, stacked to 100 %. Latest, the {} starting {start}: {x:.0} % {a}, {y:.0} % {b}, {z:.0} % {c} (n = {}).",
                self.grain.as_str(),
                self.grain.as_str(),
                n.unwrap_or_default()
            ),
            _ => format!("Shares of {a}, {b} and {c}: no period has answers to show."),
        }
    }
}

/// The shares of a question of `kind` in the periods of `trend`, from `periods` (first
/// day and answers per score, as the trend summed them); a point the trend withholds is
/// withheld here too. `None` for questions without a scale.
pub fn shares(kind: &QuestionKind, trend: &Trend, periods: &[(Day, [u64; 11])]) -> Option<Shares> {
    let (low, high) = kind.score_range()?;
    let names: Vec<&str> = (low..=high).map(|s| category(kind, s)).collect();
    let order = ["detractor", "passive", "promoter", "low", "neutral", "high"];
    let categories: [String; 3] = match names.contains(&"promoter") {
        true => ["Detractors", "Passives", "Promoters"],
        false => ["Low", "Neutral", "High"],
    }
    .map(String::from);
    let points = trend
        .points
        .iter()
        .map(|p| {
            let histogram = periods
                .iter()
                .find(|(start, _)| start.to_string() == p.start)
                .map(|(_, h)| *h)
                .unwrap_or_default();
            let mut counts = [0_u64; 3];
            for score in low..=high {
                let slot = order
                    .iter()
                    .position(|c| *c == category(kind, score))
                    .map_or(1, |i| i % 3);
                counts[slot] += histogram[usize::from(score)];
            }
            let n: u64 = counts.iter().sum();
            let shown = p.withheld.is_none();
            SharePoint {
                start: p.start.clone(),
                end: p.end.clone(),
                n: shown.then_some(n),
                shares: (shown && n > 0).then(|| counts.map(|c| 100.0 * c as f64 / n as f64)),
                too_few: shown && p.too_few,
                withheld: p.withheld.clone(),
            }
        })
        .collect();
    Some(Shares {
        grain: trend.grain,
        categories,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::trend::{trend, Limits};

    #[test]
    fn each_period_splits_into_its_categories_and_a_withheld_one_shows_nothing() {
        let day = |t: &str| Day::parse(t).unwrap();
        let mut busy = [0_u64; 11];
        busy[10] = 50;
        busy[8] = 30;
        busy[2] = 20;
        let mut quiet = [0_u64; 11];
        quiet[9] = 2;
        let days = vec![(day("2026-01-05"), busy), (day("2026-02-03"), quiet)];
        let periods = vec![(day("2026-01-01"), busy), (day("2026-02-01"), quiet)];
        let of = |limits| {
            let t = trend(
                "enps",
                &QuestionKind::Enps,
                &days,
                day("2026-01-01"),
                day("2026-02-28"),
                Grain::Month,
                limits,
                &[],
            )
            .unwrap();
            shares(&QuestionKind::Enps, &t, &periods).unwrap()
        };
        let s = of(Limits::new(None));
        assert_eq!(s.categories[2], "Promoters");
        assert_eq!(s.points[0].shares, Some([20.0, 30.0, 50.0]));
        assert_eq!(s.points[0].n, Some(100));
        assert_eq!(s.points[1].shares, Some([0.0, 0.0, 100.0]));
        assert!(s.points[1].too_few);
        // Anonymous with a minimum of 5: February's 2 answers are withheld, and January
        // with them (the next smallest), so neither can be worked out from a total.
        for p in of(Limits::new(Some(5))).points {
            assert_eq!((p.n, p.shares), (None, None), "{p:?}");
            assert_eq!(p.withheld.as_deref(), Some("anonymity"));
        }
    }
}
