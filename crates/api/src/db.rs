//! Running diesel work on the blocking pool, never on the async workers.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use salesops_persistence::{write_transaction, DbConnection};

/// Run read-only `f` with a pooled connection on the blocking pool.
pub async fn read<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| ApiError::Unavailable(e.to_string()))?;
        f(&mut conn)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
}

/// Run `f` in a write transaction (see [`write_transaction`]): all of it commits, or none.
pub async fn write<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    read(state, move |conn| write_transaction(conn, f)).await
}

impl From<salesops_persistence::DieselError> for ApiError {
    fn from(e: salesops_persistence::DieselError) -> Self {
        salesops_persistence::StoreError::from(e).into()
    }
}
