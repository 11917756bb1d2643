//! Liveness and readiness probes.

use crate::app::AppError;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use serde_json::json;

/// The longest `/health/ready` waits for a connection.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

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
        // No traffic reaches an unready replica, so readiness itself tries a write: the
        // replica comes back once the storage has room, without waiting for a request.
        db::write(&state, |conn| Ok(salesops_persistence::settings::probe_write(conn)?))
            .await
            .map_err(|_| AppError::Unavailable("writes are failing: the storage is full".into()))?;
    }
    // Its own short wait: a load balancer's check must get its 503 before its own timeout.
    state.connections.check()?;
    let pool = state.pool.clone();
    let wait = state.settings.db_timeout.min(READY_TIMEOUT);
    let fail_fast = state.settings.db_fail_fast;
    let reached = web::block(move || {
        let mut conn = pool.get_timeout(wait).map_err(|e| AppError::Unavailable(e.to_string()))?;
        salesops_persistence::ping(&mut conn).map_err(|e| AppError::Unavailable(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?;
    if reached.is_err() && state.pool.state().connections == 0 {
        state.connections.failed(fail_fast);
    }
    reached?;
    Ok(HttpResponse::Ok().json(json!({ "status": "ok", "database": "ok" })))
}
