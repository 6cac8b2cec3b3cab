//! `/s/:slug`: the respondent's page. `?score=N` (an email button) only pre-selects N;
//! nothing is recorded until the respondent submits.

use crate::api::answers::{load_public_survey, SubmitAnswer, MAX_COMMENT_CHARS};
use crate::components::{form::FormError, score_scale::ScoreScale};
use crate::domain::ui_text::UiText;
use crate::error::ErrorKind;
use crate::model::Availability;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AnswerPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let lang = move || query.read().get("lang");
    let survey = Resource::new(
        move || (slug(), lang()),
        |(slug, lang)| load_public_survey(slug, lang),
    );
    let action = ServerAction::<SubmitAnswer>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let selected = Signal::derive(move || {
        let raw = error
            .get()
            .and_then(|e| e.input_value("score"))
            .or_else(|| query.read().get("score"));
        raw.and_then(|s| s.trim().parse::<u8>().ok())
            .filter(|n| *n <= 10)
    });
    let comment = move || {
        error
            .get()
            .and_then(|e| e.input_value("comment"))
            .unwrap_or_default()
    };
    let score_error = Signal::derive(move || error.get().and_then(|e| e.message_for("score")));
    let comment_error = move || error.get().and_then(|e| e.message_for("comment"));

    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match survey.await {
                    Ok(s) => s,
                    Err(e) if e.kind == ErrorKind::NotFound => return view! { <NotFound /> }.into_any(),
                    Err(e) => return view! { <main class="respondent"><p class="form-error">{e.message}</p></main> }.into_any(),
                };
                let locale = s.locale;
                let t = move |text: UiText| text.text(locale);
                let unavailable = match s.availability {
                    Availability::Open => None,
                    Availability::NotYetOpen => Some(UiText::SurveyNotOpen),
                    Availability::Closed => Some(UiText::SurveyClosed),
                    Availability::Full => Some(UiText::SurveyOverCap),
                };
                if let Some(why) = unavailable {
                    return view! {
                        <Title text=s.title.clone() />
                        <Html attr:lang=locale.as_str() />
                        <main class="respondent">
                            <h1>{s.title}</h1>
                            <p data-testid="unavailable">{t(why)}</p>
                        </main>
                    }
                        .into_any();
                }
                view! {
                    <Title text=s.title.clone() />
                    <Html attr:lang=locale.as_str() />
                    <main class="respondent">
                        <h1>{s.title.clone()}</h1>
                        <ActionForm action=action>
                            <input type="hidden" name="slug" value=s.slug.clone() />
                            <input type="hidden" name="submission_key" value=s.submission_key.clone() />
                            <input type="hidden" name="lang" value=locale.as_str() />
                            <FormError error />
                            <ScoreScale
                                legend=s.question.clone()
                                low=t(UiText::NpsLow)
                                high=t(UiText::NpsHigh)
                                selected
                                error=score_error
                            />
                            <div class="field">
                                <label for="field-comment">
                                    {t(UiText::NpsFollowUpDefault)} " (" {t(UiText::Optional).to_lowercase()} ")"
                                </label>
                                <textarea
                                    id="field-comment"
                                    name="comment"
                                    rows="4"
                                    maxlength=MAX_COMMENT_CHARS.to_string()
                                    prop:value=comment
                                >
                                    {comment}
                                </textarea>
                                <p class="field-error" role="alert">{comment_error}</p>
                            </div>
                            <button type="submit" class="primary">{t(UiText::Send)}</button>
                        </ActionForm>
                    </main>
                }
                    .into_any()
            })}
        </Suspense>
    }
}
