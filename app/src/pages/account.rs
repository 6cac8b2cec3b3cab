//! `/settings/account`: the signed-in user's own password and sessions (changing the
//! password signs every other session out, and each session can be signed out here),
//! and their digests and the language of their mail.

use crate::api::auth::{load_sessions, ChangeOwnPassword, SignOutSession};
use crate::components::page_error::PageError;
use crate::components::{
    admin_layout::AdminLayout,
    digests::DigestList,
    form::{Field, FormError},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangeOwnPassword>::new();
    let end = ServerAction::<SignOutSession>::new();
    let sessions = Resource::new(
        move || (change.version().get(), end.version().get()),
        |_| load_sessions(),
    );
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let end_error = Signal::derive(move || end.value().get().and_then(Result::err));
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <Title text="Your account · Resonance" />
        <AdminLayout>
            <h1>"Your account"</h1>
            <h2>"Password"</h2>
            {move || changed().then(|| view! {
                <p class="notice" role="status">"Password changed. Your other sessions are signed out."</p>
            })}
            <ActionForm action=change attr:class="card">
                <FormError error />
                <Field label="Current password" name="current" kind="password" error autocomplete="current-password" />
                <Field label="New password (at least 10 characters)" name="new" kind="password" error autocomplete="new-password" />
                <button type="submit">"Change password"</button>
            </ActionForm>
            <h2>"Sessions"</h2>
            <p class="muted">"Where you are signed in. Sign out a browser you no longer use."</p>
            <FormError error=end_error />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! {
                            <table class="tokens sessions">
                                <thead><tr><th>"Browser"</th><th>"Signed in"</th><th>"Expires"</th><th></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr>
                                            <td title=s.client.clone()>{s.browser}</td>
                                            <td>{s.started}</td>
                                            <td>{s.expires}</td>
                                            <td>
                                                {if s.current {
                                                    view! { <span class="muted">"this one"</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=end attr:class="inline">
                                                            <input type="hidden" name="id" value=s.id />
                                                            <button type="submit" class="link">"Sign out"</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <PageError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            <DigestList />
        </AdminLayout>
    }
}
