//! Running diesel work on the blocking pool, never on the async workers.
//!
//! Every entry point takes its connection through [`connect`]: after a failed
//! connection attempt, requests are answered 503 at once for
//! `SALESOPS_DB_FAIL_FAST_SECONDS` instead of each waiting out the pool timeout.

use crate::app::{AppError, AppResult};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::web;
use salesops_persistence::{write_transaction, DbConnection};

/// A pooled connection, unless the database failed to connect moments ago.
fn connect(state: &AppState) -> AppResult<salesops_persistence::PooledConnection> {
    state.connections.check()?;
    state.pool.get().map_err(|e| {
        // A pool that is merely busy (every connection lent out) is no outage;
        // one that holds no connection at all could not reach the database.
        if state.pool.state().connections == 0 {
            state.connections.failed(state.settings.db_fail_fast);
        }
        AppError::Unavailable(e.to_string())
    })
}

/// Who may work with a connection: anyone, or one writer at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    Shared,
    Writer,
}

/// Run `f` with a connection on the blocking pool, whatever its error type.
///
/// A [`Turn::Writer`] on SQLite first waits, before it takes a connection, for the
/// writers ahead of it in this process: SQLite admits one write transaction at a time,
/// and this lock hands the turn on the moment a writer finishes, where `busy_timeout`
/// sleeps and retries (up to 100 ms a try); no connection is held while waiting.
async fn on_blocking_pool<T, E, F>(state: &AppState, turn: Turn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    E: From<AppError> + Send + 'static,
    T: Send + 'static,
{
    let state = state.clone();
    web::block(move || {
        let writer = state.sqlite_writer.as_ref().filter(|_| turn == Turn::Writer);
        let _turn = writer.map(|w| w.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let mut conn = connect(&state)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
}

/// Run `f`, a query or a use case that needs no transaction of its own, with a
/// pooled connection on the blocking pool (writes that must commit together use [`write`]).
pub async fn read<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    Ok(on_blocking_pool(state, Turn::Shared, f).await?)
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
    Ok(write_for_job(state, f).await?)
}

/// [`write`] for a change to who may see or do what: users, departments, role
/// scopes, tokens. However it ends, this replica's
/// [`CallerCache`](crate::auth::cache::CallerCache) is emptied after it, so the
/// change applies to the very next request here (other replicas see it within
/// `SALESOPS_AUTH_CACHE_SECONDS`).
pub async fn write_access<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let outcome = write(state, f).await;
    state.callers.invalidate();
    outcome
}

/// [`read`] for background jobs, which answer with the use case's [`AppError`] rather than HTTP.
pub async fn read_for_job<T, F>(state: &AppState, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    on_blocking_pool(state, Turn::Shared, f).await
}

/// [`write`] for background jobs: one transaction, its outcome noted for
/// readiness like any write, and the use case's [`AppError`] back.
pub async fn write_for_job<T, F>(state: &AppState, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let outcome = on_blocking_pool(state, Turn::Writer, move |conn| write_transaction(conn, f)).await;
    state.writes.record(&outcome);
    outcome
}

/// [`read`] for work of the edge itself, whose refusals are an [`ApiError`]
/// such as 401 or 429 (authentication) or 400 (a report's or list's filter)
/// rather than a use case's [`AppError`]. Each statement commits on its own.
pub async fn read_with<T, E, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    E: Into<ApiError> + Send + 'static,
    T: Send + 'static,
{
    on_blocking_pool(state, Turn::Shared, move |conn| f(conn).map_err(Into::into)).await
}
