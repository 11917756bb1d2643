//! Writing audit events, and reading them back subject to scope.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::{db, time};
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::audit::{diff, FieldChange};
use salesops_persistence::audit::{self as store, AuditEventRow, AuditFilter};
use salesops_persistence::versioned::VersionedRow;
use salesops_persistence::{accounts, activities, clock, contacts, leads, opportunities, DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Record that `caller` did `action` to an entity, with the fields that changed
/// between the `before` and `after` snapshots (see [`snapshot`]; `Value::Null` for none).
pub fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    before: &Value,
    after: &Value,
) -> Result<(), ApiError> {
    let actor = Actor { id: Some(caller.id()), request_id: caller.request_id.as_deref() };
    record_as(conn, actor, action, entity_type, entity_id, before, after)
}

/// Who made a change that may not come from a request: a user, or the system
/// (a scheduled job) when `id` is `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Actor<'a> {
    /// The user; `None` for the system.
    pub id: Option<&'a str>,
    /// The request that made the change, if one did.
    pub request_id: Option<&'a str>,
}

/// [`record`] for an [`Actor`] rather than a caller, such as a background job.
pub fn record_as(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    before: &Value,
    after: &Value,
) -> Result<(), ApiError> {
    let changes = diff(before, after);
    let row = AuditEventRow {
        id: salesops_domain::new_id(),
        occurred_at: clock::now(),
        actor_id: actor.id.map(str::to_owned),
        action: action.to_owned(),
        entity_type: entity_type.to_owned(),
        entity_id: entity_id.to_owned(),
        changes: serde_json::to_string(&changes).map_err(|e| ApiError::Internal(e.to_string()))?,
        request_id: actor.request_id.map(str::to_owned),
    };
    Ok(store::insert(conn, &row)?)
}

/// Write `after` over `before`, bumping its version and time (set on `after`).
/// If the stored row moved on since `before` was read, nothing is written and
/// the answer is 409 `conflict`; `store_error` maps other write failures.
pub fn write_versioned<R: VersionedRow>(
    conn: &mut DbConnection,
    entity_type: &str,
    before: &R,
    after: &mut R,
    store_error: impl FnOnce(StoreError) -> ApiError,
) -> Result<(), ApiError> {
    after.touch(before.version() + 1, clock::now());
    if after.update_if_version(conn, before.version()).map_err(store_error)? {
        Ok(())
    } else {
        Err(ApiError::Conflict(format!("the {entity_type} changed while the request ran; retry")))
    }
}

/// [`write_versioned`], then audit the
/// change under `entity_type` with snapshots of the DTO `D` (never of the row,
/// so stored secrets stay out of the log). If the stored row moved on since
/// `before` was read, nothing is written and the answer is 409 `conflict`.
/// `store_error` maps write failures, such as a unique violation on a field.
pub fn save_versioned<R, D>(
    conn: &mut DbConnection,
    caller: &Caller,
    entity_type: &str,
    action: &str,
    before: &R,
    mut after: R,
    store_error: impl FnOnce(StoreError) -> ApiError,
) -> Result<D, ApiError>
where
    R: VersionedRow,
    D: Serialize + TryFrom<R>,
    ApiError: From<D::Error>,
{
    write_versioned(conn, entity_type, before, &mut after, store_error)?;
    let old = D::try_from(before.clone())?;
    let new = D::try_from(after.clone())?;
    record(conn, caller, action, entity_type, after.id(), &snapshot(&old), &snapshot(&new))?;
    Ok(new)
}

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000002a1", "occurred_at": "2026-12-01T01:30:00Z", "actor_id": "0190f0c2-6a00-7000-8000-0000000000a1",
    "action": "qualify", "entity_type": "lead", "entity_id": "0190f0c2-6a00-7000-8000-0000000000b1",
    "changes": {"status": {"before": "working", "after": "qualified"}},
    "request_id": "0190f0c2-7d1e-7c3a-9d63-2f4f1b0f3a11"
}))]
pub struct AuditEvent {
    /// Event id (UUIDv7, time-ordered).
    pub id: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who did it; `null` for the system.
    pub actor_id: Option<String>,
    /// What was done: `create`, `update`, `delete`, `qualify`, `claim`, …
    #[schema(example = "qualify")]
    pub action: String,
    /// The kind of record.
    #[schema(example = "lead")]
    pub entity_type: String,
    /// The record's id.
    pub entity_id: String,
    /// Changed fields, each with its value before and after.
    pub changes: BTreeMap<String, FieldChange>,
    /// The request that made the change.
    pub request_id: Option<String>,
}

impl From<AuditEventRow> for AuditEvent {
    fn from(r: AuditEventRow) -> Self {
        AuditEvent {
            changes: serde_json::from_str(&r.changes).unwrap_or_default(),
            id: r.id,
            occurred_at: time::to_utc(r.occurred_at),
            actor_id: r.actor_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            request_id: r.request_id,
        }
    }
}

/// Filters for the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The kind of record, e.g. `lead`. Required unless the caller is an admin.
    pub entity_type: Option<String>,
    /// The record's id. Required unless the caller is an admin.
    pub entity_id: Option<String>,
    /// Only changes by this user (admins only).
    pub actor_id: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List audit events.
///
/// Non-admins must name one record (`entity_type` and `entity_id`) that is
/// within their data scope; a record outside it reads as 404.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    params(AuditQuery),
    responses((status = 200, description = "Events, oldest first", body = Page<AuditEvent>)),
    security(("bearer" = []))
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = AuditFilter {
        entity_type: q.entity_type.clone(),
        entity_id: q.entity_id.clone(),
        actor_id: q.actor_id.clone(),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| {
        if !caller.role.can_administer() {
            ensure_entity_visible(conn, &caller, q.entity_type.as_deref(), q.entity_id.as_deref())?;
            if q.actor_id.is_some() {
                return Err(ApiError::Forbidden("only admins may filter the audit log by actor".into()));
            }
        }
        let rows = store::list(conn, &filter, limit + 1)?;
        pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(AuditEvent::from(r)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

fn ensure_entity_visible(
    conn: &mut DbConnection,
    caller: &Caller,
    entity_type: Option<&str>,
    entity_id: Option<&str>,
) -> Result<(), ApiError> {
    let (Some(entity_type), Some(entity_id)) = (entity_type, entity_id) else {
        return Err(ApiError::BadRequest("entity_type and entity_id are required".into()));
    };
    if entity_type == "user" {
        return if entity_id == caller.id() { Ok(()) } else { Err(ApiError::NotFound) };
    }
    // Deleted records keep their trail: each finder ignores `deleted_at` but applies the scope.
    let visibility = caller.visibility(conn)?;
    let visible = match entity_type {
        "lead" => leads::find_visible_including_deleted(conn, entity_id, &visibility)?.is_some(),
        "account" => accounts::find_visible_including_deleted(conn, entity_id, &visibility)?.is_some(),
        "contact" => contacts::find_visible_including_deleted(conn, entity_id, &visibility)?.is_some(),
        "opportunity" => opportunities::find_visible_including_deleted(conn, entity_id, &visibility)?.is_some(),
        "activity" => activities::find_visible_including_deleted(conn, entity_id, &visibility)?.is_some(),
        _ => false,
    };
    if visible {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Serialize `value` to JSON for an audit comparison.
pub fn snapshot(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
