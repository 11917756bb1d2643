//! Data scopes configured per role, overriding the domain defaults.

use crate::schema::role_scopes;
use crate::upsert::replace_by_key;
use crate::words::Word;
use crate::{DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::org::{DataScope, Role};

/// A configured scope for one role.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = role_scopes, primary_key(role), treat_none_as_default_value = false, treat_none_as_null = true)]
pub struct RoleScopeRow {
    /// The role.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub role: Role,
    /// The scope its users get.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub scope: DataScope,
    /// When it was last set.
    pub updated_at: NaiveDateTime,
    /// Who set it.
    pub updated_by: Option<String>,
}

/// The configured scope for `role`, if an admin set one.
pub fn find(conn: &mut DbConnection, role: Role) -> StoreResult<Option<DataScope>> {
    let scope: Option<Word<DataScope>> =
        role_scopes::table.find(role.as_str()).select(role_scopes::scope).first(conn).optional()?;
    Ok(scope.map(|w| w.0))
}

/// Every configured scope.
pub fn all(conn: &mut DbConnection) -> StoreResult<Vec<RoleScopeRow>> {
    Ok(role_scopes::table.select(RoleScopeRow::as_select()).order(role_scopes::role).load(conn)?)
}

replace_by_key!(set, role_scopes, RoleScopeRow, role, "scope for a role");
