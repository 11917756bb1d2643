//! The HTTP edge of `/departments`: extract, authorise, run the use case, answer.

use super::dto::{CreateDepartment, Department, DepartmentListQuery, DepartmentPatch};
use super::service;
use crate::app::permission::Administer;
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::DepartmentId;
use salesops_persistence::departments::DepartmentFilter;

/// List departments.
///
/// Departments come in id order (oldest first). Deleted departments are left out.
#[utoipa::path(
    tag = "departments",
    operation_id = "list_departments",
    params(DepartmentListQuery),
    responses((status = 200, description = "One page of departments", body = Page<Department>)),
    security(("bearer" = []))
)]
#[get("/departments")]
pub async fn list_departments(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<DepartmentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = DepartmentFilter {
        parent_id: q.parent_id.map(String::from),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| service::list(conn, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a department (admins).
///
/// The parent, if given, must exist; the head, if given, must be an active user.
#[utoipa::path(
    tag = "departments",
    operation_id = "create_department",
    request_body = CreateDepartment,
    responses(
        (status = 201, description = "Created", body = Department,
         headers(("Location" = String, description = "The new department's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
    ),
    security(("bearer" = []))
)]
#[post("/departments")]
pub async fn create_department(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreateDepartment>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let department = db::write_access(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/departments/{}", department.id), &department))
}

/// Get a department.
///
/// Any signed-in user may read any live department, whatever their data
/// scope. A deleted department is 404 here; admins still find its history
/// in the audit log.
#[utoipa::path(
    tag = "departments",
    operation_id = "get_department",
    params(("id" = String, Path, description = "Department id")),
    responses((status = 200, description = "The department", body = Department, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/departments/{id}")]
pub async fn get_department(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<DepartmentId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let department = db::read(&state, move |conn| service::get(conn, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &department))
}

/// Patch a department (admins; JSON Merge Patch).
///
/// Send `If-Match: W/"<version>"` to refuse the change (412) if someone else
/// changed the department first. Moving a department under itself or one of
/// its descendants is refused with 409 `invalid_transition`.
#[utoipa::path(
    tag = "departments",
    operation_id = "update_department",
    params(
        ("id" = String, Path, description = "Department id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the department the change is based on"),
    ),
    request_body(content = DepartmentPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed department", body = Department, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`invalid_transition`: the move would put the department under itself; or a concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/departments/{id}")]
pub async fn update_department(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<DepartmentId>,
    if_match: IfMatch,
    body: ValidJson<DepartmentPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let department = db::write_access(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &department))
}

/// Delete a department (admins; soft: it disappears from lists and reads, and stays in the audit log).
///
/// A department that still has sub-departments or active members is refused
/// with 409 `conflict`: move them first.
#[utoipa::path(
    tag = "departments",
    operation_id = "delete_department",
    params(
        ("id" = String, Path, description = "Department id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`conflict`: the department still has sub-departments or active members"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/departments/{id}")]
pub async fn delete_department(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<DepartmentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write_access(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
