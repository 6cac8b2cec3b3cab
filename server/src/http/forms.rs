//! Plain form routes for what a server function with fixed arguments cannot take: the
//! survey editor and an import's column mapping (their fields vary in number), the
//! contact upload (a file), a contact's suppression (a form per row of the list) and
//! unsubscribing and stopping a digest (a mail client's one-click POST is no server
//! function call). Each answers with a redirect to the page that
//! shows the result (post/redirect/get), the same with JavaScript on or off.

use app::api::auth::{self, Action};
use app::api::{contacts, context::parse_cookie, editor, imports};
use app::error::{AppError, ErrorKind};
use app::ports::{Services, User};
use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};

/// Largest contact file the upload takes.
const UPLOAD_MAX_BYTES: usize = 100 * 1024 * 1024;

pub fn router(services: Services) -> Router {
    Router::new()
        .route("/surveys/{id}/editor", post(edit))
        .route(
            "/contacts/upload",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/contacts/imports/{id}", post(map_columns))
        .route("/contacts/{id}/suppression", post(suppress))
        .route("/u/{token}", post(unsubscribe))
        .route("/d/{token}", post(stop_digest))
        .with_state(services)
}

/// The unsubscribe page's button and RFC 8058's one-click POST (a mail client sends
/// `List-Unsubscribe=One-Click` from its own servers). Only POST unsubscribes.
async fn unsubscribe(
    State(services): State<Services>,
    Path(token): Path<String>,
    body: String,
) -> Response {
    if let Err(e) = app::api::unsubscribe::unsubscribe(&services, &token).await {
        return failure(&e);
    }
    if body.contains("List-Unsubscribe=One-Click") {
        (StatusCode::OK, "Unsubscribed.").into_response()
    } else {
        Redirect::to(&format!("/u/{token}?done=1")).into_response()
    }
}

/// A digest's stop page's button, and the one-click POST of its `List-Unsubscribe`.
async fn stop_digest(
    State(services): State<Services>,
    Path(token): Path<String>,
    body: String,
) -> Response {
    if let Err(e) = app::api::digests::stop(&services, &token).await {
        return failure(&e);
    }
    if body.contains("List-Unsubscribe=One-Click") {
        (StatusCode::OK, "Stopped.").into_response()
    } else {
        Redirect::to(&format!("/d/{token}?done=1")).into_response()
    }
}

async fn edit(
    State(services): State<Services>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let user = match signed_in(&services, &headers, Action::ListSurveys).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    match editor::edit(&services, &user, id, &fields).await {
        Ok(location) => Redirect::to(&location).into_response(),
        Err(e) => failure(&e),
    }
}

async fn upload(
    State(services): State<Services>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let user = match signed_in(&services, &headers, Action::ManageContacts).await {
        Ok(user) => user,
        Err(response) => return response,
    };
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_owned();
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes)),
                    Err(e) => return failure(&AppError::bad_input("file", e.body_text())),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return failure(&AppError::bad_input("file", e.body_text())),
        }
    }
    let Some((name, bytes)) = file else {
        return failure(&AppError::bad_input("file", "Choose a CSV file to import."));
    };
    match imports::upload(services.store.as_ref(), &user, &name, &bytes).await {
        Ok(id) => Redirect::to(&format!("/contacts/imports/{id}")).into_response(),
        Err(e) => failure(&e),
    }
}

/// The preview's form: `column[i]` says what column i is (email, name, locale, ignore,
/// attribute) and `key[i]` names an attribute; `action` is `start` or `cancel`. A refused
/// mapping goes back to the preview with the choices and the message in its address.
async fn map_columns(
    State(services): State<Services>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = signed_in(&services, &headers, Action::ManageContacts).await {
        return response;
    }
    let store = services.store.as_ref();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if field("action") == Some("cancel") {
        return match imports::discard(store, id).await {
            Ok(()) => Redirect::to("/contacts").into_response(),
            Err(e) => failure(&e),
        };
    }
    let choices: Vec<String> = (0..)
        .map_while(|i| {
            let column = field(&format!("column[{i}]"))?;
            Some(match column {
                "attribute" => format!("attribute:{}", field(&format!("key[{i}]")).unwrap_or("")),
                other => other.to_owned(),
            })
        })
        .collect();
    match imports::start(store, id, &choices).await {
        Ok(_) => {
            crate::jobs::import_now(&services);
            Redirect::to(&format!("/contacts/imports/{id}")).into_response()
        }
        Err(e) if e.kind == ErrorKind::BadInput => {
            let mut query = vec![
                ("error".to_owned(), e.message.clone()),
                ("field".to_owned(), e.field.clone().unwrap_or_default()),
            ];
            query.extend(
                choices
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| (format!("choice{i}"), c)),
            );
            let query = serde_urlencoded::to_string(&query).unwrap_or_default();
            Redirect::to(&format!("/contacts/imports/{id}?{query}")).into_response()
        }
        Err(e) => failure(&e),
    }
}

/// The contacts list's per-row form: records a suppression (e.g. a complaint) or lifts it.
async fn suppress(
    State(services): State<Services>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = signed_in(&services, &headers, Action::ManageContacts).await {
        return response;
    }
    let reason = fields
        .iter()
        .find(|(k, _)| k == "suppressed")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty());
    match contacts::suppress(services.store.as_ref(), id, reason).await {
        Ok(()) => Redirect::to(&format!("/contacts#contact-{id}")).into_response(),
        Err(e) => failure(&e),
    }
}

/// The signed-in user allowed `action` (survey routes check the survey too), or the
/// response that turns the request away.
async fn signed_in(
    services: &Services,
    headers: &HeaderMap,
    action: Action<'static>,
) -> Result<User, Response> {
    let user = match parse_cookie(headers, auth::SESSION_COOKIE) {
        Some(secret) => auth::user_for_session(services, &secret).await,
        None => Ok(None),
    };
    let user = match user {
        Ok(Some(user)) => user,
        Ok(None) => return Err(Redirect::to("/login").into_response()),
        Err(e) => return Err(failure(&e)),
    };
    auth::authorize(&user, action).map_err(|e| failure(&e))?;
    Ok(user)
}

/// What cannot be shown on the page itself (no such survey, no permission): plain text.
fn failure(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::BAD_REQUEST);
    if e.kind == ErrorKind::Internal {
        tracing::warn!(message = %e.message, "form route failed");
    }
    (status, e.message.clone()).into_response()
}
