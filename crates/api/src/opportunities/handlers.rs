//! Creating, reading, patching and deleting opportunities, and the helpers the
//! commands and other modules (lead conversion, reports) share.

use super::service::{apply_patch, competitors_of, create_in, load_visible, save};
use crate::app::permission::EditPipeline;
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::opportunities::dto::{CreateOpportunity, Opportunity, OpportunityPatch};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_persistence::{accounts, clock};

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
    let opp = db::write(&state, move |conn| create_in(conn, &caller, &base_currency, input)).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/opportunities/{}", opp.id)));
    Ok(with_etag(created, &opp))
}

/// Get an opportunity, with its weighted amount and competitors.
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
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let opp = db::read(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, false)?;
        let listed = competitors_of(conn, &row.id)?;
        Opportunity::from_parts(row, listed)
    })
    .await?;
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
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<OpportunityPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let opp = db::write(&state, move |conn| {
        // A new account is locked before the opportunity, the order create, win and transfer take them in,
        // so a concurrent delete or release of that account cannot miss this open opportunity.
        // Trimmed as `apply_patch` trims it, so the lock is on the account that gets checked and linked.
        if let Some(account_id) = patch.account_id.clone().and_then(crate::validation::tidy) {
            accounts::lock(conn, &account_id)?;
        }
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        let before_competitors = competitors_of(conn, &row.id)?;
        let (after, competitor_ids) = apply_patch(conn, &visibility, &row, before_competitors.len(), patch)?;
        save(conn, &caller, "update", &row, after, competitor_ids.as_deref())
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}

/// Delete an opportunity (soft: it disappears from lists and reads, and stays in the audit log).
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
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        let mut after = row.clone();
        after.deleted_at = Some(clock::now());
        save(conn, &caller, "delete", &row, after, None).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
