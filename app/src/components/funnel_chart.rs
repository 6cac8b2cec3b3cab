//! Each send's response funnel: the chart of the latest sends and a table of all of them.

use crate::components::trend_chart::hidden_from_readers;
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
            view! {
                <tr>
                    <th scope="row">{format!("{} ({})", f.label, f.day)}</th>
                    <td>{recipients}</td>
                    <td>{delivered}</td>
                    <td>{started}</td>
                    <td>{completed}</td>
                    <td>{rate}</td>
                </tr>
            }
        })
        .collect_view();
    let [a, b, c, d] = STEPS;
    view! {
        <figure class="chart" data-testid="funnel">
            <figcaption>
                <strong>"Response funnel by send"</strong>
                " · bars from left: recipients, delivered, started, completed"
            </figcaption>
            <div class="chart-svg" role="img" aria-label=description inner_html=svg></div>
            <details>
                <summary>"The numbers in this chart"</summary>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Send"</th>
                            <th scope="col">{a}</th>
                            <th scope="col">{b}</th>
                            <th scope="col">{c}</th>
                            <th scope="col">{d}</th>
                            <th scope="col">"Completed of delivered (95 % interval)"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}
