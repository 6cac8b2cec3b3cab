//! One question's results as the admin reads them: the score of its kind with the 95 %
//! interval, or how often each option was chosen.

use crate::components::nps_summary::NpsSummary;
use crate::domain::report::QuestionScore;
use crate::domain::{CesResult, CsatResult, ScaleSummary};
use crate::model::QuestionReport;
use leptos::prelude::*;

#[component]
pub fn QuestionResults(report: QuestionReport) -> impl IntoView {
    let body = match report.score.clone() {
        Some(QuestionScore::Nps(r)) => view! { <NpsSummary result=r label="NPS" /> }.into_any(),
        Some(QuestionScore::Enps(r)) => view! { <NpsSummary result=r label="eNPS" /> }.into_any(),
        Some(QuestionScore::Ces(r)) => ces(r).into_any(),
        Some(QuestionScore::Csat(r)) => share("CSAT", "satisfied (4–5)", r).into_any(),
        Some(QuestionScore::Likert(r)) => share("Agreement", "agree (4–5)", r).into_any(),
        Some(QuestionScore::Rating(r)) => rating(r).into_any(),
        None if report.withheld.as_deref() == Some("scope") => view! {
            <p class="withheld" data-testid="withheld">
                "The whole survey's figures are not shown to you: the dashboard below is \
                 narrowed to your teams."
            </p>
        }
        .into_any(),
        None if report.withheld.is_some() => view! {
            <p class="withheld" data-testid="withheld">
                "Hidden to protect anonymity: fewer people answered than the survey's minimum \
                 group size, so nothing about this question is shown yet."
            </p>
        }
        .into_any(),
        None if report.choices.is_empty() => {
            view! { <p class="muted">{report.answered.unwrap_or_default()} " written answers"</p> }
                .into_any()
        }
        None => choices(&report).into_any(),
    };
    view! {
        <section class="card question-result" data-question=report.key.clone()>
            <h2>{report.text.clone()}</h2>
            {body}
        </section>
    }
}

fn interval(low: f64, high: f64, digits: usize) -> String {
    format!("95 % CI {low:.digits$} to {high:.digits$}")
}

fn ces(r: CesResult) -> impl IntoView {
    view! {
        <div class="nps-score">
            <span class="label">"CES mean"</span>
            <strong data-testid="score">{format!("{:.2}", r.mean)}</strong>
            <span class="ci">{interval(r.mean_ci.low, r.mean_ci.high, 2)}</span>
        </div>
        <p>
            <span data-testid="share">{format!("{:.1} %", r.agree_pct)}</span>
            " agree (" {r.scale.agree_from()} "–" {r.scale.max()} "), "
            {interval(r.agree_ci.low, r.agree_ci.high, 1)} " · n = " <span data-testid="n">{r.n}</span>
        </p>
    }
}

fn share(name: &'static str, what: &'static str, r: CsatResult) -> impl IntoView {
    view! {
        <div class="nps-score">
            <span class="label">{name}</span>
            <strong data-testid="score">{format!("{:.1} %", r.satisfied_pct)}</strong>
            <span class="ci">{interval(r.satisfied_ci.low, r.satisfied_ci.high, 1)}</span>
        </div>
        <p>
            {what} " · mean " {format!("{:.2}", r.mean)} ", " {interval(r.mean_ci.low, r.mean_ci.high, 2)}
            " · n = " <span data-testid="n">{r.n}</span>
        </p>
    }
}

fn rating(r: ScaleSummary) -> impl IntoView {
    view! {
        <div class="nps-score">
            <span class="label">"Mean"</span>
            <strong data-testid="score">{format!("{:.2}", r.mean)}</strong>
            <span class="ci">{interval(r.mean_ci.low, r.mean_ci.high, 2)}</span>
        </div>
        <p>"n = " <span data-testid="n">{r.n}</span></p>
    }
}

fn choices(report: &QuestionReport) -> impl IntoView {
    let total = report.answered.unwrap_or_default().max(1) as f64;
    view! {
        <table class="tokens">
            <thead><tr><th>"Option"</th><th>"Chosen"</th><th>"Share of answers"</th></tr></thead>
            <tbody>
                {report
                    .choices
                    .iter()
                    .map(|c| view! {
                        <tr>
                            <td>{c.label.clone()}</td>
                            <td data-testid=format!("choice-{}", c.key)>
                                {c.n.map_or_else(|| "Hidden".to_owned(), |n| n.to_string())}
                            </td>
                            <td>
                                {c.n.map_or_else(
                                    || "hidden to protect anonymity".to_owned(),
                                    |n| format!("{:.1} %", 100.0 * n as f64 / total),
                                )}
                            </td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="muted">"n = " {report.answered.unwrap_or_default()}</p>
    }
}
