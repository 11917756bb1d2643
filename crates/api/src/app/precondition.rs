//! Optimistic concurrency: the version a change is based on.

use crate::app::AppError;

/// The version an `If-Match` header demands, if the request sent one (`*` demands none).
/// A use case checks it against the record it locked; the edge parses the header.
#[derive(Debug, Clone, Copy, Default)]
pub struct IfMatch(pub Option<i64>);

impl IfMatch {
    /// Refuse with 412 unless the current version is the demanded one.
    pub fn check(self, current: i64) -> Result<(), AppError> {
        match self.0 {
            Some(wanted) if wanted != current => Err(AppError::PreconditionFailed(current)),
            _ => Ok(()),
        }
    }
}
