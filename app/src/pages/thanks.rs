//! `/s/:slug/thanks`: every answer ends with a thank-you, in the respondent's language.

use crate::domain::{ui_text::UiText, Locale};
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn ThanksPage() -> impl IntoView {
    let query = use_query_map();
    let locale = move || {
        query
            .read()
            .get("lang")
            .and_then(|l| Locale::parse(&l))
            .unwrap_or(Locale::En)
    };
    view! {
        <Title text=move || UiText::ThankYouTitle.text(locale()) />
        <Html attr:lang=move || locale().as_str() />
        <main class="respondent">
            <h1>{move || UiText::ThankYouTitle.text(locale())}</h1>
            <p>{move || UiText::ThankYouDefault.text(locale())}</p>
        </main>
    }
}
