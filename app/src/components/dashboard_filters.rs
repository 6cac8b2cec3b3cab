//! What a dashboard is narrowed to, as a GET form (the view lives in the URL, so it can
//! be bookmarked and shared, and works without JavaScript), and a question's breakdown
//! by one attribute as a sortable table.

use crate::components::trend_chart::{digits, signed};
use crate::domain::breakdown::Breakdown;
use crate::domain::trend::RANGES;
use crate::model::{DashboardQuery, FilterChoices};
use leptos::prelude::*;

#[component]
pub fn DashboardFilters(query: DashboardQuery, choices: FilterChoices) -> AnyView {
    let ranges = RANGES
        .iter()
        .map(|(value, label)| {
            view! { <option value=*value selected=query.range == *value>{*label}</option> }
        })
        .collect_view();
    let grains = [
        ("", "Automatic"),
        ("day", "Days"),
        ("week", "Weeks"),
        ("month", "Months"),
    ]
    .into_iter()
    .map(|(value, label)| {
        view! { <option value=value selected=query.grain == value>{label}</option> }
    })
    .collect_view();
    let sends = (!choices.sends.is_empty()).then(|| {
        let options = choices
            .sends
            .iter()
            .map(|c| {
                view! { <option value=c.param.clone() selected=query.send == c.param>{c.label.clone()}</option> }
            })
            .collect_view();
        view! {
            <label>"Send " <select name="send" data-testid="filter-send">
                <option value="">"All answers"</option>
                {options}
            </select></label>
        }
    });
    let has_values = choices
        .attributes
        .iter()
        .any(|(_, values)| !values.is_empty());
    // One select per condition that can be combined, each offering every value.
    let slots = if has_values {
        choices.max_conditions
    } else {
        0
    };
    let conditions = (0..slots)
        .map(|slot| {
            let chosen = query.filter.get(slot).cloned().unwrap_or_default();
            let groups = choices
                .attributes
                .iter()
                .filter(|(_, values)| !values.is_empty())
                .map(|(attribute, values)| {
                    let options = values
                        .iter()
                        .map(|c| {
                            view! { <option value=c.param.clone() selected=chosen == c.param>{c.label.clone()}</option> }
                        })
                        .collect_view();
                    view! { <optgroup label=attribute.clone()>{options}</optgroup> }
                })
                .collect_view();
            view! {
                <label>{if slot == 0 { "Only " } else { "and " }}
                    <select name="filter" data-testid=format!("filter-{slot}")>
                        <option value="">"Everyone"</option>
                        {groups}
                    </select>
                </label>
            }
        })
        .collect_view();
    let by_options = choices
        .attributes
        .iter()
        .map(|(attribute, _)| {
            view! { <option value=attribute.clone() selected=query.by == *attribute>{attribute.clone()}</option> }
        })
        .collect_view();
    let breakdown = (!choices.attributes.is_empty()).then(|| {
        view! {
            <label>"Break down by " <select name="by" data-testid="filter-by">
                <option value="">"Nothing"</option>
                {by_options}
            </select></label>
        }
    });
    view! {
        <form method="get" class="filters" data-testid="trend-filters">
            <label>"Range " <select name="range">{ranges}</select></label>
            <label>"Periods " <select name="grain">{grains}</select></label>
            <label>"From " <input type="date" name="from" value=query.from.clone() /></label>
            <label>"to " <input type="date" name="to" value=query.to.clone() /></label>
            {sends}
            {conditions}
            {breakdown}
            <input type="hidden" name="sort" value=query.sort.clone() />
            <button type="submit">"Show"</button>
        </form>
        <p class="muted filters-hint">
            "From and to apply with the range “From … to …”. Filters and breakdowns use the \
             attributes the survey groups its results by (set in the editor)."
        </p>
    }
    .into_any()
}

#[component]
pub fn BreakdownTable(breakdown: Breakdown, query: DashboardQuery) -> AnyView {
    let d = digits(&breakdown.unit, &breakdown.measure);
    let unit = if breakdown.unit == "%" { " %" } else { "" };
    let figure = move |v: f64| format!("{v:.d$}{unit}");
    let sort_link = |sort: &'static str, label: String| {
        let href = DashboardQuery {
            sort: sort.to_owned(),
            ..query.clone()
        }
        .to_query_string();
        let current = query.sort == sort || (query.sort.is_empty() && sort == "value");
        view! {
            <th scope="col" aria-sort=if current { "descending" } else { "none" }>
                <a href=href>{label}</a>
            </th>
        }
    };
    let rows = breakdown
        .rows
        .iter()
        .map(|r| {
            let cells = match (&r.withheld, r.n, r.score, r.ci) {
                (Some(_), _, _, _) => (
                    "–".to_owned(),
                    "Hidden to protect anonymity".to_owned(),
                    "–".to_owned(),
                    String::new(),
                ),
                (None, Some(n), Some(score), Some(ci)) => {
                    let versus = r.versus_rest.as_ref().map_or(String::new(), |v| {
                        let moved_unit = if unit.is_empty() { "" } else { " points" };
                        let verdict = if v.significant {
                            format!("significant (p = {:.3})", v.p)
                        } else if r.too_few {
                            "too few answers to tell".to_owned()
                        } else {
                            format!("within noise (p = {:.2})", v.p)
                        };
                        format!("{}{moved_unit} · {verdict}", signed(v.difference, d))
                    });
                    let value = if r.too_few {
                        format!("{} (not enough answers yet)", figure(score))
                    } else {
                        figure(score)
                    };
                    (
                        n.to_string(),
                        value,
                        format!("{} to {}", figure(ci.low), figure(ci.high)),
                        versus,
                    )
                }
                _ => (
                    "0".to_owned(),
                    "–".to_owned(),
                    "–".to_owned(),
                    String::new(),
                ),
            };
            let significant = r.versus_rest.as_ref().is_some_and(|v| v.significant);
            view! {
                <tr class:significant=significant>
                    <th scope="row">{r.value.clone()}</th>
                    <td>{cells.0}</td>
                    <td>{cells.1}</td>
                    <td>{cells.2}</td>
                    <td>{cells.3}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="breakdown" data-testid="breakdown">
            <table>
                <caption>{format!("{} by {}", breakdown.measure, breakdown.attribute)}</caption>
                <thead>
                    <tr>
                        {sort_link("value", breakdown.attribute.clone())}
                        {sort_link("n", "n".to_owned())}
                        {sort_link("score", format!("{} ({})", breakdown.measure, breakdown.unit))}
                        <th scope="col">"95 % interval"</th>
                        <th scope="col">"Against the rest"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
