//! `/api/v1/tokens`: the caller's API tokens (an admin's: everyone's), each with a role
//! and scope no greater than its creator's.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::tokens;
use app::model::{ApiTokenView, CreatedToken, Role};
use app::ports::Services;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use utoipa::ToSchema;

/// The caller's API tokens (an admin's: everyone's); secrets are never listed.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<ApiTokenView>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<ApiTokenView>>> {
    Ok(Json(tokens::list(&s, &caller.0).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTokenBody {
    pub name: String,
    /// What the token may do; the creator's role when absent. Only an admin's token may
    /// carry another role than its creator's.
    pub role: Option<Role>,
    /// A manager token's `attribute=value` items, within its creator's; the creator's
    /// when absent.
    #[serde(default)]
    pub scope: Vec<String>,
}

/// Creates a token; the response is the only time its secret is shown.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = NewTokenBody,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_token(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<NewTokenBody>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let created = tokens::create(&s, &caller.0, &body.name, body.role, &body.scope).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revokes a token at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn revoke_token(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    tokens::revoke(&s, &caller.0, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
