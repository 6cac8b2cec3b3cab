//! Each send's response funnel: the chart of the latest sends and a table of all of them.

use crate::components::trend_chart::{hidden_from_readers, NumbersTable};
use crate::domain::funnel::{Funnel, STEPS};
use leptos::prelude::*;

#[component]
pub fn FunnelFigure(funnels: Vec<Funnel>, svg: String, description: String) -> AnyView {
    if funnels.is_empty() {
        return view! {
            <p class="muted" data-testid="funnel-empty">
                "No sends yet: each send's recipients, deliveries, started and completed responses show here."
            </p>
        }
        .into_any();
    }
    let svg = hidden_from_readers(&svg);
    let rows = funnels
        .iter()
        .rev()
        .map(|f| {
            let [recipients, delivered, started, completed] = f.counts;
            let rate = match (f.rate, f.rate_ci) {
                (Some(rate), Some(ci)) => {
                    format!("{rate:.1} % ({:.1} to {:.1})", ci.low, ci.high)
                }
                _ => "–".to_owned(),
            };
            (
                format!("{} ({})", f.label, f.day),
                vec![
                    recipients.to_string(),
                    delivered.to_string(),
                    started.to_string(),
                    completed.to_string(),
                    rate,
                ],
            )
        })
        .collect();
    let headers = ["Send"]
        .into_iter()
        .chain(STEPS)
        .chain(["Completed of delivered (95 % interval)"])
        .map(String::from)
        .collect();
    view! {
        <figure class="chart" data-testid="funnel">
            <figcaption>
                <strong>"Response funnel by send"</strong>
                " · bars from left: recipients, delivered, started, completed"
            </figcaption>
            <div class="chart-svg" role="img" aria-label=description inner_html=svg></div>
            <NumbersTable headers=headers rows=rows />
        </figure>
    }
    .into_any()
}

/// Of the people who answered two waves, who moved between the headline's categories.
#[component]
pub fn MovementTable(movement: crate::domain::movement::Movement) -> AnyView {
    let [low, mid, high] = movement.categories.clone();
    let rows = movement
        .counts
        .iter()
        .zip(&movement.row_shares)
        .zip(&movement.categories)
        .zip(movement.no_longer_answering)
        .map(|(((row, shares), name), gone)| {
            let cells = row
                .iter()
                .enumerate()
                .map(|(j, n)| {
                    let share = shares.map_or(String::new(), |s| format!(" ({:.0} %)", s[j]));
                    view! { <td>{format!("{n}{share}")}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{name.clone()}</th>
                    {cells}
                    <td>{gone}</td>
                </tr>
            }
        })
        .collect_view();
    let [a, b, c] = movement.newly_answering;
    view! {
        <div class="breakdown" data-testid="movement">
            <table>
                <caption>{format!("Movement from {} to {}", movement.from, movement.to)}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Then \\ now"</th>
                        <th scope="col">{low}</th>
                        <th scope="col">{mid}</th>
                        <th scope="col">{high}</th>
                        <th scope="col">"No longer answering"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows}
                    <tr>
                        <th scope="row">"Newly answering"</th>
                        <td>{a}</td>
                        <td>{b}</td>
                        <td>{c}</td>
                        <td></td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
