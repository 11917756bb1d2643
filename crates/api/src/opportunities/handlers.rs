//! The HTTP edge of creating, reading, patching and deleting opportunities: each
//! handler extracts, authorises, runs one use case from [`super::service`] and answers.

use super::service;
use crate::app::permission::EditPipeline;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::opportunities::dto::{CreateOpportunity, Opportunity, OpportunityPatch};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::OpportunityId;

/// Create an opportunity.
///
/// The stage defaults to the first active open stage and must be an open one;
/// its gates apply. Probability and forecast category come from the stage.
/// The currency of an amount defaults to the base currency.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "create_opportunity",
    request_body = CreateOpportunity,
    responses(
        (status = 201, description = "Created", body = Opportunity,
         headers(("Location" = String, description = "The new opportunity's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not create opportunities, or may not name another owner"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities")]
pub async fn create_opportunity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    body: ValidJson<CreateOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let base_currency = state.settings.base_currency.clone();
    let opp = db::write(&state, move |conn| service::create_in(conn, &caller, &base_currency, input)).await?;
    Ok(etag::created(format!("/api/v1/opportunities/{}", opp.id), &opp))
}

/// Get an opportunity, with its weighted amount and competitors.
///
/// Only opportunities within the caller's data scope are found; others, and
/// deleted ones, are 404. The ETag is the version to send back in `If-Match`.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "get_opportunity",
    params(("id" = String, Path, description = "Opportunity id")),
    responses((status = 200, description = "The opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/opportunities/{id}")]
pub async fn get_opportunity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OpportunityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let opp = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}

/// Patch an opportunity (JSON Merge Patch).
///
/// Stage, status and owner change only through commands. `probability_bps`
/// and `forecast_category` override the stage's values (audited) until the
/// next stage change; an open opportunity cannot be forecast `closed`. A patch
/// may not clear a field the current stage requires. An amount keeps its
/// currency unless one is given.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "update_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the opportunity the change is based on"),
    ),
    request_body(content = OpportunityPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not edit opportunities"),
        (status = 409, description = "A concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/opportunities/{id}")]
pub async fn update_opportunity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OpportunityId>,
    if_match: IfMatch,
    body: ValidJson<OpportunityPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let opp = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}

/// Delete an opportunity (soft: it disappears from lists and reads, and stays in the audit log).
///
/// From then on the opportunity and its stage history answer 404; its audit
/// trail stays readable to whoever could see it. Send `If-Match: W/"<version>"`
/// to refuse the deletion (412) if someone else changed the opportunity first.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "delete_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not delete opportunities"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/opportunities/{id}")]
pub async fn delete_opportunity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OpportunityId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
