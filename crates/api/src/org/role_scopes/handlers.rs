//! The HTTP edge of `/role-scopes`: extract, authorise, run the use case, answer.

use super::dto::{RoleScope, RoleScopeList, SetRoleScope};
use super::service;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::auth::Authorized;
use crate::db;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use salesops_domain::org::Role;

/// List the data scope of every role (admins).
///
/// Every role appears once, in the order admin, manager, rep, finance, with
/// the scope its users have now and whether that is the role's default.
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
    let list = db::read(&state, service::list).await?;
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
    let result = db::write_access(&state, move |conn| service::set(conn, &caller, role, scope)).await?;
    Ok(HttpResponse::Ok().json(result))
}
