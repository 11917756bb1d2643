//! The plan PostgreSQL chooses for a query, so that tests can fail when a hot
//! query stops using its index (see `tests/api/query_plans.rs`).

use crate::{DbConnection, StoreResult};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Text;
use diesel::{QueryResult, RunQueryDsl};

/// `EXPLAIN` of a query: its plan, one line per row.
#[derive(Debug, Clone, Copy)]
struct Explain<Q>(Q);

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Text;
}

impl<Q: QueryFragment<DB>, DB: diesel::backend::Backend> QueryFragment<DB> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql("EXPLAIN ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> RunQueryDsl<DbConnection> for Explain<Q> {}

/// The plan PostgreSQL would run `query` with, as `EXPLAIN` prints it.
///
/// PostgreSQL only: SQLite's `EXPLAIN` prints byte code, not a plan.
pub fn explain<Q>(conn: &mut DbConnection, query: Q) -> StoreResult<Vec<String>>
where
    Q: QueryFragment<crate::connection::MultiBackend>,
{
    Ok(Explain(query).load::<String>(conn)?)
}
