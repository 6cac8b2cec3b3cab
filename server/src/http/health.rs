//! `GET /healthz`: 200 while the database answers, 503 when it does not.

use app::ports::Services;
use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use serde_json::{json, Value};

pub fn router(services: Services) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .with_state(services)
}

async fn health(State(services): State<Services>) -> (StatusCode, Json<Value>) {
    match services.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(e) => {
            tracing::warn!(cause = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}
