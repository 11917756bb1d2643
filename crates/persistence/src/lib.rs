//! Storage for salesops on SQLite and PostgreSQL through one diesel codebase.
//!
//! One schema ([`schema`]), one tree of portable SQL migrations, and query
//! modules by aggregate. Every query takes a [`DbConnection`], which is
//! either backend; callers never branch on the database.
//!
//! **Prepared statements.** Diesel prepares a query once per connection and
//! reuses it when its SQL cannot vary with the values bound: DSL queries, not
//! `sql_query`. Every `Insertable` row says `treat_none_as_default_value = false`:
//! no column has a `DEFAULT`, and an INSERT that writes `NULL` for `None`
//! rather than `DEFAULT` has one text, so it is prepared once and reused too.

pub mod account_owner_changes;
pub mod account_pools;
pub mod accounts;
pub mod activities;
pub mod approvals;
pub mod audit;
pub mod clock;
pub mod commission_plans;
pub mod commission_runs;
pub mod connection;
pub mod contacts;
pub mod credits;
pub mod demo;
pub mod departments;
pub mod discount_authorities;
pub mod duplicates;
pub mod error;
pub mod leads;
pub mod lines;
pub mod migrations;
pub mod money_reports;
pub mod numbering;
pub mod opportunities;
pub mod orders;
pub mod pipeline;
pub mod plan;
pub mod products;
pub mod quotes;
mod raw_sql;
pub mod receivables;
pub mod reports;
pub mod role_scopes;
pub mod schema;
pub mod scope;
pub mod settings;
pub mod sql_functions;
pub mod targets;
pub mod tokens;
mod upsert;
pub mod users;
pub mod versioned;
pub mod visible;
pub mod words;

pub use connection::{
    build_pool, ping, write_transaction, DatabaseTarget, DbConnection, DbPool, PoolSettings, PooledConnection,
    SqliteSynchronous,
};
/// Diesel's error, for callers that pass it through [`write_transaction`].
pub use diesel::result::Error as DieselError;
pub use error::{StoreError, StoreResult};

/// Escape `%`, `_` and `\` in user text so it matches literally inside a LIKE pattern that uses `\` as escape.
pub fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::like_contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(super::like_contains("上海"), "%上海%");
    }
}
