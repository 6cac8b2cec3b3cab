//! Each send's (or wave's) response funnel: recipients, delivered, started, completed,
//! and the completion rate over delivered invitations with its 95 % interval.

use super::stats::{wilson, Interval};
use serde::{Deserialize, Serialize};

/// The funnel's steps, in order.
pub const STEPS: [&str; 4] = ["Recipients", "Delivered", "Started", "Completed"];

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Funnel {
    pub send_id: i64,
    /// The send's audience and wave, e.g. "Everyone · wave 3".
    pub label: String,
    /// When it went out (`YYYY-MM-DD`), or was scheduled to.
    pub day: String,
    /// The count at each of [`STEPS`].
    pub counts: [u64; 4],
    /// Completed over delivered, in %, with its 95 % (Wilson) interval; `None` before
    /// anything was delivered.
    pub rate: Option<f64>,
    pub rate_ci: Option<Interval>,
}

impl Funnel {
    pub fn new(send_id: i64, label: String, day: String, counts: [u64; 4]) -> Funnel {
        let [_, delivered, _, completed] = counts;
        let completed = completed.min(delivered);
        let (rate, rate_ci) = match delivered {
            0 => (None, None),
            _ => {
                let ci = wilson(completed, delivered);
                (
                    Some(100.0 * completed as f64 / delivered as f64),
                    Some(Interval {
                        low: 100.0 * ci.low,
                        high: 100.0 * ci.high,
                    }),
                )
            }
        };
        Funnel {
            send_id,
            label,
            day,
            counts,
            rate,
            rate_ci,
        }
    }
}

/// The funnels in words, for those who cannot see the chart.
pub fn describe(funnels: &[Funnel]) -> String {
    let sends: Vec<String> = funnels
        .iter()
        .map(|f| {
            let [r, d, s, c] = f.counts;
            let rate = f
                .rate
                .map_or(String::new(), |r| format!(", {r:.0} % completed"));
            format!(
                "{} ({}): {r} recipients, {d} delivered, {s} started, {c} completed{rate}",
                f.label, f.day
            )
        })
        .collect();
    match sends.is_empty() {
        true => "Response funnel: no sends yet.".to_owned(),
        false => format!("Response funnel by send. {}.", sends.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_completed_over_delivered_with_its_interval() {
        let f = Funnel::new(
            1,
            "Everyone · wave 1".into(),
            "2026-11-02".into(),
            [120, 100, 60, 40],
        );
        assert_eq!(f.rate, Some(40.0));
        let ci = f.rate_ci.unwrap();
        // Wilson's interval for 40 of 100, worked out by hand: 30.94 % to 49.80 %.
        assert!(
            (ci.low - 30.94).abs() < 0.01 && (ci.high - 49.80).abs() < 0.01,
            "{ci:?}"
        );
        let none = Funnel::new(2, "x".into(), "2026-11-02".into(), [10, 0, 0, 0]);
        assert_eq!((none.rate, none.rate_ci), (None, None));
        assert!(describe(&[f]).contains("100 delivered, 60 started, 40 completed, 40 % completed"));
    }
}
