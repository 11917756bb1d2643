//! `/departments`: the department tree.
//!
//! Anyone signed in may read the tree; only admins change it. A department is
//! never moved under itself or one of its descendants, and one that still has
//! sub-departments or active members cannot be deleted.

use crate::app::entity::EntityType;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::{double_option, ValidJson};
use crate::org::users::require_active_user;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::time::to_utc;
use crate::validation::{not_blank, tidy};
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::org::check_reparent;
use salesops_persistence::departments::{self, DepartmentFilter, DepartmentRow};
use salesops_persistence::{clock, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// The entity type departments are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("department");

/// A department: a node of the organisation tree (a region, an industry, a product line).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-000000000001", "name": "华东大区", "parent_id": null,
    "head_user_id": "0190f0c2-6a00-7000-8000-0000000000a0", "version": 2, "created_at": "2026-11-28T08:00:00Z",
    "updated_at": "2026-11-28T08:40:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000ad"
}))]
pub struct Department {
    /// UUIDv7.
    #[schema(example = "0190f0c2-7d1e-7c3a-9d63-2f4f1b0f3a11")]
    pub id: String,
    /// Display name.
    #[schema(example = "华东大区")]
    pub name: String,
    /// The department above; `null` at the root.
    #[schema(example = "0190f0c2-6a00-7000-8000-000000000001")]
    pub parent_id: Option<String>,
    /// The user who heads it.
    #[schema(example = "0190f0c2-6a00-7000-8000-0000000000a1")]
    pub head_user_id: Option<String>,
    /// Bumped on every change; also the ETag.
    #[schema(example = 1)]
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Department);

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Self {
        Department {
            id: r.id,
            name: r.name,
            parent_id: r.parent_id,
            head_user_id: r.head_user_id,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// A new department.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "上海销售一部", "parent_id": "0190f0c2-6a00-7000-8000-000000000001"}))]
pub struct CreateDepartment {
    /// Display name (required).
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(example = "华东大区")]
    pub name: String,
    /// The department above; omit for a root department. It must exist.
    #[validate(length(min = 1, max = 36))]
    #[schema(example = "0190f0c2-6a00-7000-8000-000000000001")]
    pub parent_id: Option<String>,
    /// The user who heads it; must be an active user.
    #[validate(length(min = 1, max = 36))]
    #[schema(example = "0190f0c2-6a00-7000-8000-0000000000a1")]
    pub head_user_id: Option<String>,
}

/// A JSON Merge Patch (RFC 7396) of a department: absent fields stay, `null` clears.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": "0190f0c2-6a00-7000-8000-000000000002", "head_user_id": null}))]
pub struct DepartmentPatch {
    /// Display name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "华南大区")]
    pub name: Option<Option<String>>,
    /// Move under this department; `null` makes it a root. Never under itself or a descendant.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "0190f0c2-6a00-7000-8000-000000000002")]
    pub parent_id: Option<Option<String>>,
    /// The new head, an active user; `null` leaves the department without one.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, example = "0190f0c2-6a00-7000-8000-0000000000a2")]
    pub head_user_id: Option<Option<String>>,
}

/// Query parameters of `GET /departments`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentListQuery {
    /// Only the direct children of this department.
    pub parent_id: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Refuse with 422 on `field` unless `id` names a live (not deleted) department.
pub fn require_department(conn: &mut DbConnection, field: &str, id: &str) -> Result<(), AppError> {
    if departments::find(conn, id)?.is_some() {
        Ok(())
    } else {
        Err(AppError::invalid_field(field, "unknown_department", "no department with this id"))
    }
}

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
    let filter =
        DepartmentFilter { parent_id: tidy(q.parent_id), after_id: pagination::after_id(q.cursor.as_deref())? };
    let page = db::read(&state, move |conn| {
        let rows = departments::list(conn, &filter, limit + 1)?;
        pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Department::from(r)))
    })
    .await?;
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
    let name = input.name.trim().to_owned();
    let parent_id = tidy(input.parent_id);
    let head_user_id = tidy(input.head_user_id);
    let department = db::write(&state, move |conn| {
        if let Some(parent) = parent_id.as_deref() {
            // Locked so that a concurrent deletion of the parent waits and then sees the new child.
            departments::lock(conn, parent)?;
            require_department(conn, "parent_id", parent)?;
        }
        if let Some(head) = head_user_id.as_deref() {
            require_active_user(conn, "head_user_id", head)?;
        }
        let row = DepartmentRow { head_user_id, ..DepartmentRow::new(&name, parent_id.as_deref(), Some(caller.id())) };
        departments::insert(conn, &row)?;
        let department = Department::from(row);
        audit::record(
            conn,
            &caller,
            "create",
            ENTITY,
            &department.id,
            &serde_json::Value::Null,
            &snapshot(&department),
        )?;
        Ok(department)
    })
    .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/departments/{}", department.id)));
    Ok(with_etag(created, &department))
}

/// Get a department.
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
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let department =
        db::read(&state, move |conn| departments::find(conn, &id)?.map(Department::from).ok_or(AppError::NotFound))
            .await?;
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
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<DepartmentPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    if matches!(patch.name, Some(None)) {
        return Err(AppError::invalid_field("name", "required", "cannot be cleared").into());
    }
    let department = db::write(&state, move |conn| {
        if patch.parent_id.is_some() {
            departments::lock_tree(conn)?;
        }
        departments::lock(conn, &id)?;
        let row = departments::find(conn, &id)?.ok_or(AppError::NotFound)?;
        if_match.check(row.version)?;
        let mut after = row.clone();
        if let Some(Some(name)) = patch.name {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(AppError::invalid_field("name", "length", "must be 1 to 200 characters"));
            }
            after.name = name;
        }
        if let Some(parent) = patch.parent_id {
            after.parent_id = tidy(parent);
        }
        if let Some(head) = patch.head_user_id {
            after.head_user_id = tidy(head);
        }
        if after.parent_id != row.parent_id {
            if let Some(parent) = after.parent_id.as_deref() {
                require_department(conn, "parent_id", parent)?;
                check_reparent(&row.id, &departments::ancestors_and_self(conn, parent)?)?;
            }
        }
        if after.head_user_id != row.head_user_id {
            if let Some(head) = after.head_user_id.as_deref() {
                require_active_user(conn, "head_user_id", head)?;
            }
        }
        audit::save_versioned::<_, Department>(conn, &caller, ENTITY, "update", &row, after, AppError::from)
    })
    .await?;
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
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        departments::lock(conn, &id)?;
        let row = departments::find(conn, &id)?.ok_or(AppError::NotFound)?;
        if_match.check(row.version)?;
        if departments::is_in_use(conn, &row.id)? {
            return Err(AppError::Conflict(
                "the department still has sub-departments or active members; move them first".into(),
            ));
        }
        let mut after = row.clone();
        after.deleted_at = Some(clock::now());
        audit::save_versioned::<_, Department>(conn, &caller, ENTITY, "delete", &row, after, AppError::from).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the department routes. Literal paths come before `{id}`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_departments)
        .service(create_department)
        .service(get_department)
        .service(update_department)
        .service(delete_department);
}
