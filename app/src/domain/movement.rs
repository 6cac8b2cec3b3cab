//! Wave-over-wave movement of an identified recurring survey: of the people who answered
//! two waves, how many moved between the headline question's categories (detractor,
//! passive, promoter), and who answered only one of them.

use super::distribution::category;
use super::survey::QuestionKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Movement {
    /// The two waves, as their sends are named, and when they went out.
    pub from: String,
    pub to: String,
    /// The categories, lowest first: the rows (earlier wave) and columns (later wave).
    pub categories: [String; 3],
    /// `counts[i][j]`: people in category `i` in the earlier wave and `j` in the later.
    pub counts: [[u64; 3]; 3],
    /// Each row's counts as a share of the row, in % (`None` for an empty row).
    pub row_shares: [Option<[f64; 3]>; 3],
    /// Answered the later wave only, by its category.
    pub newly_answering: [u64; 3],
    /// Answered the earlier wave only, by its category then.
    pub no_longer_answering: [u64; 3],
}

/// Where `score` falls among the three categories of `kind`, lowest first.
fn slot(kind: &QuestionKind, score: u8) -> usize {
    match category(kind, score) {
        "detractor" | "low" => 0,
        "passive" | "neutral" => 1,
        _ => 2,
    }
}

/// The movement between `before` and `after`: each a person's (contact id) score to the
/// headline question of `kind` in one wave. A person answering a wave twice counts once,
/// with their last score. `None` for questions without a scale.
pub fn movement(
    kind: &QuestionKind,
    from: String,
    to: String,
    before: &[(i64, u8)],
    after: &[(i64, u8)],
) -> Option<Movement> {
    kind.score_range()?;
    let by_person = |scores: &[(i64, u8)]| -> BTreeMap<i64, usize> {
        scores
            .iter()
            .map(|&(who, s)| (who, slot(kind, s)))
            .collect()
    };
    let (before, after) = (by_person(before), by_person(after));
    let mut counts = [[0_u64; 3]; 3];
    let mut newly_answering = [0_u64; 3];
    let mut no_longer_answering = [0_u64; 3];
    for (who, &then) in &before {
        match after.get(who) {
            Some(&now) => counts[then][now] += 1,
            None => no_longer_answering[then] += 1,
        }
    }
    for (who, &now) in &after {
        if !before.contains_key(who) {
            newly_answering[now] += 1;
        }
    }
    let row_shares = counts.map(|row| {
        let n: u64 = row.iter().sum();
        (n > 0).then(|| row.map(|c| 100.0 * c as f64 / n as f64))
    });
    let names = match category(kind, kind.score_range()?.1) {
        "promoter" => ["Detractors", "Passives", "Promoters"],
        _ => ["Low", "Neutral", "High"],
    };
    Some(Movement {
        from,
        to,
        categories: names.map(String::from),
        counts,
        row_shares,
        newly_answering,
        no_longer_answering,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_in_both_waves_move_between_categories_and_the_rest_come_or_go() {
        // Ann 3 → 9, Bo 9 → 9, Cy 7 → 2, Dee 10 → 8; Eve only before (5), Fay only after (10).
        let before = [(1, 3), (2, 9), (3, 7), (4, 10), (5, 5)];
        let after = [(1, 9), (2, 9), (3, 2), (4, 8), (6, 10)];
        let m = movement(
            &QuestionKind::Nps,
            "w1".into(),
            "w2".into(),
            &before,
            &after,
        )
        .unwrap();
        assert_eq!(m.categories[0], "Detractors");
        assert_eq!(m.counts, [[0, 0, 1], [1, 0, 0], [0, 1, 1]]);
        assert_eq!(m.newly_answering, [0, 0, 1]);
        assert_eq!(m.no_longer_answering, [1, 0, 0]);
        assert_eq!(m.row_shares[2], Some([0.0, 50.0, 50.0]));
        assert_eq!(m.row_shares[1], Some([100.0, 0.0, 0.0]));
    }

    #[test]
    fn a_person_answering_a_wave_twice_counts_once_with_the_last_score() {
        let m = movement(
            &QuestionKind::Enps,
            "a".into(),
            "b".into(),
            &[(1, 2), (1, 9)],
            &[(1, 9)],
        )
        .unwrap();
        assert_eq!(m.counts, [[0, 0, 0], [0, 0, 0], [0, 0, 1]]);
    }
}
