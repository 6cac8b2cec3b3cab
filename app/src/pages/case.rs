//! `/cases/:id`: one case: the answer that opened it, who owns it and until when, its
//! history, and what can be done: write to the respondent (by email, in their
//! language), add a note, move it on, give it to someone else.

use crate::api::cases::{load_case, AssignCase, MoveCase, NoteCase, ReplyCase};
use crate::components::admin_layout::AdminLayout;
use crate::components::form::{Field, FormError};
use crate::components::page_error::PageError;
use crate::error::{AppError, ErrorKind};
use crate::model::{CaseDetail, CaseEventView};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let moved = ServerAction::<MoveCase>::new();
    let noted = ServerAction::<NoteCase>::new();
    let replied = ServerAction::<ReplyCase>::new();
    let assigned = ServerAction::<AssignCase>::new();
    let case = Resource::new(
        move || {
            (
                id(),
                moved.version().get(),
                noted.version().get(),
                replied.version().get(),
                assigned.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => load_case(id).await,
                None => Err(AppError::not_found("There is no case with this id.")),
            }
        },
    );
    let forms = Forms {
        moved,
        noted,
        replied,
        assigned,
    };
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(d) => case_view(d, forms).into_any(),
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <AdminLayout><PageError error=e /></AdminLayout> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Copy)]
struct Forms {
    moved: ServerAction<MoveCase>,
    noted: ServerAction<NoteCase>,
    replied: ServerAction<ReplyCase>,
    assigned: ServerAction<AssignCase>,
}

fn case_view(d: CaseDetail, f: Forms) -> impl IntoView {
    let c = d.case;
    let id = c.id;
    let move_error = Signal::derive(move || {
        f.moved
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| f.assigned.value().get().and_then(Result::err))
    });
    let note_error = Signal::derive(move || f.noted.value().get().and_then(Result::err));
    let reply_error = Signal::derive(move || f.replied.value().get().and_then(Result::err));
    let language = match c.language.as_str() {
        "de" => "German",
        _ => "English",
    };
    let due = match (c.overdue, c.state.is_done()) {
        (true, _) => format!("{} — overdue", c.due_at),
        (false, true) => "done".to_owned(),
        (false, false) => c.due_at.clone(),
    };
    let title = format!("Case {} · {}", c.id, c.survey_title);
    let buttons = d
        .next_states
        .into_iter()
        .map(|s| {
            let label = match s {
                crate::domain::cases::CaseState::Open => "Reopen".to_owned(),
                other => format!("Mark {}", other.label().to_lowercase()),
            };
            view! {
                <ActionForm action=f.moved attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="state" value=s.as_str() />
                    <button type="submit" data-testid=format!("case-{}", s.as_str())>{label}</button>
                </ActionForm>
            }
        })
        .collect_view();
    let owner = c.owner_id;
    let owners = d
        .owners
        .into_iter()
        .map(|(uid, name)| {
            view! {
                <option value=uid.to_string() selected=owner == Some(uid)>{name}</option>
            }
        })
        .collect_view();
    let groups = c
        .groups
        .clone()
        .into_iter()
        .map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> })
        .collect_view();
    let reply_form = match d.reply_blocked.clone() {
        Some(why) => view! { <p class="muted" data-testid="reply-blocked">{why}</p> }.into_any(),
        None => view! {
            <p class="muted">{format!("They answered in {language}: write in {language}. Their reply comes back to your address.")}</p>
            <ActionForm action=f.replied>
                <FormError error=reply_error />
                <input type="hidden" name="id" value=id.to_string() />
                <Field label="Subject" name="subject" initial=d.reply_subject.clone() error=reply_error required=false />
                <Field label="Message" name="body" multiline=true error=reply_error />
                <button type="submit" data-testid="send-reply">"Send by email"</button>
            </ActionForm>
        }.into_any(),
    };
    let events = d.events.into_iter().map(event).collect_view();
    view! {
        <Title text=format!("{title} · Resonance") />
        <AdminLayout>
            <p><a href="/cases">"← Cases"</a></p>
            <h1>{format!("Case {}", c.id)}</h1>
            <dl class="figures">
                <dt>"State"</dt><dd data-testid="case-state">{c.state.label()}</dd>
                <dt>"Survey"</dt><dd><a href=format!("/surveys/{}", c.survey_id)>{c.survey_title.clone()}</a></dd>
                <dt>"Respondent"</dt><dd data-testid="case-respondent">{c.respondent.clone().unwrap_or_else(|| "unknown".to_owned())}</dd>
                <dt>"Score"</dt><dd data-testid="case-score">{c.score.map(|s| s.to_string()).unwrap_or_else(|| "—".to_owned())}</dd>
                <dt>"Answered"</dt><dd>{c.opened_at.clone()} " in " {language}</dd>
                <dt>"Due"</dt><dd data-testid="case-due">{due}</dd>
                <dt>"Owner"</dt><dd data-testid="case-owner">{c.owner.clone().unwrap_or_else(|| "nobody".to_owned())}</dd>
                {groups}
            </dl>
            {c.comment.clone().map(|comment| view! {
                <blockquote class="comment" data-testid="case-comment">{comment}</blockquote>
            })}
            <p><a href=c.response_url.clone() data-testid="case-response">"See the whole response"</a></p>

            <section class="card" aria-labelledby="case-actions">
                <h2 id="case-actions">"Move it on"</h2>
                <FormError error=move_error />
                <div class="actions">
                    {buttons}
                </div>
                <ActionForm action=f.assigned attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string() />
                    <label for="case-owner-select">"Owner "</label>
                    <select id="case-owner-select" name="owner">
                        {owners}
                    </select>
                    <button type="submit" class="link">"Give it to them"</button>
                </ActionForm>
            </section>

            <section class="card" aria-labelledby="case-reply">
                <h2 id="case-reply">"Write to the respondent"</h2>
                {reply_form}
            </section>

            <section class="card" aria-labelledby="case-note">
                <h2 id="case-note">"Add a note"</h2>
                <p class="muted">"For the people working on the case; the respondent never sees it."</p>
                <ActionForm action=f.noted>
                    <FormError error=note_error />
                    <input type="hidden" name="id" value=id.to_string() />
                    <Field label="Note" name="text" multiline=true error=note_error />
                    <button type="submit" data-testid="add-note">"Add note"</button>
                </ActionForm>
            </section>

            <section aria-labelledby="case-history">
                <h2 id="case-history">"History"</h2>
                <ol class="history" data-testid="case-history">
                    {events}
                </ol>
            </section>
        </AdminLayout>
    }
}

fn event(e: CaseEventView) -> impl IntoView {
    let who = e.who.clone().unwrap_or_else(|| "Resonance".to_owned());
    let what = match e.kind.as_str() {
        "opened" => "opened the case from the answer".to_owned(),
        "note" => "noted".to_owned(),
        "state" => format!(
            "marked it {}",
            e.state
                .map(|s| s.label().to_lowercase())
                .unwrap_or_default()
        ),
        "reply" => format!(
            "wrote to the respondent: “{}” ({})",
            e.subject.clone().unwrap_or_default(),
            e.delivery.clone().unwrap_or_else(|| "gone".to_owned())
        ),
        "owner" => format!("gave it to {}", e.text),
        other => other.to_owned(),
    };
    let body = match e.kind.as_str() {
        "note" | "reply" => Some(e.text.clone()),
        _ => None,
    };
    view! {
        <li data-testid=format!("event-{}", e.kind)>
            <span class="muted">{e.at.clone()}</span> " " <strong>{who}</strong> " " {what}
            {body.map(|b| view! { <p class="event-text">{b}</p> })}
        </li>
    }
}
