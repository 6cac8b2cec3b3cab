//! Cases (close the loop): the use cases behind the cases list, a case's page, its API
//! and the survey's case settings; and, at an answer's completion, whether it opens a
//! case, who owns it, and who gets the alert. A case is about one identified response,
//! so whoever may read that response (role and scope) may see and work on its case.

use crate::error::AppError;
use crate::model::{CaseDetail, CaseList};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// Cases per page of the list.
pub const CASES_PER_PAGE: u64 = 25;
/// The longest note or reply, in characters.
pub const TEXT_MAX_CHARS: usize = 10_000;
/// The longest reply subject, in characters.
pub const SUBJECT_MAX_CHARS: usize = 200;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::{authorize, Access, Action};
    use crate::api::surveys;
    use crate::domain::access::decide;
    use crate::domain::cases::{self, Candidate, CaseRule, CaseState};
    use crate::domain::trend::{Day, Grain};
    use crate::domain::{fill_placeholders, Locale};
    use crate::error::ErrorKind;
    use crate::model::{
        CaseEventView, CasePeriod, CaseSettingsView, CaseStats, CaseTeam, CaseView,
    };
    use crate::ports::{
        CaseEvent, CaseEventKind, CaseQuery, CaseSettings, NewCase, NewReply, ReplyQueued,
        Services, StoredCase, Survey, User, Within,
    };
    use chrono::{DateTime, TimeDelta, Utc};
    use std::collections::BTreeMap;

    const TIME: &str = "%Y-%m-%d %H:%M UTC";

    fn shown(t: DateTime<Utc>) -> String {
        t.format(TIME).to_string()
    }

    fn not_found() -> AppError {
        AppError::not_found("There is no case with this id.")
    }

    /// Which cases the list shows.
    #[derive(Clone, Debug, Default)]
    pub struct CaseFilters {
        pub survey: Option<i64>,
        /// `open` (open or contacted), `overdue`, `done` (resolved or closed), a single
        /// state, or empty for all.
        pub state: String,
        /// Only the caller's own.
        pub mine: bool,
        /// From 1.
        pub page: u64,
    }

    fn in_scope(groups: &BTreeMap<String, String>, access: &Access) -> bool {
        match access {
            Access::WithinScope(conditions) => {
                conditions.iter().any(|(a, v)| groups.get(a) == Some(v))
            }
            Access::Allowed => true,
            Access::Denied => false,
        }
    }

    /// Case `id` with its survey, when `user` may read its response.
    pub async fn reach(
        services: &Services,
        user: &User,
        id: i64,
    ) -> Result<(StoredCase, Survey), AppError> {
        let case = services.store.case(id).await?.ok_or_else(not_found)?;
        let survey = surveys::find(services, case.survey_id).await?;
        if survey.definition.anonymous {
            // A survey made anonymous after its cases opened: none is shown one by one.
            return Err(not_found());
        }
        let access = authorize(user, Action::ReadResponse(&survey.facts()))?;
        if !in_scope(&case.groups, &access) {
            return Err(AppError::forbidden());
        }
        Ok((case, survey))
    }

    fn view(
        services: &Services,
        case: StoredCase,
        survey: &Survey,
        now: DateTime<Utc>,
    ) -> CaseView {
        let company =
            BTreeMap::from([("company".to_owned(), services.settings.organisation.clone())]);
        let respondent =
            case.email
                .as_ref()
                .map(|email| match case.name.as_deref().map(str::trim) {
                    Some(name) if !name.is_empty() => format!("{name} <{email}>"),
                    _ => email.clone(),
                });
        let overdue = !case.state.is_done() && case.first_contact_at.is_none() && case.due_at < now;
        CaseView {
            id: case.id,
            survey_id: case.survey_id,
            survey_title: fill_placeholders(survey.title(), &company),
            response_id: case.response_id,
            response_url: format!("/surveys/{}/responses/{}", case.survey_id, case.response_id),
            state: case.state,
            owner_id: case.owner_id,
            owner: case.owner_name,
            respondent,
            score: case.score,
            comment: case.comment,
            groups: case.groups.into_iter().collect(),
            language: case.locale.as_str().to_owned(),
            opened_at: shown(case.opened_at),
            due_at: shown(case.due_at),
            overdue,
            first_contact_at: case.first_contact_at.map(shown),
            done_at: case.done_at.map(shown),
        }
    }

    /// A case's event as its page, the API and a privacy export show it.
    pub fn event_view(e: CaseEvent) -> CaseEventView {
        let (kind, state, subject, delivery) = match e.kind {
            CaseEventKind::Opened => ("opened", None, None, None),
            CaseEventKind::Note => ("note", None, None, None),
            CaseEventKind::State(s) => ("state", Some(s), None, None),
            CaseEventKind::Reply { subject, status } => ("reply", None, Some(subject), status),
            CaseEventKind::Owner => ("owner", None, None, None),
        };
        CaseEventView {
            at: shown(e.at),
            who: e.user_name,
            kind: kind.to_owned(),
            state,
            subject,
            text: e.text,
            delivery,
        }
    }

    /// The cases of a contact's responses, for a privacy export.
    pub async fn of_responses(
        store: &dyn crate::ports::Store,
        responses: &[(i64, i64)],
    ) -> Result<Vec<crate::model::CaseData>, AppError> {
        let mut out = Vec::new();
        for &(survey_id, response) in responses {
            let Some(id) = store.case_of_response(response).await? else {
                continue;
            };
            let Some(case) = store.case(id).await? else {
                continue;
            };
            let events = store.case_events(id).await?;
            out.push(crate::model::CaseData {
                survey_id,
                state: case.state,
                opened_at: shown(case.opened_at),
                comment: case.comment,
                events: events.into_iter().map(event_view).collect(),
            });
        }
        Ok(out)
    }

    /// A page of the cases `user` may see, newest first.
    #[tracing::instrument(skip_all, fields(user_id = user.id), err(level = "info"))]
    pub async fn list(
        services: &Services,
        user: &User,
        filters: &CaseFilters,
    ) -> Result<CaseList, AppError> {
        if !cases::may_work_on_cases(user.role, &user.scope) {
            return Err(AppError::forbidden());
        }
        let mut surveys: Vec<(Survey, Within)> = surveys::with_readable_responses(services, user)
            .await?
            .into_iter()
            .map(|(s, access)| match access {
                Access::WithinScope(conditions) => (s, Some(conditions)),
                _ => (s, None),
            })
            .collect();
        let choices = surveys
            .iter()
            .map(|(s, _)| (s.id, s.title().to_owned()))
            .collect();
        if let Some(id) = filters.survey {
            let survey = surveys::find(services, id).await?;
            if survey.definition.anonymous {
                return Err(AppError::new(
                    ErrorKind::BadInput,
                    "An anonymous survey has no cases: its answers are reported for groups only.",
                )
                .on("survey"));
            }
            authorize(user, Action::ReadResponse(&survey.facts()))?;
            surveys.retain(|(s, _)| s.id == id);
        }
        let now = Utc::now();
        let (states, overdue_at) = match filters.state.as_str() {
            "" | "all" => (Vec::new(), None),
            "open" => (vec![CaseState::Open, CaseState::Contacted], None),
            "done" => (vec![CaseState::Resolved, CaseState::Closed], None),
            "overdue" => (Vec::new(), Some(now)),
            other => (
                vec![CaseState::parse(other).ok_or_else(|| {
                    AppError::bad_input(
                        "state",
                        "Choose open, overdue, done, contacted, resolved, closed or all.",
                    )
                })?],
                None,
            ),
        };
        let page = filters.page.max(1);
        let query = CaseQuery {
            surveys: surveys
                .iter()
                .map(|(s, scope)| (s.id, scope.clone()))
                .collect(),
            states,
            owner: filters.mine.then_some(user.id),
            overdue_at,
            offset: (page - 1).saturating_mul(CASES_PER_PAGE),
            limit: CASES_PER_PAGE,
        };
        let (rows, total) = services.store.cases(&query).await?;
        let titles: BTreeMap<i64, &Survey> = surveys.iter().map(|(s, _)| (s.id, s)).collect();
        let cases = rows
            .into_iter()
            .filter_map(|c| {
                let survey = *titles.get(&c.survey_id)?;
                Some(view(services, c, survey, now))
            })
            .collect();
        Ok(CaseList {
            cases,
            total,
            page,
            pages: total.div_ceil(CASES_PER_PAGE).max(1),
            surveys: choices,
        })
    }

    /// A case's page: the case, its history, where it may go, who may own it.
    #[tracing::instrument(skip_all, fields(case_id = id), err(level = "info"))]
    pub async fn detail(services: &Services, user: &User, id: i64) -> Result<CaseDetail, AppError> {
        let (case, survey) = reach(services, user, id).await?;
        let events = services
            .store
            .case_events(id)
            .await?
            .into_iter()
            .map(event_view)
            .collect();
        let owners = owners(services, &survey, &case.groups).await?;
        let reply_blocked = match (&case.contact_id, &case.email) {
            (Some(_), Some(_)) => None,
            _ => Some("This response has no contact to write to: it came by a public link, or its contact was erased.".to_owned()),
        };
        let reply_subject = default_subject(services, &survey, case.locale);
        let next_states = case.state.next().to_vec();
        Ok(CaseDetail {
            case: view(services, case, &survey, Utc::now()),
            events,
            next_states,
            owners,
            reply_subject,
            reply_blocked,
        })
    }

    /// "Re: the survey's title", in the respondent's language.
    fn default_subject(services: &Services, survey: &Survey, locale: Locale) -> String {
        let company =
            BTreeMap::from([("company".to_owned(), services.settings.organisation.clone())]);
        let title = fill_placeholders(survey.definition.title.get(locale), &company);
        format!("Re: {title}")
    }

    /// Users who may own a case of `survey` with these groups: active, and allowed to
    /// read the response.
    async fn owners(
        services: &Services,
        survey: &Survey,
        groups: &BTreeMap<String, String>,
    ) -> Result<Vec<(i64, String)>, AppError> {
        let facts = survey.facts();
        Ok(services
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled)
            .filter(|u| {
                in_scope(
                    groups,
                    &decide(u.role, &u.scope, Action::ReadResponse(&facts)),
                )
            })
            .map(|u| {
                let name = match u.name.trim() {
                    "" => u.email,
                    name => format!("{name} ({})", u.email),
                };
                (u.id, name)
            })
            .collect())
    }

    /// Moves case `id` to `state` (see [`CaseState::next`]).
    #[tracing::instrument(skip_all, fields(case_id = id), err(level = "info"))]
    pub async fn change_state(
        services: &Services,
        user: &User,
        id: i64,
        state: CaseState,
    ) -> Result<CaseDetail, AppError> {
        let (case, _) = reach(services, user, id).await?;
        if !case.state.may_become(state) {
            let next: Vec<&str> = case.state.next().iter().map(|s| s.as_str()).collect();
            return Err(AppError::bad_input(
                "state",
                format!(
                    "A case that is {} can become {} only.",
                    case.state.as_str(),
                    next.join(" or ")
                ),
            ));
        }
        let moved = services
            .store
            .change_case_state(id, user.id, case.state, state, Utc::now())
            .await?;
        if !moved {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "Someone changed this case meanwhile: look at it again before you change it.",
            ));
        }
        detail(services, user, id).await
    }

    /// Reads a state as a form or the API names it.
    pub fn parse_state(text: &str) -> Result<CaseState, AppError> {
        CaseState::parse(text.trim()).ok_or_else(|| {
            AppError::bad_input("state", "Choose open, contacted, resolved or closed.")
        })
    }

    fn text_of(field: &str, text: &str, what: &str) -> Result<String, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::bad_input(
                field,
                format!("Write the {what} first."),
            ));
        }
        if text.chars().count() > TEXT_MAX_CHARS || text.contains('\0') {
            return Err(AppError::bad_input(
                field,
                format!("The {what} is longer than {TEXT_MAX_CHARS} characters."),
            ));
        }
        Ok(text.to_owned())
    }

    /// Adds a note for the people working on the case.
    #[tracing::instrument(skip_all, fields(case_id = id), err(level = "info"))]
    pub async fn add_note(
        services: &Services,
        user: &User,
        id: i64,
        text: &str,
    ) -> Result<CaseDetail, AppError> {
        reach(services, user, id).await?;
        let text = text_of("text", text, "note")?;
        services
            .store
            .add_case_note(id, user.id, &text, Utc::now())
            .await?;
        detail(services, user, id).await
    }

    /// Gives the case to another user who may read its response.
    #[tracing::instrument(skip_all, fields(case_id = id), err(level = "info"))]
    pub async fn change_owner(
        services: &Services,
        user: &User,
        id: i64,
        owner: i64,
    ) -> Result<CaseDetail, AppError> {
        let (case, survey) = reach(services, user, id).await?;
        if !owners(services, &survey, &case.groups)
            .await?
            .iter()
            .any(|(o, _)| *o == owner)
        {
            return Err(AppError::bad_input(
                "owner",
                "Choose someone who may read this response: an active user whose role and scope reach it.",
            ));
        }
        if case.owner_id != Some(owner) {
            services
                .store
                .change_case_owner(id, user.id, owner, Utc::now())
                .await?;
        }
        detail(services, user, id).await
    }

    /// Writes to the respondent by email through the outbox, in their language's
    /// subject unless another is given, with the writer as reply-to; the reply is kept
    /// on the case and an open case becomes contacted.
    #[tracing::instrument(skip_all, fields(case_id = id), err(level = "info"))]
    pub async fn reply(
        services: &Services,
        user: &User,
        id: i64,
        subject: &str,
        body: &str,
    ) -> Result<CaseDetail, AppError> {
        let (case, survey) = reach(services, user, id).await?;
        let body = text_of("body", body, "reply")?;
        let subject = match subject.trim() {
            "" => default_subject(services, &survey, case.locale),
            s if s.chars().count() > SUBJECT_MAX_CHARS || s.contains(['\r', '\n', '\0']) => {
                return Err(AppError::bad_input(
                    "subject",
                    format!("The subject is one line of at most {SUBJECT_MAX_CHARS} characters."),
                ))
            }
            s => s.to_owned(),
        };
        let queued = services
            .store
            .reply_to_case(&NewReply {
                case_id: id,
                user_id: user.id,
                subject,
                body,
                at: Utc::now(),
            })
            .await?;
        match queued {
            ReplyQueued::Queued => detail(services, user, id).await,
            ReplyQueued::Suppressed => Err(AppError::new(
                ErrorKind::Conflict,
                "This respondent asked for no more email from us (or their address bounced): reach them another way, and note it here.",
            )
            .on("body")),
            ReplyQueued::NoContact => Err(AppError::new(
                ErrorKind::Conflict,
                "This response has no contact to write to: it came by a public link, or its contact was erased.",
            )
            .on("body")),
        }
    }

    /// What a completed response starts: the case it opens (if the survey's rule says
    /// so) and the users the low-score alert goes to.
    pub struct Opening {
        pub case: Option<NewCase>,
        pub alert_to: Vec<i64>,
    }

    /// Decides [`Opening`] for a response of identified `survey` completed now, with
    /// its grouping attributes, headline score and first comment. Alerts (when the
    /// survey sends them and the score is low) go to its recipients, or its owner when it
    /// names none, and to the case's owner; only to active users who may read the
    /// response.
    pub async fn opening(
        services: &Services,
        survey: &Survey,
        groups: &BTreeMap<String, String>,
        score: Option<u8>,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Opening, AppError> {
        let rule: Option<&CaseRule> = survey.cases.rule.as_ref();
        let opens = rule.is_some_and(|r| r.opens(score, comment.is_some()));
        let low = score.is_some_and(|s| survey.definition.is_low_headline(s));
        let alerts = survey.notifications.detractor_alerts && low;
        if survey.definition.anonymous || (!opens && !alerts) {
            return Ok(Opening {
                case: None,
                alert_to: Vec::new(),
            });
        }
        let facts = survey.facts();
        let users: Vec<User> = services
            .store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| !u.disabled)
            .collect();
        let may_read = |id: i64| {
            users.iter().any(|u| {
                u.id == id
                    && in_scope(
                        groups,
                        &decide(u.role, &u.scope, Action::ReadResponse(&facts)),
                    )
            })
        };
        let case = match (opens, rule) {
            (true, Some(rule)) => {
                let candidates: Vec<Candidate> = users
                    .iter()
                    .map(|u| Candidate {
                        id: u.id,
                        role: u.role,
                        scope: u.scope.clone(),
                    })
                    .collect();
                let owner = cases::route(groups, &facts, &candidates, survey.created_by);
                Some(NewCase {
                    owner_id: owner,
                    opened_at: now,
                    due_at: now + TimeDelta::hours(i64::from(rule.due_hours)),
                    score,
                    comment,
                })
            }
            _ => None,
        };
        let mut alert_to = Vec::new();
        if alerts {
            let listed = &survey.cases.alert_recipients;
            let named = match listed.is_empty() {
                true => vec![survey.created_by],
                false => listed.clone(),
            };
            for id in named.into_iter().chain(case.as_ref().map(|c| c.owner_id)) {
                if may_read(id) && !alert_to.contains(&id) {
                    alert_to.push(id);
                }
            }
        }
        Ok(Opening { case, alert_to })
    }

    /// The survey's case rule and alert recipients as its settings show them.
    pub async fn settings(
        services: &Services,
        survey: &Survey,
    ) -> Result<CaseSettingsView, AppError> {
        let users = services.store.list_users().await?;
        Ok(CaseSettingsView {
            rule: survey.cases.rule,
            alert_recipients: survey
                .cases
                .alert_recipients
                .iter()
                .filter_map(|id| users.iter().find(|u| u.id == *id).map(|u| u.email.clone()))
                .collect(),
        })
    }

    /// Sets which answers open cases and who gets alerts. Recipients are users' email
    /// addresses; each must be able to read the survey's responses.
    #[tracing::instrument(skip_all, fields(survey_id = survey.id), err(level = "info"))]
    pub async fn update_settings(
        services: &Services,
        survey: &Survey,
        wanted: &CaseSettingsView,
    ) -> Result<CaseSettingsView, AppError> {
        if survey.definition.anonymous && wanted.rule.is_some() {
            return Err(AppError::bad_input(
                "case_scores",
                "An anonymous survey opens no cases: a case is about one person's answer.",
            ));
        }
        if let Some(rule) = &wanted.rule {
            let scale = survey
                .definition
                .headline()
                .and_then(|q| q.kind.score_range())
                .unwrap_or((0, 10));
            // The same checks as the form's, on the API's values.
            CaseRule::parse(
                &rule.scores_text(),
                rule.any_comment,
                &rule.due_hours.to_string(),
                scale,
            )
            .map_err(|e| AppError::bad_input(e.field, e.message))?;
        }
        let users = services.store.list_users().await?;
        let facts = survey.facts();
        let mut recipients = Vec::new();
        for email in &wanted.alert_recipients {
            let email = email.trim();
            let user = users
                .iter()
                .find(|u| u.email.eq_ignore_ascii_case(email))
                .ok_or_else(|| {
                    AppError::bad_input(
                        "alert_recipients",
                        format!("No user has the address \"{email}\": alerts go to users only."),
                    )
                })?;
            if !decide(user.role, &user.scope, Action::ReadResponse(&facts)).allowed() {
                return Err(AppError::bad_input(
                    "alert_recipients",
                    format!("{email} may not read this survey's responses, which an alert shows."),
                ));
            }
            if !recipients.contains(&user.id) {
                recipients.push(user.id);
            }
        }
        let settings = CaseSettings {
            rule: wanted.rule,
            alert_recipients: recipients,
        };
        if !services
            .store
            .update_case_settings(survey.id, &settings)
            .await?
        {
            return Err(AppError::not_found("There is no survey with this id."));
        }
        let survey = surveys::find(services, survey.id).await?;
        self::settings(services, &survey).await
    }

    /// Reads the case settings form.
    pub fn parse_settings(
        survey: &Survey,
        cases_on: bool,
        scores: &str,
        any_comment: bool,
        due_hours: &str,
        recipients: &str,
    ) -> Result<CaseSettingsView, AppError> {
        let scale = survey
            .definition
            .headline()
            .and_then(|q| q.kind.score_range())
            .unwrap_or((0, 10));
        let rule = match cases_on {
            false => None,
            true => Some(
                CaseRule::parse(scores, any_comment, due_hours, scale)
                    .map_err(|e| AppError::bad_input(e.field, e.message))?,
            ),
        };
        Ok(CaseSettingsView {
            rule,
            alert_recipients: recipients
                .split([',', '\n', ';'])
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    /// The cases of a dashboard view: opened in `from..=to`, whose responses meet every
    /// one of `conditions` and (a manager) one of `scope`, per period of `grain` and per
    /// value of `team`.
    pub async fn stats(
        services: &Services,
        survey: &Survey,
        (from, to): (Day, Day),
        grain: Grain,
        conditions: &[(String, String)],
        scope: Option<&[(String, String)]>,
        team: Option<&str>,
    ) -> Result<CaseStats, AppError> {
        let start =
            |day: Day| DateTime::from_timestamp(i64::from(day.0) * 86_400, 0).unwrap_or_default();
        let rows = services
            .store
            .case_timings(survey.id, start(from), start(to.plus(1)), team)
            .await?;
        let timings: Vec<cases::CaseTiming> = rows
            .into_iter()
            .filter(|(_, groups)| conditions.iter().all(|(a, v)| groups.get(a) == Some(v)))
            .filter(|(_, groups)| {
                scope.is_none_or(|s| s.iter().any(|(a, v)| groups.get(a) == Some(v)))
            })
            .map(|(t, _)| t)
            .collect();
        let now = Utc::now().timestamp();
        Ok(CaseStats {
            all: cases::figures(&timings, now),
            periods: cases::by_period(&timings, grain, now)
                .into_iter()
                .map(|(start, figures)| CasePeriod {
                    start: start.to_string(),
                    figures,
                })
                .collect(),
            team_attribute: team.map(str::to_owned),
            teams: match team {
                Some(_) => cases::by_team(&timings, now)
                    .into_iter()
                    .map(|(team, figures)| CaseTeam { team, figures })
                    .collect(),
                None => Vec::new(),
            },
        })
    }
}

#[server(prefix = "/rpc", endpoint = "cases")]
pub async fn load_cases(
    #[server(default)] survey: Option<String>,
    #[server(default)] state: Option<String>,
    #[server(default)] mine: Option<String>,
    #[server(default)] page: Option<String>,
) -> Result<CaseList, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let survey = match survey.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(
            id.parse::<i64>()
                .map_err(|_| AppError::bad_input("survey", "Choose a survey from the list."))
                .or_else(context::fail)?,
        ),
    };
    let filters = CaseFilters {
        survey,
        state: state.unwrap_or_default().trim().to_owned(),
        mine: mine.is_some_and(|m| !m.is_empty()),
        page: page.and_then(|p| p.trim().parse().ok()).unwrap_or(1),
    };
    list(&services, &user, &filters)
        .await
        .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "case")]
pub async fn load_case(id: i64) -> Result<CaseDetail, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    detail(&services, &user, id).await.or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "move_case")]
pub async fn move_case(id: i64, state: String) -> Result<CaseDetail, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let state = parse_state(&state).or_else(context::fail)?;
    change_state(&services, &user, id, state)
        .await
        .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "note_case")]
pub async fn note_case(id: i64, text: String) -> Result<CaseDetail, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    add_note(&services, &user, id, &text)
        .await
        .map_err(|e| e.with_input([("text", text.as_str())]))
        .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "reply_case")]
pub async fn reply_case(id: i64, subject: String, body: String) -> Result<CaseDetail, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    reply(&services, &user, id, &subject, &body)
        .await
        .map_err(|e| e.with_input([("subject", subject.as_str()), ("body", body.as_str())]))
        .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "assign_case")]
pub async fn assign_case(id: i64, owner: String) -> Result<CaseDetail, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let owner = owner
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::bad_input("owner", "Choose someone from the list."))
        .or_else(context::fail)?;
    change_owner(&services, &user, id, owner)
        .await
        .or_else(context::fail)
}

// A server function's arguments are its form's fields, one each.
#[server(prefix = "/rpc", endpoint = "case_settings")]
pub async fn save_case_settings(
    id: i64,
    #[server(default)] cases_on: Option<String>,
    #[server(default)] case_scores: Option<String>,
    #[server(default)] case_any_comment: Option<String>,
    #[server(default)] case_due_hours: Option<String>,
    #[server(default)] alert_recipients: Option<String>,
) -> Result<crate::model::CaseSettingsView, AppError> {
    use crate::api::{context, surveys};
    use crate::domain::access::OnSurvey;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let (survey, _) = surveys::reach(&services, &user, id, OnSurvey::Manage)
        .await
        .or_else(context::fail)?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let input = [
        (
            "cases_on",
            if cases_on.is_some() { "on" } else { "" }.to_owned(),
        ),
        ("case_scores", text(&case_scores)),
        (
            "case_any_comment",
            if case_any_comment.is_some() { "on" } else { "" }.to_owned(),
        ),
        ("case_due_hours", text(&case_due_hours)),
        ("alert_recipients", text(&alert_recipients)),
    ];
    let keep = |e: AppError| e.with_input(input.iter().map(|(k, v)| (*k, v.as_str())));
    let wanted = parse_settings(
        &survey,
        cases_on.is_some(),
        &text(&case_scores),
        case_any_comment.is_some(),
        &text(&case_due_hours),
        &text(&alert_recipients),
    )
    .map_err(keep)
    .or_else(context::fail)?;
    update_settings(&services, &survey, &wanted)
        .await
        .map_err(keep)
        .or_else(context::fail)
}
