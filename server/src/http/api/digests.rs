//! `/api/v1/me/digests` and `/api/v1/me/language`: the caller's digests (a weekly or
//! monthly email of a dashboard view) and the language of their mail; the same use cases
//! as the account page.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::digests;
use app::model::{DigestRequestBody, DigestView, LanguageBody};
use app::ports::Services;
use axum::{extract::State, http::StatusCode, Json};

/// The caller's digests.
#[utoipa::path(get, path = "/me/digests", tag = "digests",
    responses((status = 200, body = Vec<DigestView>), (status = 401, body = ErrorBody)))]
pub async fn list_digests(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<DigestView>>> {
    Ok(Json(digests::list(&s, &caller.0).await?))
}

/// Subscribes the caller to a digest of one survey's view (with the dashboard's
/// attribute filters) or, without `survey_id`, of every survey they may read.
#[utoipa::path(post, path = "/me/digests", tag = "digests", request_body = DigestRequestBody,
    responses((status = 201, body = DigestView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_digest(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<DigestRequestBody>,
) -> ApiResult<(StatusCode, Json<DigestView>)> {
    let digest =
        digests::subscribe(&s, &caller.0, body.survey_id, &body.frequency, &body.filter).await?;
    Ok((StatusCode::CREATED, Json(digest)))
}

/// Stops one of the caller's digests.
#[utoipa::path(delete, path = "/me/digests/{id}", tag = "digests",
    params(("id" = i64, Path, description = "Digest id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn delete_digest(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    digests::unsubscribe(&s, &caller.0, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends one of the caller's digests now, for its week or month so far.
#[utoipa::path(post, path = "/me/digests/{id}/send", tag = "digests",
    params(("id" = i64, Path, description = "Digest id")),
    responses((status = 202), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn send_digest(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    digests::send_now(&s, &caller.0, id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// The language of the caller's mail (digests): `en` or `de`.
#[utoipa::path(put, path = "/me/language", tag = "digests", request_body = LanguageBody,
    responses((status = 200, body = LanguageBody), (status = 422, body = ErrorBody),
        (status = 401, body = ErrorBody)))]
pub async fn set_language(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<LanguageBody>,
) -> ApiResult<Json<LanguageBody>> {
    digests::set_language(&s, &caller.0, &body.locale).await?;
    Ok(Json(LanguageBody {
        locale: body.locale.trim().to_owned(),
    }))
}
