//! `/surveys`: the list and the form that creates a survey from a template.

use crate::api::surveys::CreateSurvey;
use crate::api::trends::load_overview;
use crate::components::page_error::PageError;
use crate::components::trend_chart::{digits, hidden_from_readers, signed};
use crate::components::{
    admin_layout::AdminLayout,
    form::{Field, FormError},
};
use crate::model::OverviewRow;
use leptos::prelude::*;
use leptos_meta::Title;

/// The kinds an author can start from, with what each template asks.
const KINDS: [(&str, &str); 6] = [
    ("nps", "NPS: would customers recommend you (0–10)"),
    (
        "enps",
        "eNPS: would employees recommend you as a place to work (anonymous)",
    ),
    (
        "ces",
        "CES: how easy was it to get an issue handled (7 points)",
    ),
    ("csat", "CSAT: how satisfied with a subject (5 points)"),
    (
        "pulse",
        "Pulse: workload, recognition, manager support, growth, belonging",
    ),
    (
        "custom",
        "Custom: start from one question and build your own",
    ),
];

#[component]
pub fn SurveysPage() -> impl IntoView {
    let surveys = Resource::new(|| (), |_| load_overview());
    let action = ServerAction::<CreateSurvey>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Surveys · Resonance" />
        <AdminLayout>
            <h1>"Surveys"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match surveys.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No surveys yet: create the first one below."</p> }.into_any(),
                        Ok(list) => view! { <Overview rows=list /> }.into_any(),
                        Err(e) => view! { <PageError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"New survey"</h2>
            <ActionForm action=action attr:class="card">
                <FormError error />
                <KindSelect error />
                <Field label="Title (optional: the template's title otherwise)" name="title" error required=false />
                <Field label="Subject, for {subject} in CSAT questions (optional)" name="subject" error required=false />
                <button type="submit">"Create draft"</button>
            </ActionForm>
        </AdminLayout>
    }
}

#[component]
fn KindSelect(#[prop(into)] error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    let chosen = move || {
        error
            .get()
            .and_then(|e| e.input_value("kind"))
            .unwrap_or_else(|| "nps".to_owned())
    };
    let message = move || error.get().and_then(|e| e.message_for("kind"));
    view! {
        <div class="field">
            <label for="field-kind">"Kind"</label>
            <select id="field-kind" name="kind" aria-describedby="field-kind-error">
                {KINDS
                    .into_iter()
                    .map(|(value, label)| view! {
                        <option value=value selected=move || chosen() == value>{label}</option>
                    })
                    .collect_view()}
            </select>
            <p class="field-error" id="field-kind-error" role="alert">{message}</p>
        </div>
    }
}

/// Every survey with where it stands over the last 90 days and where it is moving.
#[component]
fn Overview(rows: Vec<OverviewRow>) -> AnyView {
    let rows = rows
        .into_iter()
        .map(|row| {
            let s = &row.survey;
            let (score, change) = match &row.tile {
                None => ("No score".to_owned(), String::new()),
                Some(t) if t.withheld.is_some() => {
                    ("Hidden to protect anonymity".to_owned(), String::new())
                }
                Some(t) => {
                    let d = digits(&t.unit, &t.measure);
                    let unit = if t.unit == "%" { " %" } else { "" };
                    let score = match (t.value, t.ci, t.n) {
                        (Some(v), Some(ci), Some(n)) => {
                            // "NPS 39", but "52.0 % agree" rather than "% agree 52.0 %".
                            let headline = match t.measure.strip_prefix("% ") {
                                Some(what) => format!("{v:.d$} % {what}"),
                                None => format!("{} {v:.d$}{unit}", t.measure),
                            };
                            format!(
                                "{headline} ({:.d$} to {:.d$}) · n = {n}{}",
                                ci.low,
                                ci.high,
                                if t.too_few { " · not enough answers yet" } else { "" }
                            )
                        }
                        _ => "No answers in 90 days".to_owned(),
                    };
                    let change = t.change.as_ref().map_or(String::new(), |c| {
                        let moved_unit = if unit.is_empty() { "" } else { " points" };
                        let verdict = if c.significant {
                            format!("significant (p = {:.3})", c.p)
                        } else {
                            format!("within noise (p = {:.2})", c.p)
                        };
                        format!("{}{moved_unit} · {verdict}", signed(c.difference, d))
                    });
                    (score, change)
                }
            };
            let sent = row.latest_send.as_ref().map_or("Not sent".to_owned(), |f| {
                match (f.rate, f.rate_ci) {
                    (Some(r), Some(ci)) => {
                        format!("{r:.0} % completed ({:.0} to {:.0}) · {}", ci.low, ci.high, f.day)
                    }
                    _ => format!("Nothing delivered yet · {}", f.day),
                }
            });
            let sparkline = hidden_from_readers(&row.sparkline_svg);
            view! {
                <tr data-testid="overview-row">
                    <th scope="row">
                        <a href=format!("/surveys/{}", s.id)>{s.title.clone()}</a>
                        <span class="muted">" " {s.kind.as_str().to_uppercase()} " · " {s.status.as_str()}</span>
                    </th>
                    <td data-testid="overview-score">{score}</td>
                    <td>{change}</td>
                    <td class="sparkline" inner_html=sparkline></td>
                    <td>{sent}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="overview">
            <table>
                <caption>"Each survey's headline score over the last 90 days, against the 90 days before"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Survey"</th>
                        <th scope="col">"Score (95 % interval)"</th>
                        <th scope="col">"Change"</th>
                        <th scope="col">"Trend"</th>
                        <th scope="col">"Latest send"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
