//! `/password/:token`: choose a password through an emailed link, an admin's invitation
//! or a reset. Opening the link only shows the form (a mail scanner that follows it
//! uses nothing up); posting it sets the password once and signs in.

use crate::api::auth::{load_account_link, ChoosePassword};
use crate::components::form::{Field, FormError};
use crate::components::page_error::PageError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let link = Resource::new(token, load_account_link);
    let action = ServerAction::<ChoosePassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Choose a password · Resonance" />
        <main class="narrow">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match link.await {
                        Ok(v) => view! {
                            <h1>{if v.invite { "Welcome to Resonance" } else { "Choose a new password" }}</h1>
                            <p>{format!("For {} ({}).", v.name, v.email)}</p>
                            <ActionForm action=action>
                                <FormError error />
                                <input type="hidden" name="token" value=token() />
                                <input type="hidden" name="email" autocomplete="username" value=v.email.clone() />
                                <Field label="New password (at least 10 characters)" name="password" kind="password" error autocomplete="new-password" />
                                <Field label="The same password again" name="repeated" kind="password" error autocomplete="new-password" />
                                <button type="submit">{if v.invite { "Choose password and sign in" } else { "Change password and sign in" }}</button>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! {
                            <h1>"Choose a password"</h1>
                            <PageError error=e />
                            <p><a href="/forgot">"Ask for a new link"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
