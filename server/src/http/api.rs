//! `/api/v1`: everything the admin area does, as JSON, authorised by an API token
//! (`Authorization: Bearer rsn_…`) or the session cookie. Handlers only translate; the
//! work is done by the same use cases the server functions call. The OpenAPI document is
//! generated from these handlers and served at `/api/v1/openapi.json`.

mod imports;
mod sends;

use app::api::answers::Link;
use app::api::{
    answers, auth, contacts, context::parse_cookie, responses, segments, surveys, tokens,
};
use app::domain::{Locale, RawAnswer, SurveyDefinition};
use app::error::{AppError, ErrorKind};
use app::model::{
    ApiTokenView, ConditionView, ContactPage, CreatedToken, Erased, ImportReport, PersonalData,
    Role, SegmentSize, SegmentView, SurveyReport, SurveySummary, UserView,
};
use app::model::{ResponseView, SurveyStatus};
use app::ports::{Notifications, Services, SurveySettings, User};
use app::ports::{Recorded, SavedAs};
use axum::{
    extract::{FromRequest, FromRequestParts, Path, Query, Request, State},
    http::{header, request::Parts, StatusCode},
    response::{IntoResponse, Response},
    routing::{any, get},
    Json, Router,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    IntoParams, Modify, OpenApi, ToSchema,
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

/// The API's routes and its OpenAPI document, built from the same list so they agree.
pub fn parts(services: Services) -> (Router, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_users, create_user))
        .routes(routes!(list_surveys, create_survey))
        .routes(routes!(survey_report))
        .routes(routes!(get_response))
        .routes(routes!(get_definition, put_definition))
        .routes(routes!(update_survey_settings))
        .routes(routes!(create_personal_link))
        .routes(routes!(submit_answer))
        .routes(routes!(submit_personal_answer))
        .routes(routes!(list_contacts))
        .routes(routes!(import_contacts))
        .routes(routes!(imports::create_import))
        .routes(routes!(imports::get_import, imports::discard_import))
        .routes(routes!(imports::start_import))
        .routes(routes!(export_contacts))
        .routes(routes!(personal_data, erase_personal_data))
        .routes(routes!(set_suppression))
        .routes(routes!(list_segments, create_segment))
        .routes(routes!(delete_segment))
        .routes(routes!(count_segment))
        .routes(routes!(sends::list_sends, sends::create_send))
        .routes(routes!(sends::get_send))
        .routes(routes!(sends::pause_send))
        .routes(routes!(sends::resume_send))
        .routes(routes!(sends::cancel_send))
        .routes(routes!(
            sends::list_frequency_rules,
            sends::set_frequency_rule
        ))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token));
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .with_state(services)
        .split_for_parts();
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
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.kind.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let body = ErrorBody {
            error: self.0.message,
            field: self.0.field,
        };
        (status, Json(body)).into_response()
    }
}

/// A JSON body whose rejection is itself a JSON error with a 4xx status.
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
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
            Some(secret) => tokens::user_for_token(services, secret).await?,
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
    fn may(self, perm: auth::Permission) -> Result<User, ApiError> {
        auth::authorize(&self.0, perm)?;
        Ok(self.0)
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// The signed-in user or the token's owner.
#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
async fn me(caller: Caller) -> ApiResult<Json<UserView>> {
    Ok(Json(auth::view(&caller.0)))
}

/// Every account with its role (admins only).
#[utoipa::path(get, path = "/users", tag = "account",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
async fn list_users(State(s): State<Services>, caller: Caller) -> ApiResult<Json<Vec<UserView>>> {
    caller.may(auth::Permission::ManageUsers)?;
    Ok(Json(auth::list_users(&s).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    pub name: String,
    pub email: String,
    /// The first password (at least 10 characters), passed on to the person.
    pub password: String,
    pub role: Role,
}

/// Adds an account with a role: admin, hr, manager or viewer.
#[utoipa::path(post, path = "/users", tag = "account", request_body = NewUserBody,
    responses((status = 201, body = UserView), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_user(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<NewUserBody>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    caller.may(auth::Permission::ManageUsers)?;
    let user = auth::create_user(&s, &body.name, &body.email, &body.password, body.role).await?;
    Ok((StatusCode::CREATED, Json(auth::view(&user))))
}

#[derive(Deserialize, IntoParams)]
pub struct ContactQuery {
    /// The `next_after` of the previous page; omit for the first.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// Contacts in id order, a page at a time.
#[utoipa::path(get, path = "/contacts", tag = "contacts", params(ContactQuery),
    responses((status = 200, body = ContactPage), (status = 403, body = ErrorBody)))]
async fn list_contacts(
    State(s): State<Services>,
    caller: Caller,
    Query(q): Query<ContactQuery>,
) -> ApiResult<Json<ContactPage>> {
    caller.may(auth::Permission::ManageContacts)?;
    let page = contacts::list(
        s.store.as_ref(),
        q.after.unwrap_or(0),
        q.limit.unwrap_or(100),
    );
    Ok(Json(page.await?))
}

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

/// Imports contacts from a CSV file sent as the body: UTF-8 with or without a byte-order
/// mark; comma, semicolon or tab separated. The header names the columns: `email`
/// (required; also `E-Mail`, `mail`), `name`, `locale` (en or de; also `language`,
/// `Sprache`); every other column becomes an attribute named after its header
/// (`Cost Centre` → `cost_centre`). Contacts are upserted by email. Bad rows are reported
/// with their line and reason; the good rows are imported.
#[utoipa::path(post, path = "/contacts/import", tag = "contacts",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn import_contacts(
    State(s): State<Services>,
    caller: Caller,
    req: Request,
) -> ApiResult<Json<ImportReport>> {
    caller.may(auth::Permission::ManageContacts)?;
    let bytes = csv_body(req).await?;
    Ok(Json(
        contacts::import(s.store.as_ref(), &bytes, None).await?,
    ))
}

/// Every contact as CSV (UTF-8): email, name, locale, suppressed, then one column per
/// attribute. Cells that a spreadsheet would run as a formula start with `'`.
#[utoipa::path(get, path = "/contacts/export", tag = "contacts",
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 403, body = ErrorBody)))]
async fn export_contacts(State(s): State<Services>, caller: Caller) -> ApiResult<Response> {
    caller.may(auth::Permission::ManageContacts)?;
    let csv = contacts::export_csv(s.store.as_ref()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"contacts.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// Everything kept about one email address: the contact, its personal links and its
/// responses (a privacy request's export).
#[utoipa::path(get, path = "/privacy/{email}", tag = "contacts",
    params(("email" = String, Path, description = "The person's email address")),
    responses((status = 200, body = PersonalData), (status = 404, body = ErrorBody)))]
async fn personal_data(
    State(s): State<Services>,
    caller: Caller,
    Path(email): Path<String>,
) -> ApiResult<Json<PersonalData>> {
    caller.may(auth::Permission::ManageContacts)?;
    Ok(Json(
        contacts::personal_data(s.store.as_ref(), &email).await?,
    ))
}

/// Erases one email address: the contact is deleted; its responses lose the contact and
/// the time but keep their answers and day, so scores stay as they were.
#[utoipa::path(delete, path = "/privacy/{email}", tag = "contacts",
    params(("email" = String, Path, description = "The person's email address")),
    responses((status = 200, body = Erased), (status = 404, body = ErrorBody)))]
async fn erase_personal_data(
    State(s): State<Services>,
    caller: Caller,
    Path(email): Path<String>,
) -> ApiResult<Json<Erased>> {
    caller.may(auth::Permission::ManageContacts)?;
    Ok(Json(contacts::erase(s.store.as_ref(), &email).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SuppressionBody {
    /// unsubscribed, bounced or complained; null makes the contact reachable again.
    pub suppressed: Option<String>,
}

/// Records that a contact must never be sent to (e.g. an unsubscribe asked for by phone),
/// or lifts it.
#[utoipa::path(put, path = "/contacts/{id}/suppression", tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")), request_body = SuppressionBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_suppression(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<SuppressionBody>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Permission::ManageContacts)?;
    contacts::suppress(s.store.as_ref(), id, body.suppressed.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Saved audiences, by name, each with its current size.
#[utoipa::path(get, path = "/segments", tag = "contacts",
    responses((status = 200, body = Vec<SegmentView>), (status = 403, body = ErrorBody)))]
async fn list_segments(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<SegmentView>>> {
    caller.may(auth::Permission::ManageContacts)?;
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
async fn create_segment(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<SegmentBody>,
) -> ApiResult<(StatusCode, Json<SegmentView>)> {
    let user = caller.may(auth::Permission::ManageContacts)?;
    let filter = segments::filter(body.conditions);
    let segment = segments::create(s.store.as_ref(), &user, &body.name, filter).await?;
    Ok((StatusCode::CREATED, Json(segment)))
}

#[utoipa::path(delete, path = "/segments/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Segment id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_segment(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Permission::ManageContacts)?;
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
async fn count_segment(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<ConditionsBody>,
) -> ApiResult<Json<SegmentSize>> {
    caller.may(auth::Permission::ManageContacts)?;
    let filter = segments::filter(body.conditions);
    Ok(Json(segments::size(s.store.as_ref(), &filter).await?))
}

/// All surveys, newest first.
#[utoipa::path(get, path = "/surveys", tag = "surveys",
    responses((status = 200, body = Vec<SurveySummary>), (status = 401, body = ErrorBody)))]
async fn list_surveys(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<SurveySummary>>> {
    caller.may(auth::Permission::ViewResults)?;
    Ok(Json(surveys::list(&s).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewSurveyBody {
    /// nps, enps, ces, csat, pulse or custom: the template it starts from.
    pub kind: String,
    /// Replaces the template's title in the survey's default language.
    #[serde(default)]
    pub title: String,
    /// Fills `{subject}` (what a CSAT survey asks about).
    #[serde(default)]
    pub subject: String,
}

/// Creates a draft survey from the template of its kind (English and German texts);
/// its public answer link is in the response.
#[utoipa::path(post, path = "/surveys", tag = "surveys", request_body = NewSurveyBody,
    responses((status = 201, body = SurveySummary), (status = 422, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_survey(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<NewSurveyBody>,
) -> ApiResult<(StatusCode, Json<SurveySummary>)> {
    let user = caller.may(auth::Permission::ManageSurveys)?;
    let created = surveys::create(&s, &user, &body.kind, &body.title, &body.subject).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The survey's current definition: questions, texts per language, follow-ups, branding.
#[utoipa::path(get, path = "/surveys/{id}/definition", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn get_definition(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SurveyDefinition>> {
    caller.may(auth::Permission::ViewResults)?;
    Ok(Json(surveys::definition(&s, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct SavedDefinition {
    pub version: i64,
    /// True when the survey had answers: the change became a new version and earlier
    /// answers keep the wording they were given.
    pub new_version: bool,
}

/// Replaces the definition. Once a survey has answers, a change becomes a new version;
/// a question with answers cannot change its type.
#[utoipa::path(put, path = "/surveys/{id}/definition", tag = "surveys", request_body = Object,
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = SavedDefinition), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn put_definition(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(definition): Body<SurveyDefinition>,
) -> ApiResult<Json<SavedDefinition>> {
    caller.may(auth::Permission::ManageSurveys)?;
    let saved = surveys::save_definition(&s, id, definition).await?;
    Ok(Json(match saved {
        SavedAs::SameVersion(version) => SavedDefinition {
            version,
            new_version: false,
        },
        SavedAs::NewVersion(version) => SavedDefinition {
            version,
            new_version: true,
        },
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct PersonalLinkBody {
    pub contact_id: Option<i64>,
    /// en or de: the language the person gets unless `?lang=` says otherwise.
    pub locale: Option<String>,
    /// Contact attributes: placeholders such as `{name}` and the survey's grouping attributes.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonalLink {
    /// The only time this link is shown: only a hash of its token is stored.
    pub url: String,
}

/// Makes a personal answer link (one response per link, changeable while open).
#[utoipa::path(post, path = "/surveys/{id}/links", tag = "surveys", request_body = PersonalLinkBody,
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 201, body = PersonalLink), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_personal_link(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<PersonalLinkBody>,
) -> ApiResult<(StatusCode, Json<PersonalLink>)> {
    caller.may(auth::Permission::ManageSurveys)?;
    surveys::definition(&s, id).await?;
    let locale = match body.locale.as_deref() {
        None => None,
        Some(tag) => Some(
            Locale::parse(tag)
                .ok_or_else(|| AppError::bad_input("locale", "The locale must be en or de."))?,
        ),
    };
    let url =
        answers::create_personal_link(&s, id, body.contact_id, locale, body.attributes).await?;
    Ok((StatusCode::CREATED, Json(PersonalLink { url })))
}

/// A survey with its score: n, promoters, passives, detractors, NPS and its 95 % interval.
#[utoipa::path(get, path = "/surveys/{id}", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = SurveyReport), (status = 404, body = ErrorBody)))]
async fn survey_report(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SurveyReport>> {
    caller.may(auth::Permission::ViewResults)?;
    Ok(Json(surveys::report(&s, id).await?))
}

/// One response: its answers, and who gave it when — except for anonymous surveys, whose
/// responses show their answers only. Detractor alerts link to its page.
#[utoipa::path(get, path = "/surveys/{id}/responses/{response_id}", tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"),
           ("response_id" = i64, Path, description = "Response id")),
    responses((status = 200, body = ResponseView), (status = 404, body = ErrorBody),
              (status = 403, body = ErrorBody)))]
async fn get_response(
    State(s): State<Services>,
    caller: Caller,
    Path((id, response_id)): Path<(i64, i64)>,
) -> ApiResult<Json<ResponseView>> {
    caller.may(auth::Permission::ViewResults)?;
    Ok(Json(responses::view(&s, id, response_id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SettingsBody {
    pub status: SurveyStatus,
    /// RFC 3339; null for no close time.
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
    /// At least 1; null for no cap.
    pub response_cap: Option<i64>,
    /// Email a thank-you after a completed response (personal links; refused for anonymous
    /// surveys). Omit to leave it as it is.
    pub thank_you_email: Option<bool>,
    /// Email the survey's owner when the headline score is low (an NPS detractor, or below
    /// the midpoint of CES, CSAT and Likert scales). Omit to leave it as it is.
    pub detractor_alerts: Option<bool>,
}

/// Sets a survey's status (draft, active, closed), close time, response cap, and what it
/// emails after an answer.
#[utoipa::path(put, path = "/surveys/{id}/settings", tag = "surveys", request_body = SettingsBody,
    params(("id" = i64, Path, description = "Survey id")),
    responses((status = 200, body = SurveySummary), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn update_survey_settings(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<SettingsBody>,
) -> ApiResult<Json<SurveySummary>> {
    caller.may(auth::Permission::ManageSurveys)?;
    let mut notifications = match (body.thank_you_email, body.detractor_alerts) {
        (Some(_), Some(_)) => Notifications::default(),
        _ => surveys::notifications(&s, id).await?,
    };
    if let Some(on) = body.thank_you_email {
        notifications.thank_you_email = on;
    }
    if let Some(on) = body.detractor_alerts {
        notifications.detractor_alerts = on;
    }
    let settings = SurveySettings {
        status: body.status,
        closes_at: body.closes_at,
        response_cap: body.response_cap,
        notifications,
    };
    Ok(Json(surveys::update_settings(&s, id, settings).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// By question key: a score (`9`), an option key or text (`"fast"`), or a list of
    /// option keys for multiple choice. Leave a question out to skip it.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
    /// By question key: the answer to its "why?" follow-up.
    #[serde(default)]
    pub follow_ups: BTreeMap<String, String>,
    /// Public links: send the key from an earlier answer to change that response.
    pub resume_key: Option<String>,
    /// en or de, for the error messages.
    pub lang: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AnswerReceipt {
    /// `recorded` for a new response, `updated` when it changed an earlier one.
    pub status: String,
    /// Public links: the key that changes this response later.
    pub resume_key: Option<String>,
}

async fn answer_via(
    s: &Services,
    link: Link,
    body: AnswerBody,
) -> ApiResult<(StatusCode, Json<AnswerReceipt>)> {
    let locale = body
        .lang
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or(Locale::En);
    let answers = body
        .answers
        .into_iter()
        .map(|(key, value)| (key, raw_answer(value)))
        .collect();
    let public = matches!(link, Link::Public(_));
    let (recorded, resume_key) = answers::submit_response(
        s,
        &link,
        body.resume_key.as_deref(),
        &answers,
        &body.follow_ups,
        locale,
    )
    .await?;
    let (status, word) = match recorded {
        Recorded::New => (StatusCode::CREATED, "recorded"),
        _ => (StatusCode::OK, "updated"),
    };
    Ok((
        status,
        Json(AnswerReceipt {
            status: word.into(),
            resume_key: public.then_some(resume_key),
        }),
    ))
}

/// JSON values as a form would send them: one string per value.
fn raw_answer(value: serde_json::Value) -> RawAnswer {
    use serde_json::Value;
    let text = |v: Value| match v {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    match value {
        Value::Array(items) => items.into_iter().filter_map(text).collect(),
        other => text(other).into_iter().collect(),
    }
}

/// Answers a survey through its public link (no authentication: the link is the key).
#[utoipa::path(post, path = "/answers/{slug}", tag = "answers", request_body = AnswerBody,
    params(("slug" = String, Path, description = "The survey's public link id")),
    security(()),
    responses((status = 201, body = AnswerReceipt), (status = 200, body = AnswerReceipt),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn submit_answer(
    State(s): State<Services>,
    Path(slug): Path<String>,
    Body(body): Body<AnswerBody>,
) -> ApiResult<(StatusCode, Json<AnswerReceipt>)> {
    let link = answers::link_or_404(&format!("s/{slug}"))?;
    answer_via(&s, link, body).await
}

/// Answers through a personal link; a second call changes the same response.
#[utoipa::path(post, path = "/personal-answers/{token}", tag = "answers", request_body = AnswerBody,
    params(("token" = String, Path, description = "The token of the personal link")),
    security(()),
    responses((status = 201, body = AnswerReceipt), (status = 200, body = AnswerReceipt),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
async fn submit_personal_answer(
    State(s): State<Services>,
    Path(token): Path<String>,
    Body(body): Body<AnswerBody>,
) -> ApiResult<(StatusCode, Json<AnswerReceipt>)> {
    let link = answers::link_or_404(&format!("t/{token}"))?;
    answer_via(&s, link, body).await
}

/// API tokens (admins only); secrets are never listed.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, body = Vec<ApiTokenView>), (status = 403, body = ErrorBody)))]
async fn list_tokens(
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
async fn create_token(
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
async fn revoke_token(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Permission::ManageTokens)?;
    tokens::revoke(&s, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
