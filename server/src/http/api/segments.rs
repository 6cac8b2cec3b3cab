//! `/api/v1/segments`: saved audiences of contacts, and counting an audience before
//! saving it.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::{auth, segments};
use app::model::{ConditionView, SegmentSize, SegmentView};
use app::ports::Services;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use utoipa::ToSchema;

/// Saved audiences, by name, each with its current size.
#[utoipa::path(get, path = "/segments", tag = "contacts",
    responses((status = 200, body = Vec<SegmentView>), (status = 403, body = ErrorBody)))]
pub async fn list_segments(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<SegmentView>>> {
    caller.may(auth::Action::ManageContacts)?;
    Ok(Json(segments::list(s.store.as_ref()).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SegmentBody {
    pub name: String,
    /// Exact matches on contact attributes, all of which must hold; none means everyone.
    #[serde(default)]
    pub conditions: Vec<ConditionView>,
}

/// Saves an audience: contacts whose attributes match every condition.
#[utoipa::path(post, path = "/segments", tag = "contacts", request_body = SegmentBody,
    responses((status = 201, body = SegmentView), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_segment(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<SegmentBody>,
) -> ApiResult<(StatusCode, Json<SegmentView>)> {
    let user = caller.may(auth::Action::ManageContacts)?;
    let filter = segments::filter(body.conditions);
    let segment = segments::create(s.store.as_ref(), &user, &body.name, filter).await?;
    Ok((StatusCode::CREATED, Json(segment)))
}

#[utoipa::path(delete, path = "/segments/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Segment id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_segment(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Action::ManageContacts)?;
    segments::delete(s.store.as_ref(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct ConditionsBody {
    #[serde(default)]
    pub conditions: Vec<ConditionView>,
}

/// How many contacts some conditions match right now, before saving them as a segment.
#[utoipa::path(post, path = "/segments/count", tag = "contacts", request_body = ConditionsBody,
    responses((status = 200, body = SegmentSize), (status = 422, body = ErrorBody)))]
pub async fn count_segment(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<ConditionsBody>,
) -> ApiResult<Json<SegmentSize>> {
    caller.may(auth::Action::ManageContacts)?;
    let filter = segments::filter(body.conditions);
    Ok(Json(segments::size(s.store.as_ref(), &filter).await?))
}
