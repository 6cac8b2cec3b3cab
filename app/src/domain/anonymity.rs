//! Which groups of an anonymous survey may be reported: the one place that decides, so
//! every output (page, API, chart, export) withholds the same figures.
//!
//! A group is withheld when it has answers but fewer respondents than the survey's
//! minimum group size (primary suppression). When groups that add up to a shown total are
//! reported side by side (the periods of a trend, the rows of a breakdown), the withheld
//! ones could be recovered by subtracting the shown ones from the total; so further
//! groups are withheld, smallest first, until what is withheld together holds at least the
//! minimum and is more than one group (secondary suppression, as statistics offices do).

/// The smallest minimum group size an anonymous survey may have.
pub const MIN_GROUP_FLOOR: u64 = 3;
/// An anonymous survey's minimum group size unless it sets another.
pub const DEFAULT_MIN_GROUP: u64 = 5;

/// For groups of `counts[i]` respondents that add up to a total which is itself shown,
/// whether each must be withheld. `min_group` is `None` for identified surveys, where
/// nothing is withheld. Empty groups reveal no one and are never withheld for their own
/// sake.
pub fn withheld_groups(counts: &[u64], min_group: Option<u64>) -> Vec<bool> {
    let Some(min) = min_group.map(|m| m.max(MIN_GROUP_FLOOR)) else {
        return vec![false; counts.len()];
    };
    let mut withheld: Vec<bool> = counts.iter().map(|&n| n > 0 && n < min).collect();
    loop {
        let hidden: Vec<u64> = counts
            .iter()
            .zip(&withheld)
            .filter(|(_, &w)| w)
            .map(|(&n, _)| n)
            .collect();
        let total: u64 = hidden.iter().sum();
        // Nothing withheld, or enough withheld together that subtraction reveals only a
        // group of at least the minimum, split in a way no one can tell.
        if hidden.is_empty() || (hidden.len() > 1 && total >= min) {
            return withheld;
        }
        // The next-smallest group still shown (empty ones hide nothing) joins them.
        let next = counts
            .iter()
            .enumerate()
            .filter(|&(i, &n)| !withheld[i] && n > 0)
            .min_by_key(|&(_, &n)| n)
            .map(|(i, _)| i);
        match next {
            Some(i) => withheld[i] = true,
            // Every group is withheld: nothing is left to subtract from.
            None => return withheld,
        }
    }
}

/// Whether the total over a range may be shown beside its groups, when the groups of
/// `hidden` respondents inside the range are withheld: the total less the shown groups
/// is their sum, which must not single one out.
pub fn total_may_show(hidden: &[u64], min_group: Option<u64>) -> bool {
    let Some(min) = min_group.map(|m| m.max(MIN_GROUP_FLOOR)) else {
        return true;
    };
    let hidden: Vec<u64> = hidden.iter().copied().filter(|&n| n > 0).collect();
    hidden.is_empty() || (hidden.len() > 1 && hidden.iter().sum::<u64>() >= min)
}

/// Which cells of a breakdown by one attribute, month by month, are withheld.
/// `cells[v][m]` holds value `v`'s answers in month `m`, `months[m]` everyone's (those
/// with no value for the attribute included), `month_withheld[m]` whether everyone's
/// month is itself withheld.
///
/// Within a month, the values (and those without one, as a group never shown) are
/// groups adding up to the month's total, withheld by [`withheld_groups`]; a withheld
/// month withholds all its cells. So the complement of a shown cell within its month (a
/// team's colleagues in the other teams) is empty or at least the minimum, and filtering
/// to one value shows only cells this same rule lets through: what a filtered view shows
/// and what the breakdown shows can be subtracted from each other and from the total
/// without reaching fewer people than the minimum.
pub fn withheld_cells(
    cells: &[Vec<u64>],
    months: &[u64],
    month_withheld: &[bool],
    min_group: Option<u64>,
) -> Vec<Vec<bool>> {
    let mut withheld = vec![vec![false; months.len()]; cells.len()];
    for (m, &total) in months.iter().enumerate() {
        let mut groups: Vec<u64> = cells
            .iter()
            .map(|c| c.get(m).copied().unwrap_or(0))
            .collect();
        let with_value: u64 = groups.iter().sum();
        groups.push(total.saturating_sub(with_value));
        let hidden = withheld_groups(&groups, min_group);
        let whole_month = month_withheld.get(m).copied().unwrap_or(false);
        for (v, row) in withheld.iter_mut().enumerate() {
            row[m] = whole_month || hidden[v];
        }
    }
    withheld
}

/// Whether a single figure over `n` respondents may be shown on its own.
pub fn may_show(n: u64, min_group: Option<u64>) -> bool {
    match min_group {
        None => true,
        Some(min) => n == 0 || n >= min.max(MIN_GROUP_FLOOR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identified_surveys_withhold_nothing() {
        assert_eq!(withheld_groups(&[1, 2, 40], None), vec![false; 3]);
        assert!(may_show(1, None));
    }

    #[test]
    fn a_group_below_the_minimum_is_withheld_with_the_next_smallest() {
        // 3 alone would be total − 12 − 40; with the 12 withheld too, only 15 is known.
        assert_eq!(
            withheld_groups(&[40, 3, 12, 0], Some(5)),
            vec![false, true, true, false]
        );
    }

    #[test]
    fn withheld_groups_are_joined_until_together_they_reach_the_minimum() {
        // 1 and 2 are both below 5 and hold only 3 together: the 6 joins them.
        assert_eq!(
            withheld_groups(&[1, 2, 6, 9], Some(5)),
            vec![true, true, true, false]
        );
    }

    #[test]
    fn groups_all_at_the_minimum_are_all_shown() {
        assert_eq!(withheld_groups(&[5, 7, 0], Some(5)), vec![false; 3]);
    }

    #[test]
    fn the_minimum_is_never_below_three() {
        assert_eq!(
            withheld_groups(&[2, 9, 9], Some(1)),
            vec![true, true, false]
        );
        assert!(!may_show(2, Some(1)));
        assert!(may_show(3, Some(1)));
    }

    #[test]
    fn a_total_is_shown_only_when_what_it_hides_cannot_be_split() {
        assert!(total_may_show(&[], Some(5)));
        assert!(total_may_show(&[2, 8], Some(5)), "10 over two groups");
        assert!(
            !total_may_show(&[2], Some(5)),
            "the total less the rest is the 2"
        );
        assert!(!total_may_show(&[1, 2], Some(5)), "3 people together");
        assert!(total_may_show(&[2], None));
    }

    #[test]
    fn a_lone_group_below_the_minimum_is_withheld_and_nothing_else_is_left() {
        assert_eq!(withheld_groups(&[4], Some(5)), vec![true]);
        assert!(!may_show(4, Some(5)));
        assert!(may_show(0, Some(5)), "no answers reveal no one");
    }

    #[test]
    fn a_filter_that_leaves_out_a_few_colleagues_is_withheld_with_them() {
        // A team of 12 where one value holds 9 and the other 3: showing the 9 would
        // reveal the 3 by subtraction from the month, so both are withheld.
        let cells = vec![vec![9, 20], vec![3, 20]];
        let withheld = withheld_cells(&cells, &[12, 40], &[false, false], Some(5));
        assert_eq!(withheld, vec![vec![true, false], vec![true, false]]);
    }

    #[test]
    fn those_without_a_value_count_as_a_group_of_their_own() {
        // 30 in the value, 2 with no value at all: the 30 alone would give the 2 away.
        let withheld = withheld_cells(&[vec![30]], &[32], &[false], Some(5));
        assert_eq!(withheld, vec![vec![true]]);
        let withheld = withheld_cells(&[vec![30]], &[30], &[false], Some(5));
        assert_eq!(withheld, vec![vec![false]]);
    }

    #[test]
    fn a_withheld_month_withholds_every_cell_in_it() {
        let withheld = withheld_cells(&[vec![6], vec![6]], &[12], &[true], Some(5));
        assert_eq!(withheld, vec![vec![true], vec![true]]);
        let identified = withheld_cells(&[vec![1], vec![2]], &[3], &[false], None);
        assert_eq!(identified, vec![vec![false], vec![false]]);
    }
}
