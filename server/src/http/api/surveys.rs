//! `/api/v1/surveys`: surveys, their definition, settings, report and personal answer
//! links — the same use cases as the admin area's survey pages.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::{answers, exports, surveys, trends};
use app::domain::access::OnSurvey;
use app::domain::weighting::Weighting;
use app::domain::{Locale, SurveyDefinition};
use app::error::AppError;
use app::model::{
    Dashboard, DashboardQuery, OverviewRow, SurveyReport, SurveyStatus, SurveySummary, TrendView,
};
use app::ports::{Notifications, SavedAs, Services, SurveySettings};
use axum::{
    extract::{RawQuery, State},
    http::header::HeaderName,
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The surveys the caller's role and scope reach, newest first.
#[utoipa::path(get, path = "/surveys", tag = "surveys",
    responses((status = 200, body = Vec<SurveySummary>), (status = 401, body = ErrorBody)))]
pub async fn list_surveys(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<SurveySummary>>> {
    Ok(Json(surveys::list_for(&s, &caller.0).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewSurveyBody {
    /// nps, enps, ces, csat, pulse or custom: the template it starts from.
    pub kind: String,
    /// Replaces the template's title in the survey's default language.
    #[serde(default)]
    pub title: String,
    /// Fills `{subject}` (what a CSAT survey asks about).
    #[serde(default)]
    pub subject: String,
}

/// Creates a draft survey from the template of its kind (English and German texts);
/// its public answer link is in the response.
#[utoipa::path(post, path = "/surveys", tag = "surveys", request_body = NewSurveyBody,
    responses((status = 201, body = SurveySummary), (status = 422, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_survey(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<NewSurveyBody>,
) -> ApiResult<(StatusCode, Json<SurveySummary>)> {
    let created = surveys::create(&s, &caller.0, &body.kind, &body.title, &body.subject).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The survey's current definition: questions, texts per language, follow-ups, branding.
#[utoipa::path(get, path = "/surveys/{id}/definition", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn get_definition(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SurveyDefinition>> {
    let (survey, _) = surveys::reach(&s, &caller.0, id, OnSurvey::ReadResults).await?;
    Ok(Json(survey.definition))
}

#[derive(Serialize, ToSchema)]
pub struct SavedDefinition {
    pub version: i64,
    /// True when the survey had answers: the change became a new version and earlier
    /// answers keep the wording they were given.
    pub new_version: bool,
}

/// Replaces the definition. Once a survey has answers, a change becomes a new version;
/// a question with answers cannot change its type.
#[utoipa::path(put, path = "/surveys/{id}/definition", tag = "surveys", request_body = Object,
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = SavedDefinition), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_definition(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(definition): Body<SurveyDefinition>,
) -> ApiResult<Json<SavedDefinition>> {
    let (survey, _) = surveys::reach(&s, &caller.0, id, OnSurvey::Manage).await?;
    surveys::keeps_reach(&caller.0, &survey, &definition)?;
    let saved = surveys::save_definition(&s, id, definition).await?;
    Ok(Json(match saved {
        SavedAs::SameVersion(version) => SavedDefinition {
            version,
            new_version: false,
        },
        SavedAs::NewVersion(version) => SavedDefinition {
            version,
            new_version: true,
        },
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PersonalLinkBody {
    pub contact_id: Option<i64>,
    /// en or de: the language the person gets unless `?lang=` says otherwise.
    pub locale: Option<String>,
    /// Contact attributes: placeholders such as `{name}` and the survey's grouping attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonalLink {
    /// The only time this link is shown: only a hash of its token is stored.
    pub url: String,
}

/// Makes a personal answer link (one response per link, changeable while open).
#[utoipa::path(post, path = "/surveys/{id}/links", tag = "surveys", request_body = PersonalLinkBody,
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 201, body = PersonalLink), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_personal_link(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<PersonalLinkBody>,
) -> ApiResult<(StatusCode, Json<PersonalLink>)> {
    surveys::reach(&s, &caller.0, id, OnSurvey::Manage).await?;
    let locale = match body.locale.as_deref() {
        None => None,
        Some(tag) => Some(
            Locale::parse(tag)
                .ok_or_else(|| AppError::bad_input("locale", "The locale must be en or de."))?,
        ),
    };
    let url =
        answers::create_personal_link(&s, id, body.contact_id, locale, body.attributes).await?;
    Ok((StatusCode::CREATED, Json(PersonalLink { url })))
}

/// A survey with its score: n, promoters, passives, detractors, NPS and its 95 % interval.
/// For a caller narrowed to a scope each question says `"withheld": "scope"`: their
/// figures are in `/trends`, narrowed.
#[utoipa::path(get, path = "/surveys/{id}", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = SurveyReport), (status = 404, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
pub async fn survey_report(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SurveyReport>> {
    Ok(Json(surveys::report(&s, &caller.0, id).await?))
}
/// Every survey, newest first, with its headline score over the last 90 days (interval,
/// n, change against the 90 days before with its p-value, withheld as on its page), the
/// trend behind its sparkline, and its latest send's completion rate.
#[utoipa::path(get, path = "/overview", tag = "surveys",
    responses((status = 200, body = Vec<OverviewRow>), (status = 401, body = ErrorBody)))]
pub async fn overview(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<OverviewRow>>> {
    let mut rows = trends::overview(&s, &caller.0).await?;
    for row in &mut rows {
        row.sparkline_svg.clear();
    }
    Ok(Json(rows))
}

/// The dashboard's parameters from the query string; `filter` may repeat.
fn dashboard_query(raw: Option<String>) -> DashboardQuery {
    let mut q = DashboardQuery::default();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = value.into_owned();
        match key.as_ref() {
            "range" => q.range = value,
            "from" => q.from = value,
            "to" => q.to = value,
            "grain" => q.grain = value,
            "send" => q.send = value,
            "filter" => q.filter.push(value),
            "by" => q.by = value,
            "sort" => q.sort = value,
            "category" => q.category = value,
            "q" => q.q = value,
            "page" => q.page = value,
            _ => {}
        }
    }
    q
}

/// The survey's dashboard: each scored question's tile (score, interval, change against
/// the period before with its p-value), its trend period by period (each point with its
/// n and 95 % interval), its distribution and, with `by`, its breakdown; and the values
/// the dashboard can be filtered by. A figure below the survey's minimum for a meaningful
/// score has `"too_few": true`; one withheld to protect an anonymous survey's
/// respondents has `null` numbers and `"withheld": "anonymity"`.
#[utoipa::path(get, path = "/surveys/{id}/trends", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"), DashboardQuery),
    responses((status = 200, body = Dashboard), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn survey_trends(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Dashboard>> {
    let mut dashboard = trends::dashboard(&s, &caller.0, id, &dashboard_query(raw)).await?;
    // The charts have their own address (below), so the JSON stays data.
    for view in &mut dashboard.questions {
        view.svg.clear();
        view.distribution_svg.clear();
        view.shares_svg.clear();
    }
    dashboard.funnel_svg.clear();
    Ok(Json(dashboard))
}

/// The dashboard's figures under the same parameters as a CSV file (UTF-8 with a
/// byte-order mark; text cells that a spreadsheet would run as a formula start with `'`):
/// per scored question a `range` row, a `period` row per point of its trend and, with
/// `by`, a `breakdown` row per value. Withheld figures are empty with the reason in
/// `withheld`, exactly as `/trends` withholds them.
#[utoipa::path(get, path = "/surveys/{id}/results.csv", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"), DashboardQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn survey_results_csv(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<([(HeaderName, String); 2], String)> {
    let csv = exports::results_csv(&s, &caller.0, id, &dashboard_query(raw)).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"survey-{id}-results.csv\""),
            ),
        ],
        csv,
    ))
}

/// Every response in the dashboard's view under the same parameters, one line each:
/// identified surveys with each response's id, time, contact and attributes; anonymous
/// ones with the day alone, in an order within the day that follows no time, and only
/// for a view whose group the dashboard shows (else 409). Needs the right to read single
/// responses (else 403). UTF-8 with a byte-order mark; formula-like text starts with `'`; several
/// choices are separated by `; `. Streamed: memory holds one page of responses.
#[utoipa::path(get, path = "/surveys/{id}/answers.csv", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"), DashboardQuery),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn survey_answers_csv(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<axum::response::Response> {
    answers_file(&s, &caller, id, raw, exports::AnswersFormat::Csv).await
}

/// The same responses as `answers.csv`, as a JSON array of objects (`answers` and
/// `follow_ups` by question key), streamed the same way.
#[utoipa::path(get, path = "/surveys/{id}/answers.json", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"), DashboardQuery),
    responses((status = 200, content_type = "application/json", body = Vec<Object>),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn survey_answers_json(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<axum::response::Response> {
    answers_file(&s, &caller, id, raw, exports::AnswersFormat::Json).await
}

/// An answers file as a streamed body: who may read it and what it holds are settled
/// before the first byte; a failure later cuts the transfer short rather than end a
/// file that looks whole.
async fn answers_file(
    s: &Services,
    caller: &Caller,
    id: i64,
    raw: Option<String>,
    format: exports::AnswersFormat,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    use futures_util::StreamExt;
    let export = exports::answers(s, &caller.0, id, &dashboard_query(raw), format).await?;
    let content_type = match format {
        exports::AnswersFormat::Csv => "text/csv; charset=utf-8",
        exports::AnswersFormat::Json => "application/json",
    };
    let disposition = format!("attachment; filename=\"{}\"", export.file_name());
    let chunks = futures_util::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(export))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e.message, "writing an answers export");
                Some((Err(std::io::Error::other(e.message)), None))
            }
        }
    })
    // Fused: the compression layer polls a body again after its end.
    .fuse();
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        axum::body::Body::from_stream(chunks),
    )
        .into_response())
}

/// One question's trend chart as an SVG image, with the same parameters; its `<title>`
/// says in words what it shows.
#[utoipa::path(get, path = "/surveys/{id}/trends/{question}/chart.svg", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"),
        ("question" = String, Path, description = "The question's key"), DashboardQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn survey_trend_chart(
    State(s): State<Services>,
    caller: Caller,
    Path((id, question)): Path<(i64, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<([(HeaderName, &'static str); 1], String)> {
    let view = question_view(&s, &caller, id, &question, raw).await?;
    Ok(svg_image(&view.svg, &view.description))
}

/// One question's answers by score over the range as an SVG bar chart, with the same
/// parameters. Empty (404) when the range has no answers or they are withheld.
#[utoipa::path(get, path = "/surveys/{id}/trends/{question}/distribution.svg", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"),
        ("question" = String, Path, description = "The question's key"), DashboardQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn survey_distribution_chart(
    State(s): State<Services>,
    caller: Caller,
    Path((id, question)): Path<(i64, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<([(HeaderName, &'static str); 1], String)> {
    let view = question_view(&s, &caller, id, &question, raw).await?;
    let distribution = view.distribution.ok_or_else(|| {
        AppError::not_found("This range has no answers to this question that can be shown.")
    })?;
    Ok(svg_image(
        &view.distribution_svg,
        &distribution.description(),
    ))
}

/// One question's shares of its three categories (detractors, passives, promoters for
/// NPS) period by period, stacked to 100 %, as an SVG image with the same parameters.
#[utoipa::path(get, path = "/surveys/{id}/trends/{question}/shares.svg", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"),
        ("question" = String, Path, description = "The question's key"), DashboardQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String),
        (status = 422, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn survey_shares_chart(
    State(s): State<Services>,
    caller: Caller,
    Path((id, question)): Path<(i64, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<([(HeaderName, &'static str); 1], String)> {
    let view = question_view(&s, &caller, id, &question, raw).await?;
    let shares = view
        .shares
        .ok_or_else(|| AppError::not_found("This question has no scale to share out."))?;
    Ok(svg_image(&view.shares_svg, &shares.description()))
}

/// Each of the latest sends' response funnel (recipients, delivered, started,
/// completed) as an SVG bar chart; the numbers of every send are in `/trends`.
#[utoipa::path(get, path = "/surveys/{id}/funnel.svg", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, content_type = "image/svg+xml", body = String),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn survey_funnel_chart(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<([(HeaderName, &'static str); 1], String)> {
    surveys::reach(&s, &caller.0, id, OnSurvey::ReadSends).await?;
    let dashboard = trends::dashboard(&s, &caller.0, id, &DashboardQuery::default()).await?;
    if dashboard.funnels.is_empty() {
        return Err(AppError::not_found("This survey has not been sent yet.").into());
    }
    Ok(svg_image(
        &dashboard.funnel_svg,
        &dashboard.funnel_description,
    ))
}

async fn question_view(
    s: &Services,
    caller: &Caller,
    id: i64,
    question: &str,
    raw: Option<String>,
) -> Result<TrendView, AppError> {
    trends::dashboard(s, &caller.0, id, &dashboard_query(raw))
        .await?
        .questions
        .into_iter()
        .find(|v| v.question_key == question)
        .ok_or_else(|| AppError::not_found("This survey has no scored question with that key."))
}

/// A chart standing alone: its description as its `<title>`.
fn svg_image(svg: &str, description: &str) -> ([(HeaderName, &'static str); 1], String) {
    let title = format!("<title>{}</title>", escape(description));
    let svg = match svg.find('>') {
        Some(end) => format!("{}{title}{}", &svg[..=end], &svg[end + 1..]),
        None => svg.to_owned(),
    };
    ([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], svg)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[derive(Deserialize, ToSchema)]
pub struct SettingsBody {
    pub status: SurveyStatus,
    /// RFC 3339; null for no close time.
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
    /// At least 1; null for no cap.
    pub response_cap: Option<i64>,
    /// Email a thank-you after a completed response (personal links; refused for anonymous
    /// surveys). Omit to leave it as it is.
    pub thank_you_email: Option<bool>,
    /// Email an alert when the headline score is low (an NPS detractor, or below the
    /// midpoint of CES, CSAT and Likert scales): to the recipients of the case settings
    /// (else the survey's owner) and to a case's owner. Omit to leave it as it is.
    pub detractor_alerts: Option<bool>,
    /// Anonymous surveys: groups of fewer respondents are never reported (3 to 1000,
    /// default 5). Omit to leave it as it is.
    pub min_group_size: Option<i64>,
    /// Fewer answers than this make a score "not enough answers yet" (1 to 10000,
    /// default 10). Omit to leave it as it is.
    pub min_meaningful: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
pub struct WeightingBody {
    /// The contact attribute each respondent's weight is read from, e.g. `tier` or
    /// `revenue`; null or empty turns the weighted NPS off.
    pub attribute: Option<String>,
    /// A weight (0 to 10¹²) per value of the attribute, e.g. `{"A": 3, "B": 2, "C": 1}`.
    /// Omit or leave empty when the attribute's value is itself the weight (a revenue);
    /// values without a weight are left out of the weighted score.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
}

/// Sets where the weighted NPS takes each respondent's weight from, and weighs the
/// answers so far again. Identified surveys only (422 for anonymous ones).
#[utoipa::path(put, path = "/surveys/{id}/weighting", tag = "surveys", request_body = WeightingBody,
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = SurveySummary), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn set_weighting(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<WeightingBody>,
) -> ApiResult<Json<SurveySummary>> {
    surveys::reach(&s, &caller.0, id, OnSurvey::Manage).await?;
    let weighting = body
        .attribute
        .filter(|a| !a.trim().is_empty())
        .map(|attribute| Weighting {
            attribute,
            weights: body.weights,
        });
    Ok(Json(surveys::set_weighting(&s, id, weighting).await?))
}

/// Sets a survey's status (draft, active, closed), close time, response cap, and what it
/// emails after an answer.
#[utoipa::path(put, path = "/surveys/{id}/settings", tag = "surveys", request_body = SettingsBody,
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = SurveySummary), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn update_survey_settings(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<SettingsBody>,
) -> ApiResult<Json<SurveySummary>> {
    surveys::reach(&s, &caller.0, id, OnSurvey::Manage).await?;
    let mut notifications = match (body.thank_you_email, body.detractor_alerts) {
        (Some(_), Some(_)) => Notifications::default(),
        _ => surveys::notifications(&s, id).await?,
    };
    if let Some(on) = body.thank_you_email {
        notifications.thank_you_email = on;
    }
    if let Some(on) = body.detractor_alerts {
        notifications.detractor_alerts = on;
    }
    let settings = SurveySettings {
        status: body.status,
        closes_at: body.closes_at,
        response_cap: body.response_cap,
        notifications,
    };
    if body.min_group_size.is_some() || body.min_meaningful.is_some() {
        surveys::update_thresholds(&s, id, body.min_group_size, body.min_meaningful).await?;
    }
    Ok(Json(surveys::update_settings(&s, id, settings).await?))
}
