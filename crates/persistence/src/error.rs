//! The persistence layer's one error type.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What went wrong talking to the database, sorted by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row matched.
    #[error("record not found")]
    NotFound,
    /// A unique constraint refused the write; the text names the constraint or column.
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    /// A foreign key refused the write.
    #[error("foreign key violated: {0}")]
    ForeignKeyViolation(String),
    /// The database could not be reached, or stayed locked or busy too long.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database has no room left: SQLite's "database or disk is full",
    /// PostgreSQL's `disk_full` (53100) or "No space left on device".
    #[error("storage full: {0}")]
    StorageFull(String),
    /// Anything else. The text is for logs only.
    #[error("database error: {0}")]
    Other(String),
}

impl StoreError {
    /// Whether this is a unique violation on `column` (matched against the
    /// PostgreSQL constraint name or the SQLite message, which both name it).
    pub fn is_unique_violation_on(&self, column: &str) -> bool {
        matches!(self, StoreError::UniqueViolation(what) if what.contains(column))
    }
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                let what = info.constraint_name().map(str::to_owned).unwrap_or_else(|| info.message().to_owned());
                match kind {
                    DatabaseErrorKind::UniqueViolation => StoreError::UniqueViolation(what),
                    DatabaseErrorKind::ForeignKeyViolation => StoreError::ForeignKeyViolation(what),
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                        StoreError::Unavailable(info.message().to_owned())
                    }
                    _ if is_busy(info.message()) => StoreError::Unavailable(info.message().to_owned()),
                    _ if is_full(info.message()) => StoreError::StorageFull(info.message().to_owned()),
                    _ => StoreError::Other(info.message().to_owned()),
                }
            }
            DieselError::BrokenTransactionManager => StoreError::Unavailable(e.to_string()),
            other => StoreError::Other(other.to_string()),
        }
    }
}

fn is_full(message: &str) -> bool {
    message.contains("database or disk is full")
        || message.contains("No space left on device")
        || message.contains("could not extend file")
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

/// Shorthand for results of this crate.
pub type StoreResult<T> = Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_on_either_database_is_storage_full_not_an_internal_error() {
        assert!(is_full("database or disk is full"));
        assert!(is_full("could not extend file \"base/16384/2619\": No space left on device"));
        assert!(!is_full("database is locked"));
        assert!(!is_full("syntax error"));
    }
}
