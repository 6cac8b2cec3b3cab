//! The responses inbox: every identified survey's responses the caller may read (their
//! role and scope), one survey's or all, newest first, under the dashboard's filters plus
//! the headline's category, a comment or none, the case's state and a text search. An
//! anonymous survey's responses are never listed one by one.

use crate::error::AppError;
use crate::model::{InboxFilters, InboxList};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// Responses per page.
pub const INBOX_PER_PAGE: u64 = 25;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::{authorize, Access, Action};
    use crate::api::surveys;
    use crate::api::trends::{date, day, DEFAULT_RANGE};
    use crate::domain::access::decide;
    use crate::domain::cases::{may_work_on_cases, CaseState};
    use crate::domain::filter::{condition, Filter};
    use crate::domain::trend::resolve_range;
    use crate::domain::{category, fill_placeholders, AnswerValue, Category, QuestionKind};
    use crate::model::{FilterChoice, FilterChoices, InboxItem};
    use crate::ports::{CaseFilter, InboxQuery, InboxSurvey, Services, Survey, User};
    use chrono::Utc;
    use std::collections::BTreeMap;

    fn category_of(text: &str) -> Result<Option<Category>, AppError> {
        Ok(match text {
            "" => None,
            "low" | "detractor" => Some(Category::Low),
            "neutral" | "passive" => Some(Category::Middle),
            "high" | "promoter" => Some(Category::High),
            _ => {
                return Err(AppError::bad_input(
                    "category",
                    "The category must be low, neutral or high (detractor, passive or promoter).",
                ))
            }
        })
    }

    fn category_name(c: Category) -> &'static str {
        match c {
            Category::Low => "low",
            Category::Middle => "neutral",
            Category::High => "high",
        }
    }

    fn case_of(text: &str) -> Result<Option<CaseFilter>, AppError> {
        use CaseState::*;
        Ok(Some(match text {
            "" => return Ok(None),
            "none" => CaseFilter::Without,
            "any" => CaseFilter::In(CaseState::ALL.to_vec()),
            "open" => CaseFilter::In(vec![Open, Contacted]),
            "done" => CaseFilter::In(vec![Resolved, Closed]),
            other => CaseFilter::In(vec![CaseState::parse(other).ok_or_else(|| {
                AppError::bad_input(
                    "case",
                    "The case must be none, any, open, done, contacted, resolved or closed.",
                )
            })?]),
        }))
    }

    /// The headline question with the scores of `wanted` on its scale; None when the
    /// survey has no headline (then no response of it is in that category).
    fn headline_scores(survey: &Survey, wanted: Category) -> Option<(String, u8, u8)> {
        let question = survey.definition.headline()?;
        let (min, max) = question.kind.score_range()?;
        let kept: Vec<u8> = (min..=max)
            .filter(|s| category(&question.kind, *s) == Some(wanted))
            .collect();
        Some((question.key.clone(), *kept.first()?, *kept.last()?))
    }

    /// A page of the inbox for `user`.
    #[tracing::instrument(skip_all, fields(user_id = user.id), err(level = "info"))]
    pub async fn page(
        services: &Services,
        user: &User,
        f: &InboxFilters,
    ) -> Result<InboxList, AppError> {
        if !may_work_on_cases(user.role, &user.scope) {
            return Err(AppError::forbidden());
        }
        // No stored text holds a NUL, and PostgreSQL refuses one in a parameter.
        let fields = [
            ("survey", &f.survey),
            ("range", &f.range),
            ("from", &f.from),
            ("to", &f.to),
            ("send", &f.send),
            ("category", &f.category),
            ("comment", &f.comment),
            ("case", &f.case),
            ("q", &f.q),
            ("page", &f.page),
        ];
        let filters = f.filter.iter().map(|v| ("filter", v));
        if let Some((field, _)) = fields
            .into_iter()
            .chain(filters)
            .find(|(_, v)| v.contains('\0'))
        {
            return Err(AppError::bad_input(
                field,
                "Text may not contain the NUL character.",
            ));
        }
        let mut readable = surveys::with_readable_responses(services, user).await?;
        let choices_list: Vec<(i64, String)> = readable
            .iter()
            .map(|(s, _)| (s.id, s.title().to_owned()))
            .collect();
        let chosen = match f.survey.trim() {
            "" => None,
            text => {
                let id = text
                    .parse::<i64>()
                    .map_err(|_| AppError::bad_input("survey", "Choose a survey from the list."))?;
                let survey = surveys::find(services, id).await?;
                if survey.definition.anonymous {
                    return Err(AppError::bad_input(
                        "survey",
                        "An anonymous survey's responses are not listed one by one: its results are reported for groups only.",
                    ));
                }
                authorize(user, Action::ReadResponse(&survey.facts()))?;
                readable.retain(|(s, _)| s.id == id);
                Some(survey)
            }
        };
        if !f.send.trim().is_empty() && chosen.is_none() {
            return Err(AppError::bad_input(
                "send",
                "Choose a survey first: a send belongs to one.",
            ));
        }
        let mut grouping: Vec<String> = readable
            .iter()
            .flat_map(|(s, _)| s.definition.grouping_attributes.iter().cloned())
            .collect();
        grouping.sort();
        grouping.dedup();
        let filter = Filter::parse(&f.send, &f.filter, &grouping, false)
            .map_err(|(field, message)| AppError::bad_input(field, message))?;
        let today = Utc::now().date_naive();
        let created = readable
            .iter()
            .map(|(s, _)| s.created_at.date_naive())
            .min()
            .unwrap_or(today);
        let range = match f.range.as_str() {
            "" => DEFAULT_RANGE,
            range => range,
        };
        let (from, to) = resolve_range(range, &f.from, &f.to, day(today), day(created))
            .map_err(|(field, message)| AppError::bad_input(field, message))?;
        let wanted = category_of(f.category.trim())?;
        let commented = match f.comment.trim() {
            "" => None,
            "with" => Some(true),
            "without" => Some(false),
            _ => {
                return Err(AppError::bad_input(
                    "comment",
                    "Choose responses with a comment, without one, or either.",
                ))
            }
        };
        let case = case_of(f.case.trim())?;
        let search = f.q.trim();
        if search.chars().count() > 200 {
            return Err(AppError::bad_input(
                "q",
                "Search for at most 200 characters.",
            ));
        }
        let page = match f.page.trim() {
            "" => 1,
            text => text
                .parse::<u64>()
                .ok()
                .filter(|&p| (1..=10_000).contains(&p))
                .ok_or_else(|| {
                    AppError::bad_input("page", "The page must be a whole number from 1.")
                })?,
        };
        let surveys: Vec<InboxSurvey> = readable
            .iter()
            .filter_map(|(s, access)| {
                let headline = match wanted {
                    Some(c) => Some(headline_scores(s, c)?),
                    None => None,
                };
                Some(InboxSurvey {
                    id: s.id,
                    within: match access {
                        Access::WithinScope(conditions) => Some(conditions.clone()),
                        _ => None,
                    },
                    headline,
                    text_keys: s
                        .definition
                        .questions
                        .iter()
                        .filter(|q| matches!(q.kind, QuestionKind::FreeText { .. }))
                        .map(|q| q.key.clone())
                        .collect(),
                })
            })
            .collect();
        let rows = match surveys.is_empty() {
            true => Vec::new(),
            false => {
                services
                    .store
                    .inbox(&InboxQuery {
                        surveys,
                        from: date(from),
                        to: date(to),
                        send: filter.send(),
                        conditions: filter.conditions().to_vec(),
                        commented,
                        case,
                        search: search.to_owned(),
                        offset: (page - 1) * INBOX_PER_PAGE,
                        // One more says whether another page follows, without a count.
                        limit: INBOX_PER_PAGE + 1,
                    })
                    .await?
            }
        };
        let more = rows.len() as u64 > INBOX_PER_PAGE;
        let by_id: BTreeMap<i64, &Survey> = readable.iter().map(|(s, _)| (s.id, s)).collect();
        let company =
            BTreeMap::from([("company".to_owned(), services.settings.organisation.clone())]);
        let items = rows
            .into_iter()
            .take(INBOX_PER_PAGE as usize)
            .filter_map(|r| {
                let survey = *by_id.get(&r.survey_id)?;
                let definition = &survey.definition;
                let headline = definition.headline();
                let score = headline.and_then(|q| {
                    r.answers
                        .iter()
                        .find(|a| a.question_key == q.key)
                        .and_then(|a| a.score())
                });
                let comment = definition.questions.iter().find_map(|q| {
                    let a = r.answers.iter().find(|a| a.question_key == q.key)?;
                    let text = match (&a.follow_up, &a.value) {
                        (Some(f), _) => f.as_str(),
                        (None, AnswerValue::Text(t)) => t.as_str(),
                        _ => return None,
                    };
                    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
                });
                let respondent =
                    r.email
                        .as_ref()
                        .map(|email| match r.name.as_deref().map(str::trim) {
                            Some(name) if !name.is_empty() => format!("{name} <{email}>"),
                            _ => email.clone(),
                        });
                Some(InboxItem {
                    response_id: r.id,
                    survey_id: r.survey_id,
                    survey_title: fill_placeholders(survey.title(), &company),
                    response_url: format!("/surveys/{}/responses/{}", r.survey_id, r.id),
                    respondent,
                    at: r
                        .submitted_at
                        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_else(|| r.day.to_string()),
                    completed: r.completed,
                    category: score.and_then(|s| {
                        category(&headline?.kind, s).map(|c| category_name(c).to_owned())
                    }),
                    score,
                    comment,
                    groups: r.groups.into_iter().collect(),
                    case_id: r.case.map(|(id, _)| id),
                    case_state: r.case.map(|(_, state)| state),
                })
            })
            .collect();
        let choices = match &chosen {
            Some(survey) => choices_of(services, user, survey, &readable).await?,
            None => FilterChoices {
                max_conditions: grouping.len(),
                attributes: grouping.iter().map(|a| (a.clone(), Vec::new())).collect(),
                ..Default::default()
            },
        };
        Ok(InboxList {
            filters: InboxFilters {
                range: range.to_owned(),
                from: from.to_string(),
                to: to.to_string(),
                filter: filter.attribute_params(),
                page: page.to_string(),
                ..f.clone()
            },
            items,
            page,
            more,
            surveys: choices_list,
            choices,
        })
    }

    /// The values one survey's responses can be filtered by, as its dashboard offers
    /// them: its attributes' values (a manager's own only) and, for whoever may see them,
    /// its sends.
    async fn choices_of(
        services: &Services,
        user: &User,
        survey: &Survey,
        readable: &[(Survey, Access)],
    ) -> Result<FilterChoices, AppError> {
        let grouping = &survey.definition.grouping_attributes;
        let scope = readable.iter().find_map(|(s, a)| match a {
            Access::WithinScope(c) if s.id == survey.id => Some(c.clone()),
            _ => None,
        });
        let mut choices = FilterChoices {
            attributes: grouping.iter().map(|a| (a.clone(), Vec::new())).collect(),
            max_conditions: grouping.len(),
            ..Default::default()
        };
        for (segment, _) in services.store.segment_sizes(survey.id).await? {
            let Some((attribute, value)) = condition(&segment) else {
                continue;
            };
            let in_reach = scope.as_ref().is_none_or(|scope| {
                !scope.iter().any(|(a, _)| a == attribute)
                    || scope.iter().any(|(a, v)| a == attribute && v == value)
            });
            if let (true, Some((_, offered))) = (
                in_reach,
                choices.attributes.iter_mut().find(|(a, _)| a == attribute),
            ) {
                offered.push(FilterChoice {
                    param: format!("{attribute}:{value}"),
                    label: value.to_owned(),
                });
            }
        }
        if decide(user.role, &user.scope, Action::ReadSends(&survey.facts())).allowed() {
            for send in crate::api::sends::list(services, survey.id).await? {
                choices.sends.push(FilterChoice {
                    param: send.id.to_string(),
                    label: format!(
                        "{} · wave {} · {}",
                        send.audience_name,
                        send.wave,
                        send.scheduled_at.chars().take(10).collect::<String>()
                    ),
                });
            }
        }
        Ok(choices)
    }
}

#[server(prefix = "/rpc", endpoint = "inbox")]
pub async fn load_inbox(query: InboxFilters) -> Result<InboxList, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    page(&services, &user, &query).await.or_else(context::fail)
}
