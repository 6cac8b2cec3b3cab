//! `/forgot`: ask for a link to choose a new password. The page says the same whether
//! or not the address has an account.

use crate::api::auth::{ForgotPassword, RESET_VALID_MINUTES};
use crate::components::form::{Field, FormError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let query = use_query_map();
    // `sent` after the form posted without JavaScript (a redirect), or the action's result.
    let sent =
        move || query.read().get("sent").is_some() || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text="Forgot your password? · Resonance" />
        <main class="narrow">
            <h1>"Forgot your password?"</h1>
            {move || if sent() {
                view! {
                    <p class="notice" role="status" data-testid="reset-sent">
                        {format!("If an account has this address, an email with a link to choose a new password is on its way. The link works once, for {RESET_VALID_MINUTES} minutes.")}
                    </p>
                    <p><a href="/login">"Back to sign-in"</a></p>
                }.into_any()
            } else {
                view! {
                    <p>"Enter the address you sign in with. We email you a link to choose a new password."</p>
                    <ActionForm action=action>
                        <FormError error />
                        <Field label="Email" name="email" kind="email" error autocomplete="username" />
                        <button type="submit">"Send the link"</button>
                    </ActionForm>
                    <p><a href="/login">"Back to sign-in"</a></p>
                }.into_any()
            }}
        </main>
    }
}
