//! Answering a survey through its public link. Loading the page records nothing (mail
//! scanners follow links and may run scripts); only the respondent's POST does.

use crate::error::AppError;
use crate::model::PublicSurvey;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

pub const MAX_COMMENT_CHARS: usize = 5000;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::{new_secret, store_error};
    use crate::domain::{ui_text::UiText, Locale, NpsScore};
    use crate::model::Availability;
    use crate::ports::{NewAnswer, NotOpen, Recorded, Services, Survey};
    use chrono::Utc;

    async fn open_survey(services: &Services, slug: &str) -> Result<Survey, AppError> {
        services
            .store
            .survey_by_slug(slug)
            .await
            .map_err(store_error)?
            .ok_or_else(|| AppError::not_found("This survey link is not valid."))
    }

    pub async fn public_view(
        services: &Services,
        slug: &str,
        lang: Option<&str>,
        accept_language: Option<&str>,
    ) -> Result<PublicSurvey, AppError> {
        let survey = open_survey(services, slug).await?;
        let availability = match survey.accepting_answers(Utc::now()) {
            Ok(()) => Availability::Open,
            Err(NotOpen::Draft) => Availability::NotYetOpen,
            Err(NotOpen::Closed) => Availability::Closed,
            Err(NotOpen::Full) => Availability::Full,
        };
        Ok(PublicSurvey {
            locale: Locale::negotiate(lang, None, accept_language, survey.default_locale),
            slug: survey.public_slug,
            title: survey.title,
            question: survey.question,
            availability,
            submission_key: new_secret(),
        })
    }

    /// A score as the form sends it; the message is in the respondent's language.
    pub fn parse_score(raw: Option<&str>, locale: Locale) -> Result<NpsScore, AppError> {
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return Err(AppError::bad_input(
                "score",
                UiText::ChooseAScore.text(locale),
            ));
        }
        raw.parse::<i64>()
            .ok()
            .and_then(|v| NpsScore::parse(v).ok())
            .ok_or_else(|| AppError::bad_input("score", UiText::ScoreOutOfRange.text(locale)))
    }

    pub fn parse_comment(raw: Option<&str>, locale: Locale) -> Result<Option<String>, AppError> {
        let c = raw.map(str::trim).unwrap_or_default();
        if c.chars().count() > MAX_COMMENT_CHARS {
            let max = MAX_COMMENT_CHARS as u32;
            return Err(AppError::bad_input(
                "comment",
                UiText::TextTooLong { max }.text(locale),
            ));
        }
        Ok((!c.is_empty()).then(|| c.to_string()))
    }

    /// Records one answer. The same `submission_key` twice records it once.
    pub async fn submit(
        services: &Services,
        slug: &str,
        score: Option<&str>,
        comment: Option<&str>,
        submission_key: Option<&str>,
        locale: Locale,
    ) -> Result<Submitted, AppError> {
        let survey = open_survey(services, slug).await?;
        let not_open = |why: NotOpen| {
            let text = match why {
                NotOpen::Draft => UiText::SurveyNotOpen,
                NotOpen::Closed => UiText::SurveyClosed,
                NotOpen::Full => UiText::SurveyOverCap,
            };
            AppError::new(crate::error::ErrorKind::Conflict, text.text(locale))
        };
        // A full survey is left to the store: a retry of an answer it already holds is
        // still a harmless duplicate, and the cap is decided atomically there.
        match survey.accepting_answers(Utc::now()) {
            Ok(()) | Err(NotOpen::Full) => {}
            Err(why) => return Err(not_open(why)),
        }
        let score = parse_score(score, locale)?;
        let comment = parse_comment(comment, locale)?;
        let key = match submission_key.map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) if k.len() <= 100 => k.to_string(),
            Some(_) => {
                return Err(AppError::bad_input(
                    "submission_key",
                    "The submission key is too long.",
                ))
            }
            None => new_secret(),
        };
        let now = Utc::now();
        let recorded = services
            .store
            .record_answer(NewAnswer {
                survey_id: survey.id,
                question_id: survey.question_id,
                score: Some(score.value()),
                comment,
                submission_key: key,
                day: now.date_naive(),
                // Anonymous answers keep the day only, so they cannot be matched to a send.
                submitted_at: (!survey.anonymous).then_some(now),
            })
            .await
            .map_err(store_error)?;
        match recorded {
            Recorded::New => Ok(Submitted::New),
            Recorded::Duplicate => Ok(Submitted::Duplicate),
            // Another answer took the last place between the check above and this one.
            Recorded::Full => Err(not_open(NotOpen::Full)),
        }
    }

    /// What became of a submitted answer.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Submitted {
        New,
        /// The same submission key was recorded before; nothing changed.
        Duplicate,
    }
}

#[server(prefix = "/rpc", endpoint = "public_survey")]
pub async fn load_public_survey(
    slug: String,
    lang: Option<String>,
) -> Result<PublicSurvey, AppError> {
    use crate::api::context;
    let services = context::services()?;
    let accept_language = context::header(http::header::ACCEPT_LANGUAGE);
    public_view(
        &services,
        &slug,
        lang.as_deref(),
        accept_language.as_deref(),
    )
    .await
    .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "answer")]
pub async fn submit_answer(
    slug: String,
    submission_key: String,
    lang: Option<String>,
    score: Option<String>,
    comment: Option<String>,
) -> Result<(), AppError> {
    use crate::api::context;
    use crate::domain::Locale;
    let services = context::services()?;
    let locale = lang
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or(Locale::En);
    let key = Some(submission_key.as_str());
    match submit(
        &services,
        &slug,
        score.as_deref(),
        comment.as_deref(),
        key,
        locale,
    )
    .await
    {
        Ok(_) => {
            leptos_axum::redirect(&format!("/s/{slug}/thanks?lang={}", locale.as_str()));
            Ok(())
        }
        Err(e) => context::fail(e.with_input([
            ("score", score.as_deref().unwrap_or_default()),
            ("comment", comment.as_deref().unwrap_or_default()),
        ])),
    }
}
