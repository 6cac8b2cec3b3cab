//! Digests: each user subscribes to a weekly or monthly email of one survey's dashboard
//! view (or of every survey they may read). What it says is the dashboard itself, built
//! for that user when the digest is written (so their role, scope and the anonymity
//! rules apply exactly as on the page): the headline score with its change and whether
//! that is significant, the response rate, the new comments and open cases, a few recent
//! comments (never a withheld group's), and the trend chart. Each digest's stop link
//! ends its subscription in one click.

use crate::error::AppError;
use crate::model::DigestView;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// Surveys in an "every survey" digest at most, newest first.
pub const MAX_SECTIONS: usize = 10;
/// Recent comments shown per survey.
pub const COMMENTS_SHOWN: usize = 3;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::surveys;
    use crate::api::trends::{self, date, day};
    use crate::domain::access::OnSurvey;
    use crate::domain::digest::Frequency;
    use crate::domain::tile::Change;
    use crate::domain::trend::Trend;
    use crate::domain::Locale;
    use crate::error::ErrorKind;
    use crate::model::DashboardQuery;
    use crate::ports::{DigestRequest, NewSubscription, Services, Subscription, User};
    use chrono::{DateTime, NaiveDate, Utc};

    /// The secret of a subscription's stop link: derived, so nothing secret is stored.
    pub fn stop_token(services: &Services, id: i64) -> String {
        services
            .settings
            .derived_secret(&format!("digest-stop:{id}"))
    }

    fn stop_hash(services: &Services, token: &str) -> String {
        services
            .settings
            .token_hash(&format!("digest-stop:{token}"))
    }

    /// The view's attribute filters as stored (a JSON list), and back.
    fn filters_text(filters: &[String]) -> String {
        serde_json::to_string(filters).unwrap_or_default()
    }

    fn filters_of(text: &str) -> Vec<String> {
        serde_json::from_str(text).unwrap_or_default()
    }

    async fn view(services: &Services, s: &Subscription) -> Result<DigestView, AppError> {
        let survey_title = match s.survey_id {
            Some(id) => Some(surveys::find(services, id).await?.title().to_owned()),
            None => None,
        };
        Ok(DigestView {
            id: s.id,
            survey_id: s.survey_id,
            survey_title,
            frequency: s.frequency,
            filters: filters_of(&s.filters),
            next_at: s.next_run_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
    }

    /// The caller's digests.
    pub async fn list(services: &Services, user: &User) -> Result<Vec<DigestView>, AppError> {
        let mut out = Vec::new();
        for s in services.store.subscriptions(user.id).await? {
            out.push(view(services, &s).await?);
        }
        Ok(out)
    }

    /// Subscribes `user` to a digest of survey `survey` under `filters` (or of every
    /// survey they may read). The view is checked as the dashboard checks it.
    #[tracing::instrument(skip_all, fields(user_id = user.id), err(level = "info"))]
    pub async fn subscribe(
        services: &Services,
        user: &User,
        survey: Option<i64>,
        frequency: &str,
        filters: &[String],
    ) -> Result<DigestView, AppError> {
        let frequency = Frequency::parse(frequency.trim())
            .ok_or_else(|| AppError::bad_input("frequency", "Choose weekly or monthly."))?;
        let filters: Vec<String> = filters
            .iter()
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        match survey {
            Some(id) => {
                surveys::reach(services, user, id, OnSurvey::ReadResults).await?;
                // The same checks as the page's (attributes, a manager's scope).
                let query = DashboardQuery {
                    range: "30d".to_owned(),
                    filter: filters.clone(),
                    ..Default::default()
                };
                trends::dashboard(services, user, id, &query).await?;
            }
            None if !filters.is_empty() => {
                return Err(AppError::bad_input(
                    "filter",
                    "A digest of every survey takes no filter: choose a survey to filter it.",
                ))
            }
            None => {
                surveys::reachable(services, user).await?;
            }
        }
        let now = Utc::now();
        let next = DateTime::from_timestamp(frequency.next_run(now.timestamp()), 0).unwrap_or(now);
        let hash = |id: i64| stop_hash(services, &stop_token(services, id));
        let id = services
            .store
            .subscribe(
                &NewSubscription {
                    user_id: user.id,
                    survey_id: survey,
                    frequency,
                    filters: filters_text(&filters),
                    next_run_at: next,
                },
                &hash,
            )
            .await?;
        let s = services
            .store
            .subscription(id)
            .await?
            .ok_or_else(AppError::internal)?;
        view(services, &s).await
    }

    /// Ends one of the caller's digests.
    pub async fn unsubscribe(services: &Services, user: &User, id: i64) -> Result<(), AppError> {
        match services.store.unsubscribe(user.id, id).await? {
            true => Ok(()),
            false => Err(AppError::not_found("You have no digest with this id.")),
        }
    }

    /// Queues the caller's digest `id` now, for the period so far (this week or month
    /// to today): to see what it will look like, or to catch up.
    pub async fn send_now(services: &Services, user: &User, id: i64) -> Result<(), AppError> {
        let s = services
            .store
            .subscription(id)
            .await?
            .filter(|s| s.user_id == user.id)
            .ok_or_else(|| AppError::not_found("You have no digest with this id."))?;
        let now = Utc::now();
        let (from, to) = s.frequency.period_so_far(day(now.date_naive()));
        services
            .store
            .queue_digest(
                &s,
                &DigestRequest {
                    subscription: s.id,
                    from: date(from),
                    to: date(to),
                },
                now,
            )
            .await?;
        Ok(())
    }

    /// What a stop link stops, if it still stops something.
    pub async fn by_stop_token(
        services: &Services,
        token: &str,
    ) -> Result<Option<DigestView>, AppError> {
        match services
            .store
            .subscription_by_stop(&stop_hash(services, token))
            .await?
        {
            Some(s) => Ok(Some(view(services, &s).await?)),
            None => Ok(None),
        }
    }

    /// Ends the subscription a stop link names (a POST: mail scanners follow GETs).
    pub async fn stop(services: &Services, token: &str) -> Result<(), AppError> {
        if let Some(s) = services
            .store
            .subscription_by_stop(&stop_hash(services, token))
            .await?
        {
            services.store.unsubscribe(s.user_id, s.id).await?;
        }
        // Stopping twice is as good as once.
        Ok(())
    }

    /// Sets the language of `user`'s mail.
    pub async fn set_language(
        services: &Services,
        user: &User,
        locale: &str,
    ) -> Result<(), AppError> {
        let locale = Locale::parse(locale.trim())
            .ok_or_else(|| AppError::bad_input("locale", "Choose en or de."))?;
        services.store.set_user_locale(user.id, locale).await?;
        Ok(())
    }

    /// Queues every digest due at `now` (the scheduler's step).
    pub async fn run_due(services: &Services, now: DateTime<Utc>) -> Result<u64, AppError> {
        let plan = |frequency: Frequency, now: DateTime<Utc>| {
            let next =
                DateTime::from_timestamp(frequency.next_run(now.timestamp()), 0).unwrap_or(now);
            let (from, to) = frequency.last_period(day(now.date_naive()));
            (next, date(from), date(to))
        };
        Ok(services.store.queue_due_digests(now, &plan).await?)
    }

    /// One survey's part of a digest.
    #[derive(Clone, Debug)]
    pub struct DigestSection {
        pub survey_title: String,
        pub question: String,
        pub measure: String,
        pub unit: String,
        pub value: Option<f64>,
        pub ci: Option<(f64, f64)>,
        pub n: Option<u64>,
        pub too_few: bool,
        pub withheld: bool,
        pub change: Option<Change>,
        /// Completed over delivered of the sends that went out in the period, in %.
        pub response_rate: Option<f64>,
        /// Comments in the period (at least; `more`: a page's worth or more).
        pub comments: usize,
        pub more_comments: bool,
        pub open_cases: Option<u64>,
        /// A few of the newest comments: (score, text).
        pub recent: Vec<(Option<u8>, String)>,
        pub trend: Option<Trend>,
        /// The dashboard with the same view.
        pub url: String,
    }

    /// Everything a digest email says.
    #[derive(Clone, Debug)]
    pub struct DigestContent {
        pub email: String,
        pub name: String,
        pub locale: Locale,
        pub frequency: Frequency,
        pub from: NaiveDate,
        pub to: NaiveDate,
        pub sections: Vec<DigestSection>,
        pub stop_url: String,
        pub settings_url: String,
    }

    /// The digest `request` asks for, built for its subscriber now; None when the
    /// subscription or its user is gone or disabled (nothing to send).
    pub async fn content(
        services: &Services,
        request: &DigestRequest,
    ) -> Result<Option<DigestContent>, AppError> {
        let Some(s) = services.store.subscription(request.subscription).await? else {
            return Ok(None);
        };
        let users = services.store.list_users().await?;
        let Some(user) = users.into_iter().find(|u| u.id == s.user_id) else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        let ids: Vec<i64> = match s.survey_id {
            Some(id) => vec![id],
            None => surveys::reachable(services, &user)
                .await?
                .into_iter()
                .map(|(survey, _)| survey.id)
                .take(MAX_SECTIONS)
                .collect(),
        };
        let base = &services.settings.base_url;
        let query = DashboardQuery {
            range: "custom".to_owned(),
            from: request.from.to_string(),
            to: request.to.to_string(),
            filter: filters_of(&s.filters),
            ..Default::default()
        };
        let mut sections = Vec::new();
        for id in ids {
            // A survey the user can no longer read (a changed role or scope) is left out.
            let dashboard = match trends::dashboard(services, &user, id, &query).await {
                Ok(d) => d,
                Err(e) if matches!(e.kind, ErrorKind::Forbidden | ErrorKind::NotFound) => continue,
                Err(e) => return Err(e),
            };
            let survey = surveys::find(services, id).await?;
            let company = std::collections::BTreeMap::from([(
                "company".to_owned(),
                services.settings.organisation.clone(),
            )]);
            let title = crate::domain::fill_placeholders(
                survey.definition.title.get(user.locale),
                &company,
            );
            let headline = dashboard.questions.first();
            let sent: Vec<&crate::domain::funnel::Funnel> = dashboard
                .funnels
                .iter()
                .filter(|f| {
                    f.day.as_str() >= query.from.as_str() && f.day.as_str() <= query.to.as_str()
                })
                .collect();
            let delivered: u64 = sent.iter().map(|f| f.counts[1]).sum();
            let completed: u64 = sent.iter().map(|f| f.counts[3]).sum();
            let response_rate =
                (delivered > 0).then(|| completed as f64 * 100.0 / delivered as f64);
            let comments = &dashboard.comments;
            sections.push(DigestSection {
                survey_title: title,
                question: headline.map(|h| h.question.clone()).unwrap_or_default(),
                measure: headline.map(|h| h.tile.measure.clone()).unwrap_or_default(),
                unit: headline.map(|h| h.tile.unit.clone()).unwrap_or_default(),
                value: headline.and_then(|h| h.tile.value),
                ci: headline.and_then(|h| h.tile.ci.map(|c| (c.low, c.high))),
                n: headline.and_then(|h| h.tile.n),
                too_few: headline.is_some_and(|h| h.tile.too_few),
                withheld: headline.is_some_and(|h| h.tile.withheld.is_some()),
                change: headline.and_then(|h| h.tile.change.clone()),
                response_rate,
                comments: comments.items.len(),
                more_comments: comments.has_more,
                open_cases: dashboard.cases.as_ref().map(|c| c.all.open),
                recent: comments
                    .items
                    .iter()
                    .take(COMMENTS_SHOWN)
                    .map(|c| (c.score, c.text.clone()))
                    .collect(),
                trend: headline.map(|h| h.trend.clone()),
                url: format!("{base}/surveys/{id}{}", query.to_query_string()),
            });
        }
        Ok(Some(DigestContent {
            email: user.email.clone(),
            name: user.name.clone(),
            locale: user.locale,
            frequency: s.frequency,
            from: request.from,
            to: request.to,
            sections,
            stop_url: format!("{base}/d/{}", stop_token(services, s.id)),
            settings_url: format!("{base}/settings/account"),
        }))
    }
}

#[server(prefix = "/rpc", endpoint = "digests")]
pub async fn load_digests() -> Result<crate::model::DigestSettings, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let digests = list(&services, &user).await.or_else(context::fail)?;
    Ok(crate::model::DigestSettings {
        language: user.locale.as_str().to_owned(),
        digests,
    })
}

#[server(prefix = "/rpc", endpoint = "subscribe_digest")]
pub async fn subscribe_digest(
    #[server(default)] survey: Option<String>,
    frequency: String,
    #[server(default)] filter: Option<Vec<String>>,
) -> Result<DigestView, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    let survey = match survey.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(
            id.parse::<i64>()
                .map_err(|_| AppError::bad_input("survey", "Choose a survey."))
                .or_else(context::fail)?,
        ),
    };
    subscribe(
        &services,
        &user,
        survey,
        &frequency,
        &filter.unwrap_or_default(),
    )
    .await
    .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "stop_digest")]
pub async fn stop_digest(id: i64) -> Result<(), AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    unsubscribe(&services, &user, id)
        .await
        .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "send_digest_now")]
pub async fn send_digest_now(id: i64) -> Result<(), AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    send_now(&services, &user, id).await.or_else(context::fail)
}

/// The stop page of a digest's link: what it would stop (GET never writes).
#[server(prefix = "/rpc", endpoint = "digest_stop_page")]
pub async fn digest_stop_page(token: String) -> Result<Option<DigestView>, AppError> {
    use crate::api::context;
    let services = context::services()?;
    by_stop_token(&services, &token)
        .await
        .or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "set_language")]
pub async fn save_language(locale: String) -> Result<(), AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    set_language(&services, &user, &locale)
        .await
        .or_else(context::fail)
}
