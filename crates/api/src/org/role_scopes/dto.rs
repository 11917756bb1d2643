//! The JSON shapes of `/role-scopes`.

use salesops_domain::org::{DataScope, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// The data scope in force for one role.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"role": "rep", "scope": "self", "is_default": true}))]
pub struct RoleScope {
    /// The role.
    #[schema(example = "rep")]
    pub role: Role,
    /// The scope its users have now.
    #[schema(example = "department")]
    pub scope: DataScope,
    /// Whether that scope is the role's default (rep `self`, manager `department_tree`, finance and admin `all`).
    #[schema(example = false)]
    pub is_default: bool,
}

impl RoleScope {
    /// `role` with `scope` in force, flagged when that is the role's default.
    pub fn new(role: Role, scope: DataScope) -> RoleScope {
        RoleScope { role, scope, is_default: scope == role.default_scope() }
    }
}

/// Every role's scope.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"data": [
    {"role": "admin", "scope": "all", "is_default": true},
    {"role": "manager", "scope": "department_tree", "is_default": true},
    {"role": "rep", "scope": "department", "is_default": false},
    {"role": "finance", "scope": "all", "is_default": true}
]}))]
pub struct RoleScopeList {
    /// One entry per role, in the order admin, manager, rep, finance.
    pub data: Vec<RoleScope>,
}

/// The scope to give a role.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"scope": "department"}))]
pub struct SetRoleScope {
    /// The new scope.
    #[schema(example = "department")]
    pub scope: DataScope,
}
