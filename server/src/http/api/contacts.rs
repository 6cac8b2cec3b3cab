//! `/api/v1/contacts` and `/api/v1/privacy`: contacts page by page, the one-shot CSV
//! import and the export, a person's data and its erasure, and suppression. Imports with
//! a preview are in `imports.rs`.

use super::{csv_body, ApiResult, Body, Caller, ErrorBody, Path, Query};
use app::api::{auth, contacts};
use app::model::{ContactPage, Erased, ImportReport, PersonalData};
use app::ports::Services;
use axum::{
    extract::{Request, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

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
pub async fn list_contacts(
    State(s): State<Services>,
    caller: Caller,
    Query(q): Query<ContactQuery>,
) -> ApiResult<Json<ContactPage>> {
    caller.may(auth::Action::ManageContacts)?;
    let page = contacts::list(
        s.store.as_ref(),
        q.after.unwrap_or(0),
        q.limit.unwrap_or(100),
    );
    Ok(Json(page.await?))
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
pub async fn import_contacts(
    State(s): State<Services>,
    caller: Caller,
    req: Request,
) -> ApiResult<Json<ImportReport>> {
    caller.may(auth::Action::ManageContacts)?;
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
pub async fn export_contacts(State(s): State<Services>, caller: Caller) -> ApiResult<Response> {
    caller.may(auth::Action::ManageContacts)?;
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
pub async fn personal_data(
    State(s): State<Services>,
    caller: Caller,
    Path(email): Path<String>,
) -> ApiResult<Json<PersonalData>> {
    caller.may(auth::Action::ManageContacts)?;
    Ok(Json(
        contacts::personal_data(s.store.as_ref(), &email).await?,
    ))
}

/// Erases one email address: the contact is deleted; its responses lose the contact and
/// the time but keep their answers and day, so scores stay as they were.
#[utoipa::path(delete, path = "/privacy/{email}", tag = "contacts",
    params(("email" = String, Path, description = "The person's email address")),
    responses((status = 200, body = Erased), (status = 404, body = ErrorBody)))]
pub async fn erase_personal_data(
    State(s): State<Services>,
    caller: Caller,
    Path(email): Path<String>,
) -> ApiResult<Json<Erased>> {
    caller.may(auth::Action::ManageContacts)?;
    Ok(Json(contacts::erase(&s, &email).await?))
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
pub async fn set_suppression(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<SuppressionBody>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Action::ManageContacts)?;
    contacts::suppress(s.store.as_ref(), id, body.suppressed.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
