//! Document numbering (单据编号): each document type's configured rule, and the
//! per-type, per-day counters that numbers are taken from.

use crate::schema::numbering_rules;
use crate::upsert::replace_by_key;
use crate::{DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Date, Integer, Text};
use salesops_domain::numbering::DocumentType;

/// A configured numbering rule for one document type.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = numbering_rules,
    primary_key(document_type),
    treat_none_as_default_value = false,
    treat_none_as_null = true
)]
pub struct NumberingRuleRow {
    /// The document type.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub document_type: DocumentType,
    /// What its numbers start with, e.g. `SO`.
    pub prefix: String,
    /// How many digits the day's counter is padded to.
    pub counter_width: i32,
    /// When it was last set.
    pub updated_at: NaiveDateTime,
    /// Who set it.
    pub updated_by: Option<String>,
}

/// The configured rule for `document_type`, if an admin set one.
pub fn find_rule(conn: &mut DbConnection, document_type: DocumentType) -> StoreResult<Option<NumberingRuleRow>> {
    Ok(numbering_rules::table
        .find(document_type.as_str())
        .select(NumberingRuleRow::as_select())
        .first(conn)
        .optional()?)
}

replace_by_key!(set_rule, numbering_rules, NumberingRuleRow, document_type, "numbering rule of a document type");

#[derive(QueryableByName)]
struct Counter {
    #[diesel(sql_type = Integer)]
    last_value: i32,
}

/// One statement, so no two transactions can read the same value: on PostgreSQL the
/// second writer of a (type, day) waits on the row (or, for the day's first number, on
/// the primary key) until the first commits, then counts on from its value; SQLite
/// write transactions are serial already.
const TAKE_NEXT: &str = "INSERT INTO document_counters (document_type, day, last_value) VALUES ($1, $2, 1) \
     ON CONFLICT (document_type, day) DO UPDATE SET last_value = document_counters.last_value + 1 \
     RETURNING last_value";

/// Take the next counter of `document_type` on `day`: 1 for the day's first document,
/// then one more each time. Run it in the document's own transaction, so that a
/// document that is not saved gives its number back.
pub fn take_next(conn: &mut DbConnection, document_type: DocumentType, day: NaiveDate) -> StoreResult<i32> {
    let counter: Counter =
        diesel::sql_query(TAKE_NEXT).bind::<Text, _>(document_type.as_str()).bind::<Date, _>(day).get_result(conn)?;
    Ok(counter.last_value)
}
