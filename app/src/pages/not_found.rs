//! The page for unknown addresses; answers with status 404.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found · Resonance" />
        <main class="narrow">
            <h1>"Page not found"</h1>
            <p>"This address does not lead anywhere. Check the link, or go back."</p>
        </main>
    }
}
