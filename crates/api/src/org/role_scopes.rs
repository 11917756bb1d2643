//! `/role-scopes`: the data scope each role has (数据权限).
//!
//! Every role has a default scope (DOMAIN.md); an admin may set another. The
//! setting takes effect on the next request of every user with that role.

use crate::app::entity::EntityType;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::audit::{self, snapshot};
use crate::auth::caller::effective_scope;
use crate::auth::Authorized;
use crate::db;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use salesops_domain::org::{DataScope, Role};
use salesops_persistence::role_scopes::{self, RoleScopeRow};
use salesops_persistence::{clock, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// The entity type scope settings are audited under; the entity id is the role word.
pub const ENTITY: EntityType = EntityType::admins_only("role_scope");

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

fn role_scope(conn: &mut DbConnection, role: Role) -> Result<RoleScope, AppError> {
    let scope = effective_scope(conn, role)?;
    Ok(RoleScope { role, scope, is_default: scope == role.default_scope() })
}

/// List the data scope of every role (admins).
#[utoipa::path(
    tag = "role-scopes",
    operation_id = "list_role_scopes",
    responses(
        (status = 200, description = "Every role and its scope", body = RoleScopeList),
        (status = 403, description = "Only admins configure data scopes"),
    ),
    security(("bearer" = []))
)]
#[get("/role-scopes")]
pub async fn list_role_scopes(
    state: web::Data<AppState>,
    _caller: Authorized<Administer>,
) -> Result<HttpResponse, ApiError> {
    let list = db::read(&state, move |conn| {
        let data = Role::ALL.iter().map(|role| role_scope(conn, *role)).collect::<Result<Vec<_>, _>>()?;
        Ok(RoleScopeList { data })
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Set the data scope of a role (admins).
///
/// It applies from the next request of every user with the role. An unknown role is 404.
#[utoipa::path(
    tag = "role-scopes",
    operation_id = "set_role_scope",
    params(("role" = Role, Path, description = "The role: `admin`, `manager`, `rep` or `finance`")),
    request_body = SetRoleScope,
    responses(
        (status = 200, description = "The role and its new scope", body = RoleScope),
        (status = 403, description = "Only admins configure data scopes"),
    ),
    security(("bearer" = []))
)]
#[put("/role-scopes/{role}")]
pub async fn set_role_scope(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    role: web::Path<String>,
    body: ValidJson<SetRoleScope>,
) -> Result<HttpResponse, ApiError> {
    let role: Role = role.into_inner().parse().map_err(|_| AppError::NotFound)?;
    let scope = body.0.scope;
    let result = db::write(&state, move |conn| {
        let before = role_scope(conn, role)?;
        role_scopes::set(
            conn,
            &RoleScopeRow { role, scope, updated_at: clock::now(), updated_by: Some(caller.id().to_owned()) },
        )?;
        let after = RoleScope { role, scope, is_default: scope == role.default_scope() };
        audit::record(conn, &caller, "update", ENTITY, role.as_str(), &snapshot(&before), &snapshot(&after))?;
        Ok(after)
    })
    .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the role-scope routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_role_scopes).service(set_role_scope);
}
