//! The HTTP edge of `/competitors`: each handler extracts, authorises, runs one
//! use case from [`super::service`] and answers.

use super::dto::{Competitor, CompetitorPatch, CreateCompetitor};
use super::service;
use crate::app::permission::AssignRecords;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::CompetitorId;
use salesops_persistence::pipeline::CompetitorFilter;
use serde::Deserialize;
use utoipa::IntoParams;

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
///
/// Anyone signed in may read the dictionary, to pick competitors for an
/// opportunity. Inactive competitors are left out unless `include_inactive=true`;
/// `q` searches the name. Pages follow `next_cursor`.
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
    let page = db::read(&state, move |conn| service::list(conn, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a competitor, active or not.
///
/// Inactive competitors stay readable because opportunities keep referring to them.
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
    id: web::Path<CompetitorId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let competitor = db::read(&state, move |conn| service::get(conn, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &competitor))
}

/// Add a competitor (managers and admins).
///
/// The competitor starts active and can be named on opportunities at once.
/// Its name must be unique (422 `taken`); the caller is recorded as `created_by`.
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
    let competitor = db::write(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/competitors/{}", competitor.id), &competitor))
}

/// Change a competitor (managers and admins; JSON Merge Patch).
///
/// The result is checked by the same rules as a new competitor: the name
/// cannot be cleared or blank and must stay unique (422 `taken`). `active: true`
/// brings back a deactivated competitor, `false` deactivates it.
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
    id: web::Path<CompetitorId>,
    if_match: IfMatch,
    body: ValidJson<CompetitorPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let competitor = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &competitor))
}

/// Deactivate a competitor (managers and admins). Competitors are never removed, so
/// opportunities keep their references; reactivate with `PATCH {"active": true}`.
/// Deactivating an inactive competitor is a no-op.
///
/// A deactivated competitor stays listed on the opportunities that name it,
/// but cannot be added to another one or recorded as the winner of a loss (422 `inactive`).
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
    id: web::Path<CompetitorId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::deactivate(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
