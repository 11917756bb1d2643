//! `/leads` over HTTP: create, read, patch, delete, and the duplicate check.
//! The rules live in [`service`].

use crate::app::permission::EditPipeline;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::duplicates::{DuplicateCheckResult, DuplicateOverride};
use crate::error::ApiError;
use crate::etag::{created, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::leads::dto::{CreateLead, DuplicateCheck, Lead, LeadPatch};
use crate::leads::service;
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::LeadId;

/// Create a lead.
///
/// A lead whose normalised email or phone matches an open lead or a contact
/// is refused with 409 `duplicate` and the matching ids, unless `allow_duplicate=true`.
#[utoipa::path(
    tag = "leads",
    operation_id = "create_lead",
    params(DuplicateOverride),
    request_body = CreateLead,
    responses(
        (status = 201, description = "Created", body = Lead,
         headers(("Location" = String, description = "The new lead's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not create leads, or may not name another owner"),
        (status = 409, description = "`duplicate`: an open lead or a contact shares the email or phone"),
    ),
    security(("bearer" = []))
)]
#[post("/leads")]
pub async fn create_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<CreateLead>,
) -> Result<HttpResponse, ApiError> {
    let (input, allow_duplicate) = (body.0, query.allow_duplicate);
    let lead = db::write(&state, move |conn| service::create(conn, &caller, input, allow_duplicate)).await?;
    Ok(created(format!("/api/v1/leads/{}", lead.id), &lead))
}

/// Get a lead.
///
/// Pool leads are visible to every sales role; owned leads only within the
/// caller's data scope (404 otherwise). The ETag carries the version to send
/// back as `If-Match`.
#[utoipa::path(
    tag = "leads",
    operation_id = "get_lead",
    params(("id" = String, Path, description = "Lead id")),
    responses((status = 200, description = "The lead", body = Lead, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/leads/{id}")]
pub async fn get_lead(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<LeadId>,
) -> Result<HttpResponse, ApiError> {
    let lead = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &lead))
}

/// Patch a lead (JSON Merge Patch).
///
/// Send `If-Match: W/"<version>"` to refuse the change (412) if someone else
/// changed the lead first. Status and owner cannot be patched; use the commands.
/// Changing the email or phone to one an open lead or a contact has is refused as a duplicate
/// unless `allow_duplicate=true`.
#[utoipa::path(
    tag = "leads",
    operation_id = "update_lead",
    params(
        ("id" = String, Path, description = "Lead id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the lead the change is based on"),
        DuplicateOverride,
    ),
    request_body(content = LeadPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed lead", body = Lead, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not edit leads"),
        (status = 409, description = "`duplicate`, or a concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/leads/{id}")]
pub async fn update_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<LeadId>,
    if_match: IfMatch,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<LeadPatch>,
) -> Result<HttpResponse, ApiError> {
    let (patch, allow_duplicate) = (body.0, query.allow_duplicate);
    let lead =
        db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch, allow_duplicate)).await?;
    Ok(with_etag(HttpResponse::Ok(), &lead))
}

/// Delete a lead (soft: it disappears from lists and reads, and stays in the audit log).
///
/// Owned leads are deleted by whoever may edit them; pool leads only by
/// managers and admins.
#[utoipa::path(
    tag = "leads",
    operation_id = "delete_lead",
    params(
        ("id" = String, Path, description = "Lead id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not delete this lead"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/leads/{id}")]
pub async fn delete_lead(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<LeadId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Look for open leads, accounts and contacts matching an email, phone or company, without creating anything.
///
/// Leads match on email, phone and company; accounts on their name (reported
/// as `company`); contacts on email and phone. Matches outside the caller's
/// data scope are reported with `visible: false` and without names.
#[utoipa::path(
    tag = "leads",
    operation_id = "check_lead_duplicates",
    request_body = DuplicateCheck,
    responses((status = 200, description = "Matching open leads, accounts and contacts", body = DuplicateCheckResult)),
    security(("bearer" = []))
)]
#[post("/leads/duplicates")]
pub async fn check_lead_duplicates(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<DuplicateCheck>,
) -> Result<HttpResponse, ApiError> {
    let check = body.0;
    let result = db::read(&state, move |conn| service::check_duplicates(conn, &caller, check)).await?;
    Ok(HttpResponse::Ok().json(result))
}
