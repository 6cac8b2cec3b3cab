//! Digests: how often one goes out, which days it covers, and when the next is due. A
//! weekly digest covers the last whole week (Monday to Sunday) and goes out on Monday
//! morning; a monthly one the last whole month, on the 1st. Times are seconds since 1970
//! (UTC), days are [`Day`]s.

use crate::domain::trend::{Day, Grain};
use serde::{Deserialize, Serialize};

/// The hour (UTC) digests go out: early morning in Europe, before the working day.
pub const SEND_HOUR: i64 = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Weekly,
    Monthly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn parse(text: &str) -> Option<Frequency> {
        [Frequency::Weekly, Frequency::Monthly]
            .into_iter()
            .find(|f| f.as_str() == text)
    }

    fn grain(self) -> Grain {
        match self {
            Frequency::Weekly => Grain::Week,
            Frequency::Monthly => Grain::Month,
        }
    }

    /// The last whole period before `today`: (first day, last day).
    pub fn last_period(self, today: Day) -> (Day, Day) {
        let current = self.grain().start(today);
        let previous = self.grain().start(current.plus(-1));
        (previous, current.plus(-1))
    }

    /// The period under way on `today`, from its first day to `today`: what a digest
    /// sent now on request shows.
    pub fn period_so_far(self, today: Day) -> (Day, Day) {
        (self.grain().start(today), today)
    }

    /// When the next digest after `now` goes out: the start of the next period, at
    /// [`SEND_HOUR`].
    pub fn next_run(self, now: i64) -> i64 {
        let today = Day(i32::try_from(now.div_euclid(86_400)).unwrap_or(i32::MAX));
        let at = |day: Day| i64::from(day.0) * 86_400 + SEND_HOUR * 3600;
        let this = self.grain().start(today);
        if at(this) > now {
            at(this)
        } else {
            at(self.grain().next(this))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn at(s: &str, hour: i64) -> i64 {
        i64::from(day(s).0) * 86_400 + hour * 3600
    }

    #[test]
    fn a_weekly_digest_covers_the_last_whole_week_monday_to_sunday() {
        // 2026-12-07 is a Monday.
        let (from, to) = Frequency::Weekly.last_period(day("2026-12-09"));
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2026-11-30".into(), "2026-12-06".into())
        );
        let (from, to) = Frequency::Weekly.last_period(day("2026-12-07"));
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2026-11-30".into(), "2026-12-06".into())
        );
    }

    #[test]
    fn a_digest_asked_for_now_covers_the_period_so_far() {
        let (from, to) = Frequency::Monthly.period_so_far(day("2026-12-09"));
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2026-12-01".into(), "2026-12-09".into())
        );
    }

    #[test]
    fn a_monthly_digest_covers_the_last_whole_month() {
        let (from, to) = Frequency::Monthly.last_period(day("2026-03-01"));
        assert_eq!(
            (from.to_string(), to.to_string()),
            ("2026-02-01".into(), "2026-02-28".into())
        );
    }

    #[test]
    fn the_next_digest_goes_out_at_the_start_of_the_next_period_in_the_morning() {
        // Monday 2026-12-07 05:00 → that Monday at 06:00; at 07:00 → the next Monday.
        assert_eq!(
            Frequency::Weekly.next_run(at("2026-12-07", 5)),
            at("2026-12-07", 6)
        );
        assert_eq!(
            Frequency::Weekly.next_run(at("2026-12-07", 7)),
            at("2026-12-14", 6)
        );
        assert_eq!(
            Frequency::Weekly.next_run(at("2026-12-10", 12)),
            at("2026-12-14", 6)
        );
        assert_eq!(
            Frequency::Monthly.next_run(at("2026-12-31", 23)),
            at("2027-01-01", 6)
        );
        assert_eq!(
            Frequency::Monthly.next_run(at("2026-12-01", 6)),
            at("2027-01-01", 6)
        );
    }
}
