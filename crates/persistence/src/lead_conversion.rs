//! The lookups lead conversion needs beyond the row modules: where a new
//! account goes, and whether its first contact becomes the primary one.

use crate::schema::{account_pools, contacts};
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;

/// The live pool flagged as the default, whose rules govern new accounts.
pub fn default_pool_id(conn: &mut DbConnection) -> StoreResult<Option<String>> {
    Ok(account_pools::table
        .filter(account_pools::is_default.eq(true))
        .filter(account_pools::deleted_at.is_null())
        .order(account_pools::id)
        .select(account_pools::id)
        .first(conn)
        .optional()?)
}

/// Whether the account has any live contact.
pub fn account_has_contacts(conn: &mut DbConnection, account_id: &str) -> StoreResult<bool> {
    let n: i64 = contacts::table
        .filter(contacts::account_id.eq(account_id.to_owned()))
        .filter(contacts::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
