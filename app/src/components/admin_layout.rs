//! The frame of every admin page: navigation, the signed-in user, sign-out.

use crate::api::auth::{me, LogOut};
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
            <nav>
                <A href="/surveys">"Surveys"</A>
                <A href="/contacts">"Contacts"</A>
                <A href="/settings/users">"Users"</A>
                <A href="/settings/tokens">"API tokens"</A>
            </nav>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => {
                            view! {
                                <span class="who">{u.name} " · " {u.role.as_str()}</span>
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
