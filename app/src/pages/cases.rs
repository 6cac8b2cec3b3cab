//! `/cases`: the cases the caller may see (their role and scope), newest first, filtered
//! by survey, state and owner in the URL, so a filtered list is a link and works without
//! JavaScript.

use crate::api::cases::load_cases;
use crate::components::admin_layout::AdminLayout;
use crate::components::page_error::PageError;
use crate::model::{CaseList, CaseView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The list's state filter: (parameter, label).
const STATES: [(&str, &str); 7] = [
    ("open", "Open or contacted"),
    ("overdue", "Overdue"),
    ("done", "Resolved or closed"),
    ("contacted", "Contacted"),
    ("resolved", "Resolved"),
    ("closed", "Closed without action"),
    ("all", "All"),
];

#[component]
pub fn CasesPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        let one = |k: &str| q.get(k).filter(|v| !v.is_empty());
        (
            one("survey"),
            one("state").or_else(|| Some("open".to_owned())),
            one("mine"),
            one("page"),
        )
    };
    let cases = Resource::new(params, |(survey, state, mine, page)| {
        load_cases(survey, state, mine, page)
    });
    view! {
        <Title text="Cases · Resonance" />
        <AdminLayout>
            <h1>"Cases"</h1>
            <p class="muted">"Critical answers to follow up: write to the person, note what was done, and resolve the case."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (survey, state, mine, _) = params();
                    match cases.await {
                        Ok(list) => list_view(list, survey, state, mine).into_any(),
                        Err(e) => view! { <PageError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

fn list_view(
    list: CaseList,
    survey: Option<String>,
    state: Option<String>,
    mine: Option<String>,
) -> impl IntoView {
    let state = state.unwrap_or_default();
    let chosen_state = state.clone();
    let chosen_survey = survey.clone().unwrap_or_default();
    let mine_checked = mine.is_some();
    let link = move |page: u64| {
        let mut parts = vec![format!("page={page}")];
        if let Some(s) = &survey {
            parts.push(format!("survey={s}"));
        }
        parts.push(format!("state={state}"));
        if mine.is_some() {
            parts.push("mine=1".to_owned());
        }
        format!("/cases?{}", parts.join("&"))
    };
    let (page, pages) = (list.page, list.pages);
    view! {
        <form method="get" action="/cases" class="filters card" aria-label="Filter cases">
            <div class="field">
                <label for="case-survey">"Survey"</label>
                <select id="case-survey" name="survey">
                    <option value="">"All surveys"</option>
                    {list.surveys.iter().map(|(id, title)| {
                        let selected = chosen_survey == id.to_string();
                        view! { <option value=id.to_string() selected=selected>{title.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="case-state">"State"</label>
                <select id="case-state" name="state">
                    {STATES.iter().map(|(value, label)| view! {
                        <option value=*value selected=chosen_state == *value>{*label}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field checkbox">
                <input type="checkbox" id="case-mine" name="mine" value="1" checked=mine_checked />
                <label for="case-mine">"Only mine"</label>
            </div>
            <button type="submit">"Show"</button>
        </form>
        <p data-testid="case-count">{format!("{} case(s)", list.total)}</p>
        {match list.cases.is_empty() {
            true => view! { <p class="muted">"No case here."</p> }.into_any(),
            false => view! {
                <table class="tokens cases" data-testid="cases">
                    <thead><tr>
                        <th scope="col">"Case"</th><th scope="col">"Respondent"</th><th scope="col">"Score"</th>
                        <th scope="col">"Comment"</th><th scope="col">"State"</th><th scope="col">"Owner"</th><th scope="col">"Due"</th>
                    </tr></thead>
                    <tbody>{list.cases.into_iter().map(row).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
        {(pages > 1).then(|| view! {
            <nav class="pages" aria-label="Pages of cases">
                {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"← Newer"</a> })}
                <span>{format!(" Page {page} of {pages} ")}</span>
                {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">"Older →"</a> })}
            </nav>
        })}
    }
}

fn row(c: CaseView) -> impl IntoView {
    let comment: String = c
        .comment
        .clone()
        .unwrap_or_default()
        .chars()
        .take(120)
        .collect();
    let due = match (c.overdue, c.state.is_done()) {
        (true, _) => view! { <span class="overdue">{format!("overdue since {}", c.due_at)}</span> }
            .into_any(),
        (false, true) => view! { <span class="muted">"—"</span> }.into_any(),
        (false, false) => view! { <span>{c.due_at.clone()}</span> }.into_any(),
    };
    view! {
        <tr data-testid="case-row">
            <td><a href=format!("/cases/{}", c.id)>{format!("#{} · {}", c.id, c.survey_title)}</a><br /><span class="muted">{c.opened_at.clone()}</span></td>
            <td>{c.respondent.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td>{c.score.map(|s| s.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
            <td>{comment}</td>
            <td>{c.state.label()}</td>
            <td>{c.owner.clone().unwrap_or_else(|| "nobody".to_owned())}</td>
            <td>{due}</td>
        </tr>
    }
}
