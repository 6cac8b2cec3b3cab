//! A question on the dashboard: its score tile over the range (with the change against
//! the period before) and its trend as a figure: the chart the server drew (inline SVG,
//! described for screen readers) and a table with the same numbers, open without
//! JavaScript.
//!
//! Each piece returns an `AnyView`: nested as concrete types, the page's view type grows
//! past the compiler's query depth in a fresh build.

use crate::components::dashboard_filters::BreakdownTable;
use crate::domain::distribution::Distribution;
use crate::domain::shares::Shares;
use crate::domain::tile::Tile;
use crate::domain::trend::Grain;
use crate::domain::weighting::WeightedNps;
use crate::model::{DashboardQuery, TrendView};
use leptos::prelude::*;

/// Digits a figure is shown with: NPS in whole points, shares to a tenth, means to a
/// hundredth.
pub fn digits(tile_unit: &str, measure: &str) -> usize {
    match (tile_unit, measure) {
        ("points", "mean") => 2,
        ("points", _) => 0,
        _ => 1,
    }
}

/// The numbers behind a chart, for screen readers and for copying: a row per item, its
/// name first, closed until asked for, without JavaScript.
#[component]
pub fn NumbersTable(headers: Vec<String>, rows: Vec<(String, Vec<String>)>) -> AnyView {
    let headers = headers
        .into_iter()
        .map(|h| view! { <th scope="col">{h}</th> })
        .collect_view();
    let rows = rows
        .into_iter()
        .map(|(name, cells)| {
            let cells = cells
                .into_iter()
                .map(|c| view! { <td>{c}</td> })
                .collect_view();
            view! { <tr><th scope="row">{name}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <details>
            <summary>"The numbers in this chart"</summary>
            <table>
                <thead><tr>{headers}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
    .into_any()
}

/// A period as a table names it: its day, or its first and last day.
fn period_label(start: &str, end: &str) -> String {
    if start == end {
        start.to_owned()
    } else {
        format!("{start} to {end}")
    }
}

/// A difference with its sign, to `d` digits: "+3", "−2.5", and "0" for what rounds
/// to nothing (never "-0").
pub fn signed(value: f64, d: usize) -> String {
    let text = format!("{:.d$}", value.abs());
    if text.chars().all(|c| c == '0' || c == '.') {
        return text;
    }
    format!("{}{text}", if value > 0.0 { "+" } else { "−" })
}

#[component]
pub fn QuestionDashboard(view: TrendView, query: DashboardQuery) -> AnyView {
    let tile = view.tile.clone();
    let span = format!("{} to {}", view.from, view.to);
    let previous = format!("{} to {}", view.previous_from, view.previous_to);
    let key = view.question_key.clone();
    let distribution = view.distribution.clone().map(|d| {
        let svg = hidden_from_readers(&view.distribution_svg);
        view! { <DistributionFigure distribution=d svg=svg /> }
    });
    let breakdown = view
        .breakdown
        .clone()
        .map(|b| view! { <BreakdownTable breakdown=b query=query.clone() /> });
    let shares = view.shares.clone().map(|s| {
        let svg = hidden_from_readers(&view.shares_svg);
        view! { <SharesFigure shares=s svg=svg /> }
    });
    let weighted = view
        .weighted
        .clone()
        .map(|w| view! { <WeightedTile weighted=w span=span.clone() /> });
    view! {
        <section class="question-dashboard" data-question=key>
            <ScoreTile tile=tile span=span.clone() previous=previous />
            {weighted}
            {distribution}
            <TrendFigure view=view />
            {shares}
            {breakdown}
        </section>
    }
    .into_any()
}

/// The figure is the one image, named by its description; the drawing inside is not
/// announced a second time.
pub fn hidden_from_readers(svg: &str) -> String {
    svg.replacen("<svg ", r#"<svg aria-hidden="true" focusable="false" "#, 1)
}

#[component]
fn DistributionFigure(distribution: Distribution, svg: String) -> AnyView {
    let rows = distribution
        .bars
        .iter()
        .map(|b| {
            let (n, share) = match (b.n, b.share) {
                (Some(n), Some(share)) => (n.to_string(), format!("{share:.1} %")),
                _ => ("–".to_owned(), "Hidden to protect anonymity".to_owned()),
            };
            (b.label.clone(), vec![b.category.clone(), n, share])
        })
        .collect();
    view! {
        <figure class="chart" data-testid="distribution">
            <figcaption><strong>"Answers by score"</strong> " · n = " {distribution.n}</figcaption>
            <div class="chart-svg" role="img" aria-label=distribution.description() inner_html=svg></div>
            <NumbersTable headers=["Score", "Counted as", "Answers", "Share"].map(String::from).to_vec() rows=rows />
        </figure>
    }
    .into_any()
}

#[component]
fn SharesFigure(shares: Shares, svg: String) -> AnyView {
    let [a, b, c] = shares.categories.clone();
    let rows = shares
        .points
        .iter()
        .map(|p| {
            let period = period_label(&p.start, &p.end);
            let cells: [String; 4] = match (&p.withheld, p.n, p.shares) {
                (Some(_), _, _) => [
                    "–".into(),
                    "Hidden to protect anonymity".into(),
                    "–".into(),
                    "–".into(),
                ],
                (None, Some(n), Some([x, y, z])) => [
                    n.to_string(),
                    format!("{x:.1} %"),
                    format!("{y:.1} %"),
                    format!("{z:.1} %"),
                ],
                _ => ["0".into(), "–".into(), "–".into(), "–".into()],
            };
            (period, cells.to_vec())
        })
        .collect();
    let headers = vec![
        "Period".to_owned(),
        "n".to_owned(),
        a.clone(),
        b.clone(),
        c.clone(),
    ];
    let title = format!("{a}, {b} and {c} by {}", shares.grain.as_str());
    view! {
        <figure class="chart" data-testid="shares">
            <figcaption>
                <strong>{title}</strong>
                <span class="legend">
                    <span class="key detractor">{a}</span>
                    <span class="key passive">{b}</span>
                    <span class="key promoter">{c}</span>
                </span>
            </figcaption>
            <div class="chart-svg" role="img" aria-label=shares.description() inner_html=svg></div>
            <NumbersTable headers=headers rows=rows />
        </figure>
    }
    .into_any()
}

#[component]
fn ScoreTile(tile: Tile, span: String, previous: String) -> AnyView {
    let d = digits(&tile.unit, &tile.measure);
    let unit = if tile.unit == "%" { " %" } else { "" };
    let figure = move |v: f64| format!("{v:.d$}{unit}");
    let body = match (&tile.withheld, tile.value, tile.ci, tile.n) {
        (Some(_), _, _, _) => view! {
            <p class="withheld" data-testid="tile-withheld">
                "Hidden to protect anonymity: every month in this range has too few answers \
                 to show. Widen the range to see it."
            </p>
        }
        .into_any(),
        (None, Some(value), Some(ci), Some(n)) if tile.too_few => view! {
            <p class="too-few" data-testid="tile-too-few">
                <strong data-testid="tile-n">{n}</strong>
                {if n == 1 { " answer" } else { " answers" }}
                {format!(
                    " · not enough answers yet for a meaningful score ({} or more).",
                    tile.min_meaningful
                )}
            </p>
            <details>
                <summary>"Show the score anyway"</summary>
                <p>
                    <span data-testid="tile-value">{figure(value)}</span>
                    " · 95 % interval " {figure(ci.low)} " to " {figure(ci.high)}
                </p>
            </details>
        }
        .into_any(),
        (None, Some(value), Some(ci), Some(_)) => view! {
            <p class="nps-score">
                <strong data-testid="tile-value">{figure(value)}</strong>
                <span class="ci">"95 % interval " {figure(ci.low)} " to " {figure(ci.high)}</span>
            </p>
        }
        .into_any(),
        _ => {
            view! { <p class="muted" data-testid="tile-empty">"No answers in this range yet."</p> }
                .into_any()
        }
    };
    let counts = tile.n.map(|n| {
        let skipped = tile.skipped.map(|s| {
            view! {
                " · " <span data-testid="tile-skipped">{s}</span> " skipped (not counted)"
            }
        });
        view! { <p class="muted">"n = " {n} {skipped}</p> }
    });
    let left_out = (tile.hidden_periods > 0).then(|| {
        let months = if tile.hidden_periods == 1 {
            "month"
        } else {
            "months"
        };
        view! {
            <p class="muted" data-testid="tile-hidden-periods">
                {format!(
                    "Leaves out {} {months} hidden to protect anonymity (too few answers).",
                    tile.hidden_periods
                )}
            </p>
        }
    });
    let change = tile.change.clone().map(|c| {
        // A share moves in percentage points, not per cent of itself.
        let moved_unit = if tile.unit == "%" { " points" } else { "" };
        let moved = format!("{}{moved_unit}", signed(c.difference, d));
        let against = format!(
            " against {} (n = {}) in {previous}",
            figure(c.previous_value),
            c.previous_n
        );
        if c.significant {
            view! {
                <p class="change significant" data-testid="tile-change">
                    <strong>{moved}</strong> {against}
                    <span class="marker">{format!(" · significant (p = {:.3})", c.p)}</span>
                </p>
            }
            .into_any()
        } else {
            let why = if tile.too_few || c.previous_n < tile.min_meaningful {
                "too few answers to tell"
            } else {
                "within noise"
            };
            view! {
                <p class="change" data-testid="tile-change"
                   title=format!("Not significant: p = {:.2}; a change this size happens by chance often.", c.p)>
                    {moved} {against} {format!(" · {why} (p = {:.2})", c.p)}
                </p>
            }
            .into_any()
        }
    });
    view! {
        <div class="tile" data-testid="tile">
            <p class="label">{tile.measure.clone()} " · " {span}</p>
            {body}
            {counts}
            {left_out}
            {change}
        </div>
    }
    .into_any()
}

/// A whole amount with thin spaces between thousands: 1 234 567.
fn amount(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// The weighted NPS beside the plain one: how it is weighted, its interval on the
/// effective n, and the share of weight (revenue) held by detractors.
#[component]
fn WeightedTile(weighted: WeightedNps, span: String) -> AnyView {
    let w = weighted;
    let score = view! {
        <strong data-testid="weighted-value">{format!("{:.0}", w.nps)}</strong>
        <span class="ci">{format!("95 % interval {:.0} to {:.0}", w.ci.low, w.ci.high)}</span>
    };
    let body = if w.too_few {
        view! {
            <p class="too-few" data-testid="weighted-too-few">
                {format!(
                    "Not enough answers yet: the weights make {} answers worth {:.1}.",
                    w.n, w.effective_n
                )}
            </p>
            <details>
                <summary>"Show the weighted score anyway"</summary>
                <p>{score}</p>
            </details>
        }
        .into_any()
    } else {
        view! { <p class="nps-score">{score}</p> }.into_any()
    };
    let at_risk = if w.amount {
        format!(
            "{} at risk: {} of {} ({:.1} %) is held by detractors.",
            w.attribute,
            amount(w.at_risk),
            amount(w.total_weight),
            w.at_risk_pct
        )
    } else {
        format!(
            "Detractors hold {:.1} % of the weight by {}.",
            w.at_risk_pct, w.attribute
        )
    };
    view! {
        <div class="tile weighted" data-testid="weighted-tile">
            <p class="label">{format!("Weighted NPS by {} · {span}", w.attribute)}</p>
            {body}
            <p data-testid="weighted-at-risk">{at_risk}</p>
            <p class="muted">
                {format!(
                    "n = {} with a weight · effective n = {:.1} (Kish: (Σw)² / Σw²), which the interval is computed on.",
                    w.n, w.effective_n
                )}
            </p>
        </div>
    }
    .into_any()
}

#[component]
pub fn TrendFigure(view: TrendView) -> AnyView {
    let trend = view.trend.clone();
    let svg = hidden_from_readers(&view.svg);
    let unit = trend.unit.clone();
    let rows = trend
        .points
        .iter()
        .map(|p| {
            let period = period_label(&p.start, &p.end);
            let (n, value, interval, note) = match (&p.withheld, p.value, p.ci) {
                (Some(_), _, _) => (
                    "–".to_owned(),
                    "–".to_owned(),
                    "–".to_owned(),
                    "Hidden to protect anonymity",
                ),
                (None, Some(value), Some(ci)) => (
                    p.n.unwrap_or_default().to_string(),
                    format!("{value:.1}"),
                    format!("{:.1} to {:.1}", ci.low, ci.high),
                    if p.too_few {
                        "Not enough answers yet"
                    } else {
                        ""
                    },
                ),
                _ => ("0".to_owned(), "–".to_owned(), "–".to_owned(), "No answers"),
            };
            // The sends that went out in the period, beside the note.
            let sent: Vec<String> = trend
                .marks
                .iter()
                .filter(|m| p.start <= m.day && m.day <= p.end)
                .map(|m| format!("Sent: {} ({})", m.label, m.day))
                .collect();
            let note = [note.to_owned()]
                .into_iter()
                .chain(sent)
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            (period, vec![n, value, interval, note])
        })
        .collect();
    let period = match trend.grain {
        Grain::Day => "Day",
        Grain::Week => "Week",
        Grain::Month => "Month",
    };
    let headers = vec![
        period.to_owned(),
        "n".to_owned(),
        format!("{} ({unit})", trend.measure),
        "95 % interval".to_owned(),
        "Note".to_owned(),
    ];
    view! {
        <figure class="chart" data-testid="trend" data-question=view.question_key.clone()>
            <figcaption>
                <strong>{format!("{} by {}", trend.measure, trend.grain.as_str())}</strong>
                " · " {view.question.clone()}
            </figcaption>
            {view.note.clone().map(|note| view! { <p class="muted" data-testid="trend-note">{note}</p> })}
            <div class="chart-svg" role="img" aria-label=view.description.clone() inner_html=svg></div>
            <NumbersTable headers=headers rows=rows />
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::signed;

    #[test]
    fn a_difference_reads_with_its_sign_and_nothing_is_never_negative() {
        assert_eq!(signed(20.0, 0), "+20");
        assert_eq!(signed(-2.54, 1), "−2.5");
        assert_eq!(signed(-0.3, 0), "0");
        assert_eq!(signed(0.04, 1), "0.0");
    }
}
