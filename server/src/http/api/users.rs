//! `/api/v1/me` and `/api/v1/users`: the caller's own account (its sessions and
//! password), and the accounts an admin manages (roles, scopes, disabling).

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::auth;
use app::api::context::parse_cookie;
use app::model::{Role, SessionView, UserView};
use app::ports::Services;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    Json,
};
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
    /// A first password (at least 10 characters) passed on to the person. Without one
    /// they are invited: an email with a link to choose a password, valid 7 days.
    #[serde(default)]
    pub password: Option<String>,
    pub role: Role,
    /// A manager's `attribute=value` items (e.g. `team=Sales`): their results are
    /// narrowed to one of them. Required for managers, refused for other roles.
    #[serde(default)]
    pub scope: Vec<String>,
}

/// Adds an account with a role: admin, hr, manager or viewer; without a password, the
/// person is invited by email (`invited` is true until they chose one).
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
        body.password.as_deref(),
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

/// Sends the user a new link to choose their password (their invitation, again); earlier
/// links keep working until used or expired. At most 3 an hour per user.
#[utoipa::path(post, path = "/users/{id}/invitation", tag = "account",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 202), (status = 404, body = ErrorBody),
              (status = 429, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn send_invitation(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Action::ManageUsers)?;
    auth::send_invitation(&s, id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
pub struct DisabledBody {
    pub disabled: bool,
}

/// Disables a user, which ends their sessions and stops their API tokens at once, or
/// enables them again. An admin cannot disable themself.
#[utoipa::path(put, path = "/users/{id}/disabled", tag = "account", request_body = DisabledBody,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn set_disabled(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<DisabledBody>,
) -> ApiResult<Json<UserView>> {
    let admin = caller.may(auth::Action::ManageUsers)?;
    Ok(Json(
        auth::set_disabled(&s, &admin, id, body.disabled).await?,
    ))
}

/// The caller's live sessions, newest first; `current` marks the one this request came
/// with (none for a token).
#[utoipa::path(get, path = "/me/sessions", tag = "account",
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = ErrorBody)))]
pub async fn my_sessions(
    State(s): State<Services>,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<SessionView>>> {
    let current = parse_cookie(&headers, auth::SESSION_COOKIE);
    Ok(Json(
        auth::sessions(&s, &caller.0, current.as_deref()).await?,
    ))
}

/// Ends one of the caller's sessions: that browser is signed out.
#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "account",
    params(("id" = String, Path, description = "Session id, from the list")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn end_session(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    auth::end_session(&s, &caller.0, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    pub current: String,
    /// At least 10 characters.
    pub new: String,
}

/// Changes the caller's password; every other session of theirs ends.
#[utoipa::path(put, path = "/me/password", tag = "account", request_body = PasswordBody,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn change_password(
    State(s): State<Services>,
    caller: Caller,
    headers: HeaderMap,
    Body(body): Body<PasswordBody>,
) -> ApiResult<StatusCode> {
    let current = parse_cookie(&headers, auth::SESSION_COOKIE);
    auth::change_password(&s, &caller.0, &body.current, &body.new, current.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
