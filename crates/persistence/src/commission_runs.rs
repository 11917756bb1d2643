//! Commission runs, their statements (one per user) and the statements' lines. A run is
//! visible to whoever sees every one of its statements' users (its total sums them all); a
//! statement to whoever sees its user.

use crate::schema::{
    commission_lines, commission_paid_sources, commission_plans, commission_runs, commission_statements, orders,
    payments,
};
use crate::scope::Visibility;
use crate::words::OptionalWord;
use crate::{clock, DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use salesops_domain::commission::LineReason;
use salesops_domain::commission_run::{RunStatus, SourceType};
use salesops_domain::order::OrderStatus;
use salesops_domain::target::Metric;
use std::collections::HashMap;

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = commission_runs, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct RunRow {
    /// UUIDv7.
    pub id: String,
    /// The plan.
    pub plan_id: String,
    /// The plan version whose rules it pays by.
    pub plan_version_id: String,
    /// `2027-01`, `2027-Q1` or `2027`.
    pub period: String,
    /// The period's first day.
    pub period_start: NaiveDate,
    /// The period's last day.
    pub period_end: NaiveDate,
    /// Draft, approved or paid.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: RunStatus,
    /// The plan's currency.
    pub currency: String,
    /// Σ its statements' totals.
    pub total: i64,
    /// When its statements were last computed.
    pub computed_at: NaiveDateTime,
    /// When it was approved.
    pub approved_at: Option<NaiveDateTime>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When it was paid.
    pub paid_at: Option<NaiveDateTime>,
    /// Who paid it.
    pub paid_by: Option<String>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
}

/// A user's statement in a run.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = commission_statements, treat_none_as_default_value = false)]
pub struct StatementRow {
    /// UUIDv7.
    pub id: String,
    /// The run.
    pub run_id: String,
    /// The user paid.
    pub user_id: String,
    /// The user's target for the period.
    pub target: i64,
    /// Σ the credits of the period (clawbacks apart).
    pub credited: i64,
    /// credited ÷ target, basis points.
    pub attainment_bps: i64,
    /// Σ its lines' earnings.
    pub total: i64,
}

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = commission_lines, treat_none_as_default_value = false)]
pub struct LineRow {
    /// The statement.
    pub statement_id: String,
    /// Its place in the statement, from 1.
    pub position: i32,
    /// What the credit comes from.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub source_type: SourceType,
    /// The order, payment or refund.
    pub source_id: String,
    /// The document number that names it (a payment's or refund's is its order's).
    pub source_number: String,
    /// The credit date: booking, confirmation, refund or cancellation day.
    pub credit_date: NaiveDate,
    /// The credited amount on this line (negative on a clawback).
    pub credited_amount: i64,
    /// The user's share of the source, basis points.
    pub split_bps: i32,
    /// The tier (0-based); none on a clawback.
    pub tier: Option<i32>,
    /// The tier's rate; none on a clawback.
    pub rate_bps: Option<i32>,
    /// What it earns (on a clawback, what it takes back, below 0; see `domain::commission::clawbacks`).
    pub earning: i64,
    /// Why it earns other than amount × rate, if it does.
    #[diesel(deserialize_as = OptionalWord<LineReason>, serialize_as = OptionalWord<LineReason>)]
    pub reason: Option<LineReason>,
    /// For a clawback, the paid statement it corrects.
    pub corrects_statement_id: Option<String>,
}

/// A statement with its lines, as computed.
#[derive(Debug, Clone, PartialEq)]
pub struct ComputedStatement {
    /// The statement.
    pub row: StatementRow,
    /// Its lines, in order.
    pub lines: Vec<LineRow>,
}

/// Filters of the run list.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Only this plan's runs.
    pub plan_id: Option<String>,
    /// Only runs in these statuses (all when empty).
    pub statuses: Vec<RunStatus>,
    /// Start after this id (the cursor).
    pub after_id: Option<String>,
}

/// Filters of the statement list.
#[derive(Debug, Clone, Default)]
pub struct StatementFilter {
    /// Only this run's statements.
    pub run_id: Option<String>,
    /// Only this user's statements.
    pub user_id: Option<String>,
    /// Start after this id (the cursor).
    pub after_id: Option<String>,
}

impl RunRow {
    /// A new draft run at version 1, computed and created now.
    pub fn new(
        plan_id: &str,
        plan_version_id: &str,
        period: (&str, NaiveDate, NaiveDate),
        currency: &str,
        by: &str,
    ) -> RunRow {
        let now = clock::now();
        RunRow {
            id: salesops_domain::new_id(),
            plan_id: plan_id.to_owned(),
            plan_version_id: plan_version_id.to_owned(),
            period: period.0.to_owned(),
            period_start: period.1,
            period_end: period.2,
            status: RunStatus::Draft,
            currency: currency.to_owned(),
            total: 0,
            computed_at: now,
            approved_at: None,
            approved_by: None,
            paid_at: None,
            paid_by: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: Some(by.to_owned()),
        }
    }
}

/// Insert a new run.
pub fn insert(conn: &mut DbConnection, row: &RunRow) -> StoreResult<()> {
    diesel::insert_into(commission_runs::table).values(row.clone()).execute(conn)?;
    Ok(())
}

crate::versioned::row_writes!(commission_runs, RunRow, "commission run");

/// No statement of the run pays a user outside `$owners`: the run is all in the caller's scope.
macro_rules! all_statements_for {
    ($owners:expr) => {
        diesel::dsl::not(diesel::dsl::exists(
            commission_statements::table
                .filter(commission_statements::run_id.eq(commission_runs::id))
                .filter(commission_statements::user_id.ne_all($owners.clone())),
        ))
    };
}

/// The run `id`, if `visibility` sees every one of its statements' users (every run for `All`).
pub fn find_visible(conn: &mut DbConnection, id: &str, visibility: &Visibility) -> StoreResult<Option<RunRow>> {
    let mut query = commission_runs::table.find(id).select(RunRow::as_select()).into_boxed();
    if let Visibility::Owners(owners) = visibility {
        query = query.filter(all_statements_for!(owners));
    }
    Ok(query.first(conn).optional()?)
}

/// Runs matching `filter` whose every user `visibility` sees, in id order, at most `limit`.
pub fn list(
    conn: &mut DbConnection,
    filter: &RunFilter,
    visibility: &Visibility,
    limit: i64,
) -> StoreResult<Vec<RunRow>> {
    let mut query =
        commission_runs::table.select(RunRow::as_select()).order(commission_runs::id).limit(limit).into_boxed();
    if let Visibility::Owners(owners) = visibility {
        query = query.filter(all_statements_for!(owners));
    }
    if let Some(plan) = &filter.plan_id {
        query = query.filter(commission_runs::plan_id.eq(plan.clone()));
    }
    if !filter.statuses.is_empty() {
        query = query
            .filter(commission_runs::status.eq_any(filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(commission_runs::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// The run of `plan_id` for `period`, if there is one.
pub fn find_for_period(conn: &mut DbConnection, plan_id: &str, period: &str) -> StoreResult<Option<RunRow>> {
    Ok(commission_runs::table
        .filter(commission_runs::plan_id.eq(plan_id))
        .filter(commission_runs::period.eq(period))
        .select(RunRow::as_select())
        .first(conn)
        .optional()?)
}

/// Delete the statements and lines of run `run_id`.
pub fn delete_statements(conn: &mut DbConnection, run_id: &str) -> StoreResult<()> {
    let statements =
        commission_statements::table.filter(commission_statements::run_id.eq(run_id)).select(commission_statements::id);
    diesel::delete(commission_lines::table.filter(commission_lines::statement_id.eq_any(statements))).execute(conn)?;
    diesel::delete(commission_statements::table.filter(commission_statements::run_id.eq(run_id))).execute(conn)?;
    Ok(())
}

/// Delete run `id` with its statements and lines.
pub fn delete(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    delete_statements(conn, id)?;
    diesel::delete(commission_runs::table.find(id)).execute(conn)?;
    Ok(())
}

/// Rows per multi-row INSERT on SQLite: well under its 32,766 bound parameters at 13 columns a line.
const CHUNK: usize = 1_000;

/// Insert `rows` into `table` on SQLite a chunk at a time (multi-row INSERTs need the inner connection).
macro_rules! insert_chunked {
    ($conn:expr, $table:path, $rows:expr) => {
        if let DbConnection::Sqlite(inner) = $conn {
            for chunk in $rows.chunks(CHUNK) {
                diesel::insert_into($table).values(chunk.to_vec()).execute(inner)?;
            }
        }
    };
}

/// Insert `statements` with their lines (the run's old ones deleted first, see
/// [`delete_statements`]): on PostgreSQL with `COPY … FROM STDIN (FORMAT binary)`, since a
/// run of a thousand users can write a million lines; on SQLite a chunk at a time.
pub fn insert_statements(conn: &mut DbConnection, statements: Vec<ComputedStatement>) -> StoreResult<()> {
    let mut rows = Vec::with_capacity(statements.len());
    let mut lines = Vec::with_capacity(statements.iter().map(|s| s.lines.len()).sum());
    for statement in statements {
        rows.push(statement.row);
        lines.extend(statement.lines);
    }
    match conn {
        DbConnection::Postgresql(inner) => {
            diesel::copy_from(commission_statements::table).from_insertable(rows).execute(inner)?;
            diesel::copy_from(commission_lines::table).from_insertable(lines).execute(inner)?;
        }
        DbConnection::Sqlite(_) => {
            insert_chunked!(conn, commission_statements::table, rows);
            insert_chunked!(conn, commission_lines::table, lines);
        }
    }
    Ok(())
}

/// The statement `id`, if `visibility` sees its user.
pub fn find_statement(conn: &mut DbConnection, id: &str, visibility: &Visibility) -> StoreResult<Option<StatementRow>> {
    let row: Option<StatementRow> =
        commission_statements::table.find(id).select(StatementRow::as_select()).first(conn).optional()?;
    Ok(row.filter(|s| visibility.allows(Some(&s.user_id))))
}

/// Statements matching `filter` whose users `visibility` sees, in id order, at most `limit`.
pub fn list_statements(
    conn: &mut DbConnection,
    filter: &StatementFilter,
    visibility: &Visibility,
    limit: i64,
) -> StoreResult<Vec<StatementRow>> {
    let mut query = commission_statements::table
        .select(StatementRow::as_select())
        .order(commission_statements::id)
        .limit(limit)
        .into_boxed();
    if let Visibility::Owners(owners) = visibility {
        query = query.filter(commission_statements::user_id.eq_any(owners.clone()));
    }
    if let Some(run) = &filter.run_id {
        query = query.filter(commission_statements::run_id.eq(run.clone()));
    }
    if let Some(user) = &filter.user_id {
        query = query.filter(commission_statements::user_id.eq(user.clone()));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(commission_statements::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// The user ids of run `run_id`'s statements.
pub fn users_of(conn: &mut DbConnection, run_id: &str) -> StoreResult<Vec<String>> {
    Ok(commission_statements::table
        .filter(commission_statements::run_id.eq(run_id))
        .select(commission_statements::user_id)
        .order(commission_statements::user_id)
        .load(conn)?)
}

/// How many lines each of `statement_ids` has; a statement without lines is absent.
pub fn line_counts(conn: &mut DbConnection, statement_ids: &[String]) -> StoreResult<HashMap<String, i64>> {
    let counts: Vec<(String, i64)> = commission_lines::table
        .filter(commission_lines::statement_id.eq_any(statement_ids))
        .group_by(commission_lines::statement_id)
        .select((commission_lines::statement_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(counts.into_iter().collect())
}

/// Up to `limit` lines of statement `statement_id` after position `after` (from the
/// first when `None`), in position order.
pub fn lines_page(
    conn: &mut DbConnection,
    statement_id: &str,
    after: Option<i32>,
    limit: i64,
) -> StoreResult<Vec<LineRow>> {
    Ok(commission_lines::table
        .filter(commission_lines::statement_id.eq(statement_id))
        .filter(commission_lines::position.gt(after.unwrap_or(0)))
        .order(commission_lines::position)
        .limit(limit)
        .select(LineRow::as_select())
        .load(conn)?)
}

/// The lines of `statement_ids`, by statement then position.
pub fn lines_of(conn: &mut DbConnection, statement_ids: &[String]) -> StoreResult<Vec<LineRow>> {
    Ok(commission_lines::table
        .filter(commission_lines::statement_id.eq_any(statement_ids))
        .order((commission_lines::statement_id, commission_lines::position))
        .select(LineRow::as_select())
        .load(conn)?)
}

/// The settled statements (of approved or paid runs, which never change again) of plan
/// `plan_id` in periods that start before `before` that counted an order since cancelled
/// or a payment since refunded (the only ones a clawback can correct), with their runs,
/// oldest period first. They are found through [`record_settled_sources`]' table, so a run
/// reads no settled statement that has nothing to correct.
pub fn corrected_settled_statements(
    conn: &mut DbConnection,
    plan_id: &str,
    before: NaiveDate,
) -> StoreResult<Vec<(StatementRow, RunRow)>> {
    let cancelled = orders::table.filter(orders::status.eq(OrderStatus::Cancelled.as_str())).select(orders::id);
    let refunded = payments::table.filter(payments::refunded.gt(0)).select(payments::id);
    let corrected = commission_paid_sources::table
        .filter(
            commission_paid_sources::source_id
                .eq_any(cancelled)
                .or(commission_paid_sources::source_id.eq_any(refunded)),
        )
        .select(commission_paid_sources::statement_id);
    Ok(commission_statements::table
        .inner_join(commission_runs::table)
        .filter(commission_runs::plan_id.eq(plan_id))
        .filter(commission_runs::status.eq_any(settled()))
        .filter(commission_runs::period_start.lt(before))
        .filter(commission_statements::id.eq_any(corrected))
        .order((commission_runs::period_start, commission_statements::user_id))
        .select((StatementRow::as_select(), RunRow::as_select()))
        .load(conn)?)
}

/// The clawback lines of runs other than `except_run` that correct one of `statement_ids`:
/// (corrected statement, the correction's source id, its earning).
pub fn corrections_carried(
    conn: &mut DbConnection,
    statement_ids: &[String],
    except_run: &str,
) -> StoreResult<Vec<(String, String, i64)>> {
    let rows: Vec<(Option<String>, String, i64)> = commission_lines::table
        .inner_join(commission_statements::table)
        .filter(commission_lines::corrects_statement_id.eq_any(statement_ids))
        .filter(commission_statements::run_id.ne(except_run))
        .select((commission_lines::corrects_statement_id, commission_lines::source_id, commission_lines::earning))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(corrected, source, earning)| Some((corrected?, source, earning))).collect())
}

/// The statuses of a settled run: approved or paid. Neither is recomputed again, so what
/// their statements counted is final.
fn settled() -> [&'static str; 2] {
    [RunStatus::Approved.as_str(), RunStatus::Paid.as_str()]
}

/// Record the sources run `run_id`'s statements counted, when it is approved (see [`settled_use`]).
pub fn record_settled_sources(conn: &mut DbConnection, run_id: &str) -> StoreResult<()> {
    diesel::sql_query(
        "INSERT INTO commission_paid_sources (source_id, statement_id) \
         SELECT DISTINCT l.source_id, l.statement_id FROM commission_lines l \
         JOIN commission_statements s ON s.id = l.statement_id \
         WHERE s.run_id = $1 AND l.corrects_statement_id IS NULL \
         ON CONFLICT (source_id, statement_id) DO NOTHING",
    )
    .bind::<diesel::sql_types::Text, _>(run_id)
    .execute(conn)?;
    Ok(())
}

/// Whether a settled (approved or paid) statement has counted one of `source_ids`.
pub fn settled_use(conn: &mut DbConnection, source_ids: &[String]) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        commission_paid_sources::table.filter(commission_paid_sources::source_id.eq_any(source_ids)),
    ))
    .get_result(conn)?)
}

/// Whether a run of plan `plan_id` has a statement for `user_id`.
pub fn has_statement(conn: &mut DbConnection, plan_id: &str, user_id: &str) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        commission_statements::table
            .inner_join(commission_runs::table)
            .filter(commission_runs::plan_id.eq(plan_id))
            .filter(commission_statements::user_id.eq(user_id)),
    ))
    .get_result(conn)?)
}

/// (user id, statement id) of each statement of run `run_id`.
pub fn statement_ids_of(conn: &mut DbConnection, run_id: &str) -> StoreResult<Vec<(String, String)>> {
    Ok(commission_statements::table
        .filter(commission_statements::run_id.eq(run_id))
        .select((commission_statements::user_id, commission_statements::id))
        .load(conn)?)
}

/// The runs `ids`.
pub fn find_many(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<RunRow>> {
    Ok(commission_runs::table.filter(commission_runs::id.eq_any(ids)).select(RunRow::as_select()).load(conn)?)
}

/// Whether a settled (approved or paid) run of a plan on `basis` covering `day` has a
/// statement for one of `user_ids`.
pub fn settled_period_covers(
    conn: &mut DbConnection,
    basis: Metric,
    user_ids: &[String],
    day: NaiveDate,
) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        commission_statements::table
            .inner_join(commission_runs::table.inner_join(commission_plans::table))
            .filter(commission_runs::status.eq_any(settled()))
            .filter(commission_runs::period_start.le(day))
            .filter(commission_runs::period_end.ge(day))
            .filter(commission_plans::basis.eq(basis.as_str()))
            .filter(commission_statements::user_id.eq_any(user_ids)),
    ))
    .get_result(conn)?)
}
