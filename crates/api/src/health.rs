//! Liveness and readiness probes.

use crate::app::AppError;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde_json::json;

/// The process is up.
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The process can reach its database and write to it; 503 otherwise (also
/// while writes are failing because the storage is full, until one succeeds).
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.writes.storage_full() {
        return Err(AppError::Unavailable("writes are failing: the storage is full".into()).into());
    }
    db::read(&state, |conn| salesops_persistence::ping(conn).map_err(|e| AppError::Unavailable(e.to_string()))).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ok", "database": "ok" })))
}
