//! Surveys in the admin area: create, list, and the scored report.

use crate::error::AppError;
use crate::model::{SurveyReport, SurveySummary};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_QUESTION_CHARS: usize = 500;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::{new_secret, store_error};
    use crate::domain::NpsResult;
    use crate::model::{SurveyKind, SurveyStatus};
    use crate::ports::{NewSurvey, Services, Survey, SurveySettings, User};
    use chrono::{NaiveDateTime, Utc};

    /// The close time as forms show and send it (`datetime-local`), in UTC.
    pub const CLOSE_FORMAT: &str = "%Y-%m-%dT%H:%M";

    pub fn summary(services: &Services, s: &Survey) -> SurveySummary {
        SurveySummary {
            id: s.id,
            kind: s.kind,
            title: s.title.clone(),
            question: s.question.clone(),
            status: s.status,
            public_url: format!("{}/s/{}", services.settings.base_url, s.public_slug),
            created_at: s.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            closes_at: s.closes_at.map(|at| at.format(CLOSE_FORMAT).to_string()),
            response_cap: s.response_cap,
            response_count: s.response_count,
            accepting_answers: s.accepting_answers(Utc::now()).is_ok(),
        }
    }

    /// Changes status, close time and cap. A cap must be at least one response.
    pub async fn update_settings(
        services: &Services,
        id: i64,
        settings: SurveySettings,
    ) -> Result<SurveySummary, AppError> {
        if settings.response_cap.is_some_and(|cap| cap < 1) {
            return Err(AppError::bad_input(
                "response_cap",
                "The response cap must be a whole number of at least 1, or empty for none.",
            ));
        }
        let found = services
            .store
            .update_survey_settings(id, &settings)
            .await
            .map_err(store_error)?;
        if !found {
            return Err(AppError::not_found("There is no survey with this id."));
        }
        let survey = services.store.survey(id).await.map_err(store_error)?;
        survey
            .map(|s| summary(services, &s))
            .ok_or_else(|| AppError::not_found("There is no survey with this id."))
    }

    /// Reads the settings form: text fields as a browser sends them.
    pub fn parse_settings(
        status: &str,
        closes_at: &str,
        response_cap: &str,
    ) -> Result<SurveySettings, AppError> {
        let status = SurveyStatus::parse(status)
            .ok_or_else(|| AppError::bad_input("status", "Choose draft, active or closed."))?;
        let closes_at = match closes_at.trim() {
            "" => None,
            raw => Some(
                NaiveDateTime::parse_from_str(raw, CLOSE_FORMAT)
                    .map_err(|_| {
                        AppError::bad_input(
                            "closes_at",
                            "Enter the close time as YYYY-MM-DDTHH:MM (UTC).",
                        )
                    })?
                    .and_utc(),
            ),
        };
        let response_cap = match response_cap.trim() {
            "" => None,
            raw => Some(raw.parse::<i64>().map_err(|_| {
                AppError::bad_input(
                    "response_cap",
                    "The response cap must be a whole number of at least 1, or empty for none.",
                )
            })?),
        };
        Ok(SurveySettings {
            status,
            closes_at,
            response_cap,
        })
    }

    fn required_text(
        field: &str,
        label: &str,
        value: &str,
        max: usize,
    ) -> Result<String, AppError> {
        let v = value.trim();
        if v.is_empty() {
            return Err(AppError::bad_input(
                field,
                format!("Please enter the {label}."),
            ));
        }
        if v.chars().count() > max {
            return Err(AppError::bad_input(
                field,
                format!("The {label} is longer than {max} characters."),
            ));
        }
        Ok(v.to_string())
    }

    pub async fn create(
        services: &Services,
        actor: &User,
        title: &str,
        question: &str,
    ) -> Result<SurveySummary, AppError> {
        let title = required_text("title", "title", title, MAX_TITLE_CHARS)?;
        let question = required_text("question", "question", question, MAX_QUESTION_CHARS)?;
        let survey = services
            .store
            .create_survey(NewSurvey {
                kind: SurveyKind::Nps,
                title,
                question,
                // The public link is unguessable so a survey is not found by enumeration.
                public_slug: new_secret()[..22].to_string(),
                anonymous: false,
                created_by: actor.id,
            })
            .await
            .map_err(store_error)?;
        Ok(summary(services, &survey))
    }

    pub async fn list(services: &Services) -> Result<Vec<SurveySummary>, AppError> {
        let surveys = services.store.list_surveys().await.map_err(store_error)?;
        Ok(surveys.iter().map(|s| summary(services, s)).collect())
    }

    pub async fn report(services: &Services, id: i64) -> Result<SurveyReport, AppError> {
        let survey = services
            .store
            .survey(id)
            .await
            .map_err(store_error)?
            .ok_or_else(|| AppError::not_found("There is no survey with this id."))?;
        let histogram = services
            .store
            .score_histogram(survey.question_id)
            .await
            .map_err(store_error)?;
        Ok(SurveyReport {
            survey: summary(services, &survey),
            nps: NpsResult::from_histogram(&histogram),
        })
    }
}

#[server(prefix = "/rpc", endpoint = "surveys")]
pub async fn list_surveys() -> Result<Vec<SurveySummary>, AppError> {
    use crate::api::{auth::Permission, context};
    let (services, _) = context::require(Permission::ViewResults)
        .await
        .or_else(context::fail)?;
    list(&services).await.or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "create_survey")]
pub async fn create_survey(title: String, question: String) -> Result<(), AppError> {
    use crate::api::{auth::Permission, context};
    let (services, user) = context::require(Permission::ManageSurveys)
        .await
        .or_else(context::fail)?;
    match create(&services, &user, &title, &question).await {
        Ok(s) => {
            leptos_axum::redirect(&format!("/surveys/{}", s.id));
            Ok(())
        }
        Err(e) => context::fail(
            e.with_input([("title", title.as_str()), ("question", question.as_str())]),
        ),
    }
}

#[server(prefix = "/rpc", endpoint = "survey_report")]
pub async fn load_survey_report(id: i64) -> Result<SurveyReport, AppError> {
    use crate::api::{auth::Permission, context};
    let (services, _) = context::require(Permission::ViewResults)
        .await
        .or_else(context::fail)?;
    report(&services, id).await.or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "survey_settings")]
pub async fn save_survey_settings(
    id: i64,
    status: String,
    closes_at: String,
    response_cap: String,
) -> Result<SurveySummary, AppError> {
    use crate::api::{auth::Permission, context};
    let (services, _) = context::require(Permission::ManageSurveys)
        .await
        .or_else(context::fail)?;
    let input = [
        ("status", status.as_str()),
        ("closes_at", closes_at.as_str()),
        ("response_cap", response_cap.as_str()),
    ];
    let result = match parse_settings(&status, &closes_at, &response_cap) {
        Ok(settings) => update_settings(&services, id, settings).await,
        Err(e) => Err(e),
    };
    result
        .map_err(|e| e.with_input(input))
        .or_else(context::fail)
}
