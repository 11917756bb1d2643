//! Money reports over orders: receivables aging (应收账款账龄), bookings (业绩 by booking),
//! the actuals that attainment is measured by, and the leaderboard's figures.
//!
//! Like [`crate::reports`], every sum and grouping is done by the database with the
//! caller's scope inside the WHERE clause, in hand-written SQL that runs on both
//! backends. Dates are compared with boundary dates computed in Rust and bound as
//! parameters, never with the databases' date functions, which differ.

use crate::raw_sql::{Sql, SqlValue};
use crate::words::Word;
use crate::{DbConnection, StoreResult};
use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text};
use diesel::QueryableByName;
use salesops_domain::order::OrderStatus;
use salesops_domain::receivables::{AgingBucket, PaymentStatus};
use salesops_domain::reports::{aging_floor, Period};
use salesops_domain::target::Metric;

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

/// Live orders `o` of the filter's owners and currency, whatever their status.
fn owned_orders<'s>(sql: &'s mut Sql, f: &OrderFilter) -> &'s mut Sql {
    sql.push("o.deleted_at IS NULL AND o.currency = ")
        .param(SqlValue::text(f.currency.clone()))
        .and_in("o.owner_id", f.owners.as_deref())
}

/// The order statuses `counted` holds for, as words.
fn statuses(counted: fn(OrderStatus) -> bool) -> Vec<String> {
    OrderStatus::ALL.iter().filter(|s| counted(**s)).map(|s| s.as_str().to_owned()).collect()
}

/// Live orders `o` of the filter's owners and currency whose status is one of those `counted`.
fn orders<'s>(sql: &'s mut Sql, f: &OrderFilter, counted: fn(OrderStatus) -> bool) -> &'s mut Sql {
    owned_orders(sql, f).and_in("o.status", Some(&statuses(counted)))
}

/// The facts a metric sums, over orders `o`. Booking: the live booked orders (active,
/// fulfilled or completed) at their total, on their booking date. Collection: the
/// confirmed payments `p` of live orders, net of their refunds, on their confirmation day.
struct Facts {
    /// The metric counted.
    metric: Metric,
    /// The DATE column a fact falls on.
    day: &'static str,
    /// The fact's amount, in minor units.
    amount: &'static str,
    /// The table the facts come from, with `orders o` joined.
    from: &'static str,
}

impl Facts {
    fn of(metric: Metric) -> Facts {
        match metric {
            Metric::Booking => Facts { metric, day: "o.booked_at", amount: "o.total", from: "orders o" },
            Metric::Collection => Facts {
                metric,
                day: "p.confirmed_on",
                amount: "p.amount - p.refunded",
                from: "payments p JOIN orders o ON o.id = p.order_id",
            },
        }
    }

    /// ` FROM … WHERE …`: the filter's facts, `joins` added to the FROM.
    fn push_from<'s>(&self, sql: &'s mut Sql, f: &OrderFilter, joins: &str) -> &'s mut Sql {
        sql.push(&format!(" FROM {}{joins} WHERE ", self.from));
        match self.metric {
            Metric::Booking => orders(sql, f, OrderStatus::is_booked),
            Metric::Collection => {
                owned_orders(sql, f).push(" AND p.status = ").param(SqlValue::text(PaymentStatus::Confirmed.as_str()))
            }
        }
    }
}

/// ` AND day >= from AND day <= to`: the DATE expression `day` within `period`, both ends included.
fn within<'s>(sql: &'s mut Sql, day: &str, period: &Period) -> &'s mut Sql {
    sql.push(&format!(" AND {day} >= "))
        .param(SqlValue::Date(Some(period.from)))
        .push(&format!(" AND {day} <= "))
        .param(SqlValue::Date(Some(period.to)))
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
    let booked = Facts::of(Metric::Booking);
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT {day} AS booked_at, {key} AS group_key, {name} AS name, \
         COUNT(*) AS count, CAST(SUM({amount}) AS BIGINT) AS amount",
        day = booked.day,
        amount = booked.amount
    ));
    booked.push_from(&mut sql, f, joins);
    within(&mut sql, booked.day, period).push(&format!(" GROUP BY {}", booked.day));
    if group.is_some() {
        sql.push(&format!(", {key}, {name}"));
    }
    sql.load(conn)
}

/// Who an actual is credited to in the attainment report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActualGroup {
    /// The owner of the order.
    User,
    /// The owner's current department and every department above it: a department's
    /// actual is its whole subtree's.
    DepartmentTree,
}

/// One group's actual in one month of a window of months.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct MonthActual {
    /// The user's or department's id.
    #[diesel(sql_type = Text)]
    pub group_key: String,
    /// The month's index in the window, from 0.
    #[diesel(sql_type = Integer)]
    pub month: i32,
    /// The actual, in minor units.
    #[diesel(sql_type = BigInt)]
    pub amount: i64,
}

/// The facts `metric` sums, as rows `(owner_id, k, amount)` where `k` is the index of the
/// month among `bounds` (each month's first day, then the day after the last month) that
/// the fact's date falls in; only facts within the window. Booking: the filter's live
/// orders that are booked (active, fulfilled or completed) at their total, by booking
/// date. Collection: the confirmed payments of the filter's live orders, net of their
/// refunds, by confirmation day.
fn monthly_facts(sql: &mut Sql, metric: Metric, f: &OrderFilter, bounds: &[NaiveDate]) {
    let facts = Facts::of(metric);
    let day = facts.day;
    sql.push("SELECT o.owner_id AS owner_id, CASE");
    for (k, end) in bounds.iter().skip(1).enumerate() {
        sql.push(&format!(" WHEN {day} < ")).param(SqlValue::Date(Some(*end))).push(&format!(" THEN {k}"));
    }
    sql.push(&format!(" END AS k, {} AS amount", facts.amount));
    facts.push_from(sql, f, "");
    let (first, after) = (bounds.first().copied(), bounds.last().copied());
    sql.push(&format!(" AND {day} >= "))
        .param(SqlValue::Date(first))
        .push(&format!(" AND {day} < "))
        .param(SqlValue::Date(after));
}

/// Each group's `metric` actual in each month of the window `bounds` (each month's
/// first day, then the day after the last month), over the filter's orders: only the
/// (group, month) pairs with something counted. Grouped by department, an order counts
/// for its owner's department and every live department above it; owners without a
/// department count for none.
pub fn monthly_actuals(
    conn: &mut DbConnection,
    metric: Metric,
    f: &OrderFilter,
    group: ActualGroup,
    bounds: &[NaiveDate],
) -> StoreResult<Vec<MonthActual>> {
    let mut sql = Sql::default();
    match group {
        ActualGroup::User => {
            sql.push("SELECT x.owner_id AS group_key, x.k AS month, CAST(SUM(x.amount) AS BIGINT) AS amount FROM (");
            monthly_facts(&mut sql, metric, f, bounds);
            sql.push(") x GROUP BY x.owner_id, x.k");
        }
        ActualGroup::DepartmentTree => {
            sql.push(
                "WITH RECURSIVE tree(root, id, depth) AS ( \
                   SELECT id, id, 0 FROM departments WHERE deleted_at IS NULL \
                   UNION ALL \
                   SELECT tree.root, d.id, tree.depth + 1 FROM departments d JOIN tree ON d.parent_id = tree.id \
                   WHERE d.deleted_at IS NULL AND tree.depth < 1000 \
                 ) SELECT t.root AS group_key, x.k AS month, CAST(SUM(x.amount) AS BIGINT) AS amount FROM (",
            );
            monthly_facts(&mut sql, metric, f, bounds);
            sql.push(
                ") x JOIN users u ON u.id = x.owner_id JOIN tree t ON t.id = u.department_id GROUP BY t.root, x.k",
            );
        }
    }
    sql.load(conn)
}

/// One user's leaderboard figures over a period.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct LeaderRow {
    /// The user.
    #[diesel(sql_type = Text)]
    pub user_id: String,
    /// Σ totals of their orders booked in the period, in minor units.
    #[diesel(sql_type = BigInt)]
    pub booking: i64,
    /// Σ confirmed payments net of refunds on their orders, confirmed in the period.
    #[diesel(sql_type = BigInt)]
    pub collection: i64,
    /// Accounts whose first booked order is theirs and was booked in the period.
    #[diesel(sql_type = BigInt)]
    pub new_accounts: i64,
    /// Activities they own that took place in the period.
    #[diesel(sql_type = BigInt)]
    pub activities: i64,
}

/// The leaderboard's figures of every owner of the filter with at least one, over `period`:
/// booking and collection as [`monthly_actuals`] counts them (in the filter's currency);
/// new accounts (an account's first booked order, whatever its currency, the earlier id
/// first on the same day, credited to that order's owner, when booked in the period);
/// and live activities by `occurred_at`.
pub fn leaderboard(conn: &mut DbConnection, f: &OrderFilter, period: &Period) -> StoreResult<Vec<LeaderRow>> {
    let booked = statuses(OrderStatus::is_booked);
    let (booking, collection) = (Facts::of(Metric::Booking), Facts::of(Metric::Collection));
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT x.user_id AS user_id, CAST(SUM(x.booking) AS BIGINT) AS booking, \
         CAST(SUM(x.collection) AS BIGINT) AS collection, CAST(SUM(x.new_accounts) AS BIGINT) AS new_accounts, \
         CAST(SUM(x.activities) AS BIGINT) AS activities FROM (\
         SELECT o.owner_id AS user_id, {} AS booking, 0 AS collection, 0 AS new_accounts, 0 AS activities",
        booking.amount
    ));
    booking.push_from(&mut sql, f, "");
    within(&mut sql, booking.day, period);
    sql.push(&format!(" UNION ALL SELECT o.owner_id, 0, {}, 0, 0", collection.amount));
    collection.push_from(&mut sql, f, "");
    within(&mut sql, collection.day, period);
    sql.push(" UNION ALL SELECT o.owner_id, 0, 0, 1, 0 FROM orders o WHERE o.deleted_at IS NULL")
        .and_in("o.status", Some(&booked))
        .and_in("o.owner_id", f.owners.as_deref());
    within(&mut sql, booking.day, period)
        .push(" AND NOT EXISTS (SELECT 1 FROM orders e WHERE e.account_id = o.account_id AND e.deleted_at IS NULL")
        .and_in("e.status", Some(&booked))
        .push(" AND (e.booked_at < o.booked_at OR (e.booked_at = o.booked_at AND e.id < o.id)))");
    sql.push(" UNION ALL SELECT a.owner_id, 0, 0, 0, 1 FROM activities a WHERE a.deleted_at IS NULL")
        .and_in("a.owner_id", f.owners.as_deref());
    crate::reports::during(&mut sql, "a.occurred_at", period);
    sql.push(") x GROUP BY x.user_id");
    sql.load(conn)
}
