//! Data scopes configured per role, overriding the domain defaults.

use crate::schema::role_scopes;
use crate::words::Word;
use crate::{DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::org::{DataScope, Role};

/// A configured scope for one role.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = role_scopes, treat_none_as_default_value = false)]
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

/// Set the scope for a role, replacing any earlier setting.
pub fn set(conn: &mut DbConnection, row: &RoleScopeRow) -> StoreResult<()> {
    let updated = diesel::update(role_scopes::table.find(row.role.as_str()))
        .set((
            role_scopes::scope.eq(row.scope.as_str()),
            role_scopes::updated_at.eq(row.updated_at),
            role_scopes::updated_by.eq(&row.updated_by),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(role_scopes::table).values(row.clone()).execute(conn)?;
    }
    Ok(())
}
