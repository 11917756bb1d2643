//! The embedded migrations from the repository's one `migrations/` tree.

use crate::DbConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// Every migration, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// The error a migration run reports.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Apply every pending migration; returns how many ran.
pub fn run_pending(conn: &mut DbConnection) -> Result<usize, MigrationError> {
    Ok(conn.run_pending_migrations(MIGRATIONS)?.len())
}

/// Revert every applied migration, newest first; returns how many were reverted.
pub fn revert_all(conn: &mut DbConnection) -> Result<usize, MigrationError> {
    Ok(conn.revert_all_migrations(MIGRATIONS)?.len())
}
