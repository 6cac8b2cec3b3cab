//! Reaching the request from inside a server function: services, cookies, the caller.

use crate::api::auth::{self, Action, SESSION_COOKIE};
use crate::error::{AppError, ErrorKind};
use crate::ports::{Services, User};
use http::{header, request::Parts, HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("Services missing from the Leptos context");
        AppError::internal()
    })
}

pub fn cookie(name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    parse_cookie(&parts.headers, name)
}

pub fn parse_cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn header(name: header::HeaderName) -> Option<String> {
    let parts = use_context::<Parts>()?;
    parts.headers.get(name)?.to_str().ok().map(str::to_string)
}

/// The client address as the server saw it (set by the server crate's connect-info layer).
pub fn client_ip() -> String {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<ClientIp>().map(|ip| ip.0.clone()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Inserted into request extensions by the server so use cases can rate-limit per IP.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        res.append_header(header::SET_COOKIE, v);
    }
}

/// Gives error responses their proper status so script clients see a 4xx, not a 500. A
/// plain form post keeps the redirect back to its page, where the error is shown.
pub fn fail<T>(mut err: AppError) -> Result<T, AppError> {
    let form_post = use_context::<Parts>()
        .and_then(|p| p.headers.get(header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|v| v.contains("text/html")))
        .unwrap_or(false);
    if let Some(res) = use_context::<ResponseOptions>().filter(|_| !form_post) {
        res.set_status(StatusCode::from_u16(err.kind.status()).unwrap_or(StatusCode::BAD_REQUEST));
        if let Some(seconds) = err.retry_after {
            res.insert_header(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
    }
    if err.kind == ErrorKind::Internal {
        // A plain form post gets the error back in its redirect, past the server's stamp
        // on 500 bodies: the id has to be in the error itself.
        err.request_id = header(header::HeaderName::from_static("x-request-id"));
        tracing::warn!(message = %err.message, "server function failed");
    }
    Err(err)
}

pub async fn current_user() -> Result<Option<User>, AppError> {
    let services = services()?;
    match cookie(SESSION_COOKIE) {
        Some(secret) => auth::user_for_session(&services, &secret).await,
        None => Ok(None),
    }
}

/// The gate of server functions that act on no survey: a signed-in user whose role
/// allows `action` (those acting on one pass [`crate::api::surveys::reach`] as well).
pub async fn require(action: Action<'static>) -> Result<(Services, User), AppError> {
    let (services, user) = signed_in().await?;
    auth::authorize(&user, action)?;
    Ok((services, user))
}

/// A signed-in user, whatever their role.
pub async fn signed_in() -> Result<(Services, User), AppError> {
    let services = services()?;
    let user = current_user().await?.ok_or_else(AppError::unauthorized)?;
    Ok((services, user))
}
