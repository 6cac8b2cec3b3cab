//! Text with a NUL character in it, refused before anything reads it: PostgreSQL cannot
//! store one, and no name, title, answer or filter needs one. The JSON API answers its
//! own JSON error for this (`api.rs`); this guard covers the rest: a page's query and a
//! server function's or plain form's fields.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Forms are small; an upload (multipart, the CSV import) is not read here.
const FORM_MAX_BYTES: usize = 2 * 1024 * 1024;

const REFUSED: &str = "Text may not contain the NUL character (%00).";

/// Answers 422 to a page or form request whose query or form fields hold `%00`.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    if req.uri().query().is_some_and(|q| q.contains("%00")) {
        return refused();
    }
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_MAX_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "This form is too large.").into_response();
    };
    if bytes.windows(3).any(|w| w == b"%00") || bytes.contains(&0) {
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refused() -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, REFUSED).into_response()
}
