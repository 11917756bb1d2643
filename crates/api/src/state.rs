//! What every handler shares.

use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use salesops_persistence::DbPool;
use std::sync::Arc;

/// The application state, cloned into every worker.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// Token signing and verification.
    pub jwt: Arc<JwtKeys>,
    /// The settings the server started with.
    pub settings: Arc<Settings>,
}
