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

/// The process can reach its database; 503 otherwise.
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    db::read(&state, |conn| salesops_persistence::ping(conn).map_err(|e| AppError::Unavailable(e.to_string()))).await?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ok", "database": "ok" })))
}
