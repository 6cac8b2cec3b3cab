//! `/surveys/:id/responses/:response`: one response, where a detractor alert links to.
//! An anonymous survey's responses are not shown one by one: a 404.

use crate::api::responses::load_response;
use crate::components::admin_layout::AdminLayout;
use crate::components::page_error::PageError;
use crate::error::{AppError, ErrorKind};
use crate::model::ResponseView;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ResponsePage() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        let p = params.read();
        let id = |name: &str| p.get(name).and_then(|v| v.parse::<i64>().ok());
        id("id").zip(id("response"))
    };
    let response = Resource::new(ids, |ids| async move {
        match ids {
            Some((survey, id)) => load_response(survey, id).await,
            None => Err(AppError::not_found(
                "This survey has no response with this id.",
            )),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match response.await {
                    Ok(r) => response_view(r).into_any(),
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <AdminLayout><PageError error=e /></AdminLayout> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn response_view(r: ResponseView) -> impl IntoView {
    let who = match &r.respondent {
        Some(who) => who.clone(),
        None => "Answered through the public link, or by a contact since erased.".to_owned(),
    };
    let when = match (&r.submitted_at, &r.updated_at) {
        (Some(first), Some(last)) if first != last => format!("{first}, changed {last}"),
        (Some(first), _) => first.clone(),
        _ => r.day.clone().unwrap_or_default(),
    };
    let state = if r.completed {
        "complete"
    } else {
        "partial: not every page was sent"
    };
    view! {
        <Title text=format!("Response {} · {} · Resonance", r.id, r.survey_title) />
        <AdminLayout>
            <p><a href=format!("/surveys/{}", r.survey_id)>{format!("← {}", r.survey_title)}</a></p>
            <h1>{format!("Response {}", r.id)}</h1>
            <dl class="figures">
                <dt>"From"</dt><dd data-testid="respondent">{who}</dd>
                {(!when.is_empty()).then(|| view! { <dt>"When"</dt><dd>{when.clone()}</dd> })}
                <dt>"State"</dt><dd data-testid="response-state">{state}</dd>
                <dt>"Language"</dt><dd>{r.locale.clone()}</dd>
                <dt>"Survey version"</dt><dd>{r.version}</dd>
                {r.groups.iter().map(|(name, value)| view! {
                    <dt>{name.clone()}</dt><dd>{value.clone()}</dd>
                }).collect_view()}
            </dl>
            <section class="card" aria-label="Answers">
                <h2>"Answers"</h2>
                <table class="tokens" data-testid="response-answers">
                    <thead><tr><th scope="col">"Question"</th><th scope="col">"Answer"</th><th scope="col">"Why"</th></tr></thead>
                    <tbody>
                        {r.answers.into_iter().map(|a| {
                            let answer = match a.category.as_deref() {
                                Some(c) => format!("{} ({c})", a.answer),
                                None => a.answer,
                            };
                            view! {
                                <tr>
                                    <td>{a.question}</td>
                                    <td>{answer}</td>
                                    <td>{a.follow_up.unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        </AdminLayout>
    }
}
