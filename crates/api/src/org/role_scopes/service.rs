//! Role-scope use cases: the scope in force for a role, the list of every
//! role's scope, and setting one.

use super::ENTITY;
use crate::app::{Actor, AppResult};
use crate::audit::{self, snapshot};
use crate::org::role_scopes::dto::{RoleScope, RoleScopeList};
use salesops_domain::org::{DataScope, Role};
use salesops_persistence::role_scopes::{self, RoleScopeRow};
use salesops_persistence::{clock, DbConnection};

/// The scope in force for a role: the admin's setting, else the domain default.
pub fn effective_scope(conn: &mut DbConnection, role: Role) -> AppResult<DataScope> {
    Ok(role_scopes::find(conn, role)?.unwrap_or_else(|| role.default_scope()))
}

fn role_scope(conn: &mut DbConnection, role: Role) -> AppResult<RoleScope> {
    Ok(RoleScope::new(role, effective_scope(conn, role)?))
}

/// Every role with the scope in force for it, in the order of [`Role::ALL`].
pub fn list(conn: &mut DbConnection) -> AppResult<RoleScopeList> {
    let data = Role::ALL.iter().map(|role| role_scope(conn, *role)).collect::<AppResult<Vec<_>>>()?;
    Ok(RoleScopeList { data })
}

/// Give `role` the data scope `scope`, audited under the role's word. Users
/// with the role get it from their next request, when the caller check reads it.
pub fn set(conn: &mut DbConnection, actor: &Actor, role: Role, scope: DataScope) -> AppResult<RoleScope> {
    let before = role_scope(conn, role)?;
    role_scopes::set(
        conn,
        &RoleScopeRow { role, scope, updated_at: clock::now(), updated_by: Some(actor.id().to_owned()) },
    )?;
    let after = RoleScope::new(role, scope);
    audit::record(conn, actor, "update", ENTITY, role.as_str(), &snapshot(&before), &snapshot(&after))?;
    Ok(after)
}
