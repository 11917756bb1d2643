//! `GET /audit-events`: reading the audit log back within the caller's scope.

use crate::app::entity::EntityTypes;
use crate::app::AppError;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::{db, time};
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::audit::FieldChange;
use salesops_domain::ids::UserId;
use salesops_persistence::audit::{self as store, AuditEventRow, AuditFilter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

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
    #[param(value_type = Option<String>)]
    pub actor_id: Option<UserId>,
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
    entity_types: web::Data<EntityTypes>,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let admin = caller.role.can_administer();
    // Non-admins read one record's trail; name it.
    let named = match (q.entity_type.as_deref(), q.entity_id.clone()) {
        (Some(name), Some(id)) => Some((entity_types.find(name), id)),
        _ if admin => None,
        _ => return Err(ApiError::BadRequest("entity_type and entity_id are required".into())),
    };
    let filter = AuditFilter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        actor_id: q.actor_id.map(String::from),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| {
        if !admin {
            let visible = match &named {
                Some((Some(entity), id)) => entity.trail_visible(conn, &caller, id)?,
                _ => false,
            };
            if !visible {
                return Err(AppError::NotFound);
            }
            if filter.actor_id.is_some() {
                return Err(AppError::Forbidden("only admins may filter the audit log by actor".into()));
            }
        }
        let rows = store::list(conn, &filter, limit + 1)?;
        pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(AuditEvent::from(r)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
