//! Rows the data scope decides who may see: the lookups every scoped table shares.

use crate::scope::Visibility;
use crate::{DbConnection, StoreResult};

/// A row of a table whose readers the data scope decides, with a row lock for writes.
pub trait ScopedRow: Sized {
    /// Take the row lock on `id` for the rest of the transaction.
    fn lock(conn: &mut DbConnection, id: &str) -> StoreResult<()>;
    /// The live row `id`, if `visibility` lets the caller see it.
    fn find_visible(conn: &mut DbConnection, id: &str, visibility: &Visibility) -> StoreResult<Option<Self>>;
    /// The row `id`, deleted or not, if `visibility` lets the caller see it (for reading its audit trail).
    fn find_visible_including_deleted(
        conn: &mut DbConnection,
        id: &str,
        visibility: &Visibility,
    ) -> StoreResult<Option<Self>>;
}

/// Define a scoped table's `find_visible` and `find_visible_including_deleted`
/// from its module's `scoped(visibility)` query, and its [`ScopedRow`] impl
/// (with the `lock` of [`crate::versioned::row_writes`]).
macro_rules! scoped_lookups {
    ($table:ident, $row:ident, $noun:literal) => {
        #[doc = concat!("A live ", $noun, " the caller may see.")]
        pub fn find_visible(
            conn: &mut $crate::DbConnection,
            id: &str,
            visibility: &$crate::scope::Visibility,
        ) -> $crate::StoreResult<Option<$row>> {
            Ok(scoped(visibility)
                .filter($table::id.eq(id.to_owned()))
                .filter($table::deleted_at.is_null())
                .select($row::as_select())
                .first(conn)
                .optional()?)
        }

        #[doc = concat!("A ", $noun, " the caller may see, deleted or not (for reading its audit trail).")]
        pub fn find_visible_including_deleted(
            conn: &mut $crate::DbConnection,
            id: &str,
            visibility: &$crate::scope::Visibility,
        ) -> $crate::StoreResult<Option<$row>> {
            Ok(scoped(visibility)
                .filter($table::id.eq(id.to_owned()))
                .select($row::as_select())
                .first(conn)
                .optional()?)
        }

        impl $crate::visible::ScopedRow for $row {
            fn lock(conn: &mut $crate::DbConnection, id: &str) -> $crate::StoreResult<()> {
                lock(conn, id)
            }

            fn find_visible(
                conn: &mut $crate::DbConnection,
                id: &str,
                visibility: &$crate::scope::Visibility,
            ) -> $crate::StoreResult<Option<$row>> {
                find_visible(conn, id, visibility)
            }

            fn find_visible_including_deleted(
                conn: &mut $crate::DbConnection,
                id: &str,
                visibility: &$crate::scope::Visibility,
            ) -> $crate::StoreResult<Option<$row>> {
                find_visible_including_deleted(conn, id, visibility)
            }
        }
    };
}
pub(crate) use scoped_lookups;

/// Define a scoped table's `list` (one page of visible, live rows matching a
/// filter, in id order, after an id) and `count`, from its module's
/// `filtered(filter, visibility)` query.
macro_rules! id_ordered_list {
    ($table:ident, $row:ident, $filter:ty, $nouns:literal) => {
        #[doc = concat!("One page of visible, live ", $nouns, " in id (creation) order, after `after_id`.")]
        pub fn list(
            conn: &mut $crate::DbConnection,
            filter: &$filter,
            visibility: &$crate::scope::Visibility,
            after_id: Option<&str>,
            limit: i64,
        ) -> $crate::StoreResult<Vec<$row>> {
            let mut query = filtered(filter, visibility).select($row::as_select()).order($table::id).limit(limit);
            if let Some(after) = after_id {
                query = query.filter($table::id.gt(after.to_owned()));
            }
            Ok(query.load(conn)?)
        }

        #[doc = concat!("How many visible, live ", $nouns, " match `filter`.")]
        pub fn count(
            conn: &mut $crate::DbConnection,
            filter: &$filter,
            visibility: &$crate::scope::Visibility,
        ) -> $crate::StoreResult<i64> {
            Ok(filtered(filter, visibility).select(diesel::dsl::count_star()).first(conn)?)
        }
    };
}
pub(crate) use id_ordered_list;
