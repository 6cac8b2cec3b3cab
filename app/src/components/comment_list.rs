//! A dashboard's comments: follow-ups and free-text answers under the same filters,
//! by category and text, newest first, a page at a time.

use crate::model::{Comments, DashboardQuery};
use leptos::prelude::*;

/// "detractor" → "Detractors", for the category select.
fn plural(category: &str) -> String {
    let mut label: String = category
        .chars()
        .enumerate()
        .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
        .collect();
    label.push('s');
    label
}

#[component]
pub fn CommentList(comments: Comments, query: DashboardQuery) -> AnyView {
    // The form keeps the dashboard's other parameters, so the view stays as it was.
    let kept = [
        ("range", query.range.clone()),
        ("from", query.from.clone()),
        ("to", query.to.clone()),
        ("grain", query.grain.clone()),
        ("send", query.send.clone()),
        ("by", query.by.clone()),
        ("sort", query.sort.clone()),
    ]
    .into_iter()
    .chain(query.filter.iter().map(|f| ("filter", f.clone())))
    .filter(|(_, v)| !v.is_empty())
    .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
    .collect_view();
    let categories = comments
        .categories
        .iter()
        .map(|c| {
            view! { <option value=c.clone() selected=query.category == *c>{plural(c)}</option> }
        })
        .collect_view();
    let body = match &comments.withheld {
        Some(reason) if reason == "role" => view! {
            <p class="withheld" data-testid="comments-withheld">
                "Comments are not shown to your role: it sees aggregated results only."
            </p>
        }
        .into_any(),
        Some(_) => view! {
            <p class="withheld" data-testid="comments-withheld">
                "Hidden to protect anonymity: this group is too small for its comments to be shown. Widen the range or the filter."
            </p>
        }
        .into_any(),
        None if comments.items.is_empty() => {
            view! { <p class="muted" data-testid="comments-empty">"No comments in this view."</p> }.into_any()
        }
        None => {
            let items = comments
                .items
                .iter()
                .map(|c| {
                    let when = c.at.clone().map_or(c.day.clone(), |at| at.replace('T', " ").chars().take(16).collect());
                    let score = match (c.score, &c.category) {
                        (Some(s), Some(category)) => format!(" · {s} ({category})"),
                        _ => String::new(),
                    };
                    let link = c.response_url.clone().map(|url| {
                        view! { " · " <a href=url>"Response"</a> }
                    });
                    view! {
                        <li class="comment">
                            <blockquote>{c.text.clone()}</blockquote>
                            <p class="muted">{when} {score} " · " {c.question.clone()} {link}</p>
                        </li>
                    }
                })
                .collect_view();
            view! { <ol class="comments" data-testid="comment-items">{items}</ol> }.into_any()
        }
    };
    let page_link = |page: u64, label: &'static str| {
        let href = DashboardQuery {
            page: page.to_string(),
            ..query.clone()
        }
        .to_query_string();
        view! { <a href=href>{label}</a> }
    };
    let previous = (comments.page > 1).then(|| page_link(comments.page - 1, "Newer"));
    let next = comments
        .has_more
        .then(|| page_link(comments.page + 1, "Older"));
    view! {
        <section class="comments-section" aria-labelledby="comments-heading" data-testid="comments">
            <h3 id="comments-heading">"Comments"</h3>
            <form method="get" class="filters">
                {kept}
                <label>"Category " <select name="category" data-testid="comments-category">
                    <option value="">"All"</option>
                    {categories}
                </select></label>
                <label>"Containing " <input type="search" name="q" value=query.q.clone() maxlength="200" /></label>
                <button type="submit">"Show comments"</button>
            </form>
            {body}
            <nav class="pages" aria-label="Comment pages">
                {previous} " " <span>{format!("Page {}", comments.page)}</span> " " {next}
            </nav>
        </section>
    }
    .into_any()
}
