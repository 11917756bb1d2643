//! Key-value settings kept in the database, shared by every replica.

use crate::schema::settings;
use crate::{DbConnection, StoreError, StoreResult};
use diesel::prelude::*;

/// The stored value for `key`, if any.
pub fn get(conn: &mut DbConnection, key: &str) -> StoreResult<Option<String>> {
    Ok(settings::table.find(key).select(settings::value).first(conn).optional()?)
}

/// Store `value` under `key` unless a value is already there, and return
/// whichever value is stored afterwards. Replicas starting at once agree on one value.
pub fn get_or_insert(conn: &mut DbConnection, key: &str, value: &str) -> StoreResult<String> {
    if let Some(existing) = get(conn, key)? {
        return Ok(existing);
    }
    let inserted =
        diesel::insert_into(settings::table).values((settings::key.eq(key), settings::value.eq(value))).execute(conn);
    match inserted.map_err(StoreError::from) {
        Ok(_) => Ok(value.to_owned()),
        Err(StoreError::UniqueViolation(_)) => get(conn, key)?.ok_or(StoreError::NotFound),
        Err(e) => Err(e),
    }
}

/// Write something and take it back, to learn whether the database accepts
/// writes again (readiness after a full disk). The row never outlives the call.
pub fn probe_write(conn: &mut DbConnection) -> StoreResult<()> {
    const KEY: &str = "readiness_probe";
    diesel::delete(settings::table.find(KEY)).execute(conn)?;
    diesel::insert_into(settings::table)
        .values((settings::key.eq(KEY), settings::value.eq(crate::clock::now().to_string())))
        .execute(conn)?;
    diesel::delete(settings::table.find(KEY)).execute(conn)?;
    Ok(())
}
