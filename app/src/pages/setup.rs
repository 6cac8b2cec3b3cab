//! `/setup`: creates the first admin while no account exists; a 404 afterwards.

use crate::api::auth::{needs_setup, setup_needs_code, SetupAdmin};
use crate::components::form::{Field, FormError};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SetupPage() -> impl IntoView {
    let open = Resource::new(|| (), |_| needs_setup());
    let code = Resource::new(|| (), |_| setup_needs_code());
    let action = ServerAction::<SetupAdmin>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                if open.await != Ok(true) {
                    return view! { <NotFound /> }.into_any();
                }
                let asks_code = code.await == Ok(true);
                view! {
                    <Title text="Set up · Resonance" />
                    <main class="narrow">
                        <h1>"Welcome to Resonance"</h1>
                        <p>"Create the first administrator account."</p>
                        <ActionForm action=action>
                            <FormError error />
                            <Field label="Your name" name="name" error autocomplete="name" />
                            <Field label="Email" name="email" kind="email" error autocomplete="email" />
                            <Field
                                label="Password (at least 10 characters)"
                                name="password"
                                kind="password"
                                error
                                autocomplete="new-password"
                            />
                            {asks_code.then(|| view! {
                                <Field
                                    label="Setup code (the server printed it when it started)"
                                    name="setup_code"
                                    error
                                    autocomplete="one-time-code"
                                />
                            })}
                            <button type="submit">"Create account"</button>
                        </ActionForm>
                    </main>
                }
                    .into_any()
            })}
        </Suspense>
    }
}
