//! `POST /surveys/{id}/editor`: the survey editor's form. Its fields are named after the
//! definition's paths (`questions[2].text.de`) and their number varies, so it is a plain
//! route reading every field rather than a server function with fixed arguments. Every
//! step answers with a redirect back to the editor (post/redirect/get), which works the
//! same with JavaScript on or off.

use app::api::auth::{self, Permission};
use app::api::{context::parse_cookie, editor};
use app::error::ErrorKind;
use app::ports::Services;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};

pub fn router(services: Services) -> Router {
    Router::new()
        .route("/surveys/{id}/editor", post(edit))
        .with_state(services)
}

async fn edit(
    State(services): State<Services>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let user = match parse_cookie(&headers, auth::SESSION_COOKIE) {
        Some(secret) => auth::user_for_session(&services, &secret).await,
        None => Ok(None),
    };
    let user = match user {
        Ok(Some(user)) => user,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(e) => return failure(e.kind, &e.message),
    };
    if let Err(e) = auth::authorize(&user, Permission::ManageSurveys) {
        return failure(e.kind, &e.message);
    }
    match editor::edit(&services, &user, id, &fields).await {
        Ok(location) => Redirect::to(&location).into_response(),
        Err(e) => failure(e.kind, &e.message),
    }
}

/// What cannot be shown in the editor itself (no such survey, no permission): plain text.
fn failure(kind: ErrorKind, message: &str) -> Response {
    let status = StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::BAD_REQUEST);
    (status, message.to_owned()).into_response()
}
