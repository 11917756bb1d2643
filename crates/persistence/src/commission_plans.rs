//! Commission plans: the plan, its rule versions with their tiers, and its assignments
//! to users. Who reads and writes them is the app's concern: plans are company policy.

use crate::schema::{commission_assignments, commission_plan_versions, commission_plans, commission_tiers, users};
use crate::{clock, DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use salesops_domain::commission::{Tier, TierMode};
use salesops_domain::target::{Metric, PeriodKind};

/// A plan as stored; its rules are in its versions.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = commission_plans, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PlanRow {
    /// UUIDv7.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What credits it: bookings or collections.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub basis: Metric,
    /// The length of its periods.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub period: PeriodKind,
    /// The currency of its cap, targets and credits.
    pub currency: String,
    /// The last day it pays, if it ends.
    pub effective_to: Option<NaiveDate>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
    /// Set when deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

impl PlanRow {
    /// A new plan at version 1, created now.
    pub fn new(name: &str, (basis, period): (Metric, PeriodKind), currency: &str, created_by: &str) -> PlanRow {
        let now = clock::now();
        PlanRow {
            id: salesops_domain::new_id(),
            name: name.to_owned(),
            basis,
            period,
            currency: currency.to_owned(),
            effective_to: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: Some(created_by.to_owned()),
            deleted_at: None,
        }
    }
}

/// A plan's paying rules from a day on.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = commission_plan_versions, treat_none_as_default_value = false)]
pub struct PlanVersionRow {
    /// UUIDv7.
    pub id: String,
    /// The plan.
    pub plan_id: String,
    /// The first day it pays (the first day of one of the plan's periods).
    pub effective_from: NaiveDate,
    /// Marginal or flat.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub tier_mode: TierMode,
    /// The most a period pays a user, minor units of the plan's currency.
    pub cap: Option<i64>,
    /// When a run first used it; its rules never change after.
    pub frozen_at: Option<NaiveDateTime>,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
}

/// A plan version with its tiers, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVersion {
    /// The version.
    pub row: PlanVersionRow,
    /// Its tiers.
    pub tiers: Vec<Tier>,
}

/// A user on a plan for a range of days.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = commission_assignments, treat_none_as_default_value = false)]
pub struct AssignmentRow {
    /// UUIDv7.
    pub id: String,
    /// The plan.
    pub plan_id: String,
    /// The user.
    pub user_id: String,
    /// The plan's basis, kept here for the one-plan-per-basis rule.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub basis: Metric,
    /// The first day.
    pub valid_from: NaiveDate,
    /// The last day, if it ends.
    pub valid_to: Option<NaiveDate>,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Who assigned it.
    pub created_by: Option<String>,
}

/// Insert a new plan.
pub fn insert(conn: &mut DbConnection, row: &PlanRow) -> StoreResult<()> {
    diesel::insert_into(commission_plans::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// The live plan `id`.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<PlanRow>> {
    Ok(commission_plans::table
        .find(id)
        .filter(commission_plans::deleted_at.is_null())
        .select(PlanRow::as_select())
        .first(conn)
        .optional()?)
}

/// Live plans in id order after `after_id`, at most `limit`, of `basis` if given.
pub fn list(
    conn: &mut DbConnection,
    basis: Option<Metric>,
    after_id: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<PlanRow>> {
    let mut query = commission_plans::table
        .filter(commission_plans::deleted_at.is_null())
        .select(PlanRow::as_select())
        .order(commission_plans::id)
        .limit(limit)
        .into_boxed();
    if let Some(basis) = basis {
        query = query.filter(commission_plans::basis.eq(basis.as_str()));
    }
    if let Some(after) = after_id {
        query = query.filter(commission_plans::id.gt(after.to_owned()));
    }
    Ok(query.load(conn)?)
}

crate::versioned::row_writes!(commission_plans, PlanRow, "commission plan");

/// Insert a version and its tiers.
pub fn insert_version(conn: &mut DbConnection, row: &PlanVersionRow, tiers: &[Tier]) -> StoreResult<()> {
    diesel::insert_into(commission_plan_versions::table).values(row.clone()).execute(conn)?;
    write_tiers(conn, &row.id, tiers)
}

/// Replace the rules of an unfrozen version.
pub fn replace_rules(conn: &mut DbConnection, row: &PlanVersionRow, tiers: &[Tier]) -> StoreResult<()> {
    diesel::update(commission_plan_versions::table.find(&row.id))
        .set((
            commission_plan_versions::tier_mode.eq(row.tier_mode.as_str()),
            commission_plan_versions::cap.eq(row.cap),
        ))
        .execute(conn)?;
    diesel::delete(commission_tiers::table.filter(commission_tiers::plan_version_id.eq(&row.id))).execute(conn)?;
    write_tiers(conn, &row.id, tiers)
}

fn write_tiers(conn: &mut DbConnection, version_id: &str, tiers: &[Tier]) -> StoreResult<()> {
    for (position, tier) in (1..).zip(tiers) {
        diesel::insert_into(commission_tiers::table)
            .values((
                commission_tiers::plan_version_id.eq(version_id),
                commission_tiers::position.eq(position),
                commission_tiers::from_bps.eq(tier.from_bps),
                commission_tiers::to_bps.eq(tier.to_bps),
                commission_tiers::rate_bps.eq(tier.rate_bps),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Mark version `id` as used by a run, now, unless it already is.
pub fn freeze_version(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::update(commission_plan_versions::table.find(id).filter(commission_plan_versions::frozen_at.is_null()))
        .set(commission_plan_versions::frozen_at.eq(clock::now()))
        .execute(conn)?;
    Ok(())
}

/// The versions of each of `plan_ids` with their tiers, by plan then effective day.
pub fn versions_of(conn: &mut DbConnection, plan_ids: &[String]) -> StoreResult<Vec<StoredVersion>> {
    let rows: Vec<PlanVersionRow> = commission_plan_versions::table
        .filter(commission_plan_versions::plan_id.eq_any(plan_ids))
        .order((commission_plan_versions::plan_id, commission_plan_versions::effective_from))
        .select(PlanVersionRow::as_select())
        .load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    let tiers: Vec<(String, i32, Option<i32>, i32)> = commission_tiers::table
        .filter(commission_tiers::plan_version_id.eq_any(ids))
        .order((commission_tiers::plan_version_id, commission_tiers::position))
        .select((
            commission_tiers::plan_version_id,
            commission_tiers::from_bps,
            commission_tiers::to_bps,
            commission_tiers::rate_bps,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let tiers = tiers
                .iter()
                .filter(|(version, ..)| *version == row.id)
                .map(|(_, from_bps, to_bps, rate_bps)| Tier {
                    from_bps: *from_bps,
                    to_bps: *to_bps,
                    rate_bps: *rate_bps,
                })
                .collect();
            StoredVersion { row, tiers }
        })
        .collect())
}

/// The version `id` with its tiers.
pub fn find_version(conn: &mut DbConnection, id: &str) -> StoreResult<Option<StoredVersion>> {
    let Some(row) =
        commission_plan_versions::table.find(id).select(PlanVersionRow::as_select()).first(conn).optional()?
    else {
        return Ok(None);
    };
    Ok(versions_of(conn, std::slice::from_ref(&row.plan_id))?.into_iter().find(|v| v.row.id == id))
}

/// Insert an assignment.
pub fn insert_assignment(conn: &mut DbConnection, row: &AssignmentRow) -> StoreResult<()> {
    diesel::insert_into(commission_assignments::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// Delete assignment `id`.
pub fn delete_assignment(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::delete(commission_assignments::table.find(id)).execute(conn)?;
    Ok(())
}

/// The assignments of plan `plan_id`, by first day then id.
pub fn assignments_of(conn: &mut DbConnection, plan_id: &str) -> StoreResult<Vec<AssignmentRow>> {
    Ok(commission_assignments::table
        .filter(commission_assignments::plan_id.eq(plan_id))
        .order((commission_assignments::valid_from, commission_assignments::id))
        .select(AssignmentRow::as_select())
        .load(conn)?)
}

/// `user_id`'s assignments on `basis` that share a day with `from..=to` (`to` open when `None`).
pub fn overlapping(
    conn: &mut DbConnection,
    user_id: &str,
    basis: Metric,
    (from, to): (NaiveDate, Option<NaiveDate>),
) -> StoreResult<Vec<AssignmentRow>> {
    let mut query = commission_assignments::table
        .filter(commission_assignments::user_id.eq(user_id))
        .filter(commission_assignments::basis.eq(basis.as_str()))
        .filter(commission_assignments::valid_to.is_null().or(commission_assignments::valid_to.ge(from)))
        .select(AssignmentRow::as_select())
        .order(commission_assignments::id)
        .into_boxed();
    if let Some(to) = to {
        query = query.filter(commission_assignments::valid_from.le(to));
    }
    Ok(query.load(conn)?)
}

/// Which assignments [`assigned`] reads: one plan's, or every plan's on a basis.
#[derive(Debug, Clone, Copy)]
pub enum AssignedTo<'a> {
    /// The assignments of this plan.
    Plan(&'a str),
    /// The assignments of every plan on this basis.
    Basis(Metric),
}

/// The assignments of `to` that share a day with `from..=to`, of active users only (a user
/// who left is paid nothing more), by user then first day.
pub fn assigned(
    conn: &mut DbConnection,
    to: AssignedTo<'_>,
    (from, until): (NaiveDate, NaiveDate),
) -> StoreResult<Vec<AssignmentRow>> {
    let active = users::table.filter(users::active.eq(true)).select(users::id);
    let mut query = commission_assignments::table
        .filter(commission_assignments::valid_from.le(until))
        .filter(commission_assignments::valid_to.is_null().or(commission_assignments::valid_to.ge(from)))
        .filter(commission_assignments::user_id.eq_any(active))
        .order((commission_assignments::user_id, commission_assignments::valid_from))
        .select(AssignmentRow::as_select())
        .into_boxed();
    query = match to {
        AssignedTo::Plan(plan_id) => query.filter(commission_assignments::plan_id.eq(plan_id.to_owned())),
        AssignedTo::Basis(basis) => query.filter(commission_assignments::basis.eq(basis.as_str())),
    };
    Ok(query.load(conn)?)
}

/// End assignment `id` on `to` (`None`: no end).
pub fn set_assignment_end(conn: &mut DbConnection, id: &str, to: Option<NaiveDate>) -> StoreResult<()> {
    diesel::update(commission_assignments::table.find(id))
        .set(commission_assignments::valid_to.eq(to))
        .execute(conn)?;
    Ok(())
}

/// Delete every assignment of plan `plan_id`.
pub fn delete_assignments_of(conn: &mut DbConnection, plan_id: &str) -> StoreResult<()> {
    diesel::delete(commission_assignments::table.filter(commission_assignments::plan_id.eq(plan_id))).execute(conn)?;
    Ok(())
}
