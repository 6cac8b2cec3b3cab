//! `/responses`: the responses inbox. Every identified survey's responses the caller may
//! read, newest first, filtered in the URL (a GET form: bookmarkable, and it works
//! without JavaScript); each opens its response page, and its case if it has one.

use crate::api::inbox::load_inbox;
use crate::components::admin_layout::AdminLayout;
use crate::components::page_error::PageError;
use crate::domain::trend::RANGES;
use crate::model::{query_value, InboxFilters, InboxItem, InboxList};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const CATEGORIES: [(&str, &str); 4] = [
    ("", "Any score"),
    ("low", "Detractors and low scores"),
    ("neutral", "Passives and neutral scores"),
    ("high", "Promoters and high scores"),
];

const COMMENTS: [(&str, &str); 3] = [
    ("", "With or without a comment"),
    ("with", "With a comment"),
    ("without", "Without a comment"),
];

const CASES: [(&str, &str); 8] = [
    ("", "With or without a case"),
    ("none", "No case"),
    ("any", "Any case"),
    ("open", "Case open or contacted"),
    ("done", "Case resolved or closed"),
    ("contacted", "Case contacted"),
    ("resolved", "Case resolved"),
    ("closed", "Case closed without action"),
];

#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        let one = |key: &str| q.get(key).unwrap_or_default();
        InboxFilters {
            survey: one("survey"),
            range: one("range"),
            from: one("from"),
            to: one("to"),
            send: one("send"),
            filter: q.get_all("filter").unwrap_or_default(),
            category: one("category"),
            comment: one("comment"),
            case: one("case"),
            q: one("q"),
            page: one("page"),
        }
    };
    let list = Resource::new(filters, load_inbox);
    view! {
        <Title text="Responses · Resonance" />
        <AdminLayout>
            <h1>"Responses"</h1>
            <p class="muted">"Every response of the identified surveys you may read, newest first. Anonymous surveys' responses are never listed one by one."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => list_view(list).into_any(),
                        // The form stays, with what was asked, so it can be fixed.
                        Err(e) => view! {
                            {filter_form(&filters(), &InboxList::default())}
                            <PageError error=e />
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

fn select(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    options: &[(&'static str, &'static str)],
    chosen: &str,
) -> impl IntoView {
    let options = options
        .iter()
        .map(|(value, text)| view! { <option value=*value selected=chosen == *value>{*text}</option> })
        .collect_view();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name>{options}</select>
        </div>
    }
}

fn filter_form(f: &InboxFilters, list: &InboxList) -> impl IntoView {
    let surveys = list
        .surveys
        .iter()
        .map(|(id, title)| {
            let value = id.to_string();
            view! { <option selected=f.survey == value value=value>{title.clone()}</option> }
        })
        .collect_view();
    let range = if f.range.is_empty() {
        "90d"
    } else {
        f.range.as_str()
    };
    // One select per attribute the survey groups by, with its values.
    let attributes = list
        .choices
        .attributes
        .iter()
        .filter(|(_, values)| !values.is_empty())
        .enumerate()
        .map(|(i, (attribute, values))| {
            let id = format!("inbox-filter-{i}");
            let options = values
                .iter()
                .map(|v| {
                    let chosen = f.filter.contains(&v.param);
                    view! { <option value=v.param.clone() selected=chosen>{v.label.clone()}</option> }
                })
                .collect_view();
            view! {
                <div class="field">
                    <label for=id.clone()>{attribute.clone()}</label>
                    <select id=id name="filter">
                        <option value="">"Any"</option>
                        {options}
                    </select>
                </div>
            }
        })
        .collect_view();
    let sends = (!list.choices.sends.is_empty()).then(|| {
        let options = list
            .choices
            .sends
            .iter()
            .map(|c| view! { <option value=c.param.clone() selected=f.send == c.param>{c.label.clone()}</option> })
            .collect_view();
        view! {
            <div class="field">
                <label for="inbox-send">"Send"</label>
                <select id="inbox-send" name="send"><option value="">"All"</option>{options}</select>
            </div>
        }
    });
    view! {
        <form method="get" action="/responses" class="filters card" aria-label="Filter responses">
            <div class="field">
                <label for="inbox-survey">"Survey"</label>
                <select id="inbox-survey" name="survey">
                    <option value="">"All surveys"</option>
                    {surveys}
                </select>
            </div>
            {select("inbox-range", "Period", "range", &RANGES, range)}
            <div class="field">
                <label for="inbox-from">"From (custom)"</label>
                <input id="inbox-from" type="date" name="from" value=f.from.clone() />
            </div>
            <div class="field">
                <label for="inbox-to">"To (custom)"</label>
                <input id="inbox-to" type="date" name="to" value=f.to.clone() />
            </div>
            {attributes}
            {sends}
            {select("inbox-category", "Score", "category", &CATEGORIES, &f.category)}
            {select("inbox-comment", "Comment", "comment", &COMMENTS, &f.comment)}
            {select("inbox-case", "Case", "case", &CASES, &f.case)}
            <div class="field">
                <label for="inbox-q">"Search comments and respondents"</label>
                <input id="inbox-q" type="search" name="q" value=f.q.clone() />
            </div>
            <button type="submit">"Show"</button>
        </form>
    }
}

fn list_view(list: InboxList) -> impl IntoView {
    let f = list.filters.clone();
    let page_link = move |page: u64| {
        let mut pairs: Vec<(&str, String)> = vec![
            ("survey", f.survey.clone()),
            ("range", f.range.clone()),
            (
                "from",
                if f.range == "custom" {
                    f.from.clone()
                } else {
                    String::new()
                },
            ),
            (
                "to",
                if f.range == "custom" {
                    f.to.clone()
                } else {
                    String::new()
                },
            ),
            ("send", f.send.clone()),
            ("category", f.category.clone()),
            ("comment", f.comment.clone()),
            ("case", f.case.clone()),
            ("q", f.q.clone()),
            ("page", page.to_string()),
        ];
        pairs.extend(f.filter.iter().map(|c| ("filter", c.clone())));
        let query: Vec<String> = pairs
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", query_value(&v)))
            .collect();
        format!("/responses?{}", query.join("&"))
    };
    let (page, more) = (list.page, list.more);
    view! {
        {filter_form(&list.filters, &list)}
        {match list.items.is_empty() {
            true => view! { <p class="muted" data-testid="inbox-empty">"No response here."</p> }.into_any(),
            false => view! {
                <table class="tokens inbox" data-testid="inbox">
                    <thead><tr>
                        <th scope="col">"Response"</th><th scope="col">"Respondent"</th><th scope="col">"Score"</th>
                        <th scope="col">"Comment"</th><th scope="col">"Case"</th>
                    </tr></thead>
                    <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
        {(page > 1 || more).then(|| view! {
            <nav class="pages" aria-label="Pages of responses">
                {(page > 1).then(|| view! { <a href=page_link(page - 1) rel="prev">"← Newer"</a> })}
                <span>{format!(" Page {page} ")}</span>
                {more.then(|| view! { <a href=page_link(page + 1) rel="next" data-testid="inbox-older">"Older →"</a> })}
            </nav>
        })}
    }
}

fn row(item: InboxItem) -> impl IntoView {
    let score = match (item.score, item.category.as_deref()) {
        (Some(s), Some(c)) => format!("{s} ({c})"),
        (Some(s), None) => s.to_string(),
        _ => "—".to_owned(),
    };
    let comment: String = item
        .comment
        .clone()
        .unwrap_or_default()
        .chars()
        .take(160)
        .collect();
    let case = match (item.case_id, item.case_state) {
        (Some(id), Some(state)) => {
            view! { <a href=format!("/cases/{id}")>{state.label()}</a> }.into_any()
        }
        _ => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let groups = item
        .groups
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <tr data-testid="inbox-row">
            <td>
                <a href=item.response_url.clone()>{format!("{} · {}", item.survey_title, item.at)}</a>
                {(!item.completed).then(|| view! { <span class="muted">" (partial)"</span> })}
                {(!groups.is_empty()).then(|| view! { <br /><span class="muted">{groups.clone()}</span> })}
            </td>
            <td>{item.respondent.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td>{score}</td>
            <td>{comment}</td>
            <td>{case}</td>
        </tr>
    }
}
