//! Surveys in the admin area: create, list, and the scored report.

use crate::error::AppError;
use crate::model::{SurveyReport, SurveySummary};
use leptos::prelude::*;

/// Why an anonymous survey sends no thank-you email.
pub const THANK_YOU_REFUSED: &str =
    "Anonymous surveys thank on the page only: an email would record when each person answered.";

/// Why an anonymous survey sends no alert per answer.
pub const ALERT_REFUSED: &str = "Anonymous surveys send no alert per answer: its time and \
     comment could point to the person. Their results are reported for groups only.";

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::{authorize, new_secret, Access, Action};
    use crate::domain::access::{decide, OnSurvey};
    use crate::domain::anonymity::{may_show, withheld_groups, MIN_GROUP_FLOOR};
    use crate::domain::report::score_question;
    use crate::domain::survey::fill_placeholders;
    use crate::domain::survey::TITLE_MAX_CHARS;
    use crate::domain::weighting::Weighting;
    use crate::domain::{
        template, AnswerValue, FieldError, Locale, LocalizedText, SurveyDefinition,
    };
    use crate::error::ErrorKind;
    use crate::model::{ChoiceCount, QuestionReport, SurveyKind, SurveyStatus};
    use crate::ports::{NewSurvey, Notifications, SavedAs, Services, Survey, SurveySettings, User};
    use chrono::{NaiveDateTime, Utc};
    use std::collections::BTreeMap;

    /// The close time as forms show and send it (`datetime-local`), in UTC.
    pub const CLOSE_FORMAT: &str = "%Y-%m-%dT%H:%M";

    /// The summary as a caller with `access` reads it: one narrowed to a scope does not
    /// get the whole survey's count.
    pub fn summary_for(services: &Services, s: &Survey, access: &Access) -> SurveySummary {
        let mut summary = summary(services, s);
        if *access != Access::Allowed {
            summary.response_count = None;
        }
        summary
    }

    pub fn summary(services: &Services, s: &Survey) -> SurveySummary {
        SurveySummary {
            id: s.id,
            kind: s.kind(),
            title: s.title().to_owned(),
            status: s.status,
            questions: s.definition.questions.len(),
            version: s.version,
            anonymous: s.definition.anonymous,
            public_url: format!("{}/s/{}", services.settings.base_url, s.public_slug),
            created_at: s.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            closes_at: s.closes_at.map(|at| at.format(CLOSE_FORMAT).to_string()),
            response_cap: s.response_cap,
            response_count: may_show(u64::try_from(s.response_count).unwrap_or(0), s.min_group())
                .then_some(s.response_count),
            accepting_answers: s.accepting_answers(Utc::now()).is_ok(),
            // An anonymous survey sends neither, whatever was set before it became one.
            thank_you_email: s.notifications.thank_you_email && !s.definition.anonymous,
            detractor_alerts: s.notifications.detractor_alerts && !s.definition.anonymous,
            min_group_size: s.min_group_size,
            min_meaningful: s.min_meaningful,
            weighting: s.weighting.clone(),
        }
    }

    /// Sets where respondents' weights come from (a tier's weight, or a number such as
    /// revenue), or with `None` turns the weighted NPS off; the answers so far are
    /// weighed again at once. Identified surveys only: a personal weight such as revenue
    /// would single people out of an anonymous survey's groups.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn set_weighting(
        services: &Services,
        id: i64,
        weighting: Option<Weighting>,
    ) -> Result<SurveySummary, AppError> {
        let survey = find(services, id).await?;
        let weighting = weighting.map(|w| Weighting {
            attribute: w.attribute.trim().to_owned(),
            ..w
        });
        if let Some(weighting) = &weighting {
            if survey.definition.anonymous {
                return Err(AppError::bad_input(
                    "attribute",
                    "Anonymous surveys are not weighted: a personal weight such as revenue could single people out of a group.",
                ));
            }
            weighting
                .validate()
                .map_err(|(field, message)| AppError::bad_input(field, message))?;
        }
        services.store.set_weighting(id, weighting.as_ref()).await?;
        Ok(summary(services, &find(services, id).await?))
    }

    /// Sets the minimum group size (an anonymous survey's groups smaller than this are
    /// never reported; at least 3) and the fewest answers that make a meaningful score.
    /// `None` leaves a value as it is.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn update_thresholds(
        services: &Services,
        id: i64,
        min_group_size: Option<i64>,
        min_meaningful: Option<i64>,
    ) -> Result<SurveySummary, AppError> {
        let survey = find(services, id).await?;
        let floor = i64::try_from(MIN_GROUP_FLOOR).unwrap_or(3);
        let min_group_size = min_group_size.unwrap_or(survey.min_group_size);
        if !(floor..=1000).contains(&min_group_size) {
            return Err(AppError::bad_input(
                "min_group_size",
                format!("The minimum group size must be a whole number from {floor} to 1000: smaller groups could single people out."),
            ));
        }
        let min_meaningful = min_meaningful.unwrap_or(survey.min_meaningful);
        if !(1..=10_000).contains(&min_meaningful) {
            return Err(AppError::bad_input(
                "min_meaningful",
                "The minimum for a meaningful score must be a whole number from 1 to 10000.",
            ));
        }
        services
            .store
            .update_survey_thresholds(id, min_group_size, min_meaningful)
            .await?;
        Ok(summary(services, &find(services, id).await?))
    }

    /// Changes status, close time, cap and what is emailed after an answer. A cap must be
    /// at least one response; anonymous surveys send no thank-you email.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
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
        let mut settings = settings;
        let n = &settings.notifications;
        if n.thank_you_email || n.detractor_alerts {
            if let Some(survey) = services.store.survey(id).await? {
                if survey.definition.anonymous {
                    // Turning one on is refused; one kept on from before the survey
                    // became anonymous (never sent since) is turned off.
                    let was = &survey.notifications;
                    if n.thank_you_email && !was.thank_you_email {
                        return Err(AppError::bad_input("thank_you_email", THANK_YOU_REFUSED));
                    }
                    if n.detractor_alerts && !was.detractor_alerts {
                        return Err(AppError::bad_input("detractor_alerts", ALERT_REFUSED));
                    }
                    settings.notifications = Notifications::default();
                }
            }
        }
        let found = services.store.update_survey_settings(id, &settings).await?;
        if !found {
            return Err(AppError::not_found("There is no survey with this id."));
        }
        let survey = services.store.survey(id).await?;
        survey
            .map(|s| summary(services, &s))
            .ok_or_else(|| AppError::not_found("There is no survey with this id."))
    }

    /// What the survey emails after an answer now, for a change that leaves some of it.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn notifications(services: &Services, id: i64) -> Result<Notifications, AppError> {
        services
            .store
            .survey(id)
            .await?
            .map(|s| s.notifications)
            .ok_or_else(|| AppError::not_found("There is no survey with this id."))
    }

    /// Reads the settings form: text fields as a browser sends them; a ticked box is
    /// present, an unticked one absent.
    pub fn parse_settings(
        status: &str,
        closes_at: &str,
        response_cap: &str,
        notifications: Notifications,
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
            notifications,
        })
    }

    /// A new survey of `kind` from its template, as a draft. `title` replaces the
    /// template's title in the default language; `subject` fills `{subject}` (CSAT).
    #[tracing::instrument(skip_all, fields(user_id = actor.id, kind), err(level = "info"))]
    pub async fn create(
        services: &Services,
        actor: &User,
        kind: &str,
        title: &str,
        subject: &str,
    ) -> Result<SurveySummary, AppError> {
        let kind = SurveyKind::parse(kind.trim()).ok_or_else(|| {
            AppError::bad_input(
                "kind",
                "Choose one of nps, enps, ces, csat, pulse or custom.",
            )
        })?;
        // A custom survey made by someone who runs employee surveys only (HR) is one.
        let customers = Action::CreateSurvey { employees: false };
        let employees = kind.for_employees()
            || (kind == SurveyKind::Custom
                && !decide(actor.role, &actor.scope, customers).allowed());
        authorize(actor, Action::CreateSurvey { employees })?;
        let mut definition = template(kind);
        definition.employee = employees && !kind.for_employees();
        let locale = definition.default_locale;
        let title = title.trim();
        if title.chars().count() > TITLE_MAX_CHARS {
            return Err(AppError::bad_input(
                "title",
                format!("The title is longer than {TITLE_MAX_CHARS} characters."),
            ));
        }
        if !title.is_empty() {
            // Other languages fall back to this title until someone translates it.
            definition.title = LocalizedText::default();
            match locale {
                Locale::En => definition.title.en = title.to_owned(),
                Locale::De => definition.title.de = title.to_owned(),
            }
        }
        let subject = subject.trim();
        if !subject.is_empty() {
            fill_subject(&mut definition, subject);
        }
        definition.validate().map_err(first_field_error)?;
        let survey = services
            .store
            .create_survey(NewSurvey {
                definition,
                // The public link is unguessable so a survey is not found by enumeration.
                public_slug: new_secret()[..22].to_string(),
                created_by: actor.id,
            })
            .await?;
        Ok(summary(services, &survey))
    }

    /// Writes the subject into every text that names `{subject}`, in every language.
    fn fill_subject(definition: &mut SurveyDefinition, subject: &str) {
        let values = std::collections::BTreeMap::from([("subject".to_owned(), subject.to_owned())]);
        let json = serde_json::to_value(&*definition).unwrap_or_default();
        let filled = fill_strings(json, &|text| {
            crate::domain::fill_placeholders(text, &values)
        });
        if let Ok(def) = serde_json::from_value(filled) {
            *definition = def;
        }
    }

    fn fill_strings(value: serde_json::Value, fill: &dyn Fn(&str) -> String) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(text) => Value::String(fill(&text)),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| fill_strings(v, fill)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, fill_strings(v, fill)))
                    .collect(),
            ),
            other => other,
        }
    }

    fn first_field_error(errors: Vec<FieldError>) -> AppError {
        match errors.into_iter().next() {
            Some(e) => AppError::bad_input(&e.field, e.message),
            None => AppError::new(ErrorKind::BadInput, "The survey is not valid."),
        }
    }

    /// Why `definition` may not replace the survey's current one, each at its field. The
    /// type of a question with answers cannot change (its answers would be scored on
    /// another scale), and anonymity promised to those who answered cannot be withdrawn.
    pub fn publish_problems(survey: &Survey, definition: &SurveyDefinition) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if survey.response_count == 0 {
            return problems;
        }
        for (i, question) in definition.questions.iter().enumerate() {
            let before = survey.definition.question(&question.key);
            if before.is_some_and(|b| b.kind != question.kind) {
                problems.push(FieldError {
                    field: format!("questions[{i}].kind"),
                    message: "This question has answers, so its type cannot change. Add a new question instead.".into(),
                });
            }
        }
        if survey.definition.anonymous && !definition.anonymous {
            problems.push(FieldError {
                field: "anonymous".into(),
                message: "People answered this survey anonymously, so it stays anonymous. Start a new survey to collect named answers.".into(),
            });
        }
        problems
    }

    /// Replaces a survey's definition (the editor and the API), as a new version once it
    /// has answers.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn save_definition(
        services: &Services,
        id: i64,
        definition: SurveyDefinition,
    ) -> Result<SavedAs, AppError> {
        let survey = find(services, id).await?;
        definition.validate().map_err(first_field_error)?;
        let problems = publish_problems(&survey, &definition);
        if !problems.is_empty() {
            return Err(first_field_error(problems));
        }
        services
            .store
            .save_definition(id, &definition)
            .await?
            .ok_or_else(|| AppError::not_found("There is no survey with this id."))
    }

    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn find(services: &Services, id: i64) -> Result<Survey, AppError> {
        services
            .store
            .survey(id)
            .await?
            .ok_or_else(|| AppError::not_found("There is no survey with this id."))
    }

    /// Survey `id` when `user` may do `action` on it, and how far (see
    /// [`crate::domain::access`]): a 404 when there is no such survey, a 403 when their
    /// role or scope does not reach it.
    pub async fn reach(
        services: &Services,
        user: &User,
        id: i64,
        action: OnSurvey,
    ) -> Result<(Survey, Access), AppError> {
        let survey = find(services, id).await?;
        let access = authorize(user, action.of(&survey.facts()))?;
        Ok((survey, access))
    }

    /// Refuses a definition that would take the survey out of `user`'s reach (HR turning
    /// an employee survey into a customer one).
    pub fn keeps_reach(
        user: &User,
        survey: &Survey,
        definition: &SurveyDefinition,
    ) -> Result<(), AppError> {
        let mut after = survey.facts();
        after.employees = definition.for_employees();
        match decide(user.role, &user.scope, Action::ManageSurvey(&after)).allowed() {
            true => Ok(()),
            false => Err(AppError::new(
                ErrorKind::Forbidden,
                "Your role runs employee surveys: this one must stay marked as asked of employees.",
            )
            .on("employee")),
        }
    }

    /// The identified surveys whose single responses `user` may read, newest first, and
    /// how far (a manager within their scope): the inbox's and the cases' surveys.
    pub async fn with_readable_responses(
        services: &Services,
        user: &User,
    ) -> Result<Vec<(Survey, Access)>, AppError> {
        Ok(services
            .store
            .list_surveys()
            .await?
            .into_iter()
            .filter(|s| !s.definition.anonymous)
            .filter_map(|s| {
                let access = decide(user.role, &user.scope, Action::ReadResponse(&s.facts()));
                access.allowed().then_some((s, access))
            })
            .collect())
    }

    /// The surveys `user` may see results of, newest first, and how far.
    pub async fn reachable(
        services: &Services,
        user: &User,
    ) -> Result<Vec<(Survey, Access)>, AppError> {
        authorize(user, Action::ListSurveys)?;
        let surveys = services.store.list_surveys().await?;
        Ok(surveys
            .into_iter()
            .filter_map(|s| {
                let access = decide(user.role, &user.scope, Action::ReadResults(&s.facts()));
                access.allowed().then_some((s, access))
            })
            .collect())
    }

    /// The surveys `user` may see results of, newest first.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn list_for(
        services: &Services,
        user: &User,
    ) -> Result<Vec<SurveySummary>, AppError> {
        let surveys = reachable(services, user).await?;
        Ok(surveys
            .iter()
            .map(|(s, access)| summary_for(services, s, access))
            .collect())
    }

    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn definition(services: &Services, id: i64) -> Result<SurveyDefinition, AppError> {
        Ok(find(services, id).await?.definition)
    }

    /// Every question's result, from two queries however many questions there are. A
    /// caller narrowed to a scope gets the questions without figures: those are the
    /// whole survey's, and their dashboard is narrowed instead.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn report(
        services: &Services,
        user: &User,
        id: i64,
    ) -> Result<SurveyReport, AppError> {
        let (survey, access) = reach(services, user, id, OnSurvey::ReadResults).await?;
        let definition = &survey.definition;
        let locale = definition.default_locale;
        let store = &services.store;
        let scored: Vec<&str> = definition
            .questions
            .iter()
            .filter(|q| q.kind.score_range().is_some())
            .map(|q| q.key.as_str())
            .collect();
        let histograms = store.score_histograms(survey.id, &scored).await?;
        let mut chosen = std::collections::BTreeMap::<(String, String), u64>::new();
        let mut answered = std::collections::BTreeMap::<String, u64>::new();
        // Choices and texts are counted from the answers (a scan of the survey's): only
        // when the survey asks such a question.
        let unscored = definition
            .questions
            .iter()
            .any(|q| q.kind.score_range().is_none());
        let values = match unscored {
            true => store.value_counts(survey.id).await?,
            false => Vec::new(),
        };
        for (key, json, n) in values {
            let n = u64::try_from(n).unwrap_or(0);
            *answered.entry(key.clone()).or_default() += n;
            let options = match serde_json::from_str::<AnswerValue>(&json) {
                Ok(AnswerValue::Choice(option)) => vec![option],
                Ok(AnswerValue::Choices(options)) => options,
                _ => Vec::new(),
            };
            for option in options {
                *chosen.entry((key.clone(), option)).or_default() += n;
            }
        }
        let min_group = survey.min_group();
        let company =
            BTreeMap::from([("company".to_owned(), services.settings.organisation.clone())]);
        let questions = definition
            .questions
            .iter()
            .map(|question| {
                let key = &question.key;
                let mut report = QuestionReport {
                    key: key.clone(),
                    text: fill_placeholders(question.text.get(locale), &company),
                    score: None,
                    choices: Vec::new(),
                    answered: None,
                    withheld: None,
                };
                let (n, histogram) = if question.kind.score_range().is_some() {
                    let histogram = histograms.get(key).copied().unwrap_or_default();
                    (histogram.iter().sum(), Some(histogram))
                } else {
                    (answered.get(key).copied().unwrap_or(0), None)
                };
                if access != Access::Allowed {
                    report.withheld = Some("scope".to_owned());
                    return report;
                }
                if !may_show(n, min_group) {
                    report.withheld = Some("anonymity".to_owned());
                    return report;
                }
                report.answered = Some(n);
                if let Some(histogram) = histogram {
                    report.score = score_question(&question.kind, &histogram);
                } else {
                    let options = question.kind.options();
                    let counts: Vec<u64> = options
                        .iter()
                        .map(|o| {
                            chosen
                                .get(&(key.clone(), o.key.clone()))
                                .copied()
                                .unwrap_or(0)
                        })
                        .collect();
                    let hidden = withheld_groups(&counts, min_group);
                    report.choices = options
                        .iter()
                        .zip(counts.into_iter().zip(hidden))
                        .map(|(o, (n, hidden))| ChoiceCount {
                            key: o.key.clone(),
                            label: o.label.get(locale).to_owned(),
                            n: (!hidden).then_some(n),
                        })
                        .collect();
                }
                report
            })
            .collect();
        let facts = survey.facts();
        let may = |action| decide(user.role, &user.scope, action).allowed();
        let may_manage = may(Action::ManageSurvey(&facts));
        let cases = match may_manage {
            true => Some(crate::api::cases::settings(services, &survey).await?),
            false => None,
        };
        Ok(SurveyReport {
            survey: summary_for(services, &survey, &access),
            questions,
            cases,
            may_manage,
            may_see_sends: may(Action::ReadSends(&facts)),
            may_read_responses: may(Action::ReadResponse(&facts)),
            narrowed: access != Access::Allowed,
        })
    }
}

#[server(prefix = "/rpc", endpoint = "create_survey")]
pub async fn create_survey(kind: String, title: String, subject: String) -> Result<(), AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    match create(&services, &user, &kind, &title, &subject).await {
        Ok(s) => {
            leptos_axum::redirect(&format!("/surveys/{}", s.id));
            Ok(())
        }
        Err(e) => context::fail(e.with_input([
            ("kind", kind.as_str()),
            ("title", title.as_str()),
            ("subject", subject.as_str()),
        ])),
    }
}

#[server(prefix = "/rpc", endpoint = "survey_report")]
pub async fn load_survey_report(id: i64) -> Result<SurveyReport, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    report(&services, &user, id).await.or_else(context::fail)
}

// A server function's arguments are its form's fields, one each.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/rpc", endpoint = "survey_settings")]
pub async fn save_survey_settings(
    id: i64,
    status: String,
    closes_at: String,
    response_cap: String,
    thank_you_email: Option<String>,
    detractor_alerts: Option<String>,
    #[server(default)] min_group_size: Option<String>,
    #[server(default)] min_meaningful: Option<String>,
    #[server(default)] weight_attribute: Option<String>,
    #[server(default)] weights: Option<String>,
) -> Result<SurveySummary, AppError> {
    use crate::api::context;
    use crate::domain::access::OnSurvey;
    use crate::domain::weighting::Weighting;
    use crate::ports::Notifications;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    reach(&services, &user, id, OnSurvey::Manage)
        .await
        .or_else(context::fail)?;
    let ticked = |b: &Option<String>| if b.is_some() { "on" } else { "" };
    let input = [
        ("status", status.as_str()),
        ("closes_at", closes_at.as_str()),
        ("response_cap", response_cap.as_str()),
        ("thank_you_email", ticked(&thank_you_email)),
        ("detractor_alerts", ticked(&detractor_alerts)),
        (
            "min_group_size",
            min_group_size.as_deref().unwrap_or_default(),
        ),
        (
            "min_meaningful",
            min_meaningful.as_deref().unwrap_or_default(),
        ),
        (
            "weight_attribute",
            weight_attribute.as_deref().unwrap_or_default(),
        ),
        ("weights", weights.as_deref().unwrap_or_default()),
    ];
    // A whole number, or empty to leave the setting as it is.
    let number = |field: &str, text: &Option<String>| -> Result<Option<i64>, AppError> {
        match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => t
                .parse()
                .map(Some)
                .map_err(|_| AppError::bad_input(field, format!("\"{t}\" is not a whole number."))),
        }
    };
    let notifications = Notifications {
        thank_you_email: thank_you_email.is_some(),
        detractor_alerts: detractor_alerts.is_some(),
    };
    let result = async {
        let settings = parse_settings(&status, &closes_at, &response_cap, notifications)?;
        let min_group_size = number("min_group_size", &min_group_size)?;
        let min_meaningful = number("min_meaningful", &min_meaningful)?;
        // Anonymous surveys' form has no weighting fields: absent leaves it as it is.
        // Read and checked before anything is saved, so a bad field saves nothing.
        let weighting = match weight_attribute.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(attribute) => {
                let weighting = Weighting {
                    attribute: attribute.to_owned(),
                    weights: Weighting::parse_weights(weights.as_deref().unwrap_or_default())
                        .map_err(|message| AppError::bad_input("weights", message))?,
                };
                weighting.validate().map_err(|(field, message)| {
                    let field = if field == "attribute" {
                        "weight_attribute"
                    } else {
                        field
                    };
                    AppError::bad_input(field, message)
                })?;
                Some(Some(weighting))
            }
        };
        update_thresholds(&services, id, min_group_size, min_meaningful).await?;
        // Weighing again reads every answer: only when the weighting changed.
        if let Some(weighting) = weighting {
            if find(&services, id).await?.weighting != weighting {
                set_weighting(&services, id, weighting).await?;
            }
        }
        update_settings(&services, id, settings).await
    }
    .await;
    result
        .map_err(|e| e.with_input(input))
        .or_else(context::fail)
}
