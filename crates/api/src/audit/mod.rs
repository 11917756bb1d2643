//! The audit log: writing events inside a use case's transaction, and the
//! `/audit-events` endpoint that reads them back within the caller's scope.

pub mod handlers;

/// The resource as the app registers it: the audit log's one read endpoint.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_audit_events);
}

use crate::app::entity::EntityType;
use crate::app::{Actor, AppError, AppResult};
use salesops_domain::audit::diff;
use salesops_persistence::audit::{self as store, AuditEventRow};
use salesops_persistence::versioned::{Deactivatable, VersionedRow};
use salesops_persistence::{clock, DbConnection, StoreError};
use serde::Serialize;
use serde_json::Value;

/// Who made a change: a user serving a request, or the system (a scheduled
/// job) when `id` is `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Author<'a> {
    /// The user; `None` for the system.
    pub id: Option<&'a str>,
    /// The request that made the change, if one did.
    pub request_id: Option<&'a str>,
}

impl Author<'static> {
    /// The system itself, such as the recall job.
    pub const SYSTEM: Author<'static> = Author { id: None, request_id: None };
}

impl<'a> From<&'a Actor> for Author<'a> {
    fn from(actor: &'a Actor) -> Self {
        Author { id: Some(actor.id()), request_id: actor.request_id.as_deref() }
    }
}

/// Record that `by` did `action` to an entity, with the fields that changed
/// between the `before` and `after` snapshots (see [`snapshot`]; `Value::Null` for none).
pub fn record<'a>(
    conn: &mut DbConnection,
    by: impl Into<Author<'a>>,
    action: &str,
    entity: EntityType,
    entity_id: &str,
    before: &Value,
    after: &Value,
) -> AppResult<()> {
    let by = by.into();
    let changes = diff(before, after);
    let row = AuditEventRow {
        id: salesops_domain::new_id(),
        occurred_at: clock::now(),
        actor_id: by.id.map(str::to_owned),
        action: action.to_owned(),
        entity_type: entity.name().to_owned(),
        entity_id: entity_id.to_owned(),
        changes: serde_json::to_string(&changes).map_err(|e| AppError::Internal(e.to_string()))?,
        request_id: by.request_id.map(str::to_owned),
    };
    Ok(store::insert(conn, &row)?)
}

/// Write `after` over `before`, bumping its version and time (set on `after`).
/// If the stored row moved on since `before` was read, nothing is written and
/// the answer is 409 `conflict`; `store_error` maps other write failures.
pub fn write_versioned<R: VersionedRow>(
    conn: &mut DbConnection,
    entity: EntityType,
    before: &R,
    after: &mut R,
    store_error: impl FnOnce(StoreError) -> AppError,
) -> AppResult<()> {
    after.touch(before.version() + 1, clock::now());
    if after.update_if_version(conn, before.version()).map_err(store_error)? {
        Ok(())
    } else {
        Err(AppError::Conflict(format!("the {entity} changed while the request ran; retry")))
    }
}

/// [`write_versioned`], then audit the change under `entity` with snapshots
/// of the DTO `D` (never of the row, so stored secrets stay out of the log).
/// If the stored row moved on since `before` was read, nothing is written and
/// the answer is 409 `conflict`. `store_error` maps write failures, such as a
/// unique violation on a field.
pub fn save_versioned<'a, R, D>(
    conn: &mut DbConnection,
    by: impl Into<Author<'a>>,
    entity: EntityType,
    action: &str,
    before: &R,
    mut after: R,
    store_error: impl FnOnce(StoreError) -> AppError,
) -> AppResult<D>
where
    R: VersionedRow,
    D: Serialize + TryFrom<R>,
    AppError: From<D::Error>,
{
    write_versioned(conn, entity, before, &mut after, store_error)?;
    let old = D::try_from(before.clone())?;
    let new = D::try_from(after.clone())?;
    record(conn, by, action, entity, after.id(), &snapshot(&old), &snapshot(&new))?;
    Ok(new)
}

/// [`write_versioned`], then audit the change under `entity` from `old` (the record as
/// shown before the change, built before anything was written) to the view of `after`
/// that `view` builds: for records shown with more than their row, such as a document
/// with its lines.
pub fn save_viewed<'a, R, V>(
    conn: &mut DbConnection,
    by: impl Into<Author<'a>>,
    (entity, action): (EntityType, &str),
    (old, before): (V, &R),
    mut after: R,
    view: impl Fn(&mut DbConnection, R) -> AppResult<V>,
) -> AppResult<V>
where
    R: VersionedRow,
    V: Serialize,
{
    write_versioned(conn, entity, before, &mut after, AppError::from)?;
    let id = after.id().to_owned();
    let new = view(conn, after)?;
    record(conn, by, action, entity, &id, &snapshot(&old), &snapshot(&new))?;
    Ok(new)
}

/// Deactivate `row` (read under its row lock) with [`save_versioned`], audited as
/// `deactivate`; a row already inactive is left as it is, and that is no error.
pub fn deactivate_versioned<'a, R, D>(
    conn: &mut DbConnection,
    by: impl Into<Author<'a>>,
    entity: EntityType,
    row: &R,
    store_error: impl FnOnce(StoreError) -> AppError,
) -> AppResult<()>
where
    R: Deactivatable,
    D: Serialize + TryFrom<R>,
    AppError: From<D::Error>,
{
    if !row.is_active() {
        return Ok(());
    }
    save_versioned::<R, D>(conn, by, entity, "deactivate", row, row.clone().deactivated(), store_error).map(|_| ())
}

/// Serialize `value` to JSON for an audit comparison.
pub fn snapshot(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
