//! `/surveys`: the list and the form that creates a survey from a template.

use crate::api::surveys::{list_surveys, CreateSurvey};
use crate::components::{
    admin_layout::AdminLayout,
    form::{Field, FormError},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

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
    let surveys = Resource::new(|| (), |_| list_surveys());
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
                        Ok(list) => view! {
                            <ul class="survey-list">
                                {list
                                    .into_iter()
                                    .map(|s| view! {
                                        <li>
                                            <A href=format!("/surveys/{}", s.id)>{s.title}</A>
                                            <span class="muted">{s.kind.as_str().to_uppercase()} " · " {s.status.as_str()} " · " {s.created_at}</span>
                                        </li>
                                    })
                                    .collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.message}</p> }.into_any(),
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
