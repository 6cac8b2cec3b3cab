//! The dashboard's cases: how many of the view's cases are open and overdue, and the
//! median hours to a first contact and to resolution, in all, per period and per team.

use crate::domain::cases::CaseFigures;
use crate::model::CaseStats;
use leptos::prelude::*;

fn hours(h: Option<f64>) -> String {
    match h {
        None => "—".to_owned(),
        Some(h) if h < 48.0 => format!("{h:.1} h"),
        Some(h) => format!("{:.1} days", h / 24.0),
    }
}

fn cells(f: &CaseFigures) -> impl IntoView {
    view! {
        <td>{f.opened}</td>
        <td>{f.open}</td>
        <td>{f.overdue}</td>
        <td>{hours(f.median_hours_to_contact)}</td>
        <td>{hours(f.median_hours_to_resolve)}</td>
    }
}

fn head(first: &'static str) -> impl IntoView {
    view! {
        <thead><tr>
            <th scope="col">{first}</th><th scope="col">"Opened"</th><th scope="col">"Open"</th>
            <th scope="col">"Overdue"</th><th scope="col">"Median to first contact"</th>
            <th scope="col">"Median to resolution"</th>
        </tr></thead>
    }
}

#[component]
pub fn CaseFiguresView(stats: CaseStats, survey_id: i64) -> impl IntoView {
    let all = stats.all.clone();
    let team = stats.team_attribute.clone().unwrap_or_default();
    view! {
        <section class="cases-figures" aria-labelledby="cases-heading" data-testid="case-figures">
            <h3 id="cases-heading">"Cases"</h3>
            <dl class="figures">
                <dt>"Opened in this view"</dt><dd data-testid="cases-opened">{all.opened}</dd>
                <dt>"Still open"</dt><dd data-testid="cases-open">{all.open}</dd>
                <dt>"Overdue"</dt><dd data-testid="cases-overdue">{all.overdue}</dd>
                <dt>"Median time to first contact"</dt><dd data-testid="cases-to-contact">{hours(all.median_hours_to_contact)}</dd>
                <dt>"Median time to resolution"</dt><dd data-testid="cases-to-resolve">{hours(all.median_hours_to_resolve)}</dd>
            </dl>
            <p><a href=format!("/cases?survey={survey_id}&state=open")>"See the open cases"</a></p>
            {(!stats.periods.is_empty()).then(|| view! {
                <table class="tokens" data-testid="cases-by-period">
                    <caption>"By period opened"</caption>
                    {head("Period from")}
                    <tbody>
                        {stats.periods.iter().map(|p| view! { <tr><th scope="row">{p.start.clone()}</th>{cells(&p.figures)}</tr> }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!stats.teams.is_empty()).then(|| view! {
                <table class="tokens" data-testid="cases-by-team">
                    <caption>{format!("By {team}")}</caption>
                    {head("Team")}
                    <tbody>
                        {stats.teams.iter().map(|t| view! {
                            <tr><th scope="row">{t.team.clone().unwrap_or_else(|| "(none)".to_owned())}</th>{cells(&t.figures)}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
