//! `/u/:token`: the unsubscribe link of every survey email. Opening it only asks; the
//! button posts to `/u/:token` (as a mail client's one-click unsubscribe does).

use crate::api::unsubscribe::load_unsubscribe;
use crate::components::page_error::PageError;
use crate::domain::sending::MailText;
use crate::error::ErrorKind;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let page = Resource::new(token, load_unsubscribe);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(v) => {
                        let l = v.locale;
                        let done = v.unsubscribed || query.read().get("done").is_some();
                        let body = if done {
                            view! { <p role="status" data-testid="unsubscribed">{MailText::Unsubscribed.text(l)}</p> }.into_any()
                        } else {
                            view! {
                                <form method="post" action=format!("/u/{}", token())>
                                    <p>{format!("{} {}?", MailText::UnsubscribeQuestion.text(l), v.email_hint)}</p>
                                    <button type="submit" data-testid="unsubscribe">{MailText::UnsubscribeButton.text(l)}</button>
                                </form>
                            }.into_any()
                        };
                        view! {
                            <Title text=MailText::UnsubscribeTitle.text(l) />
                            <Html attr:lang=l.as_str() />
                            <main class="respondent">
                                <h1>{MailText::UnsubscribeTitle.text(l)}</h1>
                                {body}
                            </main>
                        }.into_any()
                    }
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <main class="respondent"><PageError error=e /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
