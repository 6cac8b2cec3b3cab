//! `/surveys/:id/sends`: send a survey by email (now, later or recurring, with reminders
//! and a throttle) and the survey's sends; `/surveys/:id/sends/:send`: one send's live
//! progress, the recipients it could not reach and why, pause, resume and cancel.

use crate::api::segments::load_segments;
use crate::api::sends::{load_send, load_sends, ChangeSend, CreateSend};
use crate::components::admin_layout::AdminLayout;
use crate::components::form::{Field, FormError};
use crate::components::page_error::PageError;
use crate::components::ticks::ticks;
use crate::error::{AppError, ErrorKind};
use crate::model::{Repeat, SendDetail, SendState, SendView};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn param(name: &'static str) -> impl Fn() -> Option<i64> + Copy {
    let params = use_params_map();
    move || params.read().get(name).and_then(|v| v.parse::<i64>().ok())
}

#[component]
pub fn SendsPage() -> impl IntoView {
    let survey = param("id");
    let create = ServerAction::<CreateSend>::new();
    let sends = Resource::new(
        move || (survey(), create.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => load_sends(id).await,
                None => Err(AppError::not_found("There is no survey with this id.")),
            }
        },
    );
    let segments = Resource::new(|| (), |_| load_segments());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <Title text="Send by email · Resonance" />
        <AdminLayout>
            <p><a href=move || format!("/surveys/{}", survey().unwrap_or_default())>"← Back to the survey"</a></p>
            <h1>"Send by email"</h1>
            <ActionForm action=create attr:class="card" attr:data-testid="send-form">
                <FormError error />
                <input type="hidden" name="survey_id" value=move || survey().unwrap_or_default() />
                <div class="field">
                    <label for="field-segment">"Audience"</label>
                    <select id="field-segment" name="segment">
                        <option value="">"Every contact"</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                segments.await.unwrap_or_default().into_iter().map(|s| view! {
                                    <option value=s.id.to_string()>
                                        {format!("{} ({} can be sent to)", s.name, s.size.sendable)}
                                    </option>
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                    <p class="field-error" role="alert">{move || error.get().and_then(|e| e.message_for("segment").or_else(|| e.message_for("segment_id")))}</p>
                </div>
                <Field label="Start at (UTC; empty sends now)" name="at" kind="datetime-local" required=false error />
                <div class="field">
                    <label for="field-repeat">"Repeat"</label>
                    <select id="field-repeat" name="repeat">
                        {Repeat::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str()>{r.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Field label="Remind those who have not answered after … days (e.g. 3, 7)" name="reminders" required=false error />
                <Field label="At most … emails a minute (empty: no limit)" name="per_minute" kind="number" required=false error />
                <p class="muted">
                    "Suppressed contacts, and contacts invited to any survey within the contact frequency rule's days, are skipped and listed on the send's page."
                </p>
                <button type="submit">"Send"</button>
            </ActionForm>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sends.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"Not sent yet."</p> }.into_any(),
                        Ok(list) => send_table(list).into_any(),
                        Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                        Err(e) => view! { <PageError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

fn send_table(list: Vec<SendView>) -> impl IntoView {
    view! {
        <h2>"Sends"</h2>
        <div class="table-scroll">
            <table class="tokens" data-testid="sends">
                <thead><tr><th>"Send"</th><th>"Audience"</th><th>"State"</th><th>"Sent"</th><th>"Answered"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|s| view! {
                        <tr>
                            <td><a href=format!("/surveys/{}/sends/{}", s.survey_id, s.id)>{format!("Wave {} · {}", s.wave, short_time(&s.scheduled_at))}</a></td>
                            <td>{s.audience_name.clone()}</td>
                            <td>{state_label(s.state)}</td>
                            <td>{s.counts.sent}</td>
                            <td>{withheld(s.counts.answered)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn SendPage() -> impl IntoView {
    let send = param("send");
    let change = ServerAction::<ChangeSend>::new();
    // Live progress: the page asks again every two seconds once it runs in the browser.
    let tick = ticks(std::time::Duration::from_secs(2));
    let detail = Resource::new(
        move || (send(), change.version().get(), tick.get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => load_send(id).await,
                None => Err(AppError::not_found("There is no send with this id.")),
            }
        },
    );
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    view! {
        <Title text="Send · Resonance" />
        <AdminLayout>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => send_view(d, change, error).into_any(),
                        Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                        Err(e) => view! { <PageError error=e /> }.into_any(),
                    }
                })}
            </Transition>
        </AdminLayout>
    }
}

fn send_view(
    d: SendDetail,
    change: ServerAction<ChangeSend>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let s = d.send;
    let c = &s.counts;
    let finished = c.sent + c.failed + c.bounced;
    let to_send = finished + c.queued;
    let rate = c.response_rate.as_ref().map_or_else(
        || "–".to_owned(),
        |r| {
            format!(
                "{:.0} % (95 % interval {:.0}–{:.0} %)",
                r.percent, r.low, r.high
            )
        },
    );
    let action_button = |action: &'static str, label: &'static str| {
        view! {
            <ActionForm action=change attr:class="inline">
                <input type="hidden" name="id" value=s.id />
                <input type="hidden" name="action" value=action />
                <button type="submit" data-testid=format!("send-{action}")>{label}</button>
            </ActionForm>
        }
    };
    let actions = match s.state {
        SendState::Scheduled => Some(action_button("cancel", "Cancel").into_any()),
        SendState::Sending | SendState::Done => Some(action_button("pause", "Pause").into_any()),
        SendState::Paused => Some(action_button("resume", "Resume").into_any()),
        SendState::Cancelled => None,
    };
    let reminders = if s.reminders.is_empty() {
        "none".to_owned()
    } else {
        format!(
            "after {} days ({} done)",
            s.reminders
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(" and "),
            s.reminders_done
        )
    };
    let problems = (!d.problems.is_empty()).then(|| {
        view! {
            <h2>"Not reached"</h2>
            <div class="table-scroll">
                <table class="tokens" data-testid="send-problems">
                    <thead><tr><th>"Email"</th><th>"Status"</th><th>"Why"</th><th>"Attempts"</th></tr></thead>
                    <tbody>
                        {d.problems.into_iter().map(|p| view! {
                            <tr><td>{p.email}</td><td>{p.status}</td><td>{p.reason}</td><td>{p.attempts}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    });
    view! {
        <p><a href=format!("/surveys/{}/sends", s.survey_id)>"← All sends of this survey"</a></p>
        <h1>{format!("{} · wave {}", s.survey_title, s.wave)}</h1>
        <p class="muted">
            {format!("To {} ({}) · {} · scheduled {}", s.audience_name, s.audience, s.repeat.label(), short_time(&s.scheduled_at))}
            {s.per_minute.map(|n| format!(" · at most {n} a minute"))}
            " · reminders " {reminders}
        </p>
        <p class="notice" role="status">
            <strong data-testid="send-state">{state_label(s.state)}</strong>
            {s.paused_reason.clone().map(|why| view! { ": " <span data-testid="paused-reason">{why}</span> })}
        </p>
        <FormError error />
        {actions}
        <progress max=to_send.max(1) value=finished aria-label="Messages handled"></progress>
        <dl class="figures" data-testid="send-counts">
            <dt>"Recipients"</dt><dd data-testid="count-recipients">{c.recipients}</dd>
            <dt>"Queued"</dt><dd data-testid="count-queued">{c.queued}</dd>
            <dt>"Sent"</dt><dd data-testid="count-sent">{c.sent}</dd>
            <dt>"Failed"</dt><dd data-testid="count-failed">{c.failed}</dd>
            <dt>"Bounced"</dt><dd data-testid="count-bounced">{c.bounced}</dd>
            <dt>"Skipped: suppressed"</dt><dd data-testid="count-suppressed">{c.skipped_suppressed}</dd>
            <dt>"Skipped: surveyed recently"</dt><dd data-testid="count-frequency">{c.skipped_frequency}</dd>
            <dt>"Reminders sent"</dt><dd>{c.reminders_sent}</dd>
            <dt>"Answered"</dt><dd data-testid="count-answered">{withheld(c.answered)}</dd>
            <dt>"Response rate"</dt><dd>{rate}</dd>
        </dl>
        {problems}
    }
}

fn state_label(state: SendState) -> &'static str {
    match state {
        SendState::Scheduled => "Scheduled",
        SendState::Sending => "Sending",
        SendState::Paused => "Paused",
        SendState::Done => "Done",
        SendState::Cancelled => "Cancelled",
    }
}

/// `2026-12-01T09:00:00+00:00` → `2026-12-01 09:00 UTC`.
fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => rfc3339.to_owned(),
    }
}

/// A count, or why an anonymous survey's is not shown.
fn withheld(n: Option<i64>) -> String {
    n.map_or_else(
        || "fewer than the minimum group".to_owned(),
        |n| n.to_string(),
    )
}
