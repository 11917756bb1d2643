//! Running diesel work on the blocking pool, never on the async workers.

use crate::app::{AppError, AppResult};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use salesops_persistence::{write_transaction, DbConnection, DieselError};

/// Run read-only `f` with a pooled connection on the blocking pool.
pub async fn read<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    read_with(state, f).await
}

/// Run `f` in a write transaction (see [`write_transaction`]): all of it commits, or none.
///
/// A write that fails because the storage is full marks the server not ready
/// (see [`crate::state::WriteHealth`]) until a write succeeds again.
pub async fn write<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let writes = state.writes.clone();
    let pool = state.pool.clone();
    let outcome = web::block(move || {
        let mut conn = pool.get().map_err(|e| AppError::Unavailable(e.to_string()))?;
        write_transaction(&mut conn, f)
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))
    .and_then(|r| r);
    writes.record(&outcome);
    Ok(outcome?)
}

/// [`read`] for background jobs, which answer with the use case's [`AppError`] rather than HTTP.
pub async fn read_for_job<T, F>(state: &AppState, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| AppError::Unavailable(e.to_string()))?;
        f(&mut conn)
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
}

/// [`read`] for work of the edge itself (authentication), whose refusals are
/// an [`ApiError`] such as 401 or 429 rather than a use case's [`AppError`].
pub async fn read_with<T, E, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    E: Into<ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| AppError::Unavailable(e.to_string()))?;
        f(&mut conn).map_err(Into::into)
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
}

/// [`write`] for work of the edge itself; see [`read_with`].
pub async fn write_with<T, E, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    E: Into<ApiError> + From<DieselError> + Send + 'static,
    T: Send + 'static,
{
    read_with(state, move |conn| write_transaction(conn, f)).await
}

/// Parse a word stored in a TEXT column (a role, a status), reporting an
/// unknown one as an internal error rather than guessing.
pub fn stored<T: std::str::FromStr>(word: &str, what: &str) -> Result<T, AppError> {
    word.parse().map_err(|_| AppError::Internal(format!("stored {what} `{word}` is unknown")))
}
