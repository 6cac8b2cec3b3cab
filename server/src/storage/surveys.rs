//! Surveys (`app::ports::Surveys`): definitions and their versions, lifecycle settings
//! and the editor's working copy.

use super::db::query;
use super::responses::reweigh;
use super::rows::{from_json, to_json, SurveyRow, SURVEY_SELECT};
use super::Storage;
use app::domain::survey::SurveyDefinition;
use app::domain::weighting::Weighting;
use app::ports::{
    CaseSettings, EditorDraft, NewSurvey, SavedAs, StoreError, Survey, SurveySettings,
};
use chrono::Utc;

#[async_trait::async_trait]
impl app::ports::Surveys for Storage {
    async fn create_survey(&self, survey: NewSurvey) -> Result<Survey, StoreError> {
        let d = &survey.definition;
        let definition = to_json(d)?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        let id: i64 = query(
            "INSERT INTO surveys (kind, title, status, public_slug, anonymous, default_locale, \
             version, definition, created_by, created_at, updated_at) \
             VALUES ($1, $2, 'draft', $3, $4, $5, 1, $6, $7, $8, $8) RETURNING id",
        )
        .bind(d.kind.as_str())
        .bind(d.title.get(d.default_locale))
        .bind(&survey.public_slug)
        .bind(d.anonymous)
        .bind(d.default_locale.as_str())
        .bind(&definition)
        .bind(survey.created_by)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        query(
            "INSERT INTO survey_versions (survey_id, version, definition, created_at) \
             VALUES ($1, 1, $2, $3)",
        )
        .bind(id)
        .bind(&definition)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        self.survey(id)
            .await?
            .ok_or_else(|| StoreError::Backend("the new survey vanished".into()))
    }

    async fn list_surveys(&self) -> Result<Vec<Survey>, StoreError> {
        let sql = format!("{SURVEY_SELECT} ORDER BY id DESC");
        query(&sql)
            .fetch_all::<SurveyRow>(&self.db)
            .await?
            .into_iter()
            .map(Survey::try_from)
            .collect()
    }

    async fn survey(&self, id: i64) -> Result<Option<Survey>, StoreError> {
        let sql = format!("{SURVEY_SELECT} WHERE id = $1");
        query(&sql)
            .bind(id)
            .fetch_optional::<SurveyRow>(&self.db)
            .await?
            .map(Survey::try_from)
            .transpose()
    }

    async fn survey_by_slug(&self, slug: &str) -> Result<Option<Survey>, StoreError> {
        let sql = format!("{SURVEY_SELECT} WHERE public_slug = $1");
        query(&sql)
            .bind(slug)
            .fetch_optional::<SurveyRow>(&self.db)
            .await?
            .map(Survey::try_from)
            .transpose()
    }

    async fn save_definition(
        &self,
        id: i64,
        definition: &SurveyDefinition,
    ) -> Result<Option<SavedAs>, StoreError> {
        let json = to_json(definition)?;
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
        // Answers given to the current version decide whether it may still change.
        let current: Option<(i64, bool)> = query(
            "SELECT s.version, EXISTS (SELECT 1 FROM responses r \
             WHERE r.survey_id = s.id AND r.version = s.version) \
             FROM surveys s WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut tx)
        .await?;
        let Some((version, answered)) = current else {
            return Ok(None);
        };
        let saved = if answered {
            query(
                "INSERT INTO survey_versions (survey_id, version, definition, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(version + 1)
            .bind(&json)
            .bind(now)
            .execute(&mut tx)
            .await?;
            SavedAs::NewVersion(version + 1)
        } else {
            query(
                "UPDATE survey_versions SET definition = $3, created_at = $4 \
                 WHERE survey_id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version)
            .bind(&json)
            .bind(now)
            .execute(&mut tx)
            .await?;
            SavedAs::SameVersion(version)
        };
        let new_version = match saved {
            SavedAs::SameVersion(v) | SavedAs::NewVersion(v) => v,
        };
        query(
            "UPDATE surveys SET kind = $2, title = $3, anonymous = $4, default_locale = $5, \
             definition = $6, version = $7, updated_at = $8 WHERE id = $1",
        )
        .bind(id)
        .bind(definition.kind.as_str())
        .bind(definition.title.get(definition.default_locale))
        .bind(definition.anonymous)
        .bind(definition.default_locale.as_str())
        .bind(&json)
        .bind(new_version)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(Some(saved))
    }

    async fn survey_version(
        &self,
        id: i64,
        version: i64,
    ) -> Result<Option<SurveyDefinition>, StoreError> {
        let json: Option<String> =
            query("SELECT definition FROM survey_versions WHERE survey_id = $1 AND version = $2")
                .bind(id)
                .bind(version)
                .scalar_optional(&self.db)
                .await?;
        json.map(|json| from_json("definition", &json)).transpose()
    }

    async fn update_survey_settings(
        &self,
        id: i64,
        settings: &SurveySettings,
    ) -> Result<bool, StoreError> {
        let done = query(
            // The capped count restarts from the true count whenever the cap is set.
            "UPDATE surveys SET status = $2, closes_at = $3, response_cap = $4, \
             response_count = (SELECT COALESCE(SUM(n), 0) FROM response_counts WHERE survey_id = $1), \
             thank_you_email = $5, detractor_alerts = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(settings.status.as_str())
        .bind(settings.closes_at)
        .bind(settings.response_cap)
        .bind(settings.notifications.thank_you_email)
        .bind(settings.notifications.detractor_alerts)
        .execute(&self.db)
        .await?;
        Ok(done == 1)
    }

    async fn update_case_settings(
        &self,
        id: i64,
        settings: &CaseSettings,
    ) -> Result<bool, StoreError> {
        let rule = settings.rule.as_ref().map(to_json).transpose()?;
        let done = query("UPDATE surveys SET case_rule = $2, alert_recipients = $3 WHERE id = $1")
            .bind(id)
            .bind(rule)
            .bind(to_json(&settings.alert_recipients)?)
            .execute(&self.db)
            .await?;
        Ok(done == 1)
    }

    async fn update_survey_thresholds(
        &self,
        id: i64,
        min_group_size: i64,
        min_meaningful: i64,
    ) -> Result<bool, StoreError> {
        let done =
            query("UPDATE surveys SET min_group_size = $2, min_meaningful = $3 WHERE id = $1")
                .bind(id)
                .bind(min_group_size)
                .bind(min_meaningful)
                .execute(&self.db)
                .await?;
        Ok(done == 1)
    }

    async fn set_weighting(
        &self,
        id: i64,
        weighting: Option<&Weighting>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.db.begin().await?;
        let done = query("UPDATE surveys SET weighting = $2 WHERE id = $1")
            .bind(id)
            .bind(weighting.map(to_json).transpose()?)
            .execute(&mut tx)
            .await?;
        if done == 1 {
            reweigh(&mut tx, id, weighting).await?;
        }
        tx.commit().await?;
        Ok(done == 1)
    }

    async fn version_answered(&self, survey_id: i64, version: i64) -> Result<bool, StoreError> {
        query("SELECT EXISTS (SELECT 1 FROM responses WHERE survey_id = $1 AND version = $2)")
            .bind(survey_id)
            .bind(version)
            .scalar(&self.db)
            .await
    }

    async fn save_draft(
        &self,
        survey_id: i64,
        draft: &EditorDraft,
        user_id: i64,
    ) -> Result<(), StoreError> {
        query(
            "INSERT INTO survey_drafts (survey_id, draft, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (survey_id) DO UPDATE SET \
             draft = excluded.draft, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(survey_id)
        .bind(to_json(draft)?)
        .bind(user_id)
        .bind(Utc::now())
        .execute(&self.db)
        .await?;
        Ok(())
    }

    async fn draft(&self, survey_id: i64) -> Result<Option<EditorDraft>, StoreError> {
        let json: Option<String> = query("SELECT draft FROM survey_drafts WHERE survey_id = $1")
            .bind(survey_id)
            .scalar_optional(&self.db)
            .await?;
        json.map(|json| from_json("draft", &json)).transpose()
    }

    async fn discard_draft(&self, survey_id: i64) -> Result<(), StoreError> {
        query("DELETE FROM survey_drafts WHERE survey_id = $1")
            .bind(survey_id)
            .execute(&self.db)
            .await?;
        Ok(())
    }
}
