//! The frame of every admin page: navigation, the signed-in user, sign-out.

use crate::api::auth::{me, LogOut};
use crate::domain::access::{decide, Action, Scope};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

#[component]
pub fn AdminLayout(children: Children) -> impl IntoView {
    let user = Resource::new(|| (), |_| me());
    let logout = ServerAction::<LogOut>::new();
    view! {
        <header class="topbar">
            <A href="/surveys" attr:class="brand">
                "Resonance"
            </A>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => {
                            // Only what the role reaches (the access rule decides again on
                            // each page).
                            let scope = Scope::parse(u.scope.iter().map(String::as_str))
                                .unwrap_or_default();
                            let may = |action| decide(u.role, &scope, action).allowed();
                            let contacts = may(Action::ManageContacts);
                            let users = may(Action::ManageUsers);
                            let webhooks = may(Action::ManageWebhooks);
                            let cases = crate::domain::cases::may_work_on_cases(u.role, &scope);
                            view! {
                                <nav>
                                    <A href="/surveys">"Surveys"</A>
                                    {cases.then(|| view! { <A href="/responses">"Responses"</A> })}
                                    {cases.then(|| view! { <A href="/cases">"Cases"</A> })}
                                    {contacts.then(|| view! { <A href="/contacts">"Contacts"</A> })}
                                    {users.then(|| view! { <A href="/settings/users">"Users"</A> })}
                                    {webhooks.then(|| view! { <A href="/settings/webhooks">"Webhooks"</A> })}
                                    <A href="/settings/tokens">"API tokens"</A>
                                </nav>
                                <A href="/settings/account" attr:class="who">
                                    {u.name} " · " {u.role.as_str()}
                                </A>
                                <ActionForm action=logout attr:class="inline">
                                    <button type="submit" class="link">
                                        "Sign out"
                                    </button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        _ => view! { <Redirect path="/login" /> }.into_any(),
                    }
                })}
            </Suspense>
        </header>
        <main class="admin">{children()}</main>
    }
}
