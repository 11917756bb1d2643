//! Writing a configuration row whole, keyed by one text column: the admin's
//! setting for a role or a document type, replacing any earlier one.

/// `replace_by_key!(fn_name, table, Row, key, "noun")` defines `fn_name(conn, &Row)`:
/// update the stored row for `row.key`, or insert it when there is none.
///
/// The row derives `AsChangeset` with `primary_key(key)` (the key is not
/// rewritten) and `treat_none_as_null = true`, so a `None` clears its column
/// rather than keeping the old value. Concurrent first settings on PostgreSQL
/// meet on the primary key: the later insert is a unique violation (409).
macro_rules! replace_by_key {
    ($name:ident, $table:ident, $row:ty, $key:ident, $noun:literal) => {
        #[doc = concat!("Set the ", $noun, ", replacing any earlier setting.")]
        pub fn $name(conn: &mut $crate::DbConnection, row: &$row) -> $crate::StoreResult<()> {
            let updated = diesel::update($table::table.find(row.$key.as_str())).set(row.clone()).execute(conn)?;
            if updated == 0 {
                diesel::insert_into($table::table).values(row.clone()).execute(conn)?;
            }
            Ok(())
        }
    };
}
pub(crate) use replace_by_key;
