//! Where each scored question of a survey stands and where it is moving: its tile over a
//! range of days (the score, and the change against the period before) and its trend in
//! days, weeks or months, with the chart drawn from the same points.

use crate::error::AppError;
use crate::model::{Dashboard, DashboardQuery, OverviewRow};
use leptos::prelude::*;

pub const DEFAULT_RANGE: &str = "90d";

/// Comments on a page.
pub const COMMENTS_PER_PAGE: u64 = 20;

/// How many of the latest sends the funnel chart draws side by side.
pub const FUNNEL_CHART_SENDS: usize = 6;

/// Why an anonymous survey's trend looks coarser than asked for.
pub const ANONYMOUS_NOTE: &str = "Anonymous survey: shown by calendar month, and a month \
     with fewer answers than the minimum group size is hidden (with the next smallest, so \
     it cannot be worked out from the total). Finer periods could single people out.";

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::api::auth::{Access, Action};
    use crate::api::surveys::reach;
    use crate::domain::access::{decide, OnSurvey};
    use crate::domain::anonymity::{withheld_cells, withheld_groups};
    use crate::domain::breakdown::breakdown;
    use crate::domain::distribution::category;
    use crate::domain::distribution::distribution;
    use crate::domain::filter::SEND;
    use crate::domain::filter::{condition, segment, Filter, FilterError, Narrowing};
    use crate::domain::funnel::{describe, Funnel};
    use crate::domain::movement::{movement, Movement};
    use crate::domain::report::score_question;
    use crate::domain::shares::shares;
    use crate::domain::survey::{fill_placeholders, Question};
    use crate::domain::survey::{AnswerValue, QuestionKind};
    use crate::domain::tile::{tile, PeriodCounts};
    use crate::domain::trend::{periods, resolve_range, trend, Day, Grain, Limits, Mark, Plan};
    use crate::domain::weighting::WeightedNps;
    use crate::error::ErrorKind;
    use crate::model::{CommentView, Comments, FilterChoice, FilterChoices, TrendView};
    use crate::ports::{CommentQuery, ExportQuery};
    use crate::ports::{Services, Survey, User, RESPONSES};
    use chrono::{Datelike, NaiveDate, Utc};
    use std::collections::BTreeMap;

    /// A calendar date as the trend engine counts days, and back.
    pub fn day(date: NaiveDate) -> Day {
        Day::from_ymd(date.year(), date.month(), date.day())
    }

    pub fn date(d: Day) -> NaiveDate {
        let (y, m, d) = d.ymd();
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn bad((field, message): FilterError) -> AppError {
        AppError::bad_input(field, message)
    }

    type Days = Vec<(Day, [u64; 11])>;
    /// Periods of a month: first day, last day, answers per score.
    type Months = Vec<(Day, Day, [u64; 11])>;

    /// What one dashboard reads, shared by its questions.
    struct View<'a> {
        services: &'a Services,
        survey: &'a Survey,
        plan: Plan,
        limits: Limits,
        filter: Filter,
        /// Each grouping attribute's values with answers, from the segment sizes.
        values: BTreeMap<String, Vec<String>>,
        /// The sends and waves that went out, for the trend charts.
        marks: Vec<Mark>,
        today: Day,
    }

    impl View<'_> {
        /// The responses the view holds, as the store selects them: an answers file reads
        /// them page by page, and the comments are read from them.
        fn responses(&self) -> ExportQuery {
            ExportQuery {
                from: date(self.plan.from),
                to: date(self.plan.to),
                send: self.filter.send(),
                conditions: self
                    .filter
                    .conditions()
                    .iter()
                    .filter(|(k, _)| k != SEND)
                    .cloned()
                    .collect(),
                anonymous: self.plan.anonymous,
                after: None,
                limit: 0,
            }
        }

        async fn days(&self, question: &str, segment: &str) -> Result<Days, AppError> {
            let from = self.plan.scored_from.min(self.plan.previous().0);
            Ok(self
                .services
                .store
                .daily_histograms(
                    self.survey.id,
                    question,
                    segment,
                    date(from),
                    date(self.today),
                )
                .await?
                .into_iter()
                .map(|(d, h)| (day(d), h))
                .collect())
        }

        /// The months of `days` over the survey's life: what anonymity is decided on.
        fn months(&self, days: &Days) -> Months {
            periods(days, self.plan.scored_from, self.plan.to, Grain::Month)
        }

        /// Answers to `question` per month for each value of `attribute` among
        /// everyone's, `base` (per month, `base_withheld` where withheld), and which of
        /// those cells are withheld. For anonymous surveys, which filter by one attribute.
        async fn cells(
            &self,
            question: &Question,
            attribute: &str,
            base: &[(Day, Day, [u64; 11])],
            base_withheld: &[bool],
        ) -> Result<Vec<(String, Vec<[u64; 11]>, Vec<bool>)>, AppError> {
            let mut rows = Vec::new();
            for value in self.values.get(attribute).into_iter().flatten() {
                let days = self
                    .days(&question.key, &segment([(attribute, value.as_str())]))
                    .await?;
                let months: Vec<[u64; 11]> =
                    self.months(&days).into_iter().map(|(_, _, h)| h).collect();
                rows.push((value.clone(), months));
            }
            let n = |h: &[u64; 11]| score_question(&question.kind, h).map_or(0, |s| s.n());
            let sizes: Vec<Vec<u64>> = rows
                .iter()
                .map(|(_, m)| m.iter().map(n).collect())
                .collect();
            let totals: Vec<u64> = base.iter().map(|(_, _, h)| n(h)).collect();
            let withheld = withheld_cells(&sizes, &totals, base_withheld, self.limits.min_group);
            Ok(rows
                .into_iter()
                .zip(withheld)
                .map(|((value, months), withheld)| (value, months, withheld))
                .collect())
        }
    }

    /// The dashboard of survey `id` under `query` (see [`DashboardQuery`]) as `user` may
    /// see it: every scored question's tile, distribution, trend and, with `by`,
    /// breakdown; a manager's narrowed to their scope.
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn dashboard(
        services: &Services,
        user: &User,
        id: i64,
        query: &DashboardQuery,
    ) -> Result<Dashboard, AppError> {
        let (survey, access) = reach(services, user, id, OnSurvey::ReadResults).await?;
        let rights = Rights::of(user, &survey, access);
        Ok(dashboard_of(services, &rights, survey, query, Part::Whole)
            .await?
            .0)
    }

    /// The responses an answers export of survey `id` holds under `query`: the
    /// dashboard's view of them (range, send, attributes, a manager narrowed to their
    /// scope), for whoever may read single responses. An anonymous survey's only when
    /// the dashboard shows the group's comments (its minimum group, complement and
    /// next-smallest rules): otherwise a 409 that says so (not a 403: the role may, the
    /// view may not).
    #[tracing::instrument(skip_all, fields(survey_id = id), err(level = "info"))]
    pub async fn answer_rows(
        services: &Services,
        user: &User,
        id: i64,
        query: &DashboardQuery,
    ) -> Result<(Survey, ExportQuery), AppError> {
        let (survey, access) = reach(services, user, id, OnSurvey::ReadResponse).await?;
        let rights = Rights::of(user, &survey, access);
        // Rows are not a page of comments nor a breakdown: those parameters do not apply.
        let view = DashboardQuery {
            by: String::new(),
            sort: String::new(),
            category: String::new(),
            q: String::new(),
            page: String::new(),
            ..query.clone()
        };
        // An identified survey's rows need the view alone; an anonymous one's also the
        // comments' decision, which only the whole dashboard makes.
        let part = match survey.definition.anonymous {
            true => Part::Whole,
            false => Part::Headline,
        };
        let (dashboard, rows) =
            dashboard_of(services, &rights, survey.clone(), &view, part).await?;
        if rows.anonymous && dashboard.comments.withheld.is_some() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "Hidden to protect anonymity: this view holds too few answers, or would reveal a small group by subtraction. Widen the range or remove a filter.",
            ));
        }
        Ok((survey, rows))
    }

    /// What the caller may see of one survey's dashboard, from the access rule.
    struct Rights {
        /// A manager's conditions: the view is narrowed to one of them.
        scope: Option<Vec<(String, String)>>,
        comments: bool,
        /// Comments link to their response.
        responses: bool,
        /// The sends' counts and funnel.
        sends: bool,
    }

    impl Rights {
        fn of(user: &User, survey: &Survey, access: Access) -> Rights {
            let facts = survey.facts();
            let may = |action| decide(user.role, &user.scope, action).allowed();
            Rights {
                scope: match access {
                    Access::WithinScope(conditions) => Some(conditions),
                    _ => None,
                },
                comments: may(Action::ReadComments(&facts)),
                responses: may(Action::ReadResponse(&facts)),
                sends: may(Action::ReadSends(&facts)),
            }
        }
    }

    /// What of a dashboard is built: all of it, or what the overview shows of it.
    #[derive(Clone, Copy, PartialEq)]
    enum Part {
        Whole,
        /// The headline question and the sends' counts; no comments, movement or funnel
        /// chart.
        Headline,
    }

    /// The dashboard, and the responses its view holds (as an answers export reads them).
    async fn dashboard_of(
        services: &Services,
        rights: &Rights,
        survey: Survey,
        query: &DashboardQuery,
        part: Part,
    ) -> Result<(Dashboard, ExportQuery), AppError> {
        let definition = &survey.definition;
        let anonymous = definition.anonymous;
        let grouping = &definition.grouping_attributes;
        let mut filter =
            Filter::parse(&query.send, &query.filter, grouping, anonymous).map_err(bad)?;
        if let Some(scope) = &rights.scope {
            filter = filter.within(scope, anonymous).map_err(|e| match e {
                Narrowing::Outside => AppError::forbidden(),
                Narrowing::Refused(e) => bad(e),
            })?;
        }
        let today = Utc::now().date_naive();
        // A survey's life starts when it was created, or earlier with answers dated
        // before (imported, or demo data).
        let created = survey.created_at.date_naive();
        let first_answer = services.store.first_answer_day(survey.id).await?;
        let created = day(first_answer.map_or(created, |d| d.min(created)));
        let range = match query.range.as_str() {
            "" => DEFAULT_RANGE,
            range => range,
        };
        let span =
            resolve_range(range, &query.from, &query.to, day(today), created).map_err(bad)?;
        let grain = match query.grain.as_str() {
            "" => None,
            text => Some(Grain::parse(text).ok_or_else(|| {
                AppError::bad_input("grain", "The period must be day, week or month.")
            })?),
        };
        let plan = Plan::new(day(today), created, span, grain, anonymous);
        let min_group = survey.min_group();
        let limits = Limits {
            min_group,
            min_meaningful: u64::try_from(survey.min_meaningful).unwrap_or(1).max(1),
        };
        // Every value with answers, per grouping attribute: a breakdown's rows, and what
        // its withholding weighs. The filter offers an anonymous survey's values only when
        // enough people hold them to be shown at all.
        let mut values = BTreeMap::<String, Vec<String>>::new();
        let mut choices = FilterChoices {
            attributes: grouping.iter().map(|a| (a.clone(), Vec::new())).collect(),
            max_conditions: if anonymous { 1 } else { grouping.len() },
            ..Default::default()
        };
        for (segment, n) in services.store.segment_sizes(survey.id).await? {
            let Some((attribute, value)) = condition(&segment) else {
                continue;
            };
            let Some((_, offered)) = choices.attributes.iter_mut().find(|(a, _)| a == attribute)
            else {
                continue;
            };
            values
                .entry(attribute.to_owned())
                .or_default()
                .push(value.to_owned());
            // A manager is offered their own values of a scope's attribute only.
            let in_reach = rights.scope.as_ref().is_none_or(|scope| {
                !scope.iter().any(|(a, _)| a == attribute)
                    || scope.iter().any(|(a, v)| a == attribute && v == value)
            });
            if in_reach && min_group.is_none_or(|min| n >= min) {
                offered.push(FilterChoice {
                    param: format!("{attribute}:{value}"),
                    label: value.to_owned(),
                });
            }
        }
        let mut marks = Vec::new();
        let mut funnels = Vec::new();
        let mut funnels_withheld = 0;
        for send in crate::api::sends::list(services, survey.id).await? {
            let label = format!("{} · wave {}", send.audience_name, send.wave);
            let went_out = send
                .started_at
                .as_deref()
                .map(|t| t.chars().take(10).collect::<String>());
            if let Some(day) = &went_out {
                marks.push(Mark {
                    day: day.clone(),
                    label: label.clone(),
                });
            }
            if !rights.sends {
                continue;
            }
            let c = &send.counts;
            let count = |n: i64| u64::try_from(n).unwrap_or(0);
            match (&went_out, c.answered, c.completed) {
                (Some(day), Some(answered), Some(completed)) => funnels.push(Funnel::new(
                    send.id,
                    label.clone(),
                    day.clone(),
                    [
                        count(c.recipients),
                        count(c.sent),
                        count(answered),
                        count(completed),
                    ],
                )),
                (Some(_), _, _) => funnels_withheld += 1,
                (None, _, _) => {}
            }
            if !anonymous {
                choices.sends.push(FilterChoice {
                    param: send.id.to_string(),
                    label: format!(
                        "{label} · {}",
                        &send.scheduled_at.chars().take(10).collect::<String>()
                    ),
                });
            }
        }
        // The chart shows the latest sends; the table and the API all of them.
        funnels.sort_by(|a, b| a.day.cmp(&b.day).then(a.send_id.cmp(&b.send_id)));
        let latest = &funnels[funnels.len().saturating_sub(FUNNEL_CHART_SENDS)..];
        let funnel_svg = match latest.is_empty() || part == Part::Headline {
            true => String::new(),
            false => services.charts.funnel_svg(latest).map_err(|e| {
                tracing::error!(error = e, "drawing the funnel");
                AppError::internal()
            })?,
        };
        let by = query.by.as_str();
        if !by.is_empty() {
            if !grouping.iter().any(|g| g == by) {
                return Err(AppError::bad_input(
                    "by",
                    format!("This survey's results are not grouped by \"{by}\"."),
                ));
            }
            let counted = if anonymous {
                filter.is_empty()
            } else {
                filter.with(by, "").is_some()
            };
            if !counted {
                return Err(AppError::bad_input(
                    "by",
                    if anonymous {
                        "An anonymous survey is broken down with no filter: crossed attributes could single people out.".to_owned()
                    } else {
                        "A breakdown is not by an attribute the view is filtered on: choose another, or remove that filter.".to_owned()
                    },
                ));
            }
        }
        let view = View {
            services,
            survey: &survey,
            plan,
            limits,
            filter,
            values,
            marks,
            today: day(today),
        };
        let mut questions = Vec::new();
        let segment = view.filter.segment();
        let responses = view.days(RESPONSES, &segment).await?;
        for question in &definition.questions {
            if question.kind.score_range().is_none() {
                continue;
            }
            if let Some(v) =
                question_view(&view, question, &segment, &responses, by, &query.sort).await?
            {
                questions.push(v);
                if part == Part::Headline {
                    break;
                }
            }
        }
        let comments = match (part, rights.comments) {
            (Part::Headline, _) => Comments::default(),
            (Part::Whole, true) => comments(&view, query, questions.first(), rights).await?,
            (Part::Whole, false) => Comments {
                withheld: Some("role".to_owned()),
                ..Default::default()
            },
        };
        // Movement is counted over whole waves: not for a view narrowed to a scope.
        let movement = match (part, anonymous, questions.first(), &rights.scope) {
            (Part::Whole, false, Some(headline), None) => {
                movement_of(&view, &funnels, headline).await?
            }
            _ => None,
        };
        let cases = match (part, anonymous, rights.responses) {
            (Part::Whole, false, true) => {
                // The breakdown's attribute, else the first the survey groups by.
                let team = Some(by)
                    .filter(|b| !b.is_empty())
                    .or_else(|| grouping.first().map(String::as_str));
                let conditions: Vec<(String, String)> = view
                    .filter
                    .conditions()
                    .iter()
                    .filter(|(k, _)| k != crate::domain::filter::SEND)
                    .cloned()
                    .collect();
                let stats = crate::api::cases::stats(
                    services,
                    &survey,
                    (view.plan.from, view.plan.to),
                    view.plan.grain,
                    &conditions,
                    rights.scope.as_deref(),
                    team,
                )
                .await?;
                (survey.cases.rule.is_some() || stats.all.opened > 0).then_some(stats)
            }
            _ => None,
        };
        let rows = view.responses();
        let query = DashboardQuery {
            range: range.to_owned(),
            filter: view.filter.attribute_params(),
            send: view
                .filter
                .send()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            ..query.clone()
        };
        let dashboard = Dashboard {
            query,
            choices,
            questions,
            comments,
            movement,
            funnel_description: describe(&funnels),
            funnels_withheld,
            funnels,
            funnel_svg,
            cases,
        };
        Ok((dashboard, rows))
    }

    /// Every survey, newest first, with the headline of its default dashboard: the same
    /// figures, withheld the same way, as its own page shows.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn overview(services: &Services, user: &User) -> Result<Vec<OverviewRow>, AppError> {
        let mut rows = Vec::new();
        for (full, access) in crate::api::surveys::reachable(services, user).await? {
            let query = DashboardQuery::default();
            let survey = crate::api::surveys::summary_for(services, &full, &access);
            let rights = Rights::of(user, &full, access);
            let (dashboard, _) =
                dashboard_of(services, &rights, full, &query, Part::Headline).await?;
            let headline = dashboard.questions.into_iter().next();
            let sparkline_svg = match &headline {
                Some(h) => services.charts.sparkline_svg(&h.trend).map_err(|e| {
                    tracing::error!(error = e, "drawing a sparkline");
                    AppError::internal()
                })?,
                None => String::new(),
            };
            rows.push(OverviewRow {
                survey,
                question_key: headline.as_ref().map(|h| h.question_key.clone()),
                tile: headline.as_ref().map(|h| h.tile.clone()),
                trend: headline.map(|h| h.trend),
                sparkline_svg,
                latest_send: dashboard.funnels.into_iter().last(),
            });
        }
        Ok(rows)
    }

    /// The movement into the filtered send (or the latest one with answers) from the send
    /// before it: of the same people, who moved between the headline's categories.
    async fn movement_of(
        view: &View<'_>,
        funnels: &[Funnel],
        headline: &TrendView,
    ) -> Result<Option<Movement>, AppError> {
        let Some(question) = view
            .survey
            .definition
            .questions
            .iter()
            .find(|q| q.key == headline.question_key)
        else {
            return Ok(None);
        };
        let answered: Vec<&Funnel> = funnels.iter().filter(|f| f.counts[2] > 0).collect();
        let later = match view.filter.send() {
            Some(send) => answered.iter().position(|f| f.send_id == send),
            None => answered.len().checked_sub(1),
        };
        let Some(later) = later.filter(|&i| i > 0) else {
            return Ok(None);
        };
        let (from, to) = (answered[later - 1], answered[later]);
        let store = &view.services.store;
        let before = store.wave_scores(from.send_id, &question.key).await?;
        let after = store.wave_scores(to.send_id, &question.key).await?;
        Ok(movement(
            &question.kind,
            format!("{} ({})", from.label, from.day),
            format!("{} ({})", to.label, to.day),
            &before,
            &after,
        ))
    }

    /// The page of comments `query` asks for, under the same filters; an anonymous
    /// survey's only when the group they come from may be shown (`headline`'s tile, and
    /// its category's bars).
    async fn comments(
        view: &View<'_>,
        query: &DashboardQuery,
        headline: Option<&TrendView>,
        rights: &Rights,
    ) -> Result<Comments, AppError> {
        let definition = &view.survey.definition;
        let question = definition
            .questions
            .iter()
            .find(|q| Some(&q.key) == headline.map(|h| &h.question_key));
        let scale: Vec<u8> = question
            .and_then(|q| q.kind.score_range())
            .map(|(low, high)| (low..=high).collect())
            .unwrap_or_default();
        let category_of = |score: u8| question.map(|q| category(&q.kind, score).to_owned());
        let mut categories: Vec<String> = Vec::new();
        for &score in &scale {
            if let Some(c) = category_of(score).filter(|c| !categories.contains(c)) {
                categories.push(c);
            }
        }
        let scores = match query.category.as_str() {
            "" => None,
            wanted => {
                let kept: Vec<u8> = scale
                    .iter()
                    .copied()
                    .filter(|&s| category_of(s).as_deref() == Some(wanted))
                    .collect();
                let (Some(&low), Some(&high)) = (kept.first(), kept.last()) else {
                    return Err(AppError::bad_input(
                        "category",
                        format!("The category must be one of {}.", categories.join(", ")),
                    ));
                };
                Some((low, high))
            }
        };
        let page = match query.page.as_str() {
            "" => 1,
            text => text
                .parse::<u64>()
                .ok()
                .filter(|&p| (1..=10_000).contains(&p))
                .ok_or_else(|| {
                    AppError::bad_input("page", "The page must be a whole number from 1.")
                })?,
        };
        if query.q.chars().count() > 200 {
            return Err(AppError::bad_input(
                "q",
                "Search for at most 200 characters.",
            ));
        }
        let mut comments = Comments {
            page,
            categories,
            ..Default::default()
        };
        // An anonymous survey's comments come from a group: it must be one that may be
        // shown, and so must the category's share of it.
        if view.plan.anonymous {
            let enough = |n: Option<u64>| {
                n.is_some_and(|n| view.limits.min_group.is_none_or(|min| n >= min))
            };
            let shown = headline.is_some_and(|h| match query.category.as_str() {
                "" => h.tile.withheld.is_none() && enough(h.tile.n),
                // A category's count is shown only where its bars are.
                wanted => h.distribution.as_ref().is_some_and(|d| {
                    enough(
                        d.bars
                            .iter()
                            .filter(|b| b.category == wanted)
                            .map(|b| b.n)
                            .sum(),
                    )
                }),
            });
            if !shown {
                comments.withheld = Some("anonymity".to_owned());
                return Ok(comments);
            }
        }
        let text_keys: Vec<String> = definition
            .questions
            .iter()
            .filter(|q| matches!(q.kind, QuestionKind::FreeText { .. }))
            .map(|q| q.key.clone())
            .collect();
        let held = view.responses();
        let rows = view
            .services
            .store
            .comments(
                view.survey.id,
                &CommentQuery {
                    from: held.from,
                    to: held.to,
                    send: held.send,
                    conditions: held.conditions,
                    text_keys: text_keys.clone(),
                    headline_key: headline.map(|h| h.question_key.clone()).unwrap_or_default(),
                    scores,
                    search: query.q.trim().to_owned(),
                    anonymous: held.anonymous,
                    offset: (page - 1) * COMMENTS_PER_PAGE,
                    limit: COMMENTS_PER_PAGE + 1,
                },
            )
            .await?;
        comments.has_more = rows.len() as u64 > COMMENTS_PER_PAGE;
        let locale = definition.default_locale;
        let company = BTreeMap::from([(
            "company".to_owned(),
            view.services.settings.organisation.clone(),
        )]);
        for row in rows.into_iter().take(COMMENTS_PER_PAGE as usize) {
            let asked = definition
                .questions
                .iter()
                .find(|q| q.key == row.question_key)
                .map(|q| fill_placeholders(q.text.get(locale), &company))
                .unwrap_or_else(|| row.question_key.clone());
            let texts = [
                row.follow_up.clone().filter(|t| !t.trim().is_empty()),
                match &row.value {
                    AnswerValue::Text(t) if text_keys.contains(&row.question_key) => {
                        Some(t.clone())
                    }
                    _ => None,
                },
            ];
            for text in texts.into_iter().flatten() {
                comments.items.push(CommentView {
                    day: row.day.to_string(),
                    at: row.submitted_at.map(|t| t.to_rfc3339()),
                    question: asked.clone(),
                    text,
                    score: row.score,
                    category: row.score.and_then(category_of),
                    response_url: (!view.plan.anonymous && rights.responses).then(|| {
                        format!("/surveys/{}/responses/{}", view.survey.id, row.response_id)
                    }),
                });
            }
        }
        Ok(comments)
    }

    /// The months of `days` over the survey's life, and which a trend withholds.
    fn months_withheld(
        view: &View<'_>,
        days: &Days,
        min_group: Option<u64>,
        n: impl Fn(&[u64; 11]) -> u64,
    ) -> (Months, Vec<bool>) {
        let months = view.months(days);
        let sizes: Vec<u64> = months.iter().map(|(_, _, h)| n(h)).collect();
        (months, withheld_groups(&sizes, min_group))
    }

    async fn question_view(
        view: &View<'_>,
        question: &Question,
        segment: &str,
        responses: &Days,
        by: &str,
        sort: &str,
    ) -> Result<Option<TrendView>, AppError> {
        let (plan, limits, services) = (view.plan, view.limits, view.services);
        let anonymous = plan.anonymous;
        let min_group = limits.min_group;
        let days = view.days(&question.key, segment).await?;
        let n = |h: &[u64; 11]| score_question(&question.kind, h).map_or(0, |s| s.n());
        // An anonymous survey's months: everyone's withheld as a trend withholds them,
        // and a filtered view's also where its breakdown would withhold the cell.
        // Identified surveys withhold nothing, so they read neither.
        let (everyone_months, everyone_withheld) = match (anonymous, view.filter.is_empty()) {
            (false, _) => (Vec::new(), Vec::new()),
            (true, true) => months_withheld(view, &days, min_group, n),
            (true, false) => {
                let everyone = view.days(&question.key, "").await?;
                months_withheld(view, &everyone, min_group, n)
            }
        };
        let mut guarded: Vec<Day> = Vec::new();
        if anonymous {
            if let Some((attribute, value)) = view.filter.conditions().first() {
                let cells = view
                    .cells(question, attribute, &everyone_months, &everyone_withheld)
                    .await?;
                let mine = cells.iter().find(|(v, _, _)| v == value);
                for (m, (start, _, _)) in everyone_months.iter().enumerate() {
                    // A value with no counted cells at all shows nothing.
                    if mine.is_none_or(|(_, _, withheld)| withheld[m]) {
                        guarded.push(*start);
                    }
                }
            }
        }
        let months = view.months(&days);
        let mut hidden = withheld_groups(
            &months.iter().map(|(_, _, h)| n(h)).collect::<Vec<_>>(),
            min_group,
        );
        for ((start, _, _), h) in months.iter().zip(hidden.iter_mut()) {
            *h |= guarded.contains(start);
        }
        // What a total adds up: the anonymous survey's months (some hidden), or days.
        let groups: Vec<(Day, [u64; 11], bool)> = if anonymous {
            months
                .iter()
                .zip(&hidden)
                .map(|(&(start, _, h), &hidden)| (start, h, hidden))
                .collect()
        } else {
            days.iter().map(|&(day, h)| (day, h, false)).collect()
        };
        let responded = |from: Day, to: Day| -> u64 {
            responses
                .iter()
                .filter(|(d, _)| (from..=to).contains(d))
                .map(|(_, h)| h[0])
                .sum()
        };
        let counts = |from: Day, to: Day| {
            let mut histogram = [0_u64; 11];
            let mut hidden_periods = 0;
            for (_, h, hidden) in groups.iter().filter(|(d, _, _)| (from..=to).contains(d)) {
                if *hidden {
                    hidden_periods += 1;
                    continue;
                }
                for (sum, n) in histogram.iter_mut().zip(h) {
                    *sum += n;
                }
            }
            let answered: u64 = histogram.iter().sum();
            PeriodCounts {
                histogram,
                responses: (hidden_periods == 0).then(|| responded(from, to)),
                may_show: hidden_periods == 0 || answered > 0,
                hidden_periods,
            }
        };
        let (previous_from, previous_to) = plan.previous();
        let current = counts(plan.from, plan.to);
        let previous = counts(previous_from, previous_to);
        let Some(tile) = tile(&question.kind, &current, &previous, limits.min_meaningful) else {
            return Ok(None);
        };
        let distribution = tile
            .n
            .filter(|&n| n > 0)
            .and_then(|_| distribution(&question.kind, &current.histogram, min_group));
        let distribution_svg = match &distribution {
            Some(d) => services.charts.distribution_svg(d).map_err(|e| {
                tracing::error!(error = e, "drawing a distribution");
                AppError::internal()
            })?,
            None => String::new(),
        };
        let Some(mut trend) = trend(
            &question.key,
            &question.kind,
            &days,
            plan.scored_from,
            plan.to,
            plan.grain,
            limits,
            &guarded,
        ) else {
            return Ok(None);
        };
        let shown_from = plan.from.to_string();
        trend.points.retain(|p| p.start >= shown_from);
        trend.marks = view
            .marks
            .iter()
            .filter(|m| trend.point_of(&m.day).is_some())
            .cloned()
            .collect();
        let svg = services.charts.trend_svg(&trend).map_err(|e| {
            tracing::error!(error = e, "drawing a trend");
            AppError::internal()
        })?;
        let period_counts: Vec<(Day, [u64; 11])> =
            periods(&days, plan.scored_from, plan.to, plan.grain)
                .into_iter()
                .map(|(start, _, h)| (start, h))
                .collect();
        let shares = shares(&question.kind, &trend, &period_counts);
        let shares_svg = match &shares {
            Some(s) => services.charts.shares_svg(s).map_err(|e| {
                tracing::error!(error = e, "drawing shares");
                AppError::internal()
            })?,
            None => String::new(),
        };
        let breakdown = if by.is_empty() || tile.withheld.is_some() {
            None
        } else {
            let in_range = |start: &Day| (plan.from..=plan.to).contains(start);
            let rows: Vec<(String, [u64; 11], bool)> = if anonymous {
                // Cells by month, each withheld as the filtered views withhold it; a row
                // sums its shown months in the range.
                view.cells(question, by, &everyone_months, &everyone_withheld)
                    .await?
                    .into_iter()
                    .map(|(value, months, withheld)| {
                        let mut sum = [0_u64; 11];
                        let mut any_hidden = false;
                        for (m, (start, _, _)) in everyone_months.iter().enumerate() {
                            if !in_range(start) || n(&months[m]) == 0 {
                                continue;
                            }
                            if withheld[m] {
                                any_hidden = true;
                                continue;
                            }
                            for (s, c) in sum.iter_mut().zip(&months[m]) {
                                *s += c;
                            }
                        }
                        let shown = n(&sum) > 0;
                        (value, sum, any_hidden && !shown)
                    })
                    .collect()
            } else {
                let mut rows = Vec::new();
                for value in view.values.get(by).into_iter().flatten() {
                    let Some(filter) = view.filter.with(by, value) else {
                        continue;
                    };
                    let days = view.days(&question.key, &filter.segment()).await?;
                    let mut sum = [0_u64; 11];
                    for (_, h) in days.iter().filter(|(d, _)| in_range(d)) {
                        for (s, c) in sum.iter_mut().zip(h) {
                            *s += c;
                        }
                    }
                    if n(&sum) > 0 {
                        rows.push((value.clone(), sum, false));
                    }
                }
                rows
            };
            breakdown(
                &question.kind,
                by,
                &rows,
                &current.histogram,
                limits.min_meaningful,
                sort,
            )
        };
        // Weighted beside the plain score, from the weight buckets of the same segment
        // and range; anonymous surveys are never weighted.
        let weighted = match (&view.survey.weighting, &question.kind) {
            (Some(weighting), QuestionKind::Nps | QuestionKind::Enps) if !anonymous => {
                let sums = services
                    .store
                    .weight_sums(
                        view.survey.id,
                        &question.key,
                        segment,
                        date(plan.from),
                        date(plan.to),
                    )
                    .await?;
                WeightedNps::from_sums(weighting, &sums, limits.min_meaningful)
            }
            _ => None,
        };
        let company =
            BTreeMap::from([("company".to_owned(), services.settings.organisation.clone())]);
        let locale = view.survey.definition.default_locale;
        Ok(Some(TrendView {
            question_key: question.key.clone(),
            question: fill_placeholders(question.text.get(locale), &company),
            description: trend.description(),
            from: plan.from.to_string(),
            to: plan.to.to_string(),
            note: anonymous.then(|| ANONYMOUS_NOTE.to_owned()),
            distribution,
            distribution_svg,
            previous_from: previous_from.to_string(),
            previous_to: previous_to.to_string(),
            tile,
            trend,
            svg,
            shares,
            shares_svg,
            breakdown,
            weighted,
        }))
    }
}

#[server(prefix = "/rpc", endpoint = "survey_overview")]
pub async fn load_overview() -> Result<Vec<OverviewRow>, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    overview(&services, &user).await.or_else(context::fail)
}

#[server(prefix = "/rpc", endpoint = "survey_dashboard")]
pub async fn load_dashboard(id: i64, query: DashboardQuery) -> Result<Dashboard, AppError> {
    use crate::api::context;
    let (services, user) = context::signed_in().await.or_else(context::fail)?;
    dashboard(&services, &user, id, &query)
        .await
        .or_else(context::fail)
}
