//! Hand-written SQL the query modules share: recursive id walks, which the
//! query builder cannot express, table locks, and a builder for SQL with
//! placeholders that runs on both backends.

use crate::connection::MultiBackend;
use crate::{DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Bool, Date, Double, Integer, Nullable, Text, Timestamp};
use diesel::{QueryableByName, RunQueryDsl};

/// One id, the row of a query selecting a text column named `id`.
#[derive(QueryableByName)]
pub(crate) struct IdRow {
    /// The id.
    #[diesel(sql_type = Text)]
    pub(crate) id: String,
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

/// A value bound to a `$n` placeholder of hand-written SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// TEXT / VARCHAR.
    Text(Option<String>),
    /// TIMESTAMP, UTC.
    Timestamp(Option<NaiveDateTime>),
    /// DATE.
    Date(Option<NaiveDate>),
    /// INTEGER.
    Integer(Option<i32>),
    /// BIGINT.
    BigInt(Option<i64>),
    /// DOUBLE PRECISION.
    Double(Option<f64>),
    /// BOOLEAN.
    Bool(bool),
}

impl SqlValue {
    /// A non-null text value.
    pub fn text(s: impl Into<String>) -> SqlValue {
        SqlValue::Text(Some(s.into()))
    }
}

/// Hand-written SQL and its parameters, built left to right.
///
/// Placeholders are numbered in the order they are added, so they also first
/// appear in that order: SQLite numbers `$n` by first appearance, not by `n`.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    text: String,
    params: Vec<SqlValue>,
}

impl Sql {
    /// Append SQL text.
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append the next placeholder, bound to `value`.
    pub(crate) fn param(&mut self, value: SqlValue) -> &mut Self {
        self.params.push(value);
        self.text.push_str(&format!("${}", self.params.len()));
        self
    }

    /// ` AND <column> IN (...)`; nothing for `None` (no restriction); a false condition for an empty list.
    pub(crate) fn and_in(&mut self, column: &str, values: Option<&[String]>) -> &mut Self {
        match values {
            None => self,
            Some([]) => self.push(" AND 1 = 0"),
            Some(ids) => {
                self.push(&format!(" AND {column} IN ("));
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.param(SqlValue::text(id.clone()));
                }
                self.push(")")
            }
        }
    }

    fn build<'a>(self) -> BoxedSqlQuery<'a, MultiBackend, SqlQuery> {
        let mut query = diesel::sql_query(self.text).into_boxed::<MultiBackend>();
        for p in self.params {
            query = match p {
                SqlValue::Text(v) => query.bind::<Nullable<Text>, _>(v),
                SqlValue::Timestamp(v) => query.bind::<Nullable<Timestamp>, _>(v),
                SqlValue::Date(v) => query.bind::<Nullable<Date>, _>(v),
                SqlValue::Integer(v) => query.bind::<Nullable<Integer>, _>(v),
                SqlValue::BigInt(v) => query.bind::<Nullable<BigInt>, _>(v),
                SqlValue::Double(v) => query.bind::<Nullable<Double>, _>(v),
                SqlValue::Bool(v) => query.bind::<Bool, _>(v),
            };
        }
        query
    }

    /// Run it as a query.
    pub(crate) fn load<R: QueryableByName<MultiBackend> + 'static>(
        self,
        conn: &mut DbConnection,
    ) -> StoreResult<Vec<R>> {
        Ok(self.build().load(conn)?)
    }

    /// Run it as a statement; returns the rows affected.
    pub(crate) fn execute(self, conn: &mut DbConnection) -> StoreResult<usize> {
        Ok(self.build().execute(conn)?)
    }

    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::default();
        sql.push("x = ").param(SqlValue::text("a")).and_in("o", Some(&["p".to_owned(), "q".to_owned()]));
        assert_eq!(sql.text(), "x = $1 AND o IN ($2, $3)");
        let mut none = Sql::default();
        none.and_in("o", Some(&[]));
        assert_eq!(none.text(), " AND 1 = 0");
    }
}
