//! Department use cases: list, read, create, patch and delete the tree, and
//! the department reference check other resources make.
//!
//! Every signed-in user reads the whole tree (no data scope applies to it),
//! so the reads take no actor; changes are admin-only by their endpoints.

use super::ENTITY;
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult};
use crate::audit::{self, snapshot};
use crate::org::departments::dto::{CreateDepartment, Department, DepartmentPatch};
use crate::org::users::service::require_active_user;
use crate::pagination::{self, Page};
use salesops_domain::ids::DepartmentId;
use salesops_domain::org::check_reparent;
use salesops_persistence::departments::{self, DepartmentFilter, DepartmentRow};
use salesops_persistence::{clock, DbConnection};
use validator::Validate;

/// Refuse with 422 on `field` unless `id` names a live (not deleted) department.
pub fn require_department(conn: &mut DbConnection, field: &str, id: &str) -> AppResult<()> {
    if departments::find(conn, id)?.is_some() {
        Ok(())
    } else {
        Err(AppError::invalid_field(field, "unknown_department", "no department with this id"))
    }
}

/// One page of live departments matching `filter`, in id order.
pub fn list(conn: &mut DbConnection, filter: &DepartmentFilter, limit: i64) -> AppResult<Page<Department>> {
    let rows = departments::list(conn, filter, limit + 1)?;
    pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Department::from(r)))
}

/// A live department; 404 when absent or deleted.
pub fn get(conn: &mut DbConnection, id: &DepartmentId) -> AppResult<Department> {
    departments::find(conn, id)?.map(Department::from).ok_or(AppError::NotFound)
}

/// Create a department under an existing parent (or at the root), headed by
/// an active user if one is named.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateDepartment) -> AppResult<Department> {
    let input = input.tidied();
    if let Some(parent) = input.parent_id.as_deref() {
        // Locked so that a concurrent deletion of the parent waits and then sees the new child.
        departments::lock(conn, parent)?;
        require_department(conn, "parent_id", parent)?;
    }
    if let Some(head) = input.head_user_id.as_deref() {
        require_active_user(conn, "head_user_id", head)?;
    }
    let mut row = DepartmentRow::new(&input.name, None, Some(actor.id()));
    input.write_to(&mut row);
    departments::insert(conn, &row)?;
    let department = Department::from(row);
    audit::record(conn, actor, "create", ENTITY, &department.id, &serde_json::Value::Null, &snapshot(&department))?;
    Ok(department)
}

/// Apply a merge patch, checked by the create body's rules: rename, move
/// (never under itself or a descendant: 409 `invalid_transition`), or change
/// the head (an active user).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &DepartmentId,
    if_match: IfMatch,
    patch: DepartmentPatch,
) -> AppResult<Department> {
    if patch.parent_id.is_some() {
        // The whole tree, before the department: two opposite moves must not both pass the cycle check.
        departments::lock_tree(conn)?;
    }
    departments::lock(conn, id)?;
    let row = departments::find(conn, id)?.ok_or(AppError::NotFound)?;
    if_match.check(row.version)?;
    let input = patch.apply(CreateDepartment::from_row(&row))?.tidied();
    input.validate()?;
    let mut after = row.clone();
    input.write_to(&mut after);
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
    audit::save_versioned::<_, Department>(conn, actor, ENTITY, "update", &row, after, AppError::from)
}

/// Soft-delete a department; 409 `conflict` while it still has
/// sub-departments or active members.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &DepartmentId, if_match: IfMatch) -> AppResult<()> {
    departments::lock(conn, id)?;
    let row = departments::find(conn, id)?.ok_or(AppError::NotFound)?;
    if_match.check(row.version)?;
    if departments::is_in_use(conn, &row.id)? {
        return Err(AppError::Conflict(
            "the department still has sub-departments or active members; move them first".into(),
        ));
    }
    let mut after = row.clone();
    after.deleted_at = Some(clock::now());
    audit::save_versioned::<_, Department>(conn, actor, ENTITY, "delete", &row, after, AppError::from).map(|_| ())
}
