//! The HTTP edge of `/loss-reasons`: each handler extracts, authorises, runs one
//! use case from [`super::service`] and answers.

use super::dto::{CreateLossReason, LossReason, LossReasonPatch};
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
use actix_web::{delete, get, patch, post, web, HttpResponse};

/// List loss reasons by position.
///
/// Anyone signed in may read the dictionary: these are the codes the `lose`
/// command accepts. Inactive reasons are left out unless `include_inactive=true`.
/// The list is never paged, so `next_cursor` is always `null`.
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
    let data = db::read(&state, move |conn| service::list(conn, include_inactive)).await?;
    Ok(HttpResponse::Ok().json(Page { data, next_cursor: None, total: None }))
}

/// Get a loss reason by code, active or not.
///
/// Inactive reasons stay readable because lost opportunities keep their code.
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
    let reason = db::read(&state, move |conn| service::get(conn, &code)).await?;
    Ok(with_etag(HttpResponse::Ok(), &reason))
}

/// Add a loss reason (admins).
///
/// The reason starts active and can be chosen for losses at once. Its code is
/// lower snake_case and must be new (422 `taken`); it cannot be changed later.
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
    let reason = db::write(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/loss-reasons/{}", reason.code), &reason))
}

/// Change a loss reason (admins; JSON Merge Patch).
///
/// The name and position can change, never the code; the result is checked
/// by the same rules as a new reason, so a blank name is 422 `required`.
/// `active: true` brings back a deactivated reason, `false` deactivates it.
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
    let reason = db::write(&state, move |conn| service::update(conn, &caller, &code, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &reason))
}

/// Deactivate a loss reason (admins). Reasons are never removed, so lost deals keep
/// their code; reactivate with `PATCH {"active": true}`. Deactivating an inactive reason is a no-op.
///
/// A deactivated reason can no longer be chosen by the `lose` command (422
/// `unknown`), but stays readable and listed with `include_inactive=true`.
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
    db::write(&state, move |conn| service::deactivate(conn, &caller, &code, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
