//! Rows written under optimistic concurrency: a write lands only over the version it was read at.

use crate::{DbConnection, StoreResult};
use chrono::NaiveDateTime;

/// A row with an `id`, a `version` bumped on every change, and an `updated_at`.
pub trait VersionedRow: Clone {
    /// The row's id.
    fn id(&self) -> &str;
    /// The row's version.
    fn version(&self) -> i64;
    /// Set the version and the time of the change.
    fn touch(&mut self, version: i64, at: NaiveDateTime);
    /// Write the row if the stored version is still `expected`; false when it moved on.
    fn update_if_version(&self, conn: &mut DbConnection, expected: i64) -> StoreResult<bool>;
}

/// A row that is deactivated rather than deleted (competitors, loss reasons,
/// products), so that the records naming it keep their reference.
pub trait Deactivatable: VersionedRow {
    /// Whether it is active.
    fn is_active(&self) -> bool;
    /// The same row, inactive.
    fn deactivated(self) -> Self;
}

/// `deactivatable!(Row)` implements [`Deactivatable`] over the row's `active` flag.
macro_rules! deactivatable {
    ($row:ty) => {
        impl $crate::versioned::Deactivatable for $row {
            fn is_active(&self) -> bool {
                self.active
            }

            fn deactivated(mut self) -> Self {
                self.active = false;
                self
            }
        }
    };
}
pub(crate) use deactivatable;

/// Define a table's `lock` (take the row lock for the rest of the transaction,
/// with a no-op write, so read-check-write cannot interleave) and `update`
/// (write the row only over the version it was read at).
macro_rules! row_writes {
    ($table:ident, $row:ty, $noun:literal) => {
        #[doc = concat!("Take the row lock on the ", $noun, " `id` for the rest of the transaction.")]
        pub fn lock(conn: &mut $crate::DbConnection, id: &str) -> $crate::StoreResult<()> {
            diesel::update($table::table.find(id)).set($table::version.eq($table::version)).execute(conn)?;
            Ok(())
        }

        #[doc = concat!("Write a changed ", $noun, " if its version is still `expected_version`; false when it moved on.")]
        pub fn update(conn: &mut $crate::DbConnection, row: &$row, expected_version: i64) -> $crate::StoreResult<bool> {
            // Owned: rows with enum fields convert them on the way in, so diesel derives no borrowed changeset.
            let n = diesel::update($table::table.find(&row.id).filter($table::version.eq(expected_version)))
                .set(row.clone())
                .execute(conn)?;
            Ok(n == 1)
        }

        $crate::versioned::versioned_row!($row, update);
    };
}
pub(crate) use row_writes;

/// `versioned_row!(Row, update)` for a row keyed by `id`;
/// `versioned_row!(Row, update, key)` for one keyed by another text column.
/// Each table's module invokes it (through [`row_writes`] for id-keyed tables).
macro_rules! versioned_row {
    ($row:ty, $update:path) => {
        $crate::versioned::versioned_row!($row, $update, id);
    };
    ($row:ty, $update:path, $key:ident) => {
        impl $crate::versioned::VersionedRow for $row {
            fn id(&self) -> &str {
                &self.$key
            }

            fn version(&self) -> i64 {
                self.version
            }

            fn touch(&mut self, version: i64, at: chrono::NaiveDateTime) {
                self.version = version;
                self.updated_at = at;
            }

            fn update_if_version(&self, conn: &mut $crate::DbConnection, expected: i64) -> $crate::StoreResult<bool> {
                $update(conn, self, expected)
            }
        }
    };
}
pub(crate) use versioned_row;
