//! A question's headline score per value of one attribute (per team, per tier…), each
//! row with its interval and whether it differs from the rest of the view by the
//! engine's comparison test.

use super::report::{score_question, Headline};
use super::stats::Interval;
use super::survey::QuestionKind;
use super::tile::SIGNIFICANCE;
use serde::{Deserialize, Serialize};

/// How a row compares with everyone else in the view: row minus rest.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct VersusRest {
    pub difference: f64,
    pub p: f64,
    /// p < 0.05 with enough answers on both sides to read them.
    pub significant: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BreakdownRow {
    pub value: String,
    /// Answers counted; `None` when withheld.
    pub n: Option<u64>,
    pub score: Option<f64>,
    pub ci: Option<Interval>,
    /// Fewer answers than the survey's minimum for a meaningful score.
    pub too_few: bool,
    pub versus_rest: Option<VersusRest>,
    /// `Some("anonymity")` when withheld; then every number above is `None`.
    pub withheld: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Breakdown {
    pub attribute: String,
    pub measure: String,
    pub unit: String,
    pub rows: Vec<BreakdownRow>,
}

/// How a breakdown's rows are ordered (`sort=`).
pub const SORTS: [&str; 3] = ["value", "score", "n"];

/// The breakdown of a question of `kind` by `attribute`: `rows` are (value, answers per
/// score, withheld) and `view` is the whole view's answers per score, from which each
/// row's rest is taken. Rows come in the order of `sort` (see [`SORTS`]); withheld rows
/// last. `None` for questions without a score.
pub fn breakdown(
    kind: &QuestionKind,
    attribute: &str,
    rows: &[(String, [u64; 11], bool)],
    view: &[u64; 11],
    min_meaningful: u64,
    sort: &str,
) -> Option<Breakdown> {
    let Headline { measure, unit, .. } = score_question(kind, &[0; 11])?.headline();
    let mut out: Vec<BreakdownRow> = rows
        .iter()
        .map(|(name, histogram, withheld)| {
            let hidden = BreakdownRow {
                value: name.clone(),
                n: None,
                score: None,
                ci: None,
                too_few: false,
                versus_rest: None,
                withheld: Some("anonymity".to_owned()),
            };
            let Some(score) = score_question(kind, histogram).filter(|_| !withheld) else {
                return hidden;
            };
            let n = score.n();
            let mut rest = *view;
            for (r, h) in rest.iter_mut().zip(histogram) {
                *r = r.saturating_sub(*h);
            }
            let too_few = n < min_meaningful;
            let versus_rest = score_question(kind, &rest)
                .filter(|rest| rest.n() > 0 && n > 0)
                .and_then(|rest| {
                    let test = rest.compare(&score)?;
                    Some(VersusRest {
                        difference: test.difference,
                        p: test.p,
                        significant: test.p < SIGNIFICANCE
                            && !too_few
                            && rest.n() >= min_meaningful,
                    })
                });
            let Headline { value, ci, .. } = score.headline();
            BreakdownRow {
                value: name.clone(),
                n: Some(n),
                score: (n > 0).then_some(value),
                ci: (n > 0).then_some(ci),
                too_few,
                versus_rest,
                withheld: None,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let shown = a.withheld.is_some().cmp(&b.withheld.is_some());
        let by = match sort {
            "score" => b
                .score
                .unwrap_or(f64::NEG_INFINITY)
                .total_cmp(&a.score.unwrap_or(f64::NEG_INFINITY)),
            "n" => b.n.cmp(&a.n),
            _ => std::cmp::Ordering::Equal,
        };
        shown.then(by).then_with(|| a.value.cmp(&b.value))
    });
    Some(Breakdown {
        attribute: attribute.to_owned(),
        measure: measure.to_owned(),
        unit: unit.to_owned(),
        rows: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::trend::MIN_MEANINGFUL;

    fn nps(promoters: u64, passives: u64, detractors: u64) -> [u64; 11] {
        let mut h = [0; 11];
        h[10] = promoters;
        h[7] = passives;
        h[0] = detractors;
        h
    }

    #[test]
    fn each_row_is_scored_and_tested_against_the_rest_of_the_view() {
        // Sales 100/60/40 (NPS 30) against Support 60/45/45 (NPS 10): the worked example,
        // p ≈ 0.02, so both differ from their rest.
        let sales = nps(100, 60, 40);
        let support = nps(60, 45, 45);
        let view = nps(160, 105, 85);
        let rows = vec![
            ("Support".to_owned(), support, false),
            ("Sales".to_owned(), sales, false),
        ];
        let b = breakdown(
            &QuestionKind::Nps,
            "team",
            &rows,
            &view,
            MIN_MEANINGFUL,
            "score",
        )
        .unwrap();
        assert_eq!(b.rows[0].value, "Sales", "highest score first");
        assert!((b.rows[0].score.unwrap() - 30.0).abs() < 1e-9);
        let versus = b.rows[0].versus_rest.clone().unwrap();
        assert!((versus.difference - 20.0).abs() < 1e-9);
        assert!((versus.p - 0.0226).abs() < 0.001, "{}", versus.p);
        assert!(versus.significant);
        assert!((b.rows[1].versus_rest.clone().unwrap().difference + 20.0).abs() < 1e-9);
    }

    #[test]
    fn a_withheld_row_carries_no_number_and_sorts_last() {
        let rows = vec![
            ("A".to_owned(), nps(2, 0, 1), true),
            ("B".to_owned(), nps(5, 5, 5), false),
            ("C".to_owned(), nps(1, 1, 1), false),
        ];
        let b = breakdown(
            &QuestionKind::Nps,
            "team",
            &rows,
            &nps(8, 6, 7),
            MIN_MEANINGFUL,
            "n",
        )
        .unwrap();
        let order: Vec<&str> = b.rows.iter().map(|r| r.value.as_str()).collect();
        assert_eq!(order, ["B", "C", "A"]);
        let a = &b.rows[2];
        assert_eq!((a.n, a.score, a.ci), (None, None, None));
        assert!(a.versus_rest.is_none());
        assert_eq!(a.withheld.as_deref(), Some("anonymity"));
        assert!(b.rows[1].too_few, "3 answers are too few to read");
        assert!(!b.rows[1].versus_rest.clone().unwrap().significant);
    }
}
