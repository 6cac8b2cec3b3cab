//! Answering a survey, through its public link (`/s/{slug}`) or a personal one
//! (`/t/{token}`). Loading a page records nothing (mail scanners follow links and may run
//! scripts); only the respondent's POST does. Each page stores its answer at once (a
//! partial response) and later pages, or a return visit, change the same response.

use crate::error::AppError;
use crate::model::{RespondentPage, ThankYouView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::new_secret;
    use crate::domain::filter::answer_segments;
    use crate::domain::survey::{
        parse_follow_up_answer, Question, RawAnswer, SurveyDefinition, TypedAnswer,
    };
    use crate::domain::{fill_placeholders, ui_text::UiText, AnswerValue, Locale, LocalizedText};
    use crate::error::ErrorKind;
    use crate::model::{Availability, QuestionView, ScalePoint};
    use crate::ports::{
        AnswerBatch, Invitation, MessageKind, NewCase, NewInvitation, NewMessage, NotOpen,
        Recorded, Services, StoreError, StoredAnswer, Survey,
    };
    use chrono::Utc;
    use std::collections::BTreeMap;

    /// Which link the respondent came by.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Link {
        Public(String),
        Personal(String),
    }

    impl Link {
        /// `s/{slug}` or `t/{token}`, as the form posts it back.
        pub fn parse(raw: &str) -> Option<Link> {
            let (kind, id) = raw.trim_matches('/').split_once('/')?;
            let id = id.to_owned();
            let valid = !id.is_empty()
                && id.len() <= 100
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            match kind {
                "s" if valid => Some(Link::Public(id)),
                "t" if valid => Some(Link::Personal(id)),
                _ => None,
            }
        }

        pub fn path(&self) -> String {
            match self {
                Link::Public(slug) => format!("/s/{slug}"),
                Link::Personal(token) => format!("/t/{token}"),
            }
        }
    }

    /// A new anonymous response's id: random, so the order of ids is not the order in
    /// which people answered (which an invitation list could be matched against), and
    /// negative, so it never meets an id the database counts up.
    pub fn unordered_response_id() -> i64 {
        -rand::random_range(1..1_i64 << 62)
    }

    pub fn link_or_404(link: &str) -> Result<Link, AppError> {
        Link::parse(link).ok_or_else(unknown_link)
    }

    /// A survey reached through a link, with the invitation behind a personal one.
    pub struct Target {
        pub survey: Survey,
        pub invitation: Option<Invitation>,
    }

    fn unknown_link() -> AppError {
        // The same answer for every unknown link: it reveals nothing about which exist.
        AppError::not_found("This survey link is not valid.")
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn resolve(services: &Services, link: &Link) -> Result<Target, AppError> {
        let store = &services.store;
        let (survey, invitation) = match link {
            Link::Public(slug) => {
                let survey = store.survey_by_slug(slug).await?;
                (survey, None)
            }
            Link::Personal(token) => {
                let hash = services.settings.token_hash(token);
                let Some(invitation) = store.invitation(&hash).await? else {
                    return Err(unknown_link());
                };
                let survey = store.survey(invitation.survey_id).await?;
                (survey, Some(invitation))
            }
        };
        let survey = survey.ok_or_else(unknown_link)?;
        Ok(Target { survey, invitation })
    }

    impl Target {
        /// `{company}` from the organisation, then the contact's own attributes.
        pub fn placeholders(&self, services: &Services) -> BTreeMap<String, String> {
            let mut values =
                BTreeMap::from([("company".to_owned(), services.settings.organisation.clone())]);
            if let Some(invitation) = &self.invitation {
                values.extend(invitation.attributes.clone());
            }
            values
        }

        pub fn availability(&self) -> Availability {
            match self.survey.accepting_answers(Utc::now()) {
                Ok(()) => Availability::Open,
                Err(NotOpen::Draft) => Availability::NotYetOpen,
                Err(NotOpen::Closed) => Availability::Closed,
                Err(NotOpen::Full) => Availability::Full,
            }
        }

        pub fn locale(&self, lang: Option<&str>, accept_language: Option<&str>) -> Locale {
            let contact = self.invitation.as_ref().and_then(|i| i.locale);
            Locale::negotiate(
                lang,
                contact.map(Locale::as_str),
                accept_language,
                self.survey.definition.default_locale,
            )
        }
    }

    /// The secret that resumes a response: the personal token, or the key a public
    /// link's first page handed out. Only its keyed hash is stored.
    fn response_key(services: &Services, link: &Link, resume_key: &str) -> Option<String> {
        let secret = match link {
            Link::Personal(token) => token.as_str(),
            Link::Public(_) => resume_key.trim(),
        };
        let valid = (16..=100).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then(|| services.settings.response_key(secret))
    }

    fn localize(text: &LocalizedText, locale: Locale, values: &BTreeMap<String, String>) -> String {
        fill_placeholders(text.get(locale), values)
    }

    fn question_view(
        question: &Question,
        locale: Locale,
        values: &BTreeMap<String, String>,
        given: Option<&StoredAnswer>,
        preselect: Option<&str>,
    ) -> QuestionView {
        let t = |text: &LocalizedText| localize(text, locale, values);
        let points = question
            .kind
            .score_range()
            .map(|(min, max)| {
                (min..=max)
                    .map(|value| ScalePoint {
                        value,
                        label: question.point_label(value).map(t),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let follow_ups = &question.follow_ups;
        let given_values = given.map(|answer| match &answer.value {
            AnswerValue::Score(score) => vec![score.to_string()],
            AnswerValue::Choice(key) => vec![key.clone()],
            AnswerValue::Choices(keys) => keys.clone(),
            AnswerValue::Text(text) => vec![text.clone()],
        });
        // `?score=N` pre-selects only a scale's value, and only if it is on the scale.
        let preselected = preselect
            .filter(|_| question.kind.score_range().is_some())
            .filter(|raw| question.parse_answer(&RawAnswer::one(*raw)).is_ok())
            .map(|raw| vec![raw.trim().to_owned()]);
        QuestionView {
            key: question.key.clone(),
            kind: question.kind.clone(),
            text: t(&question.text),
            required: question.required,
            points,
            options: question
                .kind
                .options()
                .iter()
                .map(|o| (o.key.clone(), t(&o.label)))
                .collect(),
            follow_ups: [&follow_ups.low, &follow_ups.middle, &follow_ups.high]
                .map(|text| text.as_ref().map(t)),
            follow_up_default: UiText::NpsFollowUpDefault.text(locale),
            values: preselected.or(given_values).unwrap_or_default(),
            follow_up: given.and_then(|a| a.follow_up.clone()).unwrap_or_default(),
        }
    }

    /// What the page's URL asks for: `?q=`, `?r=`, `?score=`, `?lang=`, `?preview=1`.
    pub struct PageQuery<'a> {
        pub step: usize,
        pub resume_key: Option<&'a str>,
        pub score: Option<&'a str>,
        pub lang: Option<&'a str>,
        pub preview: bool,
    }

    /// One page of the survey. `step` past the end shows the last page.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn page_view(
        services: &Services,
        link: &Link,
        query: PageQuery<'_>,
        accept_language: Option<&str>,
    ) -> Result<RespondentPage, AppError> {
        let PageQuery {
            step,
            resume_key,
            score,
            lang,
            preview,
        } = query;
        let mut target = resolve(services, link).await?;
        if preview {
            // Authors preview what they are editing, once it is complete.
            let working = crate::api::editor::working_definition(services, target.survey.id);
            if let Some(definition) = working.await? {
                target.survey.definition = definition;
            }
        }
        let definition = &target.survey.definition;
        let locale = target.locale(lang, accept_language);
        let values = target.placeholders(services);
        // A preview shows every page of a draft or closed survey as respondents will see it.
        let availability = match target.availability() {
            _ if preview => Availability::Open,
            open => open,
        };
        let steps = definition.questions.len();
        let step = step.min(steps.saturating_sub(1));
        let (resume_key, fresh) = match (link, resume_key.filter(|k| !k.trim().is_empty())) {
            (Link::Public(_), Some(key)) => (key.trim().to_owned(), false),
            // A new public response gets its key when the first page is shown; nothing is
            // stored until the first answer is sent, so there is nothing to look up.
            (Link::Public(_), None) => (new_secret(), true),
            (Link::Personal(_), _) => (String::new(), false),
        };
        let question = match availability {
            Availability::Open => {
                let given = match response_key(services, link, &resume_key) {
                    Some(key) if !fresh => services.store.response(&key).await?,
                    _ => None,
                };
                definition.questions.get(step).map(|question| {
                    let previous = given
                        .as_ref()
                        .and_then(|r| r.answers.iter().find(|a| a.question_key == question.key));
                    let preselect = score.filter(|_| step == 0);
                    question_view(question, locale, &values, previous, preselect)
                })
            }
            _ => None,
        };
        Ok(RespondentPage {
            link: link.path(),
            title: localize(&definition.title, locale, &values),
            intro: (step == 0)
                .then(|| localize(&definition.intro, locale, &values))
                .filter(|intro| !intro.trim().is_empty()),
            locale,
            availability,
            brand_color: definition.brand_color.clone(),
            logo_url: definition.logo_url.clone(),
            step,
            steps,
            question,
            resume_key,
            preview,
        })
    }

    /// One question's answer as a form or the API sent it.
    pub struct Given<'a> {
        pub question: &'a Question,
        pub raw: RawAnswer,
        pub follow_up: Option<String>,
    }

    /// One page of the form, or a whole response (the API).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Sending {
        Page { last: bool },
        Whole,
    }

    fn not_open(why: NotOpen, locale: Locale) -> AppError {
        let text = match why {
            NotOpen::Draft => UiText::SurveyNotOpen,
            NotOpen::Closed => UiText::SurveyClosed,
            NotOpen::Full => UiText::SurveyOverCap,
        };
        AppError::new(ErrorKind::Conflict, text.text(locale))
    }

    /// Checks and stores answers to some questions of the survey. The field of an error
    /// is `answer` for a one-question page, else `answers.{key}`.
    #[tracing::instrument(skip_all, fields(survey_id = target.survey.id), err(level = "info"))]
    pub async fn record(
        services: &Services,
        link: &Link,
        target: &Target,
        resume_key: &str,
        given: Vec<Given<'_>>,
        sending: Sending,
        locale: Locale,
    ) -> Result<Recorded, AppError> {
        // A form page names its one field `answer`; the API names each question.
        let (single, completed) = match sending {
            Sending::Page { last } => (true, last),
            Sending::Whole => (false, true),
        };
        let survey = &target.survey;
        // A full survey is left to the store: a returning respondent may still change
        // answers, and the cap is decided atomically there.
        match survey.accepting_answers(Utc::now()) {
            Ok(()) | Err(NotOpen::Full) => {}
            Err(why) => return Err(not_open(why, locale)),
        }
        let key = response_key(services, link, resume_key)
            .ok_or_else(|| AppError::bad_input("resume_key", "The response key is not valid."))?;
        let mut answers = Vec::new();
        let mut cleared = Vec::new();
        for Given {
            question,
            raw,
            follow_up,
        } in given
        {
            let field = if single {
                "answer".to_owned()
            } else {
                format!("answers.{}", question.key)
            };
            let value = question
                .parse_answer(&raw)
                .map_err(|e| AppError::bad_input(&field, e.ui_text().text(locale)))?;
            let follow_up =
                parse_follow_up_answer(&RawAnswer::from_iter(follow_up)).map_err(|e| {
                    let field = if single {
                        "follow_up".to_owned()
                    } else {
                        format!("follow_ups.{}", question.key)
                    };
                    AppError::bad_input(&field, e.ui_text().text(locale))
                })?;
            match value {
                Some(value) => answers.push(StoredAnswer {
                    question_key: question.key.clone(),
                    value,
                    follow_up,
                }),
                None => cleared.push(question.key.clone()),
            }
        }
        let definition = &survey.definition;
        let invitation = target.invitation.as_ref();
        // Grouping attributes are copied so reports can break results down; for anonymous
        // surveys they are all that is kept of the person.
        let groups = invitation
            .map(|i| {
                i.attributes
                    .iter()
                    .filter(|(name, _)| definition.grouping_attributes.contains(name))
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let now = Utc::now();
        let anonymous = definition.anonymous;
        let segments = answer_segments(&groups, invitation.and_then(|i| i.send_id), anonymous);
        let (on_completion, open_case) = match completed {
            true => {
                completion_messages(services, target, &key, &answers, &cleared, &groups, now)
                    .await?
            }
            false => (Vec::new(), None),
        };
        let webhook_payload = match completed && anonymous {
            true => {
                let all = whole_response(services, definition, &key, &answers, &cleared).await?;
                Some(crate::api::webhooks::anonymous_response(
                    survey,
                    &all,
                    now.date_naive(),
                )?)
            }
            false => None,
        };
        let recorded = services
            .store
            .record_answers(AnswerBatch {
                id: anonymous.then(unordered_response_id),
                survey_id: survey.id,
                version: survey.version,
                response_key: key,
                invitation_id: invitation.map(|i| i.id),
                contact_id: invitation.and_then(|i| i.contact_id).filter(|_| !anonymous),
                send_id: invitation.and_then(|i| i.send_id).filter(|_| !anonymous),
                groups,
                segments,
                weight: survey
                    .weighting
                    .as_ref()
                    .filter(|_| !anonymous)
                    .and_then(|w| w.weight_of(&invitation?.attributes)),
                locale,
                day: now.date_naive(),
                at: (!anonymous).then_some(now),
                answers,
                cleared,
                completed,
                capped: survey.response_cap.is_some(),
                on_completion,
                open_case,
                webhook_payload,
            })
            .await
            .map_err(|e| match e {
                // The key already answers another survey (a copied or stale link).
                StoreError::Conflict(_) => AppError::new(
                    ErrorKind::Conflict,
                    "This response key belongs to another survey: open the survey's link \
                     again to start a new response.",
                )
                .on("resume_key"),
                other => other.into(),
            })?;
        if recorded == Recorded::Full {
            // Another response took the last place between the check above and this one.
            return Err(not_open(NotOpen::Full, locale));
        }
        Ok(recorded)
    }

    /// What completing the response sends and opens, if this is its first completion
    /// (the store decides that): a thank-you to the contact; a case when the survey's rule
    /// says so; an alert for a low score to the survey's recipients and the case's owner.
    #[allow(clippy::too_many_arguments)]
    async fn completion_messages(
        services: &Services,
        target: &Target,
        key: &str,
        answers: &[StoredAnswer],
        cleared: &[String],
        groups: &BTreeMap<String, String>,
        now: chrono::DateTime<Utc>,
    ) -> Result<(Vec<NewMessage>, Option<NewCase>), AppError> {
        let survey = &target.survey;
        let definition = &survey.definition;
        let mut messages = Vec::new();
        let invitation = target.invitation.as_ref();
        let contact = invitation.and_then(|i| i.contact_id);
        if let (true, false, Some(contact)) = (
            survey.notifications.thank_you_email,
            definition.anonymous,
            contact,
        ) {
            messages.push(NewMessage {
                kind: MessageKind::ThankYou,
                send_id: invitation.and_then(|i| i.send_id),
                survey_id: survey.id,
                contact_id: Some(contact),
                user_id: None,
            });
        }
        // An alert or a case about one anonymous answer would tell when its person
        // answered.
        let follows_up = survey.notifications.detractor_alerts || survey.cases.rule.is_some();
        if definition.anonymous || !follows_up {
            return Ok((messages, None));
        }
        let all = whole_response(services, definition, key, answers, cleared).await?;
        let score = definition.headline().and_then(|q| {
            all.iter()
                .find(|a| a.question_key == q.key)
                .and_then(StoredAnswer::score)
        });
        // The first comment in the survey's order: a follow-up, or a free-text answer.
        let comment = definition.questions.iter().find_map(|q| {
            let a = all.iter().find(|a| a.question_key == q.key)?;
            let text = match (&a.follow_up, &a.value) {
                (Some(f), _) => f.as_str(),
                (None, AnswerValue::Text(t)) => t.as_str(),
                _ => return None,
            };
            Some(text.trim().to_owned()).filter(|t| !t.is_empty())
        });
        let opening =
            crate::api::cases::opening(services, survey, groups, score, comment, now).await?;
        for user in opening.alert_to {
            messages.push(NewMessage {
                kind: MessageKind::Alert,
                send_id: None,
                survey_id: survey.id,
                contact_id: None,
                user_id: Some(user),
            });
        }
        Ok((messages, opening.case))
    }

    /// The whole response: this page's answers over those of earlier pages.
    async fn whole_response(
        services: &Services,
        definition: &SurveyDefinition,
        key: &str,
        answers: &[StoredAnswer],
        cleared: &[String],
    ) -> Result<Vec<StoredAnswer>, AppError> {
        let earlier = match answers.len() == definition.questions.len() {
            true => Vec::new(),
            false => services
                .store
                .response(key)
                .await?
                .map(|r| r.answers)
                .unwrap_or_default(),
        };
        let kept = earlier.into_iter().filter(|e| {
            !cleared.contains(&e.question_key)
                && !answers.iter().any(|a| a.question_key == e.question_key)
        });
        Ok(answers.iter().cloned().chain(kept).collect())
    }

    /// Where the respondent goes after sending page `step`.
    pub fn next_location(
        link: &Link,
        target: &Target,
        step: usize,
        resume_key: &str,
        locale: Locale,
    ) -> String {
        let steps = target.survey.definition.questions.len();
        if step + 1 >= steps {
            format!(
                "{}/thanks?lang={}{}",
                link.path(),
                locale.as_str(),
                resume(link, resume_key)
            )
        } else {
            page_location(link, step + 1, resume_key, locale)
        }
    }

    fn page_location(link: &Link, step: usize, resume_key: &str, locale: Locale) -> String {
        let lang = locale.as_str();
        format!(
            "{}?q={step}&lang={lang}{}",
            link.path(),
            resume(link, resume_key)
        )
    }

    /// The query parameter that resumes a public response; personal links need none.
    fn resume(link: &Link, resume_key: &str) -> String {
        match link {
            Link::Public(_) => format!("&r={resume_key}"),
            Link::Personal(_) => String::new(),
        }
    }

    /// What one page of the form sends: the answer to question `step` (one value, or one
    /// per ticked box) and its follow-up.
    pub struct PageAnswer {
        pub step: usize,
        pub answer: Vec<String>,
        pub follow_up: Option<String>,
    }

    /// Sends one page of the form from `client` (its address).
    #[tracing::instrument(skip_all, fields(step = page.step), err(level = "info"))]
    pub async fn submit_page(
        services: &Services,
        link: &Link,
        client: &str,
        resume_key: &str,
        page: PageAnswer,
        locale: Locale,
    ) -> Result<String, AppError> {
        let PageAnswer {
            step,
            answer,
            follow_up,
        } = page;
        // The key as `response_key` checks it: what the browser sent may carry stray
        // white space (a line break ends the next page's URL, and the redirect with it).
        let resume_key = resume_key.trim();
        let target = resolve(services, link).await?;
        admit(services, client, target.survey.id, locale)?;
        let questions = &target.survey.definition.questions;
        let question = questions
            .get(step)
            .ok_or_else(|| AppError::bad_input("step", "This survey has no such page."))?;
        let given = vec![Given {
            question,
            raw: RawAnswer::from_iter(answer),
            follow_up,
        }];
        let last = step + 1 == questions.len();
        // Pages can be reached by their URL, so the last one may come before earlier
        // required ones: the response is complete only once they are answered too.
        let skipped = match last && step > 0 {
            true => first_skipped(services, link, &target, resume_key, step).await?,
            false => None,
        };
        let sending = Sending::Page {
            last: last && skipped.is_none(),
        };
        record(services, link, &target, resume_key, given, sending, locale).await?;
        Ok(match skipped {
            Some(missing) => format!(
                "{}&missing=1",
                page_location(link, missing, resume_key, locale)
            ),
            None => next_location(link, &target, step, resume_key, locale),
        })
    }

    /// Counts an answer from `client` (its address) to a survey, or refuses it with a 429
    /// once that address has sent more than the limits allow; a respondent going page
    /// by page stays far below them. Pages and whole responses count alike.
    fn admit(
        services: &Services,
        client: &str,
        survey_id: i64,
        locale: Locale,
    ) -> Result<(), AppError> {
        services
            .answer_limits
            .take(client, survey_id)
            .map_err(|wait| {
                tracing::info!(survey_id, "answer refused: too many from one address");
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                AppError::new(ErrorKind::RateLimited, UiText::TooManyAnswers.text(locale))
                    .retry_after(seconds.max(1))
            })
    }

    /// The first required question before `step` that the response has no answer to.
    async fn first_skipped(
        services: &Services,
        link: &Link,
        target: &Target,
        resume_key: &str,
        step: usize,
    ) -> Result<Option<usize>, AppError> {
        let questions = &target.survey.definition.questions;
        if !questions[..step].iter().any(|q| q.required) {
            return Ok(None);
        }
        let response = match response_key(services, link, resume_key) {
            Some(key) => services.store.response(&key).await?,
            None => None,
        };
        let answered = |key: &str| {
            response
                .as_ref()
                .is_some_and(|r| r.answers.iter().any(|a| a.question_key == key))
        };
        Ok(questions[..step]
            .iter()
            .position(|q| q.required && !answered(&q.key)))
    }

    /// A whole response at once (the API): every question of the survey is checked,
    /// unknown keys are refused. Returns what was stored and the key that resumes it.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn submit_response(
        services: &Services,
        link: &Link,
        client: &str,
        resume_key: Option<&str>,
        answers: &BTreeMap<String, TypedAnswer>,
        follow_ups: &BTreeMap<String, String>,
        locale: Locale,
    ) -> Result<(Recorded, String), AppError> {
        let target = resolve(services, link).await?;
        admit(services, client, target.survey.id, locale)?;
        let definition = &target.survey.definition;
        let unknown = answers
            .keys()
            .chain(follow_ups.keys())
            .find(|key| definition.question(key).is_none());
        if let Some(key) = unknown {
            return Err(AppError::bad_input(
                &format!("answers.{key}"),
                "This survey has no question with this key.",
            ));
        }
        let resume_key = match (link, resume_key.filter(|k| !k.trim().is_empty())) {
            (Link::Public(_), Some(key)) => key.trim().to_owned(),
            (Link::Public(_), None) => new_secret(),
            (Link::Personal(_), _) => String::new(),
        };
        let mut given = Vec::new();
        for question in &definition.questions {
            let raw = match answers.get(&question.key) {
                Some(answer) => question.typed_answer(answer).map_err(|e| {
                    AppError::bad_input(
                        &format!("answers.{}", question.key),
                        e.ui_text().text(locale),
                    )
                })?,
                None => RawAnswer::skipped(),
            };
            given.push(Given {
                question,
                raw,
                follow_up: follow_ups.get(&question.key).cloned(),
            });
        }
        let recorded = record(
            services,
            link,
            &target,
            &resume_key,
            given,
            Sending::Whole,
            locale,
        )
        .await?;
        Ok((recorded, resume_key))
    }

    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn thank_you(
        services: &Services,
        link: &Link,
        resume_key: Option<&str>,
        lang: Option<&str>,
        accept_language: Option<&str>,
    ) -> Result<ThankYouView, AppError> {
        let target = resolve(services, link).await?;
        let definition = &target.survey.definition;
        let locale = target.locale(lang, accept_language);
        let values = target.placeholders(services);
        let message = Some(localize(&definition.thank_you, locale, &values))
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| UiText::ThankYouDefault.text(locale));
        let open = target.availability() == Availability::Open;
        let change_link = open.then(|| match (link, resume_key) {
            (Link::Public(_), Some(key)) => {
                format!("{}?lang={}&r={key}", link.path(), locale.as_str())
            }
            _ => format!("{}?lang={}", link.path(), locale.as_str()),
        });
        Ok(ThankYouView {
            title: localize(&definition.title, locale, &values),
            message,
            locale,
            brand_color: definition.brand_color.clone(),
            change_link,
        })
    }

    /// Makes a personal link for one person: the token is returned once, only its hash
    /// is kept. Used by sends (email) and the API.
    #[tracing::instrument(skip_all, fields(survey_id, contact_id = ?contact_id), err(level = "info"))]
    pub async fn create_personal_link(
        services: &Services,
        survey_id: i64,
        contact_id: Option<i64>,
        locale: Option<Locale>,
        attributes: BTreeMap<String, String>,
    ) -> Result<String, AppError> {
        let token = new_secret();
        services
            .store
            .create_invitation(NewInvitation {
                survey_id,
                token_hash: services.settings.token_hash(&token),
                contact_id,
                locale,
                attributes,
                send_id: None,
            })
            .await?;
        Ok(format!("{}/t/{token}", services.settings.base_url))
    }
}

#[server(prefix = "/rpc", endpoint = "respondent_page")]
pub async fn load_respondent_page(
    link: String,
    step: Option<usize>,
    resume_key: Option<String>,
    score: Option<String>,
    lang: Option<String>,
    preview: Option<bool>,
) -> Result<RespondentPage, AppError> {
    use crate::api::{auth::Action, context};
    let services = context::services()?;
    let preview = preview.unwrap_or(false);
    if preview {
        context::require(Action::ListSurveys)
            .await
            .or_else(context::fail)?;
    }
    let accept_language = context::header(http::header::ACCEPT_LANGUAGE);
    let link = link_or_404(&link).or_else(context::fail)?;
    let query = PageQuery {
        step: step.unwrap_or(0),
        resume_key: resume_key.as_deref(),
        score: score.as_deref(),
        lang: lang.as_deref(),
        preview,
    };
    page_view(&services, &link, query, accept_language.as_deref())
        .await
        .or_else(context::fail)
}

/// One page of answers. `answer` holds one value, or one per ticked box.
#[server(prefix = "/rpc", endpoint = "answer")]
pub async fn submit_answer(
    link: String,
    step: usize,
    resume_key: String,
    lang: Option<String>,
    answer: Option<Vec<String>>,
    follow_up: Option<String>,
) -> Result<(), AppError> {
    use crate::api::context;
    use crate::domain::Locale;
    let services = context::services()?;
    let locale = lang
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or(Locale::En);
    let link = link_or_404(&link).or_else(context::fail)?;
    let values = answer.unwrap_or_default();
    let page = PageAnswer {
        step,
        answer: values.clone(),
        follow_up: follow_up.clone(),
    };
    let result = submit_page(
        &services,
        &link,
        &context::client_ip(),
        &resume_key,
        page,
        locale,
    )
    .await;
    match result {
        Ok(location) => {
            leptos_axum::redirect(&location);
            Ok(())
        }
        Err(e) => {
            let mut input: Vec<(String, String)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("answer[{i}]"), v.clone()))
                .collect();
            input.push(("follow_up".into(), follow_up.unwrap_or_default()));
            context::fail(e.with_input(input.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
        }
    }
}

#[server(prefix = "/rpc", endpoint = "thank_you")]
pub async fn load_thank_you(
    link: String,
    resume_key: Option<String>,
    lang: Option<String>,
) -> Result<ThankYouView, AppError> {
    use crate::api::context;
    let services = context::services()?;
    let accept_language = context::header(http::header::ACCEPT_LANGUAGE);
    let link = link_or_404(&link).or_else(context::fail)?;
    thank_you(
        &services,
        &link,
        resume_key.as_deref(),
        lang.as_deref(),
        accept_language.as_deref(),
    )
    .await
    .or_else(context::fail)
}
