//! `/api/v1` for contact imports with a preview: upload, look, map the columns, start,
//! follow the progress — the same use cases as the admin area's import page.

use super::{csv_body, ApiResult, Body, Caller, ErrorBody, Path};
use app::api::{auth::Action, imports};
use app::model::ImportView;
use app::ports::Services;
use axum::{
    extract::{Request, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use utoipa::ToSchema;

/// Keeps a CSV file (the body) for its preview: its columns, first rows, row count and the
/// column mapping its header suggests. Nothing is imported until it is started. An empty
/// file is refused (422, field `file`); any other file that cannot be read is answered
/// with a finished import saying why.
#[utoipa::path(post, path = "/contacts/imports", tag = "contacts",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportView), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_import(
    State(s): State<Services>,
    caller: Caller,
    req: Request,
) -> ApiResult<(StatusCode, Json<ImportView>)> {
    let user = caller.may(Action::ManageContacts)?;
    let bytes = csv_body(req).await?;
    app::api::contacts::require_content(&bytes)?;
    let store = s.store.as_ref();
    let id = imports::upload(store, &user, "upload.csv", &bytes).await?;
    Ok((StatusCode::CREATED, Json(imports::view(store, id).await?)))
}

/// An import: its preview while pending, its progress while running, its report when done.
#[utoipa::path(get, path = "/contacts/imports/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Import id")),
    responses((status = 200, body = ImportView), (status = 404, body = ErrorBody)))]
pub async fn get_import(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ImportView>> {
    caller.may(Action::ManageContacts)?;
    Ok(Json(imports::view(s.store.as_ref(), id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct StartBody {
    /// One per column of the file: `email`, `name`, `locale`, `ignore` or
    /// `attribute:<key>` (lower-case letters, digits and `_`). Exactly one is `email`.
    pub columns: Vec<String>,
}

/// Starts a pending import with its column mapping; it runs in the background (follow it
/// with GET). A wrong mapping is refused with the column it is about (`columns[2]`).
#[utoipa::path(post, path = "/contacts/imports/{id}/start", tag = "contacts",
    params(("id" = i64, Path, description = "Import id")), request_body = StartBody,
    responses((status = 202, body = ImportView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start_import(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<StartBody>,
) -> ApiResult<(StatusCode, Json<ImportView>)> {
    caller.may(Action::ManageContacts)?;
    let view = imports::start(s.store.as_ref(), id, &body.columns).await?;
    crate::jobs::import_now(&s);
    Ok((StatusCode::ACCEPTED, Json(view)))
}

/// Drops a pending import and its file.
#[utoipa::path(delete, path = "/contacts/imports/{id}", tag = "contacts",
    params(("id" = i64, Path, description = "Import id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn discard_import(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.may(Action::ManageContacts)?;
    imports::discard(s.store.as_ref(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
