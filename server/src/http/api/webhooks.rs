//! `/api/v1/webhooks`: admins' webhook endpoints (register, change, turn off and on,
//! rotate the secret, delete, send a test event), each endpoint's recent deliveries, and
//! replaying one; the same use cases as the webhooks settings page.

use super::{ApiResult, Body, Caller, ErrorBody, Path};
use app::api::{auth, webhooks};
use app::model::{WebhookDetail, WebhookInput, WebhookView};
use app::ports::Services;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use utoipa::ToSchema;

/// Every endpoint (admins only).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks",
    responses((status = 200, body = Vec<WebhookView>), (status = 403, body = ErrorBody)))]
pub async fn list_webhooks(
    State(s): State<Services>,
    caller: Caller,
) -> ApiResult<Json<Vec<WebhookView>>> {
    caller.may(auth::Action::ManageWebhooks)?;
    Ok(Json(webhooks::list(&s).await?))
}

/// Registers an endpoint for events; the answer holds its signing secret. Its URL must
/// be (and resolve to) a public address, unless its host is one the server allows.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = WebhookInput,
    responses((status = 201, body = WebhookDetail), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn create_webhook(
    State(s): State<Services>,
    caller: Caller,
    Body(body): Body<WebhookInput>,
) -> ApiResult<(StatusCode, Json<WebhookDetail>)> {
    let admin = caller.may(auth::Action::ManageWebhooks)?;
    let detail = webhooks::create(&s, &admin, &body).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// One endpoint: its secret (and the previous one while a rotation overlaps) and its 50
/// most recent deliveries with their status codes.
#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 200, body = WebhookDetail), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn get_webhook(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<WebhookDetail>> {
    caller.may(auth::Action::ManageWebhooks)?;
    Ok(Json(webhooks::detail(&s, id).await?))
}

/// Changes an endpoint's URL, description and events.
#[utoipa::path(put, path = "/webhooks/{id}", tag = "webhooks", request_body = WebhookInput,
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 200, body = WebhookDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_webhook(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<WebhookInput>,
) -> ApiResult<Json<WebhookDetail>> {
    caller.may(auth::Action::ManageWebhooks)?;
    Ok(Json(webhooks::update(&s, id, &body).await?))
}

/// Deletes an endpoint and its deliveries.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn delete_webhook(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Action::ManageWebhooks)?;
    webhooks::delete(&s, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct EnabledBody {
    /// false turns the endpoint off; true turns it on again and forgets its failures.
    pub enabled: bool,
}

/// Turns an endpoint off, or on again.
#[utoipa::path(put, path = "/webhooks/{id}/enabled", tag = "webhooks", request_body = EnabledBody,
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 200, body = WebhookDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn set_webhook_enabled(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
    Body(body): Body<EnabledBody>,
) -> ApiResult<Json<WebhookDetail>> {
    caller.may(auth::Action::ManageWebhooks)?;
    webhooks::set_enabled(&s, id, body.enabled).await?;
    Ok(Json(webhooks::detail(&s, id).await?))
}

/// A new signing secret; the previous one signs too for 24 hours, so the receiver can
/// switch without losing a message.
#[utoipa::path(post, path = "/webhooks/{id}/rotate", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 200, body = WebhookDetail), (status = 404, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn rotate_webhook_secret(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<WebhookDetail>> {
    caller.may(auth::Action::ManageWebhooks)?;
    Ok(Json(webhooks::rotate(&s, id).await?))
}

/// Sends one delivery again, with the same `webhook-id`.
#[utoipa::path(post, path = "/webhooks/{id}/deliveries/{message}/replay", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id"),
        ("message" = String, Path, description = "The message's id (msg_…)")),
    responses((status = 202), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn replay_webhook(
    State(s): State<Services>,
    caller: Caller,
    Path((id, message)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    caller.may(auth::Action::ManageWebhooks)?;
    webhooks::replay(&s, id, &message).await?;
    Ok(StatusCode::ACCEPTED)
}

/// The queued test message's id.
#[derive(serde::Serialize, ToSchema)]
pub struct TestQueued {
    /// The `webhook-id` the receiver will see (msg_…); the delivery is listed with it.
    pub message_id: String,
}

/// Sends the endpoint a `webhook.test` event, signed like every delivery, to try its
/// receiver; no other endpoint gets it. 409 while the endpoint is turned off.
#[utoipa::path(post, path = "/webhooks/{id}/test", tag = "webhooks",
    params(("id" = i64, Path, description = "Endpoint id")),
    responses((status = 202, body = TestQueued), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn test_webhook(
    State(s): State<Services>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<TestQueued>)> {
    caller.may(auth::Action::ManageWebhooks)?;
    let message_id = webhooks::send_test(&s, id).await?;
    Ok((StatusCode::ACCEPTED, Json(TestQueued { message_id })))
}
