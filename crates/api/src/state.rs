//! What every handler shares.

use crate::app::AppError;
use crate::auth::cache::CallerCache;
use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use salesops_persistence::{DatabaseTarget, DbPool};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Whether writes are failing because the storage is full: set by such a
/// failure, cleared by the next write that succeeds (`db::write`, or the
/// probe write readiness makes while it is set). Readiness reads it.
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

/// After a failed connection attempt the database is assumed down for a short
/// while, so that requests get their 503 at once rather than each waiting out
/// the pool timeout; the first request after that tries again.
#[derive(Debug, Default)]
pub struct ConnectionGate {
    closed_until: Mutex<Option<Instant>>,
}

impl ConnectionGate {
    /// Refuse with 503 while a recent connection failure stands.
    pub fn check(&self) -> Result<(), AppError> {
        let until = *self.closed_until.lock().unwrap_or_else(PoisonError::into_inner);
        match until {
            Some(until) if Instant::now() < until => {
                Err(AppError::Unavailable("the database failed to connect moments ago".into()))
            }
            _ => Ok(()),
        }
    }

    /// Note a failed connection attempt: fail fast for `interval`.
    pub fn failed(&self, interval: Duration) {
        *self.closed_until.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + interval);
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
    /// Whether to fail fast after a failed connection attempt.
    pub connections: Arc<ConnectionGate>,
    /// The callers this replica checked lately.
    pub callers: Arc<CallerCache>,
    /// On SQLite, whose turn it is to write (see [`crate::db::write`]); `None` on PostgreSQL.
    pub sqlite_writer: Option<Arc<Mutex<()>>>,
}

impl AppState {
    /// The state over `pool`, with nothing failing yet.
    pub fn new(pool: DbPool, jwt: JwtKeys, settings: Settings) -> AppState {
        AppState {
            pool,
            jwt: Arc::new(jwt),
            callers: Arc::new(CallerCache::new(settings.auth_cache_ttl)),
            sqlite_writer: matches!(DatabaseTarget::parse(&settings.database_url), DatabaseTarget::Sqlite(_))
                .then(Arc::default),
            settings: Arc::new(settings),
            writes: Arc::default(),
            connections: Arc::default(),
        }
    }

    /// Today in `SALESOPS_BUSINESS_TIME_ZONE`: the day document numbers count in.
    pub fn business_today(&self) -> chrono::NaiveDate {
        crate::time::business_day(chrono::Utc::now(), self.settings.business_time_zone)
    }
}
