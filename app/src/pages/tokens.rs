//! `/settings/tokens`: API tokens for scripts, each with a role and scope no greater than
//! its creator's; the secret is shown once, right after creation.

use crate::api::tokens::{list_tokens, CreateToken, RevokeToken};
use crate::components::page_error::PageError;
use crate::components::{
    admin_layout::AdminLayout,
    form::{Field, FormError},
};
use crate::model::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TokensPage() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <Title text="API tokens · Resonance" />
        <AdminLayout>
            <h1>"API tokens"</h1>
            <p class="muted">"Scripts use a token as " <code>"Authorization: Bearer …"</code> " on " <code>"/api/v1"</code> "."</p>
            {move || created().map(|c| view! {
                <div class="notice" role="status">
                    <p>"Copy the token now: it is not shown again."</p>
                    <code data-testid="token-secret">{c.secret}</code>
                </div>
            })}
            <ActionForm action=create attr:class="card">
                <FormError error />
                <Field label="Token name" name="name" error />
                <div class="field">
                    <label for="field-role">"Role"</label>
                    <select id="field-role" name="role">
                        <option value="">"My own"</option>
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                    </select>
                    <p class="field-error" role="alert">{move || error.get().and_then(|e| e.message_for("role"))}</p>
                </div>
                <Field label="Scope, for a manager token (attribute=value, comma-separated; empty for your own)" name="scope" error required=false />
                <button type="submit">"Create token"</button>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) => view! {
                            <table class="tokens">
                                <thead><tr><th>"Name"</th><th>"Grants"</th><th>"Starts with"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! {
                                        <tr>
                                            <td>{t.name}</td>
                                            <td>{t.role.as_str()}{(!t.scope.is_empty()).then(|| format!(" · {}", t.scope.join(", ")))}</td>
                                            <td><code>{t.prefix}"…"</code></td>
                                            <td>{t.created_at}</td>
                                            <td>{t.last_used_at.unwrap_or_else(|| "never".into())}</td>
                                            <td>
                                                {if t.revoked {
                                                    view! { <span class="muted">"revoked"</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=revoke attr:class="inline">
                                                            <input type="hidden" name="id" value=t.id.to_string() />
                                                            <button type="submit" class="link">"Revoke"</button>
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
        </AdminLayout>
    }
}
