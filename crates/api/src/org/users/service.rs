//! User use cases: list, read, create, patch, deactivate and reactivate, and
//! the user reference checks other resources make.
//!
//! Every signed-in user reads every user (no data scope applies to the
//! organisation), so the reads take no actor; changes are admin-only by their
//! endpoints. Lock order in every org write: departments, then users.

use super::ENTITY;
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult};
use crate::audit::{self, snapshot};
use crate::org::departments::service::require_department;
use crate::org::users::dto::{CreateUser, User, UserPatch, UserProfile};
use crate::pagination::{self, Page};
use salesops_domain::ids::UserId;
use salesops_domain::org;
use salesops_persistence::scope::Visibility;
use salesops_persistence::users::{self, UserFilter, UserRow};
use salesops_persistence::{clock, departments, tokens, DbConnection, StoreError};
use validator::Validate;

/// Refuse with 422 on `field` unless `id` names an active user.
pub fn require_active_user(conn: &mut DbConnection, field: &str, id: &str) -> AppResult<()> {
    if users::find(conn, id)?.is_some_and(|u| u.active) {
        Ok(())
    } else {
        Err(AppError::invalid_field(field, "unknown_user", "no active user with this id"))
    }
}

/// Check that `owner_id` names an active user the actor may hand work to
/// (one within `visibility`, the actor's data scope).
pub fn check_assignable(conn: &mut DbConnection, visibility: &Visibility, owner_id: &str) -> AppResult<()> {
    if !visibility.allows(Some(owner_id)) {
        return Err(AppError::invalid_field(
            "owner_id",
            "unknown_user",
            "no active user with this id within your data scope",
        ));
    }
    require_active_user(conn, "owner_id", owner_id)
}

/// A taken email is 409 `conflict`, as `POST /users` has always answered,
/// rather than the 422 `taken` of other unique fields; other storage errors as usual.
fn email_taken(e: StoreError) -> AppError {
    if e.is_unique_violation_on("email") {
        AppError::Conflict("a user with this email already exists".into())
    } else {
        e.into()
    }
}

/// One page of users matching `filter`, in id order, deactivated ones included unless filtered out.
pub fn list(conn: &mut DbConnection, filter: &UserFilter, limit: i64) -> AppResult<Page<User>> {
    let rows = users::list(conn, filter, limit + 1)?;
    pagination::page_by_id(rows, limit, |r| r.id.clone(), User::try_from)
}

/// A user, active or not; 404 when absent.
pub fn get(conn: &mut DbConnection, id: &UserId) -> AppResult<User> {
    users::find(conn, id)?.ok_or(AppError::NotFound).and_then(User::try_from)
}

/// Create a user with an already hashed password (hashing is slow on
/// purpose, so the edge does it before the transaction). The email is
/// lower-cased and must be unused; the department must exist and the manager
/// must be an active user.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateUser, password_hash: &str) -> AppResult<User> {
    let email = input.email.trim().to_lowercase();
    let profile = input.profile().tidied();
    if let Some(dept) = profile.department_id.as_deref() {
        departments::lock(conn, dept)?;
        require_department(conn, "department_id", dept)?;
    }
    if let Some(manager) = profile.manager_id.as_deref() {
        require_active_user(conn, "manager_id", manager)?;
    }
    let mut row = UserRow::new(&email, &profile.name, profile.role, password_hash, Some(actor.id()));
    profile.write_to(&mut row);
    users::insert(conn, &row).map_err(email_taken)?;
    let user = User::try_from(row)?;
    audit::record(conn, actor, "create", ENTITY, &user.id, &serde_json::Value::Null, &snapshot(&user))?;
    Ok(user)
}

/// Apply a merge patch, checked by the same rules as a new user's profile. A
/// manager must be an active user, not the user themselves and not someone
/// who reports to them (422 on `manager_id`); admins cannot change their own
/// role (409 `invalid_transition`).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &UserId,
    if_match: IfMatch,
    patch: UserPatch,
) -> AppResult<User> {
    if let Some(Some(dept)) = patch.department_id.as_ref() {
        departments::lock(conn, dept.trim())?;
    }
    if patch.manager_id.is_some() {
        // All reporting lines, before the user: two opposite manager changes must not both pass the loop check.
        users::lock_reporting_lines(conn)?;
    }
    users::lock(conn, id)?;
    let row = users::find(conn, id)?.ok_or(AppError::NotFound)?;
    if_match.check(row.version)?;
    let profile = patch.apply(UserProfile::from_row(&row))?.tidied();
    profile.validate()?;
    org::check_role_change(&row.id, actor.id(), row.role, profile.role)?;
    if profile.department_id != row.department_id {
        if let Some(dept) = profile.department_id.as_deref() {
            require_department(conn, "department_id", dept)?;
        }
    }
    if profile.manager_id != row.manager_id {
        if let Some(manager) = profile.manager_id.as_deref() {
            org::check_manager(&row.id, &users::manager_chain(conn, manager)?)?;
            require_active_user(conn, "manager_id", manager)?;
        }
    }
    let mut after = row.clone();
    profile.write_to(&mut after);
    audit::save_versioned::<_, User>(conn, actor, ENTITY, "update", &row, after, email_taken)
}

/// Deactivate a user: they keep their records but can no longer log in, and
/// their refresh tokens are revoked. Refused for the actor themselves and for
/// a user already inactive (409 `invalid_transition`).
pub fn deactivate(conn: &mut DbConnection, actor: &Actor, id: &UserId, if_match: IfMatch) -> AppResult<User> {
    set_active(conn, actor, id, if_match, false)
}

/// Reactivate a deactivated user; refused for an active one (409 `invalid_transition`).
pub fn reactivate(conn: &mut DbConnection, actor: &Actor, id: &UserId, if_match: IfMatch) -> AppResult<User> {
    set_active(conn, actor, id, if_match, true)
}

/// Switch a user's `active` flag, refusing a no-op; deactivation also revokes their tokens.
fn set_active(conn: &mut DbConnection, actor: &Actor, id: &str, if_match: IfMatch, active: bool) -> AppResult<User> {
    let action = if active { "reactivate" } else { "deactivate" };
    users::lock(conn, id)?;
    let row = users::find(conn, id)?.ok_or(AppError::NotFound)?;
    if_match.check(row.version)?;
    org::check_activation(&row.id, actor.id(), row.active, active)?;
    let mut after = row.clone();
    after.active = active;
    let user = audit::save_versioned::<_, User>(conn, actor, ENTITY, action, &row, after, email_taken)?;
    if !active {
        // Access tokens die with the flag (the caller check reads it); refresh tokens are revoked here.
        tokens::revoke_all_for_user(conn, &row.id, clock::now())?;
    }
    Ok(user)
}
