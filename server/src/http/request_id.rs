//! The request id, from the log to the client and back: every request gets one
//! (`x-request-id`, set by tower-http unless the client sent one), the request's trace
//! span carries it so every log line of the request does, and the JSON body of a 500
//! carries it too. A user who quotes the id of "something went wrong" leads straight to
//! the log line with the cause, which never reaches the client itself.

use axum::{
    body::Body,
    extract::{MatchedPath, Request},
    http::{header, HeaderMap, StatusCode},
    middleware::Next,
    response::Response,
};
use tracing::Span;

pub const HEADER: &str = "x-request-id";

/// Error bodies are a few hundred bytes; anything larger is left as it is.
const ERROR_BODY_MAX_BYTES: usize = 64 * 1024;

fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get(HEADER).and_then(|v| v.to_str().ok())
}

/// The span of one request. The route is the matched pattern (`/t/{id}`), never the
/// path itself, whose tokens and email addresses must not reach the log.
pub fn span(req: &Request) -> Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str);
    tracing::info_span!(
        "request",
        method = %req.method(),
        route,
        request_id = request_id(req.headers()).unwrap_or("-"),
    )
}

/// Adds `request_id` to the JSON body of a 500 (an `AppError` from a server function,
/// an `ErrorBody` from the JSON API), unless it has one already.
pub async fn stamp_internal_errors(req: Request, next: Next) -> Response {
    let id = request_id(req.headers()).map(str::to_owned);
    let res = next.run(req).await;
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let Some(id) = id.filter(|_| res.status() == StatusCode::INTERNAL_SERVER_ERROR && is_json)
    else {
        return res;
    };
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, ERROR_BODY_MAX_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "unreadable error body");
            parts.headers.remove(header::CONTENT_LENGTH);
            return Response::from_parts(parts, Body::empty());
        }
    };
    let stamped = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut fields)) if !fields.contains_key("request_id") => {
            fields.insert("request_id".into(), id.into());
            serde_json::to_vec(&fields).ok()
        }
        _ => None,
    };
    match stamped {
        Some(body) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(body))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{middleware, routing::get, Json, Router};
    use serde_json::{json, Value};
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route(
                "/fails",
                get(|| async {
                    let body = json!({ "error": "Something went wrong on our side." });
                    (StatusCode::INTERNAL_SERVER_ERROR, Json(body))
                }),
            )
            .route(
                "/refuses",
                get(|| async { (StatusCode::CONFLICT, Json(json!({ "error": "Taken." }))) }),
            )
            .layer(middleware::from_fn(stamp_internal_errors))
    }

    async fn body_of(path: &str) -> Value {
        let req = Request::builder()
            .uri(path)
            .header(HEADER, "4b1d")
            .body(Body::empty())
            .unwrap();
        let res = app().oneshot(req).await.unwrap();
        let bytes = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn a_500_carries_the_request_id_of_its_log_lines() {
        assert_eq!(
            body_of("/fails").await,
            json!({ "error": "Something went wrong on our side.", "request_id": "4b1d" })
        );
    }

    #[tokio::test]
    async fn other_errors_are_left_as_they_are() {
        assert_eq!(body_of("/refuses").await, json!({ "error": "Taken." }));
    }
}
