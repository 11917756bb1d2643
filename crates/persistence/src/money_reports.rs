//! Money reports over orders: receivables aging (应收账款账龄) and bookings (业绩 by booking).
//!
//! Like [`crate::reports`], every sum and grouping is done by the database with the
//! caller's scope inside the WHERE clause, in hand-written SQL that runs on both
//! backends. Dates are compared with boundary dates computed in Rust and bound as
//! parameters, never with the databases' date functions, which differ.

use crate::raw_sql::{Sql, SqlValue};
use crate::words::Word;
use crate::{DbConnection, StoreResult};
use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel::QueryableByName;
use salesops_domain::order::OrderStatus;
use salesops_domain::receivables::AgingBucket;
use salesops_domain::reports::{aging_floor, Period};

/// What a money report filters orders on.
#[derive(Debug, Clone)]
pub struct OrderFilter {
    /// Owners counted; `None` is everyone.
    pub owners: Option<Vec<String>>,
    /// Only orders in this currency are summed; amounts are never converted.
    pub currency: String,
}

/// What a money report's rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportGroup {
    /// The order's owner, named by the user's name.
    Owner,
    /// The owner's current department (`users.department_id`), named by the department's
    /// name; owners without a department form one group whose key is `None`.
    Department,
    /// The order's account, named by the account's name.
    Account,
}

impl ReportGroup {
    /// The group's key and name as SQL over orders `o`, with the joins they need.
    fn columns(group: Option<ReportGroup>) -> (&'static str, &'static str, &'static str) {
        match group {
            None => ("CAST(NULL AS TEXT)", "CAST(NULL AS TEXT)", ""),
            Some(ReportGroup::Owner) => ("o.owner_id", "u.name", " JOIN users u ON u.id = o.owner_id"),
            Some(ReportGroup::Department) => (
                "u.department_id",
                "dp.name",
                " JOIN users u ON u.id = o.owner_id LEFT JOIN departments dp ON dp.id = u.department_id",
            ),
            Some(ReportGroup::Account) => ("o.account_id", "a.name", " JOIN accounts a ON a.id = o.account_id"),
        }
    }
}

/// Live orders `o` of the filter's owners and currency whose status is one of those `counted`.
fn orders<'s>(sql: &'s mut Sql, f: &OrderFilter, counted: fn(OrderStatus) -> bool) -> &'s mut Sql {
    let statuses: Vec<String> =
        OrderStatus::ALL.iter().filter(|s| counted(**s)).map(|s| s.as_str().to_owned()).collect();
    sql.push("o.deleted_at IS NULL AND o.currency = ")
        .param(SqlValue::text(f.currency.clone()))
        .and_in("o.status", Some(&statuses))
        .and_in("o.owner_id", f.owners.as_deref())
}

/// The aging bucket of `due` (a DATE expression) on `today`, as a CASE over the buckets' floors.
fn aging_bucket<'s>(sql: &'s mut Sql, due: &str, today: NaiveDate) -> &'s mut Sql {
    sql.push("CASE");
    for &bucket in AgingBucket::ALL {
        match aging_floor(bucket, today) {
            Some(floor) => {
                sql.push(&format!(" WHEN {due} >= ")).param(SqlValue::Date(Some(floor)));
                sql.push(&format!(" THEN '{bucket}'"));
            }
            None => {
                sql.push(&format!(" ELSE '{bucket}'"));
            }
        }
    }
    sql.push(" END")
}

/// What is outstanding in one aging bucket of one group.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct AgingAmount {
    /// The group's key; `None` without grouping, and for owners without a department.
    #[diesel(sql_type = Nullable<Text>)]
    pub group_key: Option<String>,
    /// The group's name.
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    /// How long past due.
    #[diesel(sql_type = Text, deserialize_as = Word<AgingBucket>)]
    pub bucket: AgingBucket,
    /// The outstanding amounts summed, in minor units.
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

/// What is outstanding on `today`, by group and aging bucket: only the (group, bucket)
/// pairs that have something outstanding.
///
/// Counted are the instalments not paid in full (`amount − paid`, due on their due date)
/// of the filter's live orders that take payments (active or fulfilled). Such an order
/// without any instalment counts its whole outstanding balance, `total − collected +
/// refunded` when above zero, as one amount due on its booking date.
pub fn receivables_aging(
    conn: &mut DbConnection,
    f: &OrderFilter,
    group: Option<ReportGroup>,
    today: NaiveDate,
) -> StoreResult<Vec<AgingAmount>> {
    let (key, name, joins) = ReportGroup::columns(group);
    let mut sql = Sql::default();
    sql.push("SELECT d.group_key AS group_key, d.name AS name, d.bucket AS bucket, ");
    sql.push("CAST(SUM(d.amount) AS BIGINT) AS amount FROM (");
    sql.push(&format!("SELECT {key} AS group_key, {name} AS name, "));
    aging_bucket(&mut sql, "i.due_date", today);
    sql.push(&format!(
        " AS bucket, i.amount - i.paid AS amount FROM instalments i JOIN orders o ON o.id = i.order_id{joins} WHERE "
    ));
    orders(&mut sql, f, OrderStatus::takes_payments).push(" AND i.amount > i.paid");
    sql.push(&format!(" UNION ALL SELECT {key}, {name}, "));
    aging_bucket(&mut sql, "o.booked_at", today);
    sql.push(&format!(", o.total - o.collected + o.refunded FROM orders o{joins} WHERE "));
    orders(&mut sql, f, OrderStatus::takes_payments).push(
        " AND o.total - o.collected + o.refunded > 0 \
         AND NOT EXISTS (SELECT 1 FROM instalments p WHERE p.order_id = o.id)",
    );
    sql.push(") d GROUP BY d.group_key, d.name, d.bucket");
    sql.load(conn)
}

/// Orders booked on one day in one group.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct BookedDay {
    /// The booking date.
    #[diesel(sql_type = Date)]
    pub booked_at: NaiveDate,
    /// The group's key; `None` without grouping, and for owners without a department.
    #[diesel(sql_type = Nullable<Text>)]
    pub group_key: Option<String>,
    /// The group's name.
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    /// How many orders.
    #[diesel(sql_type = BigInt)]
    pub count: i64,
    /// Their totals summed, in minor units.
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

/// The filter's live booked orders (active, fulfilled or completed) booked within
/// `period`, by booking date and group: at most one row per (day, group).
pub fn bookings_by_day(
    conn: &mut DbConnection,
    f: &OrderFilter,
    group: Option<ReportGroup>,
    period: &Period,
) -> StoreResult<Vec<BookedDay>> {
    let (key, name, joins) = ReportGroup::columns(group);
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT o.booked_at AS booked_at, {key} AS group_key, {name} AS name, \
         COUNT(*) AS count, CAST(SUM(o.total) AS BIGINT) AS amount FROM orders o{joins} WHERE "
    ));
    orders(&mut sql, f, OrderStatus::is_booked)
        .push(" AND o.booked_at >= ")
        .param(SqlValue::Date(Some(period.from)))
        .push(" AND o.booked_at <= ")
        .param(SqlValue::Date(Some(period.to)));
    sql.push(" GROUP BY o.booked_at");
    if group.is_some() {
        sql.push(&format!(", {key}, {name}"));
    }
    sql.load(conn)
}
