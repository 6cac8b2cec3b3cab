//! `/login`.

use crate::api::auth::LogIn;
use crate::components::form::{Field, FormError};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Sign in · Resonance" />
        <main class="narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=action>
                <FormError error />
                <Field label="Email" name="email" kind="email" error autocomplete="username" />
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    error
                    autocomplete="current-password"
                />
                <button type="submit">"Sign in"</button>
            </ActionForm>
            <p><a href="/forgot">"Forgot your password?"</a></p>
        </main>
    }
}
