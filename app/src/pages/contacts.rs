//! `/contacts`: the contacts, the CSV upload and the export; `/contacts/imports/:id`: what
//! an import did, every refused row with its line and reason.

use crate::api::contacts::{load_contact_import, load_contacts};
use crate::api::segments::{load_segments, CreateSegment};
use crate::api::sends::{load_frequency_rules, SaveFrequencyRule};
use crate::components::admin_layout::AdminLayout;
use crate::components::form::{Field, FormError};
use crate::error::ErrorKind;
use crate::model::{ContactPage, ImportView};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_query_map();
    let after = move || {
        query
            .read()
            .get("after")
            .and_then(|a| a.parse::<i64>().ok())
    };
    let page = Resource::new(after, load_contacts);
    view! {
        <Title text="Contacts · Resonance" />
        <AdminLayout>
            <h1>"Contacts"</h1>
            <section class="card" aria-labelledby="import-heading">
                <h2 id="import-heading">"Import from CSV"</h2>
                <p class="muted">
                    "UTF-8, with commas or semicolons (as German Excel saves it). The first line names the columns: "
                    <code>"email"</code> " (required), " <code>"name"</code> ", " <code>"locale"</code>
                    " (en or de); every other column becomes an attribute such as team or tier. Contacts are updated by email; rows that cannot be imported are listed with their line."
                </p>
                <form method="post" action="/contacts/upload" enctype="multipart/form-data">
                    <div class="field">
                        <label for="file">"CSV file"</label>
                        <input id="file" type="file" name="file" accept=".csv,text/csv" required />
                    </div>
                    <button type="submit">"Import"</button>
                </form>
            </section>
            <Segments />
            <FrequencyRules />
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => contact_table(p).into_any(),
                        Err(e) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </AdminLayout>
    }
}

/// Saved audiences with their current size, and the form that saves a new one.
#[component]
fn Segments() -> impl IntoView {
    let create = ServerAction::<CreateSegment>::new();
    let segments = Resource::new(move || create.version().get(), |_| load_segments());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="segments-heading">
            <h2 id="segments-heading">"Segments"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match segments.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">"No segments yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="tokens" data-testid="segments">
                                <thead><tr><th>"Name"</th><th>"Who"</th><th>"Contacts"</th><th>"Can be sent to"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr>
                                            <td>{s.name}</td>
                                            <td>{s.description}</td>
                                            <td>{s.size.contacts}</td>
                                            <td>{s.size.sendable}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=create>
                <FormError error />
                <Field label="Segment name" name="name" error />
                <Field label="Conditions, one per line (e.g. team = Sales); empty for every contact" name="conditions" multiline=true required=false error />
                <button type="submit">"Save segment"</button>
            </ActionForm>
        </section>
    }
}

/// The contact frequency rule per survey kind, and the form that changes one.
#[component]
fn FrequencyRules() -> impl IntoView {
    let save = ServerAction::<SaveFrequencyRule>::new();
    let rules = Resource::new(move || save.version().get(), |_| load_frequency_rules());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="frequency-heading">
            <h2 id="frequency-heading">"Contact frequency rule"</h2>
            <p class="muted">
                "Nobody gets an invitation to a survey of a kind within this many days of any earlier invitation. Sends skip such contacts and list them."
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match rules.await {
                        Ok(list) => view! {
                            <table class="tokens" data-testid="frequency-rules">
                                <thead><tr><th>"Survey kind"</th><th>"Days"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|r| view! {
                                        <tr><td>{r.kind.as_str().to_uppercase()}</td><td>{r.min_days}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <ActionForm action=save>
                <FormError error />
                <div class="field">
                    <label for="field-kind">"Survey kind"</label>
                    <select id="field-kind" name="kind">
                        {crate::domain::SurveyKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str()>{k.as_str().to_uppercase()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Field label="Days" name="min_days" kind="number" error />
                <button type="submit">"Save rule"</button>
            </ActionForm>
        </section>
    }
}

fn contact_table(page: ContactPage) -> impl IntoView {
    let rows = page
        .contacts
        .into_iter()
        .map(|c| {
            let attributes = c
                .attributes
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(" · ");
            view! {
                <tr>
                    <td>{c.email}</td>
                    <td>{c.name}</td>
                    <td>{c.locale.unwrap_or_default()}</td>
                    <td>{attributes}</td>
                    <td>{c.suppressed.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>"All contacts"</h2>
        <p>
            <span data-testid="contact-total">{page.total}</span> " contacts · "
            <a href="/api/v1/contacts/export" download="contacts.csv">"Export as CSV"</a>
        </p>
        <div class="table-scroll">
            <table class="tokens">
                <thead>
                    <tr><th>"Email"</th><th>"Name"</th><th>"Language"</th><th>"Attributes"</th><th>"Not sent to"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {page.next_after.map(|after| view! {
            <p><a href=format!("/contacts?after={after}")>"Next page"</a></p>
        })}
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let import = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_contact_import(id).await,
            None => Err(crate::error::AppError::not_found(
                "There is no import with this id.",
            )),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match import.await {
                    Ok(view) => import_view(view).into_any(),
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <AdminLayout><p class="form-error">{e.message}</p></AdminLayout> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn import_view(view: ImportView) -> impl IntoView {
    let body = match view.outcome {
        Err(reason) => view! {
            <p class="form-error" role="alert" data-testid="import-failed">
                "The file could not be imported, and nothing was changed: " {reason}
            </p>
        }
        .into_any(),
        Ok(report) => {
            let problems = (!report.problems.is_empty()).then(|| {
                let rows = report
                    .problems
                    .iter()
                    .map(|p| view! { <tr><td>{p.line}</td><td>{p.reason.clone()}</td></tr> })
                    .collect_view();
                view! {
                    <h2>{format!("{} rows not imported", report.problems.len())}</h2>
                    <table class="tokens" data-testid="import-problems">
                        <thead><tr><th>"Line"</th><th>"Why"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
            });
            view! {
                <p class="notice" role="status" data-testid="import-summary">
                    {format!(
                        "{} rows read: {} new contacts, {} updated.",
                        report.rows, report.inserted, report.updated
                    )}
                </p>
                {problems}
            }
            .into_any()
        }
    };
    view! {
        <Title text="Import · Resonance" />
        <AdminLayout>
            <h1>{format!("Import of {}", view.file_name)}</h1>
            <p class="muted">{view.created_at}</p>
            {body}
            <p><a href="/contacts">"Back to the contacts"</a></p>
        </AdminLayout>
    }
}
