//! Plain inserts and updates for the demo data set (`salesops seed-demo`):
//! rows of tables whose typed storage lives in other modules (stage history,
//! activities, competitors), written column by column.

use crate::raw_sql::Sql;
pub use crate::raw_sql::SqlValue;
use crate::schema::{accounts, leads};
use crate::{DbConnection, StoreResult};
use diesel::prelude::*;
use salesops_domain::lead::LeadStatus;

/// `INSERT INTO table (columns…) VALUES (values…)`; `columns` and `values` pair up in order.
pub fn insert(conn: &mut DbConnection, table: &str, columns: &[&str], values: Vec<SqlValue>) -> StoreResult<()> {
    let mut sql = Sql::default();
    sql.push(&format!("INSERT INTO {table} ({}) VALUES (", columns.join(", ")));
    for (i, value) in values.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.param(value);
    }
    sql.push(")");
    sql.execute(conn)?;
    Ok(())
}

/// `UPDATE table SET column = value, … WHERE id = id`.
pub fn update(conn: &mut DbConnection, table: &str, id: &str, set: Vec<(&str, SqlValue)>) -> StoreResult<usize> {
    let mut sql = Sql::default();
    sql.push(&format!("UPDATE {table} SET "));
    for (i, (column, value)) in set.into_iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push(&format!("{column} = ")).param(value);
    }
    sql.push(" WHERE id = ").param(SqlValue::text(id));
    sql.execute(conn)
}

/// Set `last_activity_at` on every lead, account, contact and opportunity to
/// its latest live activity, where it has one.
pub fn refresh_last_activity(conn: &mut DbConnection) -> StoreResult<()> {
    for (table, column) in [
        ("leads", "lead_id"),
        ("accounts", "account_id"),
        ("contacts", "contact_id"),
        ("opportunities", "opportunity_id"),
    ] {
        let mut sql = Sql::default();
        sql.push(&format!(
            "UPDATE {table} SET last_activity_at = (SELECT MAX(a.occurred_at) FROM activities a \
             WHERE a.{column} = {table}.id AND a.deleted_at IS NULL) \
             WHERE EXISTS (SELECT 1 FROM activities a WHERE a.{column} = {table}.id AND a.deleted_at IS NULL)"
        ));
        sql.execute(conn)?;
    }
    Ok(())
}

/// `(id, owner_id)` of the live leads whose external id starts with `prefix`
/// (and whose status is `status`, if given), in external-id order.
pub fn leads_by_external_prefix(
    conn: &mut DbConnection,
    prefix: &str,
    status: Option<LeadStatus>,
) -> StoreResult<Vec<(String, Option<String>)>> {
    let mut query = leads::table
        .filter(leads::external_id.like(format!("{prefix}%")))
        .filter(leads::deleted_at.is_null())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(leads::status.eq(status.as_str()));
    }
    Ok(query.order(leads::external_id.asc()).select((leads::id, leads::owner_id)).load(conn)?)
}

/// Whether an account with this external id exists.
pub fn account_exists(conn: &mut DbConnection, external_id: &str) -> StoreResult<bool> {
    let n: i64 = accounts::table.filter(accounts::external_id.eq(external_id)).count().get_result(conn)?;
    Ok(n > 0)
}

/// Whether a live commission plan is named `name` (the marker of the demo's commissions).
pub fn plan_exists(conn: &mut DbConnection, name: &str) -> StoreResult<bool> {
    use crate::schema::commission_plans;
    Ok(diesel::select(diesel::dsl::exists(
        commission_plans::table.filter(commission_plans::name.eq(name)).filter(commission_plans::deleted_at.is_null()),
    ))
    .get_result(conn)?)
}
