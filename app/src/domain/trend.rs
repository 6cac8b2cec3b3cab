//! A score's trend: answers counted per day, summed into days, weeks or months, each
//! period scored by the one engine ([`score_question`]), and each point marked as too few
//! answers to read or withheld to protect anonymity ([`super::anonymity`]).
//!
//! Days are civil dates counted from 1970-01-01, so the arithmetic is exact, needs no
//! time zone and runs the same in the browser.

use super::anonymity::withheld_groups;
use super::report::{score_question, Headline};
use super::stats::Interval;
use super::survey::QuestionKind;
use serde::{Deserialize, Serialize};

/// Below this many answers a score is shown as "not enough answers yet": its interval is
/// too wide to read a level or a change from.
pub const MIN_MEANINGFUL: u64 = 10;

/// What a trend or tile may show: the anonymous survey's minimum group size (`None` when
/// identified) and the fewest answers that make a meaningful score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub min_group: Option<u64>,
    pub min_meaningful: u64,
}

impl Limits {
    /// `min_group` with the default minimum for a meaningful score.
    pub fn new(min_group: Option<u64>) -> Limits {
        Limits {
            min_group,
            min_meaningful: MIN_MEANINGFUL,
        }
    }
}

/// A civil date, as days since 1970-01-01.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// `YYYY-MM-DD`, as the day buckets store it; years 1 to 9999, so the arithmetic
    /// never leaves `i32`.
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.splitn(3, '-');
        let year: i32 = parts
            .next()?
            .parse()
            .ok()
            .filter(|y| (1..=9999).contains(y))?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then(|| Day::from_ymd(year, month, day))
    }

    /// Howard Hinnant's `days_from_civil`.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Day {
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = (month + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
        Day(era * 146_097 + doe - 719_468)
    }

    /// Howard Hinnant's `civil_from_days`: (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    pub fn plus(self, days: i32) -> Day {
        Day(self.0 + days)
    }

    /// Monday of this day's ISO week (1970-01-01 was a Thursday).
    fn monday(self) -> Day {
        Day(self.0 - (self.0 + 3).rem_euclid(7))
    }

    fn first_of_month(self) -> Day {
        let (y, m, _) = self.ymd();
        Day::from_ymd(y, m, 1)
    }

    fn next_month(self) -> Day {
        let (y, m, _) = self.ymd();
        if m == 12 {
            Day::from_ymd(y + 1, 1, 1)
        } else {
            Day::from_ymd(y, m + 1, 1)
        }
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// How long a trend's periods are.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    Day,
    Week,
    Month,
}

impl Grain {
    /// The grain that gives a readable number of points over `days` days: days up to a
    /// month, weeks up to half a year, months beyond.
    pub fn for_span(days: i32) -> Grain {
        match days {
            ..=31 => Grain::Day,
            32..=183 => Grain::Week,
            _ => Grain::Month,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Day => "day",
            Grain::Week => "week",
            Grain::Month => "month",
        }
    }

    pub fn parse(text: &str) -> Option<Grain> {
        [Grain::Day, Grain::Week, Grain::Month]
            .into_iter()
            .find(|g| g.as_str() == text)
    }

    /// The first day of the period holding `day`.
    pub fn start(self, day: Day) -> Day {
        match self {
            Grain::Day => day,
            Grain::Week => day.monday(),
            Grain::Month => day.first_of_month(),
        }
    }

    /// The first day of the period after the one starting on `start`.
    pub fn next(self, start: Day) -> Day {
        match self {
            Grain::Day => start.plus(1),
            Grain::Week => start.plus(7),
            Grain::Month => start.next_month(),
        }
    }
}

/// Which days a trend reads and how it cuts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Shown by calendar month only, to protect anonymity.
    pub anonymous: bool,
    /// The first day shown.
    pub from: Day,
    /// The first day scored: withholding is decided over the periods from here on.
    pub scored_from: Day,
    pub to: Day,
    pub grain: Grain,
}

impl Plan {
    /// The plan for the days `range` (first, last; see [`resolve_range`]) seen on
    /// `today`, in periods of `grain` or the one that suits the span.
    ///
    /// An anonymous survey is shown by calendar month only, and its withholding is
    /// decided over every month since it was created, whatever the range. Periods that
    /// overlap (a week across two months, the last 7 days today and tomorrow) or a rule
    /// decided anew per range would let one view be subtracted from another to single
    /// out a small group; months nest in every range and are withheld the same way in
    /// all of them. So its range is widened to whole months.
    pub fn new(
        today: Day,
        created: Day,
        range: (Day, Day),
        grain: Option<Grain>,
        anonymous: bool,
    ) -> Plan {
        let created = created.min(today);
        let to = range.1.min(today);
        let from = range.0.min(to);
        if anonymous {
            let scored_from = Grain::Month.start(created);
            return Plan {
                anonymous,
                from: Grain::Month
                    .start(from)
                    .max(scored_from)
                    .min(Grain::Month.start(to)),
                scored_from,
                to: Grain::Month
                    .next(Grain::Month.start(to))
                    .plus(-1)
                    .min(today),
                grain: Grain::Month,
            };
        }
        let span = to.0 - from.0 + 1;
        // A day axis over years would draw hundreds of points: such a pick is widened.
        let grain = match (grain.unwrap_or(Grain::for_span(span)), span) {
            (Grain::Day, 93..) => Grain::Week,
            (Grain::Week, 1100..) => Grain::Month,
            (grain, _) => grain,
        };
        Plan {
            anonymous,
            from,
            scored_from: from,
            to,
            grain,
        }
    }
}

/// The ranges a dashboard offers, as `range=` says them, and their labels.
pub const RANGES: [(&str, &str); 12] = [
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_quarter", "This quarter"),
    ("last_quarter", "Last quarter"),
    ("this_year", "This year"),
    ("last_year", "Last year"),
    ("365d", "Last 12 months"),
    ("all", "All time"),
    ("custom", "From … to …"),
];

/// The first and last day of the range named `range` (see [`RANGES`]) on `today`, for a
/// survey whose life began on `created`; `custom` reads `from` and `to` (`YYYY-MM-DD`).
/// The error names the parameter to fix.
pub fn resolve_range(
    range: &str,
    from: &str,
    to: &str,
    today: Day,
    created: Day,
) -> Result<(Day, Day), (&'static str, String)> {
    let (year, month, _) = today.ymd();
    let quarter = Day::from_ymd(year, (month - 1) / 3 * 3 + 1, 1);
    let this_year = Day::from_ymd(year, 1, 1);
    let last = |days: i32| Ok((today.plus(1 - days), today));
    match range {
        "7d" => last(7),
        "30d" => last(30),
        "90d" => last(90),
        "365d" => last(365),
        "this_month" => Ok((today.first_of_month(), today)),
        "last_month" => {
            let end = today.first_of_month().plus(-1);
            Ok((end.first_of_month(), end))
        }
        "this_quarter" => Ok((quarter, today)),
        "last_quarter" => {
            let end = quarter.plus(-1);
            let (y, m, _) = end.ymd();
            Ok((Day::from_ymd(y, (m - 1) / 3 * 3 + 1, 1), end))
        }
        "this_year" => Ok((this_year, today)),
        "last_year" => Ok((Day::from_ymd(year - 1, 1, 1), this_year.plus(-1))),
        "all" => Ok((created.min(today), today)),
        "custom" => {
            let first =
                Day::parse(from).ok_or(("from", "Give the first day as YYYY-MM-DD.".to_owned()))?;
            let last =
                Day::parse(to).ok_or(("to", "Give the last day as YYYY-MM-DD.".to_owned()))?;
            if last < first {
                return Err((
                    "to",
                    "The last day must not come before the first.".to_owned(),
                ));
            }
            if first > today {
                return Err((
                    "from",
                    "The first day must not be in the future.".to_owned(),
                ));
            }
            // Nothing is counted before the survey's life began: an earlier start would
            // only add empty periods, thousands of them for a start in year 1.
            Ok((first.max(created.min(today)), last.min(today)))
        }
        _ => Err((
            "range",
            format!(
                "The range must be one of {}.",
                RANGES.map(|(value, _)| value).join(", ")
            ),
        )),
    }
}
impl Plan {
    /// The period of the same length just before this one, first and last day: as many
    /// days, or for an anonymous survey as many calendar months.
    pub fn previous(&self) -> (Day, Day) {
        let last = self.from.plus(-1);
        if self.anonymous {
            let mut first = self.from;
            let mut month = self.from;
            while month <= self.to {
                first = Grain::Month.start(first.plus(-1));
                month = Grain::Month.next(month);
            }
            return (first, last);
        }
        (self.from.plus(-(self.to.0 - self.from.0 + 1)), last)
    }
}

/// One period of a trend. A withheld point carries no number at all, its count included:
/// `value`, `ci` and `n` are `None` and `withheld` says why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TrendPoint {
    /// The period's first day, `YYYY-MM-DD`.
    pub start: String,
    /// Its last day (a range's ends may cut a week or month short).
    pub end: String,
    pub n: Option<u64>,
    pub value: Option<f64>,
    pub ci: Option<Interval>,
    /// Fewer answers than [`MIN_MEANINGFUL`]: the value is there, but not to be read.
    pub too_few: bool,
    /// `Some("anonymity")` when the point is withheld.
    pub withheld: Option<String>,
}

/// A question's headline score over a range, period by period.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Trend {
    pub question_key: String,
    pub grain: Grain,
    /// What the value is, e.g. "NPS" or "% satisfied".
    pub measure: String,
    /// The unit of the value axis, e.g. "points" or "%".
    pub unit: String,
    /// The value axis: the whole scale, so periods compare at a glance.
    pub scale: (f64, f64),
    pub points: Vec<TrendPoint>,
    /// Where a send or a wave went out, drawn on the chart.
    #[serde(default)]
    pub marks: Vec<Mark>,
}

/// A send or wave that went out on `day` (`YYYY-MM-DD`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Mark {
    pub day: String,
    pub label: String,
}

impl Trend {
    /// The point whose period holds `day`, if one does.
    pub fn point_of(&self, day: &str) -> Option<usize> {
        self.points
            .iter()
            .position(|p| p.start.as_str() <= day && day <= p.end.as_str())
    }
}

impl Trend {
    /// What the chart shows, in words, for those who cannot see it: the span, and the
    /// latest period that can be read.
    pub fn description(&self) -> String {
        let (Some(first), Some(last)) = (self.points.first(), self.points.last()) else {
            return format!("{} by {}: no periods.", self.measure, self.grain.as_str());
        };
        let span = format!(
            "{} by {} from {} to {}",
            self.measure,
            self.grain.as_str(),
            first.start,
            last.end
        );
        let latest = self.points.iter().rev().find(|p| p.value.is_some());
        let marks = match self.marks.len() {
            0 => String::new(),
            n => format!(
                " Marked: {n} {} ({}).",
                if n == 1 { "send" } else { "sends" },
                self.marks
                    .iter()
                    .map(|m| m.day.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let text = match latest {
            Some(p) => format!(
                "{span}. Latest, the {} starting {}: {:.0} {} (95 % interval {:.0} to {:.0}, n = {}){}.",
                self.grain.as_str(),
                p.start,
                p.value.unwrap_or_default(),
                self.unit,
                p.ci.map_or(0.0, |c| c.low),
                p.ci.map_or(0.0, |c| c.high),
                p.n.unwrap_or_default(),
                if p.too_few { ", not enough answers yet to read" } else { "" },
            ),
            None => format!("{span}: no period has a score to show."),
        };
        text + &marks
    }
}

/// The periods of `grain` over `from..=to` (the first and last cut by the range), each
/// with the sum of the day counts `days` within it: (first day, last day, counts).
pub fn periods(
    days: &[(Day, [u64; 11])],
    from: Day,
    to: Day,
    grain: Grain,
) -> Vec<(Day, Day, [u64; 11])> {
    let mut periods: Vec<(Day, Day, [u64; 11])> = Vec::new();
    let mut start = from;
    while start <= to {
        let next = grain.next(grain.start(start));
        let end = next.plus(-1).min(to);
        periods.push((start, end, [0; 11]));
        start = next;
    }
    for (day, counts) in days.iter().filter(|(d, _)| (from..=to).contains(d)) {
        let Some(period) = periods.iter_mut().rfind(|(start, _, _)| start <= day) else {
            continue;
        };
        for (sum, n) in period.2.iter_mut().zip(counts) {
            *sum += n;
        }
    }
    periods
}

/// The trend of a question of `kind` over `from..=to` in periods of `grain`, from
/// `days`: answers per score (0–10) per day, in any order, days outside the range
/// ignored, within `limits`; the periods starting on a day of `guarded` are withheld
/// too (a filtered view's cells its breakdown withholds). `None` for questions without
/// a score.
#[allow(clippy::too_many_arguments)]
pub fn trend(
    question_key: &str,
    kind: &QuestionKind,
    days: &[(Day, [u64; 11])],
    from: Day,
    to: Day,
    grain: Grain,
    limits: Limits,
    guarded: &[Day],
) -> Option<Trend> {
    let empty = score_question(kind, &[0; 11])?.headline();
    let periods = periods(days, from, to, grain);
    let scores: Vec<_> = periods
        .iter()
        .map(|(_, _, histogram)| score_question(kind, histogram))
        .collect();
    let counts: Vec<u64> = scores
        .iter()
        .map(|s| s.as_ref().map_or(0, |s| s.n()))
        .collect();
    let mut withheld = withheld_groups(&counts, limits.min_group);
    for ((start, _, _), w) in periods.iter().zip(withheld.iter_mut()) {
        *w |= guarded.contains(start);
    }
    let points = periods
        .iter()
        .zip(scores)
        .zip(withheld)
        .map(|(((start, end, _), score), withheld)| {
            let (start, end) = (start.to_string(), end.to_string());
            match score {
                Some(score) if !withheld && score.n() > 0 => {
                    let Headline { value, ci, .. } = score.headline();
                    TrendPoint {
                        start,
                        end,
                        n: Some(score.n()),
                        value: Some(value),
                        ci: Some(ci),
                        too_few: score.n() < limits.min_meaningful,
                        withheld: None,
                    }
                }
                _ if withheld => TrendPoint {
                    start,
                    end,
                    n: None,
                    value: None,
                    ci: None,
                    too_few: false,
                    withheld: Some("anonymity".to_owned()),
                },
                _ => TrendPoint {
                    start,
                    end,
                    n: Some(0),
                    value: None,
                    ci: None,
                    too_few: true,
                    withheld: None,
                },
            }
        })
        .collect();
    Some(Trend {
        question_key: question_key.to_owned(),
        grain,
        measure: empty.measure.to_owned(),
        unit: empty.unit.to_owned(),
        scale: empty.scale,
        points,
        marks: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    /// A named range on 2026-12-01.
    fn range(name: &str) -> (Day, Day) {
        resolve_range(name, "", "", day("2026-12-01"), day("2020-01-01")).unwrap()
    }

    #[test]
    fn named_ranges_are_the_calendar_periods_a_manager_means() {
        let today = day("2026-12-01");
        let named = |name: &str| {
            let (from, to) = resolve_range(name, "", "", today, day("2025-02-10")).unwrap();
            (from.to_string(), to.to_string())
        };
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(named("7d"), pair("2026-11-25", "2026-12-01"));
        assert_eq!(named("this_month"), pair("2026-12-01", "2026-12-01"));
        assert_eq!(named("last_month"), pair("2026-11-01", "2026-11-30"));
        assert_eq!(named("this_quarter"), pair("2026-10-01", "2026-12-01"));
        assert_eq!(named("last_quarter"), pair("2026-07-01", "2026-09-30"));
        assert_eq!(named("this_year"), pair("2026-01-01", "2026-12-01"));
        assert_eq!(named("last_year"), pair("2025-01-01", "2025-12-31"));
        assert_eq!(named("all"), pair("2025-02-10", "2026-12-01"));
        let custom = |from: &str, to: &str| {
            resolve_range("custom", from, to, today, day("2020-01-01")).map_err(|(field, _)| field)
        };
        assert_eq!(
            custom("2026-02-01", "2027-01-01"),
            Ok((day("2026-02-01"), today)),
            "cut at today"
        );
        assert_eq!(custom("2026-02-30", "2026-03-01"), Err("from"));
        assert_eq!(
            custom("999999999-01-01", "2026-03-01"),
            Err("from"),
            "no overflow"
        );
        assert_eq!(
            resolve_range(
                "custom",
                "0001-01-01",
                "2026-03-01",
                today,
                day("2025-02-10")
            ),
            Ok((day("2025-02-10"), day("2026-03-01"))),
            "starts with the survey's life"
        );
        assert_eq!(custom("2026-03-01", "2026-02-01"), Err("to"));
        assert_eq!(custom("2027-01-01", "2027-02-01"), Err("from"));
        assert_eq!(
            resolve_range("fortnight", "", "", today, today).map_err(|(f, _)| f),
            Err("range")
        );
    }

    #[test]
    fn an_anonymous_custom_range_is_widened_to_whole_months() {
        let today = day("2026-12-01");
        let plan = Plan::new(
            today,
            day("2024-01-01"),
            (day("2026-03-15"), day("2026-05-10")),
            None,
            true,
        );
        assert_eq!((plan.from, plan.to), (day("2026-03-01"), day("2026-05-31")));
    }

    fn nps(promoters: u64, passives: u64, detractors: u64) -> [u64; 11] {
        let mut h = [0; 11];
        h[10] = promoters;
        h[8] = passives;
        h[3] = detractors;
        h
    }

    #[test]
    fn days_round_trip_through_the_calendar_leap_days_included() {
        assert_eq!(Day::parse("1970-01-01"), Some(Day(0)));
        for text in ["2024-02-29", "2000-03-01", "1999-12-31", "2026-12-01"] {
            assert_eq!(day(text).to_string(), text);
        }
        assert_eq!(day("2024-03-01").0 - day("2024-02-28").0, 2);
        assert_eq!(Day::parse("2023-02-29"), None);
        assert_eq!(Day::parse("2024-13-01"), None);
        assert_eq!(Day::parse("yesterday"), None);
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2026-12-01 is a Tuesday.
        assert_eq!(Grain::Week.start(day("2026-12-01")), day("2026-11-30"));
        assert_eq!(Grain::Week.start(day("2026-11-30")), day("2026-11-30"));
        assert_eq!(Grain::Month.start(day("2026-12-31")), day("2026-12-01"));
        assert_eq!(Grain::Month.next(day("2026-12-01")), day("2027-01-01"));
        assert_eq!(Grain::for_span(30), Grain::Day);
        assert_eq!(Grain::for_span(90), Grain::Week);
        assert_eq!(Grain::for_span(730), Grain::Month);
    }

    #[test]
    fn a_week_sums_its_days_and_is_scored_by_the_engine() {
        let days = [
            (day("2026-11-30"), nps(6, 2, 2)),
            (day("2026-12-03"), nps(4, 2, 4)),
            (day("2026-12-08"), nps(1, 0, 0)),
            (day("2026-10-01"), nps(50, 0, 0)), // before the range
        ];
        let t = trend(
            "q",
            &QuestionKind::Nps,
            &days,
            day("2026-11-30"),
            day("2026-12-09"),
            Grain::Week,
            Limits::new(None),
            &[],
        )
        .unwrap();
        assert_eq!((t.measure.as_str(), t.unit.as_str()), ("NPS", "points"));
        assert_eq!(t.points.len(), 2);
        let first = &t.points[0];
        assert_eq!(
            (first.start.as_str(), first.end.as_str()),
            ("2026-11-30", "2026-12-06")
        );
        assert_eq!(first.n, Some(20));
        // 10 promoters, 4 passives, 6 detractors: 50 % − 30 % = 20 points.
        assert!((first.value.unwrap() - 20.0).abs() < 1e-9);
        assert!(!first.too_few);
        let second = &t.points[1];
        assert_eq!(second.end, "2026-12-09", "cut short by the range");
        assert_eq!((second.n, second.too_few), (Some(1), true));
    }

    #[test]
    fn the_description_names_the_span_and_the_latest_readable_period() {
        let days = [(day("2026-11-30"), nps(12, 0, 3))];
        let t = trend(
            "q",
            &QuestionKind::Nps,
            &days,
            day("2026-11-29"),
            day("2026-12-01"),
            Grain::Day,
            Limits::new(None),
            &[],
        )
        .unwrap();
        assert_eq!(
            t.description(),
            "NPS by day from 2026-11-29 to 2026-12-01. Latest, the day starting 2026-11-30: \
             60 points (95 % interval 12 to 88, n = 15)."
        );
    }

    #[test]
    fn a_period_without_answers_has_no_value_and_no_interval() {
        let t = trend(
            "q",
            &QuestionKind::Csat,
            &[],
            day("2026-12-01"),
            day("2026-12-02"),
            Grain::Day,
            Limits::new(Some(5)),
            &[],
        )
        .unwrap();
        assert!(t
            .points
            .iter()
            .all(|p| p.n == Some(0) && p.value.is_none() && p.withheld.is_none()));
    }

    #[test]
    fn a_small_period_of_an_anonymous_survey_is_withheld_with_the_next_smallest() {
        let days = [
            (day("2026-12-01"), nps(20, 5, 5)),
            (day("2026-12-02"), nps(1, 0, 1)),
            (day("2026-12-03"), nps(4, 2, 2)),
            (day("2026-12-04"), nps(9, 9, 9)),
        ];
        let t = trend(
            "q",
            &QuestionKind::Enps,
            &days,
            day("2026-12-01"),
            day("2026-12-04"),
            Grain::Day,
            Limits::new(Some(5)),
            &[],
        )
        .unwrap();
        let withheld: Vec<bool> = t.points.iter().map(|p| p.withheld.is_some()).collect();
        assert_eq!(withheld, vec![false, true, true, false]);
        for p in t.points.iter().filter(|p| p.withheld.is_some()) {
            assert_eq!(
                (p.n, p.value, p.ci),
                (None, None, None),
                "not even the count"
            );
        }
    }

    #[test]
    fn an_identified_survey_shows_the_range_asked_for_in_the_grain_asked_for() {
        let today = day("2026-12-01");
        let plan = Plan::new(today, day("2020-01-01"), range("7d"), None, false);
        assert_eq!(
            (plan.from, plan.scored_from, plan.grain),
            (day("2026-11-25"), day("2026-11-25"), Grain::Day)
        );
        let plan = Plan::new(
            today,
            day("2020-01-01"),
            range("365d"),
            Some(Grain::Day),
            false,
        );
        assert_eq!(
            plan.grain,
            Grain::Week,
            "a year of days is widened to weeks"
        );
        let plan = Plan::new(
            today,
            day("2025-06-15"),
            (day("2025-06-15"), today),
            None,
            false,
        );
        assert_eq!((plan.from, plan.grain), (day("2025-06-15"), Grain::Month));
    }

    #[test]
    fn an_anonymous_survey_is_shown_by_calendar_month_decided_over_its_whole_life() {
        let today = day("2026-12-01");
        let plan = Plan::new(
            today,
            day("2025-03-20"),
            range("7d"),
            Some(Grain::Day),
            true,
        );
        assert_eq!(
            (plan.from, plan.scored_from, plan.grain),
            (day("2026-11-01"), day("2025-03-01"), Grain::Month)
        );
    }

    #[test]
    fn the_previous_period_has_as_many_days_or_calendar_months() {
        let today = day("2026-12-01");
        let plan = Plan::new(today, day("2020-01-01"), range("30d"), None, false);
        assert_eq!(plan.previous(), (day("2026-10-03"), day("2026-11-01")));
        // An anonymous 90 days is September to December: the previous is May to August.
        let plan = Plan::new(today, day("2020-01-01"), range("90d"), None, true);
        assert_eq!(plan.from, day("2026-09-01"));
        assert_eq!(plan.previous(), (day("2026-05-01"), day("2026-08-31")));
    }

    #[test]
    fn questions_without_a_score_have_no_trend() {
        let kind = QuestionKind::SingleChoice {
            options: Vec::new(),
        };
        assert!(trend(
            "q",
            &kind,
            &[],
            Day(0),
            Day(1),
            Grain::Day,
            Limits::new(None),
            &[],
        )
        .is_none());
    }
}
