//! Commission plan use cases: list, read, create, change and delete plans, add rule
//! versions, and assign plans to users. Plans are company policy: every signed-in user
//! reads them, admins write them.

use super::dto::{
    check_period_start, check_rules, Assignment, AssignmentPatch, CreateAssignment, CreatePlan, CreatePlanVersion,
    Plan, PlanPatch, RulesInput,
};
use super::{ASSIGNMENT_ENTITY, ENTITY};
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use crate::pagination::{self, Page};
use chrono::NaiveDate;
use salesops_domain::target::{Metric, PeriodKind, PlanPeriod};
use salesops_persistence::commission_plans::{self, AssignmentRow, PlanRow, PlanVersionRow, StoredVersion};
use salesops_persistence::{clock, commission_runs, users, DbConnection};
use serde_json::Value;
use validator::Validate;

/// The plan `row` with its versions.
fn view(conn: &mut DbConnection, row: PlanRow) -> AppResult<Plan> {
    let versions = commission_plans::versions_of(conn, std::slice::from_ref(&row.id))?;
    Plan::new(row, &versions)
}

/// The live plan `id` (404 otherwise), locked for the rest of the transaction when `for_update`.
pub fn load(conn: &mut DbConnection, id: &str, for_update: bool) -> AppResult<PlanRow> {
    if for_update {
        commission_plans::lock(conn, id)?;
    }
    commission_plans::find(conn, id)?.ok_or(AppError::NotFound)
}

/// The version of `plan` that pays the period starting on `start`: the latest one
/// starting on or before it; `None` when none does, or the plan ended before it.
pub fn version_in_effect(
    conn: &mut DbConnection,
    plan: &PlanRow,
    start: NaiveDate,
) -> AppResult<Option<StoredVersion>> {
    if plan.effective_to.is_some_and(|to| to < start) {
        return Ok(None);
    }
    let versions = commission_plans::versions_of(conn, std::slice::from_ref(&plan.id))?;
    Ok(versions.into_iter().rev().find(|v| v.row.effective_from <= start))
}

/// [`version_in_effect`], or 422 `not_in_effect` on `field` when there is none.
pub fn version_for(conn: &mut DbConnection, plan: &PlanRow, start: NaiveDate, field: &str) -> AppResult<StoredVersion> {
    version_in_effect(conn, plan, start)?.ok_or_else(|| {
        FieldError::new(field, "not_in_effect", format!("plan {} does not pay the period starting {start}", plan.name))
            .into()
    })
}

/// The period `name` (`2027-01`, `2027-Q1`, `2027`), of length `kind`; 422 `period` on `period` otherwise.
pub fn parse_period(name: &str, kind: PeriodKind) -> Result<PlanPeriod, FieldError> {
    PlanPeriod::parse_as(name, kind).map_err(|e| FieldError::new("period", "period", e.to_string()))
}

/// One page of live plans, of `basis` if given, oldest first.
pub fn list(conn: &mut DbConnection, basis: Option<Metric>, after: Option<&str>, limit: i64) -> AppResult<Page<Plan>> {
    let rows = commission_plans::list(conn, basis, after, limit + 1)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let versions = commission_plans::versions_of(conn, &ids)?;
    pagination::page_by_id(
        rows,
        limit,
        |r| r.id.clone(),
        |r| {
            let mine: Vec<StoredVersion> = versions.iter().filter(|v| v.row.plan_id == r.id).cloned().collect();
            Plan::new(r, &mine)
        },
    )
}

/// The plan `id`.
pub fn get(conn: &mut DbConnection, id: &str) -> AppResult<Plan> {
    let row = load(conn, id, false)?;
    view(conn, row)
}

fn new_version(plan_id: &str, effective_from: NaiveDate, rules: &RulesInput, by: &str) -> PlanVersionRow {
    PlanVersionRow {
        id: salesops_domain::new_id(),
        plan_id: plan_id.to_owned(),
        effective_from,
        tier_mode: rules.tier_mode,
        cap: rules.cap,
        frozen_at: None,
        created_at: clock::now(),
        created_by: Some(by.to_owned()),
    }
}

/// 422 `range` on `effective_to` when it is before `effective_from`.
fn check_end(effective_from: NaiveDate, effective_to: Option<NaiveDate>) -> Option<FieldError> {
    FieldError::end_before_start(("effective_to", effective_to), ("effective_from", effective_from))
}

/// Check a plan body: its name, currency (the base currency when left out), tiers
/// (naming the one at fault), cap and dates, every problem a 422 on its field. Its
/// currency and rules when all is well.
pub fn check_plan(input: &CreatePlan, base_currency: &str) -> AppResult<(String, RulesInput)> {
    let mut errors = match input.validate() {
        Ok(()) => Vec::new(),
        Err(e) => match AppError::from(e) {
            AppError::Validation(e) => e,
            other => return Err(other),
        },
    };
    let currency = input.currency.clone().unwrap_or_else(|| base_currency.to_owned());
    errors.extend(crate::documents::check_currency(&currency).err());
    let rules =
        check_rules((input.tier_mode, &input.tiers), input.cap.as_ref(), &currency).map_err(|e| errors.extend(e)).ok();
    errors.extend(check_period_start("effective_from", input.effective_from, input.period).err());
    errors.extend(check_end(input.effective_from, input.effective_to));
    match rules.filter(|_| errors.is_empty()) {
        Some(rules) => Ok((currency, rules)),
        None => Err(AppError::Validation(errors)),
    }
}

/// Create a plan with its first version (admins), audited as `create`. 422 on a bad
/// name, currency, tier (naming it), cap, or an `effective_from` that is not a period's
/// first day.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreatePlan, base_currency: &str) -> AppResult<Plan> {
    let (currency, rules) = check_plan(&input, base_currency)?;
    let mut row = PlanRow::new(&input.name, (input.basis, input.period), &currency, actor.id());
    row.effective_to = input.effective_to;
    commission_plans::insert(conn, &row)?;
    let version = new_version(&row.id, input.effective_from, &rules, actor.id());
    commission_plans::insert_version(conn, &version, &rules.tiers)?;
    let plan = view(conn, row)?;
    audit::record(conn, actor, "create", ENTITY, &plan.id, &Value::Null, &snapshot(&plan))?;
    Ok(plan)
}

/// Apply a merge patch to plan `id` (admins), audited as `update`. Rules change the
/// latest version, and only while no run has used it (409 `conflict`: add a version).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    patch: PlanPatch,
    if_match: IfMatch,
) -> AppResult<Plan> {
    patch.validate()?;
    let before = load(conn, id, true)?;
    if_match.check(before.version)?;
    let versions = commission_plans::versions_of(conn, std::slice::from_ref(&before.id))?;
    let old = Plan::new(before.clone(), &versions)?;
    let mut after = before.clone();
    if let Some(name) = &patch.name {
        after.name = name.trim().to_owned();
    }
    if let Some(effective_to) = patch.effective_to {
        if let Some(error) = check_end(old.effective_from, effective_to) {
            return Err(error.into());
        }
        after.effective_to = effective_to;
    }
    if patch.touches_rules() {
        let latest = versions.last().ok_or_else(|| AppError::Internal("a plan without versions".into()))?;
        if latest.row.frozen_at.is_some() {
            return Err(AppError::Conflict(format!(
                "the plan's rules from {} are frozen: a run has used them; add a version with POST /commission-plans/{id}/versions",
                latest.row.effective_from
            )));
        }
        let tiers: Vec<_> = match &patch.tiers {
            Some(tiers) => tiers.clone(),
            None => old.tiers.clone(),
        };
        let cap = match &patch.cap {
            Some(cap) => cap.clone(),
            None => old.cap.clone(),
        };
        let rules = check_rules((patch.tier_mode.unwrap_or(old.tier_mode), &tiers), cap.as_ref(), &before.currency)
            .map_err(AppError::Validation)?;
        let mut version = latest.row.clone();
        (version.tier_mode, version.cap) = (rules.tier_mode, rules.cap);
        commission_plans::replace_rules(conn, &version, &rules.tiers)?;
    }
    audit::save_viewed(conn, actor, (ENTITY, "update"), (old, &before), after, view)
}

/// Add a version of plan `id`'s rules from `input.effective_from` (admins), audited on
/// the plan as `add_version`. It must start on a period's first day after the latest
/// version's, and not after the plan ends (422 on `effective_from`).
pub fn add_version(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    input: CreatePlanVersion,
    if_match: IfMatch,
) -> AppResult<Plan> {
    let before = load(conn, id, true)?;
    if_match.check(before.version)?;
    let old = view(conn, before.clone())?;
    let mut errors = Vec::new();
    let rules = check_rules((input.tier_mode, &input.tiers), input.cap.as_ref(), &before.currency)
        .map_err(|e| errors.extend(e))
        .ok();
    errors.extend(check_period_start("effective_from", input.effective_from, before.period).err());
    let latest = old.versions.last().map(|v| v.effective_from);
    if latest.is_some_and(|latest| input.effective_from <= latest) {
        let message = format!("must be after the latest version's effective_from ({})", latest.unwrap_or_default());
        errors.push(FieldError::new("effective_from", "range", message));
    }
    if before.effective_to.is_some_and(|to| input.effective_from > to) {
        errors.push(FieldError::new("effective_from", "range", "must not be after the plan's effective_to"));
    }
    let Some(rules) = rules.filter(|_| errors.is_empty()) else { return Err(AppError::Validation(errors)) };
    commission_plans::insert_version(
        conn,
        &new_version(&before.id, input.effective_from, &rules, actor.id()),
        &rules.tiers,
    )?;
    let after = before.clone();
    audit::save_viewed(conn, actor, (ENTITY, "add_version"), (old, &before), after, view)
}

/// Delete plan `id` with its assignments (admins), audited as `delete`: 409 once a run has used it.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &str, if_match: IfMatch) -> AppResult<()> {
    let before = load(conn, id, true)?;
    if_match.check(before.version)?;
    let old = view(conn, before.clone())?;
    if old.versions.iter().any(|v| v.frozen) {
        return Err(AppError::Conflict("a run has used the plan; end it with effective_to instead".into()));
    }
    commission_plans::delete_assignments_of(conn, &before.id)?;
    let mut after = before.clone();
    after.deleted_at = Some(clock::now());
    audit::write_versioned(conn, ENTITY, &before, &mut after, AppError::from)?;
    audit::record(conn, actor, "delete", ENTITY, id, &snapshot(&old), &Value::Null)
}

/// The assignments of plan `id`.
pub fn assignments(conn: &mut DbConnection, id: &str) -> AppResult<Vec<Assignment>> {
    load(conn, id, false)?;
    Ok(commission_plans::assignments_of(conn, id)?.into_iter().map(Assignment::from).collect())
}

/// Put a user on plan `id` (admins), audited as `create`. 422 on an unknown or inactive
/// user or a `to` before `from`; 409 `duplicate`, naming them, when the user already has
/// a plan on the same basis on one of the days.
pub fn assign(conn: &mut DbConnection, actor: &Actor, id: &str, input: CreateAssignment) -> AppResult<Assignment> {
    let plan = load(conn, id, true)?;
    let user = match users::find(conn, &input.user_id)? {
        Some(user) if user.active => user,
        _ => return Err(FieldError::unknown("user_id", "active user").into()),
    };
    if let Some(error) = FieldError::end_before_start(("to", input.to), ("from", input.from)) {
        return Err(error.into());
    }
    // One assignment writer per user at a time, so two overlapping ones cannot both pass.
    users::lock(conn, &user.id)?;
    let overlapping = commission_plans::overlapping(conn, &user.id, plan.basis, (input.from, input.to))?;
    if !overlapping.is_empty() {
        return Err(AppError::Duplicate {
            detail: format!("the user already has a {} plan on some of these days", plan.basis),
            ids: overlapping.into_iter().map(|a| a.id).collect(),
        });
    }
    let row = AssignmentRow {
        id: salesops_domain::new_id(),
        plan_id: plan.id,
        user_id: user.id,
        basis: plan.basis,
        valid_from: input.from,
        valid_to: input.to,
        created_at: clock::now(),
        created_by: Some(actor.id().to_owned()),
    };
    commission_plans::insert_assignment(conn, &row)?;
    let assignment = Assignment::from(row);
    audit::record(conn, actor, "create", ASSIGNMENT_ENTITY, &assignment.id, &Value::Null, &snapshot(&assignment))?;
    Ok(assignment)
}

/// End assignment `assignment_id` of plan `id` on `to` (`None`: no end; admins), audited
/// as `update`: 404 when it is not the plan's, 422 when `to` is before its first day, 409
/// `duplicate` when a longer assignment would share a day with another on the same basis.
pub fn end_assignment(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, assignment_id): (&str, &str),
    input: AssignmentPatch,
) -> AppResult<Assignment> {
    let plan = load(conn, id, true)?;
    let Some(before) = commission_plans::assignments_of(conn, id)?.into_iter().find(|a| a.id == assignment_id) else {
        return Err(AppError::NotFound);
    };
    if let Some(error) = FieldError::end_before_start(("to", input.to), ("from", before.valid_from)) {
        return Err(error.into());
    }
    users::lock(conn, &before.user_id)?;
    let others: Vec<String> =
        commission_plans::overlapping(conn, &before.user_id, plan.basis, (before.valid_from, input.to))?
            .into_iter()
            .filter(|a| a.id != before.id)
            .map(|a| a.id)
            .collect();
    if !others.is_empty() {
        let detail = format!("the user has another {} plan on some of these days", plan.basis);
        return Err(AppError::Duplicate { detail, ids: others });
    }
    commission_plans::set_assignment_end(conn, &before.id, input.to)?;
    let old = Assignment::from(before.clone());
    let new = Assignment::from(AssignmentRow { valid_to: input.to, ..before });
    audit::record(conn, actor, "update", ASSIGNMENT_ENTITY, &new.id, &snapshot(&old), &snapshot(&new))?;
    Ok(new)
}

/// Take assignment `assignment_id` off plan `id` (admins), audited as `delete`: 404 when
/// it is not the plan's; 409 once a run of the plan has a statement for the user.
pub fn unassign(conn: &mut DbConnection, actor: &Actor, id: &str, assignment_id: &str) -> AppResult<()> {
    load(conn, id, true)?;
    let Some(row) = commission_plans::assignments_of(conn, id)?.into_iter().find(|a| a.id == assignment_id) else {
        return Err(AppError::NotFound);
    };
    if commission_runs::has_statement(conn, id, &row.user_id)? {
        return Err(AppError::Conflict(
            "a run of the plan has a statement for the user; end the assignment instead".into(),
        ));
    }
    commission_plans::delete_assignment(conn, assignment_id)?;
    let old = snapshot(&Assignment::from(row));
    audit::record(conn, actor, "delete", ASSIGNMENT_ENTITY, assignment_id, &old, &Value::Null)
}
