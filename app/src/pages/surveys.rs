//! `/surveys`: the list and the form that creates an NPS survey.

use crate::api::surveys::{list_surveys, CreateSurvey};
use crate::components::{
    admin_layout::AdminLayout,
    form::{Field, FormError},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

pub const DEFAULT_QUESTION: &str =
    "How likely is it that you would recommend us to a friend or colleague?";

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
            <h2>"New NPS survey"</h2>
            <ActionForm action=action attr:class="card">
                <FormError error />
                <Field label="Title" name="title" error />
                <Field label="Question" name="question" error initial=DEFAULT_QUESTION multiline=true />
                <button type="submit">"Create survey"</button>
            </ActionForm>
        </AdminLayout>
    }
}
