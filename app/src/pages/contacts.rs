//! `/contacts`: the contacts, the CSV upload and the export; `/contacts/imports/:id`: an
//! upload's preview and column mapping, its progress, then what it did (every refused
//! row with its line and reason).

use crate::api::contacts::{load_contacts, SUPPRESSIONS};
use crate::api::imports::load_contact_import;
use crate::api::segments::{load_segments, CreateSegment};
use crate::api::sends::{load_frequency_rules, SaveFrequencyRule};
use crate::components::admin_layout::AdminLayout;
use crate::components::form::{Field, FormError};
use crate::components::page_error::PageError;
use crate::components::ticks::ticks;
use crate::error::ErrorKind;
use crate::model::{ContactPage, ImportPreview, ImportReport, ImportView};
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
                        Err(e) => view! { <PageError error=e /> }.into_any(),
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
                        Err(e) => view! { <PageError error=e /> }.into_any(),
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
                        Err(e) => view! { <PageError error=e /> }.into_any(),
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
            let current = c.suppressed.clone().unwrap_or_default();
            view! {
                <tr id=format!("contact-{}", c.id)>
                    <td>{c.email.clone()}</td>
                    <td>{c.name}</td>
                    <td>{c.locale.unwrap_or_default()}</td>
                    <td>{attributes}</td>
                    <td>
                        // A complaint or a request by phone is recorded here; "—" sends again.
                        <form method="post" action=format!("/contacts/{}/suppression", c.id) class="inline">
                            <select name="suppressed" aria-label=format!("Not sent to {}", c.email)>
                                <option value="" selected=current.is_empty()>"—"</option>
                                {SUPPRESSIONS.into_iter().map(|r| view! {
                                    <option value=r selected=current == r>{r}</option>
                                }).collect_view()}
                            </select>
                            " "
                            <button type="submit" class="secondary">"Save"</button>
                        </form>
                    </td>
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
    // A running import is asked about every second once the page runs in the browser;
    // a pending one is not, so the mapping being chosen stays as it is.
    let tick = ticks(std::time::Duration::from_secs(1));
    let running = RwSignal::new(false);
    let import = Resource::new(
        move || (id(), if running.get() { tick.get() } else { 0 }),
        |(id, _)| async move {
            match id {
                Some(id) => load_contact_import(id).await,
                None => Err(crate::error::AppError::not_found(
                    "There is no import with this id.",
                )),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match import.await {
                    Ok(view) => {
                        running.set(view.state == "running");
                        import_view(view).into_any()
                    }
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <AdminLayout><PageError error=e /></AdminLayout> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn import_view(view: ImportView) -> impl IntoView {
    let body = match (view.state.as_str(), view.preview, view.report, view.failure) {
        ("pending", Some(preview), _, _) => mapping_form(view.id, preview).into_any(),
        ("running", _, _, _) => {
            let total = view.rows_total.max(1);
            view! {
                <p role="status" data-testid="import-progress">
                    {format!("Importing: {} of {} rows.", view.rows_done, view.rows_total)}
                </p>
                <progress max=total.to_string() value=view.rows_done.to_string() aria-label="Import progress"></progress>
                <noscript><p><a href=format!("/contacts/imports/{}", view.id)>"Refresh"</a></p></noscript>
            }
            .into_any()
        }
        (_, _, _, Some(reason)) => view! {
            <p class="form-error" role="alert" data-testid="import-failed">
                "The file could not be imported, and nothing was changed: " {reason}
            </p>
        }
        .into_any(),
        (_, _, Some(report), _) => report_view(report).into_any(),
        _ => view! { <p>"This import has nothing to show."</p> }.into_any(),
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

fn report_view(report: ImportReport) -> impl IntoView {
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
}

/// What a column can be, as the mapping form offers it.
const USES: [(&str, &str); 5] = [
    ("email", "Email address"),
    ("name", "Name"),
    ("locale", "Language (en or de)"),
    ("attribute", "Attribute"),
    ("ignore", "Ignore"),
];

/// The preview: each column with its first values, and what it is to be. After a refused
/// mapping the address carries the choices made and the message.
fn mapping_form(id: i64, preview: ImportPreview) -> impl IntoView {
    let query = use_query_map();
    let q = query.read_untracked();
    let error = q.get("error").filter(|e| !e.is_empty());
    let field = q.get("field").unwrap_or_default();
    let chosen: Vec<String> = (0..preview.headers.len())
        .map(|i| {
            q.get(&format!("choice{i}"))
                .or_else(|| preview.choices.get(i).cloned())
                .unwrap_or_default()
        })
        .collect();
    let general = error.clone().filter(|_| !field.starts_with("columns["));
    let columns = preview
        .headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let (usage, key) = match chosen[i].split_once(':') {
                Some(("attribute", key)) => ("attribute".to_owned(), key.to_owned()),
                _ => (chosen[i].clone(), String::new()),
            };
            let values = preview
                .sample
                .iter()
                .filter_map(|row| row.get(i))
                .filter(|v| !v.trim().is_empty())
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            let message = error
                .clone()
                .filter(|_| field == format!("columns[{i}]"));
            let select_id = format!("column-{i}");
            let err_id = format!("column-{i}-error");
            view! {
                <tr>
                    <th scope="row"><label for=select_id.clone()>{header.clone()}</label></th>
                    <td class="muted">{values}</td>
                    <td>
                        <select id=select_id name=format!("column[{i}]") aria-describedby=err_id.clone()
                            aria-invalid=message.is_some().to_string()>
                            {USES.iter().map(|(value, label)| view! {
                                <option value=*value selected=usage == *value>{*label}</option>
                            }).collect_view()}
                        </select>
                    </td>
                    <td>
                        <input type="text" name=format!("key[{i}]") value=key
                            aria-label=format!("Attribute name for {header}") />
                        <p class="field-error" id=err_id role="alert">{message}</p>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let rows = preview.rows;
    view! {
        <p data-testid="import-rows">{format!("{rows} rows. Choose what each column holds; contacts are updated by email.")}</p>
        {general.map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        <form method="post" action=format!("/contacts/imports/{id}")>
            <div class="table-scroll">
                <table class="tokens" data-testid="import-mapping">
                    <thead>
                        <tr><th scope="col">"Column"</th><th scope="col">"First values"</th><th scope="col">"Holds"</th><th scope="col">"Attribute name"</th></tr>
                    </thead>
                    <tbody>{columns}</tbody>
                </table>
            </div>
            <button type="submit" name="action" value="start">{format!("Import {rows} rows")}</button>
            " "
            <button type="submit" name="action" value="cancel" class="secondary" formnovalidate=true>"Cancel"</button>
        </form>
    }
}
