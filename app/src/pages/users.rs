//! `/settings/users`: the accounts, their roles and scopes; admins invite people by
//! email (or give them a first password) and change what they reach here.

use crate::api::auth::{load_users, AddUser, ChangeUser, DisableUser, InviteAgain};
use crate::components::page_error::PageError;
use crate::components::{
    admin_layout::AdminLayout,
    form::{Field, FormError},
};
use crate::model::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    let change = ServerAction::<ChangeUser>::new();
    let disable = ServerAction::<DisableUser>::new();
    let invite = ServerAction::<InviteAgain>::new();
    let users = Resource::new(
        move || {
            (
                add.version().get(),
                change.version().get(),
                disable.version().get(),
            )
        },
        |_| load_users(),
    );
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let change_error = Signal::derive(move || {
        change
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| disable.value().get().and_then(Result::err))
            .or_else(|| invite.value().get().and_then(Result::err))
    });
    let added = move || matches!(add.value().get(), Some(Ok(())));
    let invited_again = move || matches!(invite.value().get(), Some(Ok(())));
    let chosen_role = move || {
        error
            .get()
            .and_then(|e| e.input_value("role"))
            .unwrap_or_else(|| Role::Viewer.as_str().to_string())
    };
    view! {
        <Title text="Users · Resonance" />
        <AdminLayout>
            <h1>"Users"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! {
                            <FormError error=change_error />
                            {move || invited_again().then(|| view! {
                                <p class="notice" role="status">"A new invitation is on its way."</p>
                            })}
                            <table class="tokens users">
                                <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role and scope"</th><th>"Sign-in"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|u| {
                                        let role = u.role;
                                        let label = format!("Role of {}", u.name);
                                        let scope_label = format!("Scope of {}", u.name);
                                        view! {
                                            <tr>
                                                <td>{u.name}</td>
                                                <td>{u.email}</td>
                                                <td>
                                                    <ActionForm action=change attr:class="inline access">
                                                        <input type="hidden" name="id" value=u.id.to_string() />
                                                        <select name="role" aria-label=label>
                                                            {Role::ALL.into_iter().map(|r| view! {
                                                                <option value=r.as_str() selected=r == role>{r.as_str()}</option>
                                                            }).collect_view()}
                                                        </select>
                                                        <input type="text" name="scope" value=u.scope.join(", ") aria-label=scope_label placeholder="team=Sales" />
                                                        <button type="submit" class="link">"Save"</button>
                                                    </ActionForm>
                                                </td>
                                                <td>
                                                    {u.invited.then(|| view! {
                                                        <ActionForm action=invite attr:class="inline">
                                                            <input type="hidden" name="id" value=u.id.to_string() />
                                                            <span class="muted">"invited "</span>
                                                            <button type="submit" class="link">"Send again"</button>
                                                        </ActionForm>
                                                    })}
                                                    <ActionForm action=disable attr:class="inline">
                                                        <input type="hidden" name="id" value=u.id.to_string() />
                                                        <input type="hidden" name="disabled" value=(!u.disabled).to_string() />
                                                        {if u.disabled {
                                                            view! { <span class="muted">"disabled "</span><button type="submit" class="link">"Enable"</button> }.into_any()
                                                        } else {
                                                            view! { <button type="submit" class="link">"Disable"</button> }.into_any()
                                                        }}
                                                    </ActionForm>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <PageError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Add a user"</h2>
            <p class="muted">"Admins manage everything; HR runs employee surveys and contacts; managers read their teams' results (their scope, e.g. team=Sales); viewers read aggregated results."</p>
            <p class="muted">"They get an email with a link to choose their password, valid for 7 days. Or give them a first password yourself."</p>
            {move || added().then(|| view! {
                <p class="notice" role="status" data-testid="user-added">"User added. Without a first password, they were sent an invitation."</p>
            })}
            <ActionForm action=add attr:class="card">
                <FormError error />
                <Field label="Name" name="name" error />
                <Field label="Email" name="email" kind="email" error />
                <Field label="First password (optional: leave it empty to invite by email)" name="password" kind="password" error autocomplete="new-password" required=false />
                <div class="field">
                    <label for="field-role">"Role"</label>
                    <select id="field-role" name="role">
                        {Role::ALL.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=move || chosen_role() == r.as_str()>{r.as_str()}</option>
                        }).collect_view()}
                    </select>
                    <p class="field-error" role="alert">{move || error.get().and_then(|e| e.message_for("role"))}</p>
                </div>
                <Field label="Scope, for a manager (attribute=value, comma-separated, e.g. team=Sales)" name="scope" error required=false />
                <button type="submit">"Add user"</button>
            </ActionForm>
        </AdminLayout>
    }
}
