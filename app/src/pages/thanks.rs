//! `/s/:id/thanks` and `/t/:id/thanks`: every answer ends with a thank-you, in the
//! respondent's language, with the survey's own message.

use crate::api::answers::load_thank_you;
use crate::components::page_error::PageError;
use crate::domain::ui_text::UiText;
use crate::error::ErrorKind;
use crate::pages::{answer::brand_style, not_found::NotFound};
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ThanksPage(link_kind: &'static str) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let view_data = Resource::new(
        move || {
            let id = params.read().get("id").unwrap_or_default();
            let q = query.read();
            (format!("{link_kind}/{id}"), q.get("r"), q.get("lang"))
        },
        |(link, resume, lang)| load_thank_you(link, resume, lang),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(v) => {
                        let locale = v.locale;
                        view! {
                            <Title text=UiText::ThankYouTitle.text(locale) />
                            <Html attr:lang=locale.as_str() />
                            <main class="respondent" style=brand_style(&v.brand_color)>
                                <h1>{UiText::ThankYouTitle.text(locale)}</h1>
                                <p data-testid="thank-you">{v.message}</p>
                                {v.change_link.map(|href| view! {
                                    <p><a href=href>{UiText::ChangeYourAnswers.text(locale)}</a></p>
                                })}
                            </main>
                        }
                            .into_any()
                    }
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <main class="respondent"><PageError error=e /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
