//! Hand-written SQL the query modules share: recursive id walks, which the
//! query builder cannot express, and table locks.

use crate::{DbConnection, StoreResult};
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Run `sql`, which binds one text parameter as `$1` and selects one text column named `id`.
pub(crate) fn load_ids(conn: &mut DbConnection, sql: &str, param: &str) -> StoreResult<Vec<String>> {
    let rows: Vec<IdRow> = diesel::sql_query(sql).bind::<Text, _>(param).load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Hold off every other writer of `table` until the transaction ends, so a
/// check across several rows (a cycle check, say) cannot interleave with
/// another writer's. SQLite write transactions are serial already, so there it does nothing.
pub(crate) fn lock_table(conn: &mut DbConnection, table: &'static str) -> StoreResult<()> {
    if matches!(conn, DbConnection::Postgresql(_)) {
        diesel::sql_query(format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")).execute(conn)?;
    }
    Ok(())
}
