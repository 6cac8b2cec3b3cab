//! `/settings/webhooks` and `/settings/webhooks/:id`: admins register endpoints that other
//! systems run, choose their events, see each one's recent deliveries with the status
//! its receiver answered, replay one, send a test event, rotate the signing secret, turn
//! it off and on.

use crate::api::webhooks::{
    load_webhook, load_webhooks, AddWebhook, ChangeWebhook, ReplayWebhook, WebhookAction,
};
use crate::components::admin_layout::AdminLayout;
use crate::components::form::{Field, FormError};
use crate::components::page_error::PageError;
use crate::components::ticks::ticks;
use crate::domain::webhooks::Event;
use crate::error::{AppError, ErrorKind};
use crate::model::{WebhookDetail, WebhookView};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// What each event is, for the form.
fn event_label(event: Event) -> &'static str {
    match event {
        Event::ResponseCompleted => "A response is completed",
        Event::ResponseChanged => "A completed response is changed",
        Event::CaseOpened => "A case is opened",
        Event::CaseChanged => "A case changes (state, owner, reply)",
        Event::SendFinished => "A send's invitations have all gone out",
        Event::Test => "A test, sent by hand to one endpoint",
    }
}

/// The endpoint's state in words.
fn state(e: &WebhookView) -> String {
    match (&e.disabled_reason, &e.failing_since) {
        (Some(why), _) => format!("Off: {why}"),
        (None, Some(since)) => format!("On, failing since {since}"),
        (None, None) => "On".to_owned(),
    }
}

/// The events fieldset: ticked as submitted when the form comes back with an error, else
/// as saved.
#[component]
fn EventChoice(#[prop(into)] error: Signal<Option<AppError>>, chosen: Vec<Event>) -> impl IntoView {
    let chosen = StoredValue::new(chosen);
    let ticked = move |e: Event| match error.get().and_then(|err| err.input_value("events")) {
        Some(sent) => sent.split(',').any(|s| s == e.as_str()),
        None => chosen.with_value(|c| c.contains(&e)),
    };
    view! {
        <fieldset class="field events">
            <legend>"Events"</legend>
            {Event::ALL.into_iter().enumerate().map(|(i, e)| view! {
                <label class="check">
                    <input type="checkbox" name=format!("events[{i}]") value=e.as_str() checked=move || ticked(e) />
                    " " {event_label(e)} " " <code>{e.as_str()}</code>
                </label>
            }).collect_view()}
            <p class="field-error" role="alert">{move || error.get().and_then(|e| e.message_for("events"))}</p>
        </fieldset>
    }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let add = ServerAction::<AddWebhook>::new();
    let list = Resource::new(move || add.version().get(), |_| load_webhooks());
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    view! {
        <Title text="Webhooks · Resonance" />
        <AdminLayout>
            <h1>"Webhooks"</h1>
            <p class="muted">
                "Resonance POSTs events to these URLs as JSON, signed as Standard Webhooks says ("
                <code>"webhook-id"</code> ", " <code>"webhook-timestamp"</code> ", "
                <code>"webhook-signature"</code> "). A failed delivery is tried again for about three days. "
                "An anonymous survey's responses go out once a day, in a batch, with their day and answers only."
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) if list.is_empty() => view! { <p>"No endpoints yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-scroll">
                                <table class="tokens">
                                    <thead><tr><th>"Endpoint"</th><th>"Events"</th><th>"State"</th></tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|e| {
                                            let state = state(&e);
                                            let events = e.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
                                            view! {
                                                <tr>
                                                    <td>
                                                        <a href=format!("/settings/webhooks/{}", e.id)>{e.url}</a>
                                                        {(!e.description.is_empty()).then(|| view! { <br /><span class="muted">{e.description}</span> })}
                                                    </td>
                                                    <td>{events}</td>
                                                    <td>{state}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <PageError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Add an endpoint"</h2>
            <ActionForm action=add attr:class="card">
                <FormError error />
                <Field label="Endpoint URL (https://…)" name="url" kind="url" error />
                <Field label="Description (optional)" name="description" error required=false />
                <EventChoice error chosen=vec![Event::ResponseCompleted] />
                <button type="submit">"Add endpoint"</button>
            </ActionForm>
        </AdminLayout>
    }
}

#[derive(Clone, Copy)]
struct Forms {
    change: ServerAction<ChangeWebhook>,
    act: ServerAction<WebhookAction>,
    replay: ServerAction<ReplayWebhook>,
}

#[component]
pub fn WebhookPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let forms = Forms {
        change: ServerAction::<ChangeWebhook>::new(),
        act: ServerAction::<WebhookAction>::new(),
        replay: ServerAction::<ReplayWebhook>::new(),
    };
    // Live statuses: while a delivery is due now or being sent (a test, a replay, a new
    // event), the page asks again every two seconds once it runs in the browser. A retry
    // hours away is not waited for, so the form is not redrawn under someone typing.
    let tick = ticks(std::time::Duration::from_secs(2));
    let live = RwSignal::new(false);
    let detail = Resource::new(
        move || {
            (
                id(),
                forms.change.version().get(),
                forms.act.version().get(),
                forms.replay.version().get(),
                if live.get() { tick.get() } else { 0 },
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => load_webhook(id).await,
                None => Err(AppError::not_found(
                    "There is no webhook endpoint with this id.",
                )),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        live.set(d.deliveries.iter().any(|x| {
                            x.status == "sending" || (x.status == "queued" && x.attempts == 0)
                        }));
                        endpoint_view(d, forms).into_any()
                    }
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <AdminLayout><PageError error=e /></AdminLayout> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn endpoint_view(d: WebhookDetail, forms: Forms) -> impl IntoView {
    let e = d.endpoint;
    let id = e.id.to_string();
    let error = Signal::derive(move || forms.change.value().get().and_then(Result::err));
    let action_error = Signal::derive(move || {
        forms
            .act
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| forms.replay.value().get().and_then(Result::err))
    });
    let replayed = move || matches!(forms.replay.value().get(), Some(Ok(())));
    let state = state(&e);
    let toggle = if e.enabled { "disable" } else { "enable" };
    let toggle_label = if e.enabled {
        "Turn off"
    } else {
        "Turn on again"
    };
    let action = move |name: &'static str, label: &'static str, id: String| {
        view! {
            <ActionForm action=forms.act attr:class="inline">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="action" value=name />
                <button type="submit" class="link">{label}</button>
            </ActionForm>
        }
    };
    view! {
        <Title text="Webhook endpoint · Resonance" />
        <AdminLayout>
            <p><a href="/settings/webhooks">"← Webhooks"</a></p>
            <h1>"Webhook endpoint"</h1>
            <p><code data-testid="webhook-url">{e.url.clone()}</code></p>
            <p data-testid="webhook-state">{state}</p>
            <FormError error=action_error />
            {move || replayed().then(|| view! { <p class="notice" role="status">"Queued again, with the same webhook-id."</p> })}
            <p>
                {action(toggle, toggle_label, id.clone())} " · "
                {action("test", "Send a test event", id.clone())} " · "
                {action("rotate", "Rotate the secret", id.clone())} " · "
                {action("delete", "Delete", id.clone())}
            </p>
            <h2>"Signing secret"</h2>
            <p class="muted">"Give it to the receiver to verify each delivery's signature. It is derived from this server's key: the database does not hold it."</p>
            <p><code data-testid="webhook-secret">{d.secret}</code></p>
            {d.previous_secret.map(|s| view! {
                <p class="muted">"The previous secret still signs until " {d.previous_until.unwrap_or_default()} ": " <code>{s}</code></p>
            })}
            <h2>"Recent deliveries"</h2>
            {if d.deliveries.is_empty() {
                view! { <p>"Nothing sent yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="tokens deliveries">
                            <thead><tr>
                                <th>"Happened"</th><th>"Event"</th><th>"Status"</th><th>"HTTP"</th>
                                <th>"Attempts"</th><th>"Last attempt"</th><th>"Message"</th><th></th>
                            </tr></thead>
                            <tbody>
                                {d.deliveries.into_iter().map(|x| {
                                    let id = id.clone();
                                    let status = match (&x.next_attempt, &x.last_error) {
                                        (Some(next), Some(err)) => format!("{}: {err} Next try {next}.", x.status),
                                        (None, Some(err)) => format!("{}: {err}", x.status),
                                        _ => x.status.clone(),
                                    };
                                    let may_replay = matches!(x.status.as_str(), "delivered" | "failed" | "queued");
                                    view! {
                                        <tr>
                                            <td>{x.occurred}</td>
                                            <td><code>{x.event.as_str()}</code></td>
                                            <td>{status}</td>
                                            <td>{x.last_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</td>
                                            <td>{x.attempts}</td>
                                            <td>{x.last_attempt.unwrap_or_else(|| "—".into())}</td>
                                            <td><code>{x.message_id.clone()}</code></td>
                                            <td>
                                                {may_replay.then(|| view! {
                                                    <ActionForm action=forms.replay attr:class="inline">
                                                        <input type="hidden" name="id" value=id />
                                                        <input type="hidden" name="message" value=x.message_id />
                                                        <button type="submit" class="link">"Replay"</button>
                                                    </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h2>"Change it"</h2>
            <ActionForm action=forms.change attr:class="card">
                <FormError error />
                <input type="hidden" name="id" value=id.clone() />
                <Field label="Endpoint URL (https://…)" name="url" kind="url" error initial=e.url />
                <Field label="Description (optional)" name="description" error required=false initial=e.description />
                <EventChoice error chosen=e.events />
                <button type="submit">"Save endpoint"</button>
            </ActionForm>
        </AdminLayout>
    }
}
