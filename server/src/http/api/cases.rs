//! `/api/v1/cases` and `/api/v1/surveys/{id}/case-settings`: cases listed, read, moved,
//! noted, reassigned and replied to, and which answers open them; the same use cases as
//! the cases pages.

use super::{ApiResult, Body, Caller, ErrorBody, Path, Query};
use app::api::{cases, surveys};
use app::domain::access::OnSurvey;
use app::model::{
    CaseDetail, CaseList, CaseNote, CaseOwnerChange, CaseReply, CaseSettingsView, CaseStateChange,
};
use app::ports::Services;
use axum::{extract::State, Json};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct CaseListQuery {
    /// Only this survey's cases.
    pub survey: Option<i64>,
    /// `open` (open or contacted), `overdue`, `done` (resolved or closed), `contacted`,
    /// `resolved`, `closed` or `all` (default).
    pub state: Option<String>,
    /// Only the caller's own cases.
    pub mine: Option<bool>,
    /// From 1; 25 cases a page.
    pub page: Option<u64>,
}

/// The cases of every identified survey whose responses the caller may read, narrowed to
/// a manager's scope, newest first.
#[utoipa::path(get, path = "/cases", tag = "cases", params(CaseListQuery),
    responses((status = 200, body = CaseList), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_cases(
    State(s): State<Services>,
    caller: Caller,
    Query(q): Query<CaseListQuery>,
) -> ApiResult<Json<CaseList>> {
    let filters = cases::CaseFilters {
        survey: q.survey,
        state: q.state.unwrap_or_default(),
        mine: q.mine.unwrap_or(false),
        page: q.page.unwrap_or(1),
    };
    Ok(Json(cases::list(&s, &caller.0, &filters).await?))
}

/// A case with its history (notes, state changes, replies with their delivery).
#[utoipa::path(get, path = "/cases/{id}", tag = "cases",
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn get_case(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(cases::detail(&s, &caller.0, id).await?))
}

/// Moves a case: open → contacted → resolved or closed; a done case may be reopened.
#[utoipa::path(post, path = "/cases/{id}/state", tag = "cases", request_body = CaseStateChange,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn change_case_state(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<CaseStateChange>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        cases::change_state(&s, &caller.0, id, body.state).await?,
    ))
}

/// Adds a note for the people working on the case.
#[utoipa::path(post, path = "/cases/{id}/notes", tag = "cases", request_body = CaseNote,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn add_case_note(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<CaseNote>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(cases::add_note(&s, &caller.0, id, &body.text).await?))
}

/// Writes to the respondent by email (through the outbox, reply-to the caller); an open
/// case becomes contacted. 409 when the respondent cannot be written to.
#[utoipa::path(post, path = "/cases/{id}/replies", tag = "cases", request_body = CaseReply,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn reply_to_case(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<CaseReply>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        cases::reply(&s, &caller.0, id, &body.subject, &body.body).await?,
    ))
}

/// Gives the case to another user who may read its response.
#[utoipa::path(put, path = "/cases/{id}/owner", tag = "cases", request_body = CaseOwnerChange,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = CaseDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn change_case_owner(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<CaseOwnerChange>,
) -> ApiResult<Json<CaseDetail>> {
    Ok(Json(
        cases::change_owner(&s, &caller.0, id, body.owner_id).await?,
    ))
}

/// Which answers of the survey open a case, and who gets its low-score alerts.
#[utoipa::path(get, path = "/surveys/{id}/case-settings", tag = "cases",
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = CaseSettingsView), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn get_case_settings(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<CaseSettingsView>> {
    let (survey, _) = surveys::reach(&s, &caller.0, id, OnSurvey::Manage).await?;
    Ok(Json(cases::settings(&s, &survey).await?))
}

/// Sets the case rule (`null`: no cases) and the alert recipients (users' addresses, each
/// able to read the survey's responses).
#[utoipa::path(put, path = "/surveys/{id}/case-settings", tag = "cases",
    request_body = CaseSettingsView,
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = CaseSettingsView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_case_settings(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<CaseSettingsView>,
) -> ApiResult<Json<CaseSettingsView>> {
    let (survey, _) = surveys::reach(&s, &caller.0, id, OnSurvey::Manage).await?;
    Ok(Json(cases::update_settings(&s, &survey, &body).await?))
}
