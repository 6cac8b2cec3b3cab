//! A question's trend as a figure: the chart the server drew (inline SVG, described for
//! screen readers) and a table with the same numbers, open without JavaScript.

use crate::api::trends::RANGES;
use crate::domain::trend::Grain;
use crate::model::TrendView;
use leptos::prelude::*;

#[component]
pub fn TrendFigure(view: TrendView) -> impl IntoView {
    let trend = view.trend.clone();
    // The figure is the one image, named by its description; the drawing inside is not
    // announced a second time.
    let svg = view
        .svg
        .replacen("<svg ", r#"<svg aria-hidden="true" focusable="false" "#, 1);
    let unit = trend.unit.clone();
    let rows = trend
        .points
        .iter()
        .map(|p| {
            let period = if p.start == p.end {
                p.start.clone()
            } else {
                format!("{} to {}", p.start, p.end)
            };
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
            view! {
                <tr>
                    <th scope="row">{period}</th>
                    <td>{n}</td>
                    <td>{value}</td>
                    <td>{interval}</td>
                    <td>{note}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid="trend" data-question=view.question_key.clone()>
            <figcaption>
                <strong>{format!("{} by {}", trend.measure, trend.grain.as_str())}</strong>
                " · " {view.question.clone()}
            </figcaption>
            {view.note.clone().map(|note| view! { <p class="muted" data-testid="trend-note">{note}</p> })}
            <div class="chart-svg" role="img" aria-label=view.description.clone() inner_html=svg></div>
            <details>
                <summary>"The numbers in this chart"</summary>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">
                                {match trend.grain {
                                    Grain::Day => "Day",
                                    Grain::Week => "Week",
                                    Grain::Month => "Month",
                                }}
                            </th>
                            <th scope="col">"n"</th>
                            <th scope="col">{format!("{} ({unit})", trend.measure)}</th>
                            <th scope="col">"95 % interval"</th>
                            <th scope="col">"Note"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
}

/// The range and period, as a GET form: the view lives in the URL.
#[component]
pub fn TrendFilters(range: String, grain: String) -> impl IntoView {
    let ranges = RANGES
        .iter()
        .map(|(value, label, _)| {
            view! { <option value=*value selected=range == *value>{*label}</option> }
        })
        .collect_view();
    let grains = [
        ("", "Automatic"),
        ("day", "Days"),
        ("week", "Weeks"),
        ("month", "Months"),
    ]
    .into_iter()
    .map(|(value, label)| view! { <option value=value selected=grain == value>{label}</option> })
    .collect_view();
    view! {
        <form method="get" class="filters" data-testid="trend-filters">
            <label>"Range " <select name="range">{ranges}</select></label>
            <label>"Periods " <select name="grain">{grains}</select></label>
            <button type="submit">"Show"</button>
        </form>
    }
}
