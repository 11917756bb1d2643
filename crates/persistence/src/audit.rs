//! The audit log: one event per mutation.

use crate::schema::audit_events;
use crate::{DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An audit event as stored. `changes` is a JSON object of field → {before, after}.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct AuditEventRow {
    /// UUIDv7.
    pub id: String,
    /// When the change happened, UTC.
    pub occurred_at: NaiveDateTime,
    /// Who made it; `None` for the system.
    pub actor_id: Option<String>,
    /// What was done: `create`, `update`, `qualify`, …
    pub action: String,
    /// The kind of record: `lead`, `user`, `department`, …
    pub entity_type: String,
    /// The record's id.
    pub entity_id: String,
    /// JSON object of changed fields.
    pub changes: String,
    /// The request that made the change.
    pub request_id: Option<String>,
}

/// Filters for reading the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this kind of record.
    pub entity_type: Option<String>,
    /// Only this record.
    pub entity_id: Option<String>,
    /// Only this actor.
    pub actor_id: Option<String>,
    /// Keyset: only events whose id sorts after this one.
    pub after_id: Option<String>,
}

/// Append an event.
pub fn insert(conn: &mut DbConnection, row: &AuditEventRow) -> StoreResult<()> {
    diesel::insert_into(audit_events::table).values(row).execute(conn)?;
    Ok(())
}

/// Events in the order they happened (ids are time-ordered), `limit` at most.
pub fn list(conn: &mut DbConnection, filter: &AuditFilter, limit: i64) -> StoreResult<Vec<AuditEventRow>> {
    let mut query =
        audit_events::table.select(AuditEventRow::as_select()).order(audit_events::id).limit(limit).into_boxed();
    if let Some(t) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(t.clone()));
    }
    if let Some(id) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(id.clone()));
    }
    if let Some(actor) = &filter.actor_id {
        query = query.filter(audit_events::actor_id.eq(actor.clone()));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(audit_events::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}
