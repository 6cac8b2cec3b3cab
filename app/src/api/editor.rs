//! The survey editor: a working copy changed one step at a time and kept even while
//! invalid (nothing typed is lost), saved as the survey's definition only when it is
//! complete — in place while nobody has answered, as a new version after that.

use crate::error::AppError;
use crate::model::EditorView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::surveys::{
        find, keeps_reach, publish_problems, reach, save_definition, summary,
    };
    use crate::domain::access::OnSurvey;
    use crate::domain::editor::{EditOp, SurveyForm};
    use crate::domain::SurveyDefinition;
    use crate::ports::{EditorDraft, Services, User};

    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn view(services: &Services, id: i64) -> Result<EditorView, AppError> {
        let survey = find(services, id).await?;
        let store = &services.store;
        let draft = store.draft(id).await?;
        let answered = store.version_answered(id, survey.version).await?;
        let fixed = if survey.response_count > 0 {
            survey
                .definition
                .questions
                .iter()
                .map(|q| q.key.clone())
                .collect()
        } else {
            Vec::new()
        };
        let (form, checked, unsaved) = match draft {
            Some(d) => (d.form, d.checked, true),
            None => (
                SurveyForm::from_definition(&survey.definition),
                false,
                false,
            ),
        };
        let checked_definition = form.to_definition();
        let errors = match &checked_definition {
            _ if !checked => Vec::new(),
            Ok(definition) => publish_problems(&survey, definition),
            Err(errors) => errors.clone(),
        };
        Ok(EditorView {
            survey: summary(services, &survey),
            preview_shows_draft: unsaved && checked_definition.is_ok(),
            form,
            errors,
            unsaved,
            saves_as: survey.version + i64::from(answered),
            fixed,
        })
    }

    /// Carries out one step of the editor's form (`op` is the button pressed) and says
    /// where the browser goes next.
    #[tracing::instrument(skip_all, fields(survey_id = id, user_id = user.id), err(level = "info"))]
    pub async fn edit(
        services: &Services,
        user: &User,
        id: i64,
        fields: &[(String, String)],
    ) -> Result<String, AppError> {
        let (survey, _) = reach(services, user, id, OnSurvey::Manage).await?;
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let op = field("op")
            .and_then(EditOp::parse)
            .ok_or_else(|| AppError::bad_input("op", "Unknown editor step."))?;
        let page = format!("/surveys/{id}/edit");
        let store = &services.store;
        let mut form = SurveyForm::from_fields(survey.kind(), fields);
        let at = form.apply(&op, field("add_type").unwrap_or_default());
        match op {
            EditOp::Discard => {
                store.discard_draft(id).await?;
                Ok(page)
            }
            EditOp::Save => match form.to_definition() {
                Ok(definition) if publish_problems(&survey, &definition).is_empty() => {
                    keeps_reach(user, &survey, &definition)?;
                    save_definition(services, id, definition).await?;
                    store.discard_draft(id).await?;
                    Ok(format!("{page}?saved=1"))
                }
                _ => {
                    let draft = EditorDraft {
                        form,
                        checked: true,
                    };
                    store.save_draft(id, &draft, user.id).await?;
                    Ok(format!("{page}#problems"))
                }
            },
            _ => {
                // Problems stay on show once the author has asked for them.
                let checked = store.draft(id).await?.is_some_and(|d| d.checked);
                let draft = EditorDraft { form, checked };
                store.save_draft(id, &draft, user.id).await?;
                Ok(match at {
                    Some(i) => format!("{page}#q{i}"),
                    None => page,
                })
            }
        }
    }

    /// What a preview shows: the working copy when it is complete.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn working_definition(
        services: &Services,
        id: i64,
    ) -> Result<Option<SurveyDefinition>, AppError> {
        let draft = services.store.draft(id).await?;
        Ok(draft.and_then(|d| d.form.to_definition().ok()))
    }
}

#[server(prefix = "/rpc", endpoint = "editor")]
pub async fn load_editor(id: i64) -> Result<EditorView, AppError> {
    use crate::api::{context, surveys};
    use crate::domain::access::OnSurvey;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    surveys::reach(&services, &user, id, OnSurvey::Manage)
        .await
        .or_else(context::fail)?;
    view(&services, id).await.or_else(context::fail)
}
