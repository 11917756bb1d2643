//! The HTTP edge of `/pipeline-stages`: each handler extracts, authorises, runs
//! one use case from [`super::service`] and answers.

use super::dto::{CreateStage, Stage, StagePatch};
use super::service;
use crate::app::permission::Administer;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::Page;
use crate::pipeline::IncludeInactive;
use crate::state::AppState;
use actix_web::{get, patch, post, web, HttpResponse};

/// List the pipeline stages in order (position, then key). One page holds them all.
///
/// Anyone signed in may read the pipeline. Inactive stages, which take no new
/// opportunities, are left out unless `include_inactive=true`; `next_cursor` is always `null`.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "list_pipeline_stages",
    params(IncludeInactive),
    responses((status = 200, description = "Every (active) stage, in pipeline order", body = Page<Stage>)),
    security(("bearer" = []))
)]
#[get("/pipeline-stages")]
pub async fn list_pipeline_stages(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<IncludeInactive>,
) -> Result<HttpResponse, ApiError> {
    let include_inactive = query.include_inactive;
    let data = db::read(&state, move |conn| service::list(conn, include_inactive)).await?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor: None, total: None }))
}

/// Get a stage by key, active or not.
///
/// Anyone signed in may read a stage, with its default probability, forecast
/// category and the gates an opportunity must meet to enter it.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "get_pipeline_stage",
    params(("key" = String, Path, description = "Stage key")),
    responses((status = 200, description = "The stage", body = Stage, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/pipeline-stages/{key}")]
pub async fn get_pipeline_stage(
    state: web::Data<AppState>,
    _caller: Caller,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let stage = db::read(&state, move |conn| service::get(conn, &key)).await?;
    Ok(with_etag(HttpResponse::Ok(), &stage))
}

/// Add a stage (admins).
///
/// The key must be new (422 `taken`). A new open stage may not forecast
/// `closed`; a `won` or `lost` stage can be added active only while no other of
/// its kind is active (409). Existing opportunities are not moved into it.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "create_pipeline_stage",
    request_body = CreateStage,
    responses(
        (status = 201, description = "Created", body = Stage,
         headers(("Location" = String, description = "The new stage's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins configure the pipeline"),
        (status = 409, description = "`conflict`: a second active won or lost stage"),
    ),
    security(("bearer" = []))
)]
#[post("/pipeline-stages")]
pub async fn create_pipeline_stage(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreateStage>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let stage = db::write(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/pipeline-stages/{}", stage.key), &stage))
}

/// Change a stage (admins; JSON Merge Patch).
///
/// New probabilities, forecast categories and gates apply to moves from now
/// on; opportunities already in the stage keep theirs. `active: false`
/// deactivates, refused (409) while open opportunities sit in the stage, for
/// the won and lost stages, and for the last open stage.
#[utoipa::path(
    tag = "pipeline",
    operation_id = "update_pipeline_stage",
    params(
        ("key" = String, Path, description = "Stage key"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = StagePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed stage", body = Stage, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins configure the pipeline"),
        (status = 409, description = "`conflict`: the change would leave open opportunities in an inactive stage, or not exactly one won and one lost stage"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/pipeline-stages/{key}")]
pub async fn update_pipeline_stage(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    key: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<StagePatch>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner();
    let patch = body.0;
    let stage = db::write(&state, move |conn| service::update(conn, &caller, &key, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &stage))
}
