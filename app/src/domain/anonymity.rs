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
}
