//! `/loss-reasons`: the dictionary of why deals are lost.
//!
//! Anyone signed in may read it; admins add and change reasons. A reason is
//! never deleted: `DELETE` deactivates it (and `PATCH {"active": true}`
//! brings it back), so lost opportunities keep a valid code. Inactive reasons
//! cannot be chosen for new losses.

use crate::app::entity::EntityType;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::{double_option, trimmed, ValidJson};
use crate::pagination::Page;
use crate::pipeline::stages::IncludeInactive;
use crate::state::AppState;
use crate::time::to_utc;
use crate::validation::refuse_cleared;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::opportunity::is_code_key;
use salesops_persistence::pipeline::{self, LossReasonRow};
use salesops_persistence::{DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

/// The entity type loss reasons are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("loss_reason");

/// A loss reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "price", "name": "Price too high", "position": 10, "active": true, "version": 1,
    "created_at": "2026-11-28T00:00:00Z", "updated_at": "2026-11-28T00:00:00Z"
}))]
pub struct LossReason {
    /// Lower snake_case code, unique; what lost opportunities record.
    #[schema(example = "price")]
    pub code: String,
    /// Display name.
    #[schema(example = "Price too high")]
    pub name: String,
    /// Order in pick lists, ascending.
    #[schema(example = 10)]
    pub position: i32,
    /// Inactive reasons cannot be chosen for new losses.
    pub active: bool,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

crate::etag::versioned!(LossReason);

impl From<LossReasonRow> for LossReason {
    fn from(r: LossReasonRow) -> Self {
        LossReason {
            code: r.code,
            name: r.name,
            position: r.position,
            active: r.active,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
        }
    }
}

fn code_shape(code: &str) -> Result<(), ValidationError> {
    if is_code_key(code) {
        Ok(())
    } else {
        Err(ValidationError::new("code")
            .with_message("use lower snake_case: a–z, 0–9 and _, starting with a letter".into()))
    }
}

/// A new loss reason.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "lost_tender", "name": "Lost the public tender", "position": 90}))]
pub struct CreateLossReason {
    /// Lower snake_case, unique, 1–40 characters.
    #[validate(custom(function = "code_shape"))]
    pub code: String,
    /// Display name.
    #[validate(length(min = 1, max = 100))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// Order in pick lists.
    pub position: i32,
}

/// A JSON Merge Patch (RFC 7396) of a loss reason. The code cannot change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Price", "active": true}))]
pub struct LossReasonPatch {
    /// Display name.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Order in pick lists.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub position: Option<Option<i32>>,
    /// `false` deactivates, `true` reactivates.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
}

fn load_locked(conn: &mut DbConnection, code: &str) -> Result<LossReasonRow, AppError> {
    pipeline::lock_loss_reason(conn, code)?;
    pipeline::find_loss_reason(conn, code)?.ok_or(AppError::NotFound)
}

/// List loss reasons by position.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "list_loss_reasons",
    params(IncludeInactive),
    responses((status = 200, description = "Every (active) loss reason, by position", body = Page<LossReason>)),
    security(("bearer" = []))
)]
#[get("/loss-reasons")]
pub async fn list_loss_reasons(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<IncludeInactive>,
) -> Result<HttpResponse, ApiError> {
    let include_inactive = query.include_inactive;
    let data = db::read(&state, move |conn| {
        Ok(pipeline::list_loss_reasons(conn, include_inactive)?.into_iter().map(LossReason::from).collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor: None, total: None }))
}

/// Get a loss reason by code, active or not.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "get_loss_reason",
    params(("code" = String, Path, description = "Loss reason code")),
    responses((status = 200, description = "The loss reason", body = LossReason, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/loss-reasons/{code}")]
pub async fn get_loss_reason(
    state: web::Data<AppState>,
    _caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let reason = db::read(&state, move |conn| {
        pipeline::find_loss_reason(conn, &code)?.map(LossReason::from).ok_or(AppError::NotFound)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &reason))
}

/// Add a loss reason (admins).
#[utoipa::path(
    tag = "pipeline",
    operation_id = "create_loss_reason",
    request_body = CreateLossReason,
    responses(
        (status = 201, description = "Created", body = LossReason,
         headers(("Location" = String, description = "The new reason's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins maintain loss reasons"),
    ),
    security(("bearer" = []))
)]
#[post("/loss-reasons")]
pub async fn create_loss_reason(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreateLossReason>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let reason = db::write(&state, move |conn| {
        if pipeline::find_loss_reason(conn, &input.code)?.is_some() {
            return Err(AppError::invalid_field("code", "taken", "another loss reason has this code"));
        }
        let row = LossReasonRow::new(&input.code, &input.name, input.position);
        pipeline::insert_loss_reason(conn, &row).map_err(|e| {
            if matches!(e, StoreError::UniqueViolation(_)) {
                AppError::invalid_field("code", "taken", "another loss reason has this code")
            } else {
                e.into()
            }
        })?;
        let reason = LossReason::from(row);
        audit::record(conn, &caller, "create", ENTITY, &reason.code, &serde_json::Value::Null, &snapshot(&reason))?;
        Ok(reason)
    })
    .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/loss-reasons/{}", reason.code)));
    Ok(with_etag(created, &reason))
}

/// Change a loss reason (admins; JSON Merge Patch).
#[utoipa::path(
    tag = "pipeline",
    operation_id = "update_loss_reason",
    params(
        ("code" = String, Path, description = "Loss reason code"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = LossReasonPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed reason", body = LossReason, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins maintain loss reasons"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/loss-reasons/{code}")]
pub async fn update_loss_reason(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    code: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<LossReasonPatch>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let patch = body.0;
    refuse_cleared(&[
        ("name", matches!(patch.name, Some(None))),
        ("position", matches!(patch.position, Some(None))),
        ("active", matches!(patch.active, Some(None))),
    ])?;
    let name = patch.name.flatten().map(|n| n.trim().to_owned());
    if name.as_ref().is_some_and(|n| n.is_empty() || n.chars().count() > 100) {
        return Err(AppError::invalid_field("name", "length", "must be 1 to 100 characters").into());
    }
    let reason = db::write(&state, move |conn| {
        let row = load_locked(conn, &code)?;
        if_match.check(row.version)?;
        let mut after = row.clone();
        if let Some(name) = name {
            after.name = name;
        }
        after.position = patch.position.flatten().unwrap_or(row.position);
        after.active = patch.active.flatten().unwrap_or(row.active);
        audit::save_versioned::<_, LossReason>(conn, &caller, ENTITY, "update", &row, after, AppError::from)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &reason))
}

/// Deactivate a loss reason (admins). Reasons are never removed, so lost deals keep
/// their code; reactivate with `PATCH {"active": true}`. Deactivating an inactive reason is a no-op.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "delete_loss_reason",
    params(
        ("code" = String, Path, description = "Loss reason code"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    responses(
        (status = 204, description = "Deactivated"),
        (status = 403, description = "Only admins maintain loss reasons"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/loss-reasons/{code}")]
pub async fn delete_loss_reason(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    code: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    db::write(&state, move |conn| {
        let row = load_locked(conn, &code)?;
        if_match.check(row.version)?;
        if !row.active {
            return Ok(());
        }
        let mut after = row.clone();
        after.active = false;
        audit::save_versioned::<_, LossReason>(conn, &caller, ENTITY, "deactivate", &row, after, AppError::from)
            .map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
