//! `/s/:slug` (public link) and `/t/:token` (personal link): one question per page.
//! `?score=N` (an email button) only pre-selects N on the first page; nothing is recorded
//! until the respondent submits. `?q=` is the page, `?r=` resumes a public response.

use crate::api::answers::{load_respondent_page, SubmitAnswer};
use crate::components::page_error::PageError;
use crate::components::{form::FormError, question_input::QuestionInput};
use crate::domain::ui_text::UiText;
use crate::error::{AppError, ErrorKind};
use crate::model::{Availability, RespondentPage};
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// The link kind a route serves: `s` (public) or `t` (personal).
#[component]
pub fn AnswerPage(link_kind: &'static str) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let link = move || {
        let id = params.read().get("id").unwrap_or_default();
        format!("{link_kind}/{id}")
    };
    let page = Resource::new(
        move || {
            let q = query.read();
            (
                link(),
                q.get("q").and_then(|s| s.parse::<usize>().ok()),
                q.get("r"),
                q.get("score"),
                q.get("lang"),
                q.get("preview").map(|p| p == "1"),
            )
        },
        |(link, step, resume, score, lang, preview)| {
            load_respondent_page(link, step, resume, score, lang, preview)
        },
    );
    let action = ServerAction::<SubmitAnswer>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    // Sent back here because this required question was skipped on the way to the end.
    let skipped = move || query.read().get("missing").is_some();

    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <RespondentForm page=p action error skipped=skipped() /> }.into_any(),
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <main class="respondent"><PageError error=e /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The survey's brand colour as a CSS variable; the stored value is checked as `#rrggbb`.
pub fn brand_style(color: &Option<String>) -> String {
    color
        .as_deref()
        .map(|c| format!("--brand: {c}"))
        .unwrap_or_default()
}

#[component]
fn RespondentForm(
    page: RespondentPage,
    action: ServerAction<SubmitAnswer>,
    error: Signal<Option<AppError>>,
    skipped: bool,
) -> impl IntoView {
    let locale = page.locale;
    let t = move |text: UiText| text.text(locale);
    let error = Signal::derive(move || {
        error.get().or_else(|| {
            skipped.then(|| AppError::bad_input("answer", UiText::AnswerRequired.text(locale)))
        })
    });
    let head = view! {
        <Title text=page.title.clone() />
        <Html attr:lang=locale.as_str() />
    };
    let logo = page
        .logo_url
        .clone()
        .map(|src| view! { <img class="logo" src=src alt="" /> });
    let unavailable = match page.availability {
        Availability::Open => None,
        Availability::NotYetOpen => Some(UiText::SurveyNotOpen),
        Availability::Closed => Some(UiText::SurveyClosed),
        Availability::Full => Some(UiText::SurveyOverCap),
    };
    let style = brand_style(&page.brand_color);
    let (Some(question), None) = (page.question.clone(), unavailable) else {
        let why = unavailable.unwrap_or(UiText::SurveyClosed);
        return view! {
            {head}
            <main class="respondent" style=style>
                {logo}
                <h1>{page.title.clone()}</h1>
                <p data-testid="unavailable">{t(why)}</p>
            </main>
        }
        .into_any();
    };
    let progress = (page.steps > 1).then(|| {
        let text = UiText::QuestionProgress {
            current: u16::try_from(page.step + 1).unwrap_or(u16::MAX),
            total: u16::try_from(page.steps).unwrap_or(u16::MAX),
        };
        view! { <p class="progress muted" data-testid="progress">{t(text)}</p> }
    });
    let last = page.step + 1 >= page.steps;
    let (link, resume_key, preview) = (page.link.clone(), page.resume_key.clone(), page.preview);
    let href = move |step: usize| {
        let mut href = format!("{link}?q={step}&lang={}", locale.as_str());
        if preview {
            href.push_str("&preview=1");
        } else if !resume_key.is_empty() {
            href.push_str(&format!("&r={resume_key}"));
        }
        href
    };
    let back = (page.step > 0)
        .then(|| view! { <a class="back" href=href(page.step - 1)>{t(UiText::Back)}</a> });
    if page.preview {
        let next = (!last)
            .then(|| view! { <a class="button" href=href(page.step + 1)>{t(UiText::Next)}</a> });
        return view! {
            {head}
            <p class="notice preview" data-testid="preview">"Preview: answers given here are not recorded."</p>
            <main class="respondent" style=style>
                {logo}
                <h1>{page.title.clone()}</h1>
                {page.intro.clone().map(|intro| view! { <p class="intro">{intro}</p> })}
                {progress}
                <form>
                    <QuestionInput question locale error />
                    <div class="actions">{back}{next}</div>
                </form>
            </main>
        }
        .into_any();
    }
    view! {
        {head}
        <main class="respondent" style=style>
            {logo}
            <h1>{page.title.clone()}</h1>
            {page.intro.clone().map(|intro| view! { <p class="intro">{intro}</p> })}
            {progress}
            <ActionForm action=action>
                <input type="hidden" name="link" value=page.link.trim_start_matches('/').to_owned() />
                <input type="hidden" name="step" value=page.step.to_string() />
                <input type="hidden" name="resume_key" value=page.resume_key.clone() />
                <input type="hidden" name="lang" value=locale.as_str() />
                <FormError error />
                <QuestionInput question locale error />
                <div class="actions">
                    {back}
                    <button type="submit" class="primary">
                        {if last { t(UiText::Send) } else { t(UiText::Next) }}
                    </button>
                </div>
            </ActionForm>
        </main>
    }
    .into_any()
}
