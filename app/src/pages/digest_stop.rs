//! `/d/:token`: a digest's stop link. Opening it only asks (mail scanners open every
//! link); the button, or a mail client's one-click POST, stops the digest.

use crate::api::digests::digest_stop_page;
use crate::components::page_error::PageError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn DigestStopPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let done = move || query.read().get("done").is_some();
    let digest = Resource::new(token, digest_stop_page);
    view! {
        <Title text="Stop a digest · Resonance" />
        <main class="respondent">
            <h1>"Stop a digest"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match (digest.await, done()) {
                        (_, true) => view! {
                            <p role="status" data-testid="digest-stopped">"Stopped. You will get no more of this digest."</p>
                        }.into_any(),
                        (Ok(Some(d)), false) => {
                            let of = d.survey_title.unwrap_or_else(|| "every survey you may read".to_owned());
                            view! {
                                <p>{format!("Stop the {} digest of {of}?", d.frequency.as_str())}</p>
                                <form method="post" action=format!("/d/{}", token())>
                                    <button type="submit" data-testid="stop-digest">"Stop this digest"</button>
                                </form>
                            }.into_any()
                        }
                        (Ok(None), false) => view! {
                            <p data-testid="digest-gone">"This link stops nothing any more: the digest was stopped already."</p>
                        }.into_any(),
                        (Err(e), false) => view! { <PageError error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
