//! Sales targets (业绩目标): one per subject, year and metric, with twelve monthly amounts.

use crate::connection::MultiBackend;
use crate::schema::{departments, target_months, targets, users};
use crate::scope::Visibility;
use crate::{clock, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use salesops_domain::target::{Metric, MonthlyAmounts, PlanPeriod, SubjectType};
use std::collections::HashMap;
use std::ops::RangeInclusive;

/// Each of `user_ids` that has a live `metric` target in `period`'s year, with the
/// target's currency and its amount over the period's months; users without one are absent.
pub fn user_period_targets(
    conn: &mut DbConnection,
    metric: Metric,
    period: &PlanPeriod,
    user_ids: &[String],
) -> StoreResult<Vec<(String, String, i64)>> {
    let months = i32::try_from(period.first_month).unwrap_or(1)..=i32::try_from(period.last_month).unwrap_or(12);
    let rows: Vec<(Option<String>, String, Option<i64>)> = targets::table
        .inner_join(target_months::table)
        .filter(targets::deleted_at.is_null())
        .filter(targets::subject_type.eq(SubjectType::User.as_str()))
        .filter(targets::subject_id.eq_any(user_ids))
        .filter(targets::year.eq(period.year))
        .filter(targets::metric.eq(metric.as_str()))
        .filter(target_months::month.between(*months.start(), *months.end()))
        .group_by((targets::subject_id, targets::currency))
        .select((
            targets::subject_id,
            targets::currency,
            diesel::dsl::sql::<Nullable<BigInt>>("CAST(SUM(target_months.amount) AS BIGINT)"),
        ))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(user, currency, amount)| Some((user?, currency, amount.unwrap_or(0)))).collect())
}

/// A target as stored; its twelve monthly amounts are rows of `target_months`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = targets, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct TargetRow {
    /// UUIDv7.
    pub id: String,
    /// The company, a department or a user.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub subject_type: SubjectType,
    /// The department or user; `None` for the company.
    pub subject_id: Option<String>,
    /// `subject_id`, or `company`: what the one-live-target rule keys on.
    pub subject_key: String,
    /// The calendar year.
    pub year: i32,
    /// Booking or collection.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub metric: Metric,
    /// ISO 4217 code of every month.
    pub currency: String,
    /// The sum of the twelve months.
    pub total: i64,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who set it.
    pub created_by: Option<String>,
    /// Set when soft-deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

/// The subject key of the company's targets.
pub const COMPANY_KEY: &str = "company";

impl TargetRow {
    /// A new target at version 1, created now, of `total` in `currency`.
    pub fn new(
        subject_type: SubjectType,
        subject_id: Option<&str>,
        (year, metric): (i32, Metric),
        (currency, total): (&str, i64),
        created_by: Option<&str>,
    ) -> TargetRow {
        let now = clock::now();
        TargetRow {
            id: salesops_domain::new_id(),
            subject_type,
            subject_id: subject_id.map(str::to_owned),
            subject_key: subject_id.unwrap_or(COMPANY_KEY).to_owned(),
            year,
            metric,
            currency: currency.to_owned(),
            total,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
            deleted_at: None,
        }
    }
}

/// Whose targets a caller reads: the company's always; those of the users they see;
/// and those of the departments whose subtree holds a user they see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetScope {
    /// Every target.
    All,
    /// The company's, and these users' and departments'.
    Subjects {
        /// The users seen.
        users: Vec<String>,
        /// The live departments with a seen user in their subtree.
        departments: Vec<String>,
    },
}

impl TargetScope {
    /// The target scope of `visibility`.
    pub fn of(conn: &mut DbConnection, visibility: &Visibility) -> StoreResult<TargetScope> {
        Ok(match visibility {
            Visibility::All => TargetScope::All,
            Visibility::Owners(users) => TargetScope::Subjects {
                departments: crate::departments::holding_users(conn, users)?,
                users: users.clone(),
            },
        })
    }

    /// Whether a target of `subject_type` for `subject_id` is in the scope.
    pub fn allows(&self, subject_type: SubjectType, subject_id: Option<&str>) -> bool {
        match (self, subject_type, subject_id) {
            (TargetScope::All, _, _) | (_, SubjectType::Company, _) => true,
            (TargetScope::Subjects { users, .. }, SubjectType::User, Some(id)) => users.iter().any(|u| u == id),
            (TargetScope::Subjects { departments, .. }, SubjectType::Department, Some(id)) => {
                departments.iter().any(|d| d == id)
            }
            (_, _, None) => false,
        }
    }

    /// Live targets in the scope.
    fn query<'a>(&self) -> targets::BoxedQuery<'a, MultiBackend> {
        let live = targets::table.filter(targets::deleted_at.is_null()).into_boxed();
        match self {
            TargetScope::All => live,
            TargetScope::Subjects { users, departments } => live.filter(
                targets::subject_type
                    .eq(SubjectType::Company.as_str())
                    .or(targets::subject_type
                        .eq(SubjectType::User.as_str())
                        .and(targets::subject_id.eq_any(users.clone())))
                    .or(targets::subject_type
                        .eq(SubjectType::Department.as_str())
                        .and(targets::subject_id.eq_any(departments.clone()))),
            ),
        }
    }
}

/// Filters of the target list; every one is applied in SQL.
#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    /// Only this year.
    pub year: Option<i32>,
    /// Only these metrics (empty: any).
    pub metrics: Vec<Metric>,
    /// Only these kinds of subject (empty: any).
    pub subject_types: Vec<SubjectType>,
    /// Only this department's or user's targets.
    pub subject_id: Option<String>,
    /// Start after this id (the cursor).
    pub after_id: Option<String>,
}

/// Insert a new target with its twelve monthly amounts.
pub fn insert(conn: &mut DbConnection, row: &TargetRow, months: &MonthlyAmounts) -> StoreResult<()> {
    diesel::insert_into(targets::table).values(row.clone()).execute(conn)?;
    // One statement per month: a multi-row insert is not portable across the two backends.
    for (month, amount) in (1..).zip(months.0) {
        diesel::insert_into(target_months::table)
            .values((
                target_months::target_id.eq(&row.id),
                target_months::month.eq(month),
                target_months::amount.eq(amount),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replace the twelve monthly amounts of target `id`.
pub fn set_months(conn: &mut DbConnection, id: &str, months: &MonthlyAmounts) -> StoreResult<()> {
    for (month, amount) in (1..).zip(months.0) {
        diesel::update(target_months::table.find((id, month))).set(target_months::amount.eq(amount)).execute(conn)?;
    }
    Ok(())
}

/// The twelve monthly amounts of each of the targets `ids`, January first (a month
/// without a row is 0), by target id.
pub fn months_of(conn: &mut DbConnection, ids: &[String]) -> StoreResult<HashMap<String, MonthlyAmounts>> {
    let rows: Vec<(String, i32, i64)> = target_months::table
        .filter(target_months::target_id.eq_any(ids))
        .select((target_months::target_id, target_months::month, target_months::amount))
        .load(conn)?;
    Ok(by_key(rows))
}

/// Monthly amounts by key from `(key, month, amount)` rows: months outside 1–12 are
/// ignored, missing ones are 0.
fn by_key<K: std::hash::Hash + Eq>(rows: impl IntoIterator<Item = (K, i32, i64)>) -> HashMap<K, MonthlyAmounts> {
    let mut by_key: HashMap<K, MonthlyAmounts> = HashMap::new();
    for (key, month, amount) in rows {
        let months = by_key.entry(key).or_insert(MonthlyAmounts([0; 12]));
        if let Some(slot) = usize::try_from(month - 1).ok().and_then(|i| months.0.get_mut(i)) {
            *slot += amount;
        }
    }
    by_key
}

/// The live target of the subject keyed `subject_key` for `year` and `metric`, if any.
pub fn find_live(
    conn: &mut DbConnection,
    subject_key: &str,
    year: i32,
    metric: Metric,
) -> StoreResult<Option<TargetRow>> {
    Ok(targets::table
        .filter(targets::deleted_at.is_null())
        .filter(targets::subject_key.eq(subject_key))
        .filter(targets::year.eq(year))
        .filter(targets::metric.eq(metric.as_str()))
        .select(TargetRow::as_select())
        .first(conn)
        .optional()?)
}

crate::versioned::row_writes!(targets, TargetRow, "target");

/// Up to `limit` live targets in `scope` matching `filter`, in id (creation) order.
pub fn list(
    conn: &mut DbConnection,
    filter: &TargetFilter,
    scope: &TargetScope,
    limit: i64,
) -> StoreResult<Vec<TargetRow>> {
    let mut query = scope.query().select(TargetRow::as_select()).order(targets::id).limit(limit);
    if let Some(year) = filter.year {
        query = query.filter(targets::year.eq(year));
    }
    if !filter.metrics.is_empty() {
        query = query.filter(targets::metric.eq_any(filter.metrics.iter().map(|m| m.as_str()).collect::<Vec<_>>()));
    }
    if !filter.subject_types.is_empty() {
        let types: Vec<_> = filter.subject_types.iter().map(|t| t.as_str()).collect();
        query = query.filter(targets::subject_type.eq_any(types));
    }
    if let Some(subject) = &filter.subject_id {
        query = query.filter(targets::subject_id.eq(subject.clone()));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(targets::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// The target `id` (live, or deleted too with `including_deleted`) if `visibility` lets the caller read it.
fn find_in_scope(
    conn: &mut DbConnection,
    id: &str,
    visibility: &Visibility,
    including_deleted: bool,
) -> StoreResult<Option<TargetRow>> {
    let row: Option<TargetRow> = targets::table.find(id).select(TargetRow::as_select()).first(conn).optional()?;
    let Some(row) = row.filter(|r| including_deleted || r.deleted_at.is_none()) else { return Ok(None) };
    let scope = TargetScope::of(conn, visibility)?;
    Ok(scope.allows(row.subject_type, row.subject_id.as_deref()).then_some(row))
}

impl crate::visible::ScopedRow for TargetRow {
    fn lock(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
        lock(conn, id)
    }

    fn find_visible(conn: &mut DbConnection, id: &str, visibility: &Visibility) -> StoreResult<Option<TargetRow>> {
        find_in_scope(conn, id, visibility, false)
    }

    fn find_visible_including_deleted(
        conn: &mut DbConnection,
        id: &str,
        visibility: &Visibility,
    ) -> StoreResult<Option<TargetRow>> {
        find_in_scope(conn, id, visibility, true)
    }
}

/// The names of the departments and users among `ids`, by id.
pub fn subject_names(conn: &mut DbConnection, ids: &[String]) -> StoreResult<HashMap<String, String>> {
    let mut names: HashMap<String, String> = departments::table
        .filter(departments::id.eq_any(ids))
        .select((departments::id, departments::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    names.extend(
        users::table.filter(users::id.eq_any(ids)).select((users::id, users::name)).load::<(String, String)>(conn)?,
    );
    Ok(names)
}

/// A live target's direct children of the same year and metric, each with its currency and
/// months: for the company, the root departments' targets and those of the users without a
/// department; for a department, its sub-departments' and its own members'; a user's target
/// has none.
pub fn children_months(conn: &mut DbConnection, parent: &TargetRow) -> StoreResult<Vec<(String, MonthlyAmounts)>> {
    let (child_departments, child_users) = match (parent.subject_type, parent.subject_id.as_deref()) {
        (SubjectType::Company, _) => (
            departments::table
                .filter(departments::deleted_at.is_null())
                .filter(departments::parent_id.is_null())
                .select(departments::id)
                .load::<String>(conn)?,
            users::table.filter(users::department_id.is_null()).select(users::id).load::<String>(conn)?,
        ),
        (SubjectType::Department, Some(id)) => (
            departments::table
                .filter(departments::deleted_at.is_null())
                .filter(departments::parent_id.eq(id))
                .select(departments::id)
                .load::<String>(conn)?,
            users::table.filter(users::department_id.eq(id)).select(users::id).load::<String>(conn)?,
        ),
        _ => return Ok(Vec::new()),
    };
    let rows: Vec<(String, String, i32, i64)> = targets::table
        .inner_join(target_months::table)
        .filter(targets::deleted_at.is_null())
        .filter(targets::year.eq(parent.year))
        .filter(targets::metric.eq(parent.metric.as_str()))
        .filter(
            targets::subject_type
                .eq(SubjectType::Department.as_str())
                .and(targets::subject_id.eq_any(child_departments))
                .or(targets::subject_type.eq(SubjectType::User.as_str()).and(targets::subject_id.eq_any(child_users))),
        )
        .select((targets::id, targets::currency, target_months::month, target_months::amount))
        .load(conn)?;
    let children = by_key(rows.into_iter().map(|(id, currency, month, amount)| ((id, currency), month, amount)));
    Ok(children.into_iter().map(|((_, currency), months)| (currency, months)).collect())
}

/// The monthly amounts of every live `subject_type` target for `year` and `metric` in
/// `currency`, by subject id (`None` for the company's).
pub fn subject_months(
    conn: &mut DbConnection,
    subject_type: SubjectType,
    (year, metric): (i32, Metric),
    currency: &str,
) -> StoreResult<HashMap<Option<String>, MonthlyAmounts>> {
    let rows: Vec<(Option<String>, i32, i64)> = targets::table
        .inner_join(target_months::table)
        .filter(targets::deleted_at.is_null())
        .filter(targets::subject_type.eq(subject_type.as_str()))
        .filter(targets::year.eq(year))
        .filter(targets::metric.eq(metric.as_str()))
        .filter(targets::currency.eq(currency))
        .select((targets::subject_id, target_months::month, target_months::amount))
        .load(conn)?;
    Ok(by_key(rows))
}

/// The `(year, month, amount)` of every live `metric` target in `currency` of the subject
/// keyed `subject_key` (see [`COMPANY_KEY`]) for the years `years`.
pub fn subject_key_months(
    conn: &mut DbConnection,
    subject_key: &str,
    metric: Metric,
    currency: &str,
    years: RangeInclusive<i32>,
) -> StoreResult<Vec<(i32, i32, i64)>> {
    Ok(targets::table
        .inner_join(target_months::table)
        .filter(targets::deleted_at.is_null())
        .filter(targets::subject_key.eq(subject_key))
        .filter(targets::metric.eq(metric.as_str()))
        .filter(targets::currency.eq(currency))
        .filter(targets::year.between(*years.start(), *years.end()))
        .select((targets::year, target_months::month, target_months::amount))
        .load(conn)?)
}
