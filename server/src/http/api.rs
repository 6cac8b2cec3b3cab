//! `/api/v1`: everything the admin area does, as JSON, authorised by an API token
//! (`Authorization: Bearer rsn_…`) or the session cookie. Handlers only translate; the
//! work is done by the same use cases the server functions call. The OpenAPI document is
//! generated from these handlers and served at `/api/v1/openapi.json`.
//!
//! This file owns the router, the OpenAPI document, the `Caller` extractor, the JSON body
//! extractor and the error body; the handlers live one file per resource: `api/users.rs`
//! (`/me`, `/users`), `api/tokens.rs`, `api/surveys.rs` (definition, settings, report,
//! personal links), `api/responses.rs` (answers sent as JSON, reading a response, the
//! responses inbox),
//! `api/contacts.rs` (`/contacts`, `/privacy`), `api/imports.rs` (`/contacts/imports`),
//! `api/segments.rs`, `api/sends.rs` (`/surveys/{id}/sends`, `/sends`,
//! `/frequency-rules`), `api/cases.rs` (`/cases`, `/surveys/{id}/case-settings`), and
//! `api/digests.rs` (`/me/digests`, `/me/language`), and `api/webhooks.rs` (`/webhooks`).
//! The route map of the whole server is in `http/mod.rs`.

mod cases;
mod contacts;
mod digests;
mod imports;
mod responses;
mod segments;
mod sends;
mod surveys;
mod tokens;
mod users;
mod webhooks;

use app::api::{auth, context::parse_cookie};
use app::error::{AppError, ErrorKind};
use app::ports::{Services, User};
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, StatusCode},
    response::{IntoResponse, Response},
    routing::{any, get},
    Json, Router,
};
use serde::Serialize;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi, ToSchema,
};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "Resonance API", version = "1", description = "Surveys, answers and scores."),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Responses any operation can give, documented once: 401 without a valid token or
/// session (all but the public answer operations), 422 for a path or query parameter
/// that is not of its type.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{
            security::SecurityRequirement, ContentBuilder, Ref, ResponseBuilder,
        };
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let public = operation
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| *r == SecurityRequirement::default()));
                let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let responses = &mut operation.responses.responses;
                if !public {
                    responses
                        .entry("401".into())
                        .or_insert_with(|| error("No valid API token or session.").into());
                }
                if has_parameters {
                    responses
                        .entry("422".into())
                        .or_insert_with(|| error("A parameter is not of its type.").into());
                }
            }
        }
    }
}

/// The API's routes and its OpenAPI document, built from the same list so they agree.
pub fn parts(services: Services) -> (Router, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(users::me))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::set_access))
        .routes(routes!(users::set_disabled))
        .routes(routes!(users::send_invitation))
        .routes(routes!(users::my_sessions))
        .routes(routes!(users::end_session))
        .routes(routes!(users::change_password))
        .routes(routes!(surveys::list_surveys, surveys::create_survey))
        .routes(routes!(surveys::survey_report))
        .routes(routes!(surveys::survey_trends))
        .routes(routes!(surveys::survey_results_csv))
        .routes(routes!(surveys::survey_answers_csv))
        .routes(routes!(surveys::survey_answers_json))
        .routes(routes!(surveys::overview))
        .routes(routes!(surveys::survey_shares_chart))
        .routes(routes!(surveys::survey_funnel_chart))
        .routes(routes!(surveys::survey_trend_chart))
        .routes(routes!(surveys::survey_distribution_chart))
        .routes(routes!(responses::get_response))
        .routes(routes!(responses::list_responses))
        .routes(routes!(surveys::get_definition, surveys::put_definition))
        .routes(routes!(surveys::update_survey_settings))
        .routes(routes!(surveys::set_weighting))
        .routes(routes!(surveys::create_personal_link))
        .routes(routes!(responses::submit_answer))
        .routes(routes!(responses::submit_personal_answer))
        .routes(routes!(contacts::list_contacts))
        .routes(routes!(contacts::import_contacts))
        .routes(routes!(imports::create_import))
        .routes(routes!(imports::get_import, imports::discard_import))
        .routes(routes!(imports::start_import))
        .routes(routes!(contacts::export_contacts))
        .routes(routes!(
            contacts::personal_data,
            contacts::erase_personal_data
        ))
        .routes(routes!(contacts::set_suppression))
        .routes(routes!(segments::list_segments, segments::create_segment))
        .routes(routes!(segments::delete_segment))
        .routes(routes!(segments::count_segment))
        .routes(routes!(sends::list_sends, sends::create_send))
        .routes(routes!(sends::get_send))
        .routes(routes!(sends::pause_send))
        .routes(routes!(sends::resume_send))
        .routes(routes!(sends::cancel_send))
        .routes(routes!(
            sends::list_frequency_rules,
            sends::set_frequency_rule
        ))
        .routes(routes!(digests::list_digests, digests::create_digest))
        .routes(routes!(digests::delete_digest))
        .routes(routes!(digests::send_digest))
        .routes(routes!(digests::set_language))
        .routes(routes!(cases::list_cases))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::change_case_state))
        .routes(routes!(cases::add_case_note))
        .routes(routes!(cases::reply_to_case))
        .routes(routes!(cases::change_case_owner))
        .routes(routes!(cases::get_case_settings, cases::put_case_settings))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(
            webhooks::get_webhook,
            webhooks::put_webhook,
            webhooks::delete_webhook
        ))
        .routes(routes!(webhooks::set_webhook_enabled))
        .routes(routes!(webhooks::rotate_webhook_secret))
        .routes(routes!(webhooks::replay_webhook))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(tokens::list_tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token));
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .with_state(services)
        .split_for_parts();
    // After the routes are in: `#[openapi(modifiers)]` run before there are any paths.
    CommonResponses.modify(&mut doc);
    (router, doc)
}

pub fn router(services: Services) -> Router {
    let (router, doc) = parts(services);
    let doc = std::sync::Arc::new(doc);
    router
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route("/api/v1/{*rest}", any(unknown_endpoint))
}

async fn unknown_endpoint() -> ApiError {
    ApiError(AppError::not_found(
        "There is no such API endpoint; see /api/v1/openapi.json.",
    ))
}

/// An error as the API answers it: the status of its kind and `{"error", "field"}`.
pub struct ApiError(pub AppError);

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What is wrong, in a sentence.
    pub error: String,
    /// The input field the error concerns, when there is one.
    pub field: Option<String>,
    /// Failures on our side (500) only: the id to quote when reporting it; the server's
    /// log carries it with the cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.kind.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let retry_after = self.0.retry_after;
        let body = ErrorBody {
            error: self.0.message,
            field: self.0.field,
            request_id: self.0.request_id,
        };
        let mut res = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        res
    }
}

/// A JSON body whose rejection is itself a JSON error with a 4xx status.
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let rejected = |text: String| ApiError(AppError::new(ErrorKind::BadInput, text));
        if !is_json(req.headers()) {
            return Err(rejected(
                "Send the body as JSON, with `Content-Type: application/json`.".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| rejected(r.body_text()))?;
        if has_nul_escape(&bytes) {
            return Err(rejected(NUL_REFUSED.into()));
        }
        match Json::<T>::from_bytes(&bytes) {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rejection) => Err(rejected(rejection.body_text())),
        }
    }
}

/// PostgreSQL refuses NUL in text, and no name, value or answer needs one: refused
/// at the door with a 422 instead of failing in the database.
const NUL_REFUSED: &str = "Text may not contain the NUL character (\\u0000 or %00).";

/// `application/json` or any `+json` type, as axum's own `Json` accepts.
fn is_json(headers: &header::HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
    else {
        return false;
    };
    let mime = mime.trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Whether a JSON text holds the escape `\u0000` (a raw NUL cannot appear in JSON). An
/// escaped backslash before `u0000` is text, so the backslashes before it are counted.
fn has_nul_escape(json: &[u8]) -> bool {
    json.windows(6).enumerate().any(|(at, w)| {
        w == b"\\u0000" && json[..at].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
    })
}

/// Whether a URL's path or query decodes to text with a NUL in it.
fn has_encoded_nul(uri: &axum::http::Uri) -> bool {
    uri.path_and_query()
        .is_some_and(|pq| pq.as_str().contains("%00"))
}

/// `axum::extract::Path` whose rejection (a parameter not of its type) is a JSON error
/// with 422, like `Body`'s, instead of axum's plain-text 400.
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if has_encoded_nul(&parts.uri) {
            return Err(ApiError(AppError::new(ErrorKind::BadInput, NUL_REFUSED)));
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(ApiError(AppError::new(
                ErrorKind::BadInput,
                rejection.body_text(),
            ))),
        }
    }
}

/// `axum::extract::Query` whose rejection is a JSON error with 422, like `Path`'s.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if has_encoded_nul(&parts.uri) {
            return Err(ApiError(AppError::new(ErrorKind::BadInput, NUL_REFUSED)));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(ApiError(AppError::new(
                ErrorKind::BadInput,
                rejection.body_text(),
            ))),
        }
    }
}

/// The authenticated caller: a bearer token first, else the session cookie.
pub struct Caller(pub User);

impl FromRequestParts<Services> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, services: &Services) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let user = match bearer {
            Some(secret) => app::api::tokens::user_for_token(services, secret).await?,
            None => match parse_cookie(&parts.headers, auth::SESSION_COOKIE) {
                Some(secret) => auth::user_for_session(services, &secret).await?,
                None => None,
            },
        };
        user.map(Caller).ok_or_else(|| {
            ApiError(AppError::new(
                ErrorKind::Unauthorized,
                "Send an API token as `Authorization: Bearer …` or sign in.",
            ))
        })
    }
}

impl Caller {
    /// The caller, when their role allows `action` (one on a survey is asked of
    /// `surveys::reach` instead).
    fn may(self, action: auth::Action<'static>) -> Result<User, ApiError> {
        auth::authorize(&self.0, action)?;
        Ok(self.0)
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Largest CSV file an import takes.
const IMPORT_MAX_BYTES: usize = 100 * 1024 * 1024;

/// An uploaded CSV file (a request's whole body), refused above [`IMPORT_MAX_BYTES`].
async fn csv_body(req: Request) -> Result<axum::body::Bytes, AppError> {
    axum::body::to_bytes(req.into_body(), IMPORT_MAX_BYTES)
        .await
        .map_err(|_| {
            AppError::new(
                ErrorKind::TooLarge,
                "The file is larger than 100 MB: split it and import the parts.",
            )
        })
}
