//! `/api/v1/me` and `/api/v1/users`: the caller's own account, and the accounts an admin
//! manages.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::auth;
use app::model::{Role, UserView};
use app::ports::Services;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use utoipa::ToSchema;

/// The signed-in user or the token's owner.
#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> ApiResult<Json<UserView>> {
    Ok(Json(auth::view(&caller.0)))
}

/// Every account with its role (admins only).
#[utoipa::path(get, path = "/users", tag = "account",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<UserView>>> {
    caller.may(auth::Action::ManageUsers)?;
    Ok(Json(auth::list_users(&s).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    pub name: String,
    pub email: String,
    /// The first password (at least 10 characters), passed on to the person.
    pub password: String,
    pub role: Role,
    /// A manager's `attribute=value` items (e.g. `team=Sales`): their results are
    /// narrowed to one of them. Required for managers, refused for other roles.
    #[serde(default)]
    pub scope: Vec<String>,
}

/// Adds an account with a role: admin, hr, manager or viewer.
#[utoipa::path(post, path = "/users", tag = "account", request_body = NewUserBody,
    responses((status = 201, body = UserView), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_user(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<NewUserBody>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    caller.may(auth::Action::ManageUsers)?;
    let user = auth::create_user(
        &s,
        &body.name,
        &body.email,
        &body.password,
        body.role,
        &body.scope,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(auth::view(&user))))
}

#[derive(Deserialize, ToSchema)]
pub struct AccessBody {
    pub role: Role,
    /// As for a new user: a manager's `attribute=value` items.
    #[serde(default)]
    pub scope: Vec<String>,
}

/// Changes a user's role and scope; it applies to their next request.
#[utoipa::path(put, path = "/users/{id}/access", tag = "account", request_body = AccessBody,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn set_access(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<AccessBody>,
) -> ApiResult<Json<UserView>> {
    let admin = caller.may(auth::Action::ManageUsers)?;
    Ok(Json(
        auth::set_access(&s, &admin, id, body.role, &body.scope).await?,
    ))
}
