//! `/api/v1/tokens`: the API tokens an admin creates and revokes.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::{auth, tokens};
use app::model::{ApiTokenView, CreatedToken};
use app::ports::Services;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use utoipa::ToSchema;

/// API tokens (admins only); secrets are never listed.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<ApiTokenView>), (status = 403, body = ErrorBody)))]
pub async fn list_tokens(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<ApiTokenView>>> {
    caller.may(auth::Permission::ManageTokens)?;
    Ok(Json(tokens::list(&s).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTokenBody {
    pub name: String,
}

/// Creates a token; the response is the only time its secret is shown.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = NewTokenBody,
    responses((status = 201, body = CreatedToken), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_token(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<NewTokenBody>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let user = caller.may(auth::Permission::ManageTokens)?;
    Ok((
        StatusCode::CREATED,
        Json(tokens::create(&s, &user, &body.name).await?),
    ))
}

/// Revokes a token at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Permission::ManageTokens)?;
    tokens::revoke(&s, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
