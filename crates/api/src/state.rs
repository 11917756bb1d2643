//! What every handler shares.

use crate::app::AppError;
use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use salesops_persistence::DbPool;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Whether writes are failing because the storage is full: set by such a
/// failure, cleared by the next write that succeeds. Readiness reads it.
#[derive(Debug, Default)]
pub struct WriteHealth {
    storage_full: AtomicBool,
}

impl WriteHealth {
    /// Note how a write ended.
    pub fn record<T>(&self, outcome: &Result<T, AppError>) {
        match outcome {
            Ok(_) => self.storage_full.store(false, Ordering::Relaxed),
            Err(AppError::StorageFull(_)) => self.storage_full.store(true, Ordering::Relaxed),
            Err(_) => {}
        }
    }

    /// Whether the last write that hit the storage found it full.
    pub fn storage_full(&self) -> bool {
        self.storage_full.load(Ordering::Relaxed)
    }
}

/// The application state, cloned into every worker.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// Token signing and verification.
    pub jwt: Arc<JwtKeys>,
    /// The settings the server started with.
    pub settings: Arc<Settings>,
    /// Whether writes are failing for want of storage.
    pub writes: Arc<WriteHealth>,
}

impl AppState {
    /// The state over `pool`, with nothing failing yet.
    pub fn new(pool: DbPool, jwt: JwtKeys, settings: Settings) -> AppState {
        AppState { pool, jwt: Arc::new(jwt), settings: Arc::new(settings), writes: Arc::default() }
    }
}
