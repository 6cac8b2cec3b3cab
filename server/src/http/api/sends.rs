//! `/api/v1` for sends and the contact frequency rule: the same use cases as the survey
//! page's send form and the send page.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::{auth::Action, sends, surveys};
use app::domain::access::OnSurvey;
use app::model::{FrequencyRule, SendDetail, SendRequest, SendView};
use app::ports::Services;
use axum::{extract::State, http::StatusCode, Json};

/// A survey's sends, newest first, each wave of a recurring send on its own.
#[utoipa::path(get, path = "/surveys/{id}/sends", tag = "sends",
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = Vec<SendView>), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list_sends(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<SendView>>> {
    surveys::reach(&s, &caller.0, id, OnSurvey::Manage).await?;
    Ok(Json(sends::list(&s, id).await?))
}

/// Sends a survey to a segment (or every contact) now, at a time, or recurring; one
/// outbox row per recipient is written when it starts.
#[utoipa::path(post, path = "/surveys/{id}/sends", tag = "sends",
    params(("id" = i64, Path, description = "Survey id")), request_body = SendRequest,
    responses((status = 201, body = SendDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn create_send(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<SendRequest>,
) -> ApiResult<(StatusCode, Json<SendDetail>)> {
    let send = sends::create(&s, &caller.0, id, &body).await?;
    Ok((StatusCode::CREATED, Json(send)))
}

/// A send's progress: queued, sent, failed (with the SMTP reply), skipped, answered.
#[utoipa::path(get, path = "/sends/{id}", tag = "sends",
    params(("id" = i64, Path, description = "Send id")),
    responses((status = 200, body = SendDetail), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn get_send(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SendDetail>> {
    sends::reach(&s, &caller.0, id).await?;
    Ok(Json(sends::detail(&s, id).await?))
}

/// Stops a started send from sending more until it is resumed.
#[utoipa::path(post, path = "/sends/{id}/pause", tag = "sends",
    params(("id" = i64, Path, description = "Send id")),
    responses((status = 200, body = SendDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn pause_send(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SendDetail>> {
    sends::reach(&s, &caller.0, id).await?;
    Ok(Json(sends::set_paused(&s, id, true).await?))
}

/// Resumes a paused send (also one that paused itself after failures).
#[utoipa::path(post, path = "/sends/{id}/resume", tag = "sends",
    params(("id" = i64, Path, description = "Send id")),
    responses((status = 200, body = SendDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn resume_send(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SendDetail>> {
    sends::reach(&s, &caller.0, id).await?;
    Ok(Json(sends::set_paused(&s, id, false).await?))
}

/// Cancels a send that has not started (a scheduled one, or a recurring send's next wave).
#[utoipa::path(post, path = "/sends/{id}/cancel", tag = "sends",
    params(("id" = i64, Path, description = "Send id")),
    responses((status = 200, body = SendDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn cancel_send(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SendDetail>> {
    sends::reach(&s, &caller.0, id).await?;
    Ok(Json(sends::cancel(&s, id).await?))
}

/// The contact frequency rule of every survey kind (30 days unless set).
#[utoipa::path(get, path = "/frequency-rules", tag = "sends",
    responses((status = 200, body = Vec<FrequencyRule>), (status = 403, body = ErrorBody)))]
pub async fn list_frequency_rules(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<FrequencyRule>>> {
    caller.may(Action::ManageContacts)?;
    Ok(Json(sends::frequency_rules(&s).await?))
}

/// Sets one survey kind's rule; answers with every kind's.
#[utoipa::path(put, path = "/frequency-rules", tag = "sends", request_body = FrequencyRule,
    responses((status = 200, body = Vec<FrequencyRule>), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn set_frequency_rule(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<FrequencyRule>,
) -> ApiResult<Json<Vec<FrequencyRule>>> {
    caller.may(Action::ManageContacts)?;
    Ok(Json(sends::set_frequency_rule(&s, &body).await?))
}
