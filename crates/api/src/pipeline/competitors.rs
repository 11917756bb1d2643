//! `/competitors`: the small dictionary of competitors named on opportunities.
//!
//! Anyone signed in may read it; managers and admins add and change entries.
//! An entry is never deleted: `DELETE` deactivates it (reactivate with
//! `PATCH {"active": true}`), so opportunities keep their references.
//! Inactive competitors cannot be added to opportunities.

use crate::app::entity::EntityType;
use crate::app::permission::AssignRecords;
use crate::app::AppError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::{double_option, trimmed, trimmed_opt, ValidJson};
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::time::to_utc;
use crate::validation::{refuse_cleared, tidy};
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_persistence::pipeline::{self, CompetitorFilter, CompetitorRow};
use salesops_persistence::{DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// The entity type competitors are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("competitor");

/// A competitor.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000301", "name": "金蝶", "website": "https://www.kingdee.com",
    "notes": "Strong in finance modules; discounts hard at year end", "active": true, "version": 1,
    "created_at": "2026-11-28T08:00:00Z", "updated_at": "2026-11-28T08:00:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000a0"
}))]
pub struct Competitor {
    /// UUIDv7.
    pub id: String,
    /// Unique name.
    #[schema(example = "金蝶")]
    pub name: String,
    /// Their website.
    #[schema(example = "https://www.kingdee.com")]
    pub website: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Inactive competitors cannot be added to opportunities.
    pub active: bool,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who added it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Competitor);

impl From<CompetitorRow> for Competitor {
    fn from(r: CompetitorRow) -> Self {
        Competitor {
            id: r.id,
            name: r.name,
            website: r.website,
            notes: r.notes,
            active: r.active,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// A new competitor.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "金蝶", "website": "https://www.kingdee.com"}))]
pub struct CreateCompetitor {
    /// Unique name, 1–200 characters.
    #[validate(length(min = 1, max = 200))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// Their website.
    #[validate(length(max = 500))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub website: Option<String>,
    /// Free notes.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub notes: Option<String>,
}

/// A JSON Merge Patch (RFC 7396) of a competitor.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"website": null, "active": false}))]
pub struct CompetitorPatch {
    /// Unique name; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// Website.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// Notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// `false` deactivates, `true` reactivates; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<bool>)]
    pub active: Option<Option<bool>>,
}

/// The fields of a competitor after a patch, checked as a whole.
#[derive(Debug, Validate)]
struct EditableCompetitor {
    #[validate(length(min = 1, max = 200))]
    name: String,
    #[validate(length(max = 500))]
    website: Option<String>,
    #[validate(length(max = 10000))]
    notes: Option<String>,
}

fn map_unique(e: StoreError) -> AppError {
    if matches!(e, StoreError::UniqueViolation(_)) {
        AppError::invalid_field("name", "taken", "another competitor has this name")
    } else {
        e.into()
    }
}

fn load_locked(conn: &mut DbConnection, id: &str) -> Result<CompetitorRow, AppError> {
    pipeline::lock_competitor(conn, id)?;
    pipeline::find_competitor(conn, id)?.ok_or(AppError::NotFound)
}

/// Query parameters of `GET /competitors`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompetitorListQuery {
    /// Also list inactive competitors.
    #[serde(default)]
    pub include_inactive: bool,
    /// Case-insensitive search in the name.
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List competitors, oldest first.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "list_competitors",
    params(CompetitorListQuery),
    responses((status = 200, description = "One page of competitors", body = Page<Competitor>)),
    security(("bearer" = []))
)]
#[get("/competitors")]
pub async fn list_competitors(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<CompetitorListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = CompetitorFilter {
        include_inactive: q.include_inactive,
        q: crate::validation::tidy(q.q),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| {
        let rows = pipeline::list_competitors(conn, &filter, limit + 1)?;
        pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Competitor::from(r)))
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a competitor, active or not.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "get_competitor",
    params(("id" = String, Path, description = "Competitor id")),
    responses((status = 200, description = "The competitor", body = Competitor, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/competitors/{id}")]
pub async fn get_competitor(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let c = db::read(&state, move |conn| {
        pipeline::find_competitor(conn, &id)?.map(Competitor::from).ok_or(AppError::NotFound)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &c))
}

/// Add a competitor (managers and admins).
#[utoipa::path(
    tag = "pipeline",
    operation_id = "create_competitor",
    request_body = CreateCompetitor,
    responses(
        (status = 201, description = "Created", body = Competitor,
         headers(("Location" = String, description = "The new competitor's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins maintain competitors"),
    ),
    security(("bearer" = []))
)]
#[post("/competitors")]
pub async fn create_competitor(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    body: ValidJson<CreateCompetitor>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let c = db::write(&state, move |conn| {
        let mut row = CompetitorRow::new(&input.name, Some(caller.id()));
        row.website = input.website;
        row.notes = input.notes;
        pipeline::insert_competitor(conn, &row).map_err(map_unique)?;
        let c = Competitor::from(row);
        audit::record(conn, &caller, "create", ENTITY, &c.id, &serde_json::Value::Null, &snapshot(&c))?;
        Ok(c)
    })
    .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/competitors/{}", c.id)));
    Ok(with_etag(created, &c))
}

/// Change a competitor (managers and admins; JSON Merge Patch).
#[utoipa::path(
    tag = "pipeline",
    operation_id = "update_competitor",
    params(
        ("id" = String, Path, description = "Competitor id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = CompetitorPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed competitor", body = Competitor, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins maintain competitors"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/competitors/{id}")]
pub async fn update_competitor(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<CompetitorPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    refuse_cleared(&[("name", matches!(patch.name, Some(None))), ("active", matches!(patch.active, Some(None)))])?;
    let c = db::write(&state, move |conn| {
        let row = load_locked(conn, &id)?;
        if_match.check(row.version)?;
        let edit = EditableCompetitor {
            name: patch.name.flatten().map(|n| n.trim().to_owned()).unwrap_or_else(|| row.name.clone()),
            website: patch.website.map_or_else(|| row.website.clone(), tidy),
            notes: patch.notes.map_or_else(|| row.notes.clone(), tidy),
        };
        edit.validate()?;
        let mut after = row.clone();
        after.name = edit.name;
        after.website = edit.website;
        after.notes = edit.notes;
        after.active = patch.active.flatten().unwrap_or(row.active);
        audit::save_versioned::<_, Competitor>(conn, &caller, ENTITY, "update", &row, after, map_unique)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &c))
}

/// Deactivate a competitor (managers and admins). Competitors are never removed, so
/// opportunities keep their references; reactivate with `PATCH {"active": true}`.
/// Deactivating an inactive competitor is a no-op.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "delete_competitor",
    params(
        ("id" = String, Path, description = "Competitor id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    responses(
        (status = 204, description = "Deactivated"),
        (status = 403, description = "Only managers and admins maintain competitors"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/competitors/{id}")]
pub async fn delete_competitor(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        let row = load_locked(conn, &id)?;
        if_match.check(row.version)?;
        if !row.active {
            return Ok(());
        }
        let mut after = row.clone();
        after.active = false;
        audit::save_versioned::<_, Competitor>(conn, &caller, ENTITY, "deactivate", &row, after, map_unique).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
