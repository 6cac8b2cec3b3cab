//! One response as the admin area shows it, and the facts of the alert that links to it.
//! An anonymous survey's responses are not shown one by one (the store keeps no contact
//! or time for them either).

use crate::error::AppError;
use crate::model::ResponseView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::{authorize, Access, Action};
    use crate::api::surveys;
    use crate::domain::{
        category, fill_placeholders, AnswerValue, Category, Question, QuestionKind,
    };
    use crate::model::ResponseAnswer;
    use crate::ports::{Services, StoredAnswer, Survey, User};
    use std::collections::BTreeMap;

    const TIME: &str = "%Y-%m-%d %H:%M UTC";

    fn not_found() -> AppError {
        AppError::not_found("This survey has no response with this id.")
    }

    /// Response `id` of survey `survey_id`, when `user`'s role and scope reach it.
    #[tracing::instrument(skip_all, fields(survey_id, response_id = id), err(level = "info"))]
    pub async fn view(
        services: &Services,
        user: &User,
        survey_id: i64,
        id: i64,
    ) -> Result<ResponseView, AppError> {
        let survey = surveys::find(services, survey_id).await?;
        // Anonymous first, for every caller: the answer says nothing of which ids exist.
        if survey.definition.anonymous {
            return Err(not_one_by_one());
        }
        let access = authorize(user, Action::ReadResponse(&survey.facts()))?;
        shown(services, survey, id, &access).await
    }

    fn not_one_by_one() -> AppError {
        AppError::not_found(
            "Responses to an anonymous survey are not shown one by one: its results are reported for groups only.",
        )
    }

    /// Response `id` of `survey` as `access` lets it be shown.
    async fn shown(
        services: &Services,
        survey: Survey,
        id: i64,
        access: &Access,
    ) -> Result<ResponseView, AppError> {
        let store = &services.store;
        let survey_id = survey.id;
        // One anonymous response, read as it arrives, could be matched to whoever was
        // just sent or reminded: they are reported for groups only. Asked before the
        // response is looked up, so the answer says nothing of which ids exist.
        let anonymous = not_one_by_one;
        if survey.definition.anonymous {
            return Err(anonymous());
        }
        let response = store
            .response_by_id(id)
            .await?
            .filter(|r| r.survey_id == survey_id)
            .ok_or_else(not_found)?;
        // A manager's: one whose respondent was in their scope when answering.
        if let Access::WithinScope(conditions) = access {
            let in_scope = conditions
                .iter()
                .any(|(a, v)| response.groups.get(a) == Some(v));
            if !in_scope {
                return Err(AppError::forbidden());
            }
        }
        // The wording the respondent saw, if that version is still known.
        let definition = store
            .survey_version(survey_id, response.version)
            .await?
            .unwrap_or_else(|| survey.definition.clone());
        if definition.anonymous {
            return Err(anonymous());
        }
        let respondent = match response.contact_id {
            Some(contact) => store.contact(contact).await?.map(|c| match c.name.trim() {
                "" => c.email,
                name => format!("{name} <{}>", c.email),
            }),
            None => None,
        };
        let locale = definition.default_locale;
        let answers = definition
            .questions
            .iter()
            .filter_map(|q| {
                let given = response.answers.iter().find(|a| a.question_key == q.key)?;
                Some(answer_view(q, given, locale))
            })
            .collect();
        let shown =
            |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.format(TIME).to_string());
        Ok(ResponseView {
            id,
            survey_id,
            survey_title: survey.title().to_owned(),
            respondent,
            submitted_at: shown(response.submitted_at),
            updated_at: shown(response.updated_at),
            day: Some(response.day.to_string()),
            completed: response.completed,
            version: response.version,
            locale: response.locale.as_str().to_owned(),
            groups: response.groups.into_iter().collect(),
            answers,
        })
    }

    fn answer_view(
        question: &Question,
        given: &StoredAnswer,
        locale: crate::domain::Locale,
    ) -> ResponseAnswer {
        let label = |key: &str| {
            question
                .kind
                .options()
                .iter()
                .find(|o| o.key == key)
                .map_or_else(|| key.to_owned(), |o| o.label.get(locale).to_owned())
        };
        let answer = match &given.value {
            AnswerValue::Score(score) => score.to_string(),
            AnswerValue::Choice(key) => label(key),
            AnswerValue::Choices(keys) => {
                keys.iter().map(|k| label(k)).collect::<Vec<_>>().join(", ")
            }
            AnswerValue::Text(text) => text.clone(),
        };
        let score = given.score();
        ResponseAnswer {
            question_key: question.key.clone(),
            question: question.text.get(locale).to_owned(),
            answer,
            score,
            category: score
                .and_then(|s| category(&question.kind, s))
                .map(|c| category_name(c).to_owned()),
            follow_up: given.follow_up.clone(),
        }
    }

    fn category_name(c: Category) -> &'static str {
        match c {
            Category::Low => "low",
            Category::Middle => "middle",
            Category::High => "high",
        }
    }

    /// What a detractor alert says.
    #[derive(Clone, Debug, PartialEq)]
    pub struct AlertFacts {
        pub survey_title: String,
        pub question: String,
        pub score: u8,
        /// The top of the scale: 10 for NPS, 7 or 5 for CES, 5 for CSAT.
        pub scale_max: u8,
        /// An NPS or eNPS detractor, rather than a low score on another scale.
        pub detractor: bool,
        /// The headline's follow-up, else the first written answer.
        pub comment: Option<String>,
        pub respondent: Option<String>,
        pub response_url: String,
        /// The case the answer opened, if it opened one.
        pub case_url: Option<String>,
    }

    /// The alert about response `id`; None when it no longer has a low headline score
    /// (nothing to alert about).
    #[tracing::instrument(skip_all, fields(survey_id, response_id = id), err(level = "info"))]
    pub async fn alert(
        services: &Services,
        survey_id: i64,
        id: i64,
    ) -> Result<Option<AlertFacts>, AppError> {
        let survey = surveys::find(services, survey_id).await?;
        let response = shown(services, survey.clone(), id, &Access::Allowed).await?;
        let Some(headline) = survey.definition.headline() else {
            return Ok(None);
        };
        let Some(answer) = response
            .answers
            .iter()
            .find(|a| a.question_key == headline.key)
        else {
            return Ok(None);
        };
        let Some(score) = answer
            .score
            .filter(|s| survey.definition.is_low_headline(*s))
        else {
            return Ok(None);
        };
        let comment = answer.follow_up.clone().or_else(|| {
            response
                .answers
                .iter()
                .find(|a| a.score.is_none() && is_text(&survey.definition, &a.question_key))
                .map(|a| a.answer.clone())
        });
        // The title as respondents read it: `{company}` filled in.
        let company =
            BTreeMap::from([("company".to_owned(), services.settings.organisation.clone())]);
        let case = services.store.case_of_response(id).await?;
        Ok(Some(AlertFacts {
            case_url: case.map(|case| format!("{}/cases/{case}", services.settings.base_url)),
            survey_title: fill_placeholders(&response.survey_title, &company),
            question: answer.question.clone(),
            score,
            scale_max: headline.kind.score_range().map_or(10, |(_, max)| max),
            detractor: matches!(headline.kind, QuestionKind::Nps | QuestionKind::Enps),
            comment: comment.filter(|c| !c.trim().is_empty()),
            respondent: response.respondent,
            response_url: format!(
                "{}/surveys/{survey_id}/responses/{id}",
                services.settings.base_url
            ),
        }))
    }

    fn is_text(definition: &crate::domain::SurveyDefinition, key: &str) -> bool {
        definition
            .question(key)
            .is_some_and(|q| matches!(q.kind, QuestionKind::FreeText { .. }))
    }
}

#[server(prefix = "/rpc", endpoint = "response")]
pub async fn load_response(survey_id: i64, id: i64) -> Result<ResponseView, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    view(&services, &user, survey_id, id)
        .await
        .or_else(context::fail)
}
