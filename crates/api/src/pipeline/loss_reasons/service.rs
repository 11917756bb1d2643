//! Loss reason use cases: list, read, add, change and deactivate reasons (admins).

use super::dto::{CreateLossReason, LossReason, LossReasonPatch};
use super::ENTITY;
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult};
use crate::audit::{self, snapshot};
use salesops_persistence::pipeline::{self, LossReasonRow};
use salesops_persistence::{DbConnection, StoreError};
use validator::Validate;

/// 422 `taken` on `code`.
fn code_taken() -> AppError {
    AppError::invalid_field("code", "taken", "another loss reason has this code")
}

/// A unique violation is a taken code: the code is the primary key, the table's only
/// unique column. `app::error::taken` cannot tell by the column, because PostgreSQL
/// names the violated constraint `loss_reasons_pkey`, without it.
fn map_unique(e: StoreError) -> AppError {
    if matches!(e, StoreError::UniqueViolation(_)) {
        code_taken()
    } else {
        e.into()
    }
}

/// Every loss reason by position; inactive ones only when asked.
pub fn list(conn: &mut DbConnection, include_inactive: bool) -> AppResult<Vec<LossReason>> {
    Ok(pipeline::list_loss_reasons(conn, include_inactive)?.into_iter().map(LossReason::from).collect())
}

/// The loss reason `code`, active or not; 404 if there is none.
pub fn get(conn: &mut DbConnection, code: &str) -> AppResult<LossReason> {
    pipeline::find_loss_reason(conn, code)?.map(LossReason::from).ok_or(AppError::NotFound)
}

/// Add a loss reason, active, audited as `create`. Its code must be new (422 `taken`).
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateLossReason) -> AppResult<LossReason> {
    input.validate()?;
    if pipeline::find_loss_reason(conn, &input.code)?.is_some() {
        return Err(code_taken());
    }
    let row = LossReasonRow::new(&input.code, &input.name, input.position);
    pipeline::insert_loss_reason(conn, &row).map_err(map_unique)?;
    let reason = LossReason::from(row);
    audit::record(conn, actor, "create", ENTITY, &reason.code, &serde_json::Value::Null, &snapshot(&reason))?;
    Ok(reason)
}

/// Apply a merge patch to loss reason `code`, validated as a create body is, audited as `update`.
/// `active` deactivates or reactivates it.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    code: &str,
    if_match: IfMatch,
    patch: LossReasonPatch,
) -> AppResult<LossReason> {
    let row = load_locked(conn, code)?;
    if_match.check(row.version)?;
    let (input, active) = patch.apply(CreateLossReason::from_row(&row), row.active)?;
    input.validate()?;
    let mut after = row.clone();
    input.write_to(&mut after);
    after.active = active;
    audit::save_versioned::<_, LossReason>(conn, actor, ENTITY, "update", &row, after, AppError::from)
}

/// Deactivate loss reason `code`, audited as `deactivate`: it is never removed, so lost
/// opportunities keep their code. Deactivating an inactive reason changes nothing.
pub fn deactivate(conn: &mut DbConnection, actor: &Actor, code: &str, if_match: IfMatch) -> AppResult<()> {
    let row = load_locked(conn, code)?;
    if_match.check(row.version)?;
    audit::deactivate_versioned::<_, LossReason>(conn, actor, ENTITY, &row, AppError::from)
}

/// The loss reason `code` under its row lock; 404 if there is none.
fn load_locked(conn: &mut DbConnection, code: &str) -> AppResult<LossReasonRow> {
    pipeline::lock_loss_reason(conn, code)?;
    pipeline::find_loss_reason(conn, code)?.ok_or(AppError::NotFound)
}
