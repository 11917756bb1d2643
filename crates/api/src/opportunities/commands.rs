//! The HTTP edge of the opportunity stage commands: `move`, `win`, `lose`, `abandon`, `reopen`.
//!
//! Each handler extracts the command's body, demands the endpoint's permission,
//! and runs [`service::run`] in one write transaction; the rules live there.

use super::service::{self, Command};
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::auth::Authorized;
use crate::db;
use crate::error::ApiError;
use crate::etag::{with_etag, IfMatch};
use crate::extract::{OptionalJson, ValidJson};
use crate::opportunities::dto::{
    AbandonOpportunity, LoseOpportunity, MoveOpportunity, Opportunity, ReopenOpportunity, WinOpportunity,
};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use salesops_domain::ids::OpportunityId;

/// Move an open opportunity to another active open stage, forward or back.
///
/// The probability and forecast category become the stage's. The stage's
/// gates apply: 422 names every missing field. Closing stages are entered
/// with `win` and `lose` only (409).
#[utoipa::path(
    tag = "opportunities",
    operation_id = "move_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = MoveOpportunity,
    responses(
        (status = 200, description = "The moved opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change opportunities"),
        (status = 409, description = "`invalid_transition`: closed, already in that stage, or a closing stage"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "Unknown or inactive stage, or the stage's gates are not met (one error per missing field)"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/move")]
pub async fn move_opportunity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OpportunityId>,
    if_match: IfMatch,
    body: ValidJson<MoveOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let (id, command) = (id.into_inner(), Command::Move(body.0));
    let opp = db::write(&state, move |conn| service::run(conn, &caller, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}

/// Win an open opportunity.
///
/// It enters the active `won` stage, whose gates apply (by default an account
/// and an amount above 0): status `won`, probability 10000, forecast `closed`.
/// The account records its first and last win, and a prospect becomes active.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "win_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<WinOpportunity>, description = "Optional; `{}` or nothing"),
    responses(
        (status = 200, description = "The won opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change opportunities"),
        (status = 409, description = "`invalid_transition`: already closed; `conflict`: its account changed meanwhile"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "The won stage's gates are not met (one error per missing field)"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/win")]
pub async fn win_opportunity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OpportunityId>,
    if_match: IfMatch,
    _body: OptionalJson<WinOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let (id, command) = (id.into_inner(), Command::Win);
    let opp = db::write(&state, move |conn| service::run(conn, &caller, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}

/// Lose an open opportunity, with a reason from `/loss-reasons`.
///
/// It enters the active `lost` stage: status `lost`, probability 0, forecast
/// `omitted`. A winning competitor is recorded and added to the competitors.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "lose_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = LoseOpportunity,
    responses(
        (status = 200, description = "The lost opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change opportunities"),
        (status = 409, description = "`invalid_transition`: already closed"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "Unknown or inactive loss reason, unknown or inactive competitor, or the lost stage's gates"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/lose")]
pub async fn lose_opportunity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OpportunityId>,
    if_match: IfMatch,
    body: ValidJson<LoseOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let (id, command) = (id.into_inner(), Command::Lose(body.0));
    let opp = db::write(&state, move |conn| service::run(conn, &caller, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}

/// Abandon an open opportunity: status `abandoned`, probability 0, forecast
/// `omitted`. It keeps its stage; the reason is kept in `loss_note`.
///
/// Unlike `lose`, giving up needs no loss reason and meets no stage gates; the
/// body may be omitted. A manager or admin can `reopen` the opportunity later.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "abandon_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<AbandonOpportunity>, description = "Optional"),
    responses(
        (status = 200, description = "The abandoned opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change opportunities"),
        (status = 409, description = "`invalid_transition`: already closed"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/abandon")]
pub async fn abandon_opportunity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OpportunityId>,
    if_match: IfMatch,
    body: OptionalJson<AbandonOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let (id, command) = (id.into_inner(), Command::Abandon(body.0));
    let opp = db::write(&state, move |conn| service::run(conn, &caller, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}

/// Reopen a closed opportunity (managers and admins).
///
/// It goes back to the named active open stage, or to the stage it was in
/// before it closed; that stage's probability, forecast category and gates
/// apply. `closed_at` and the loss fields are cleared.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "reopen_opportunity",
    params(
        ("id" = String, Path, description = "Opportunity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<ReopenOpportunity>, description = "Optional"),
    responses(
        (status = 200, description = "The reopened opportunity", body = Opportunity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins reopen"),
        (status = 409, description = "`invalid_transition`: the opportunity is open"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "Unknown, inactive or closing stage, or its gates are not met"),
    ),
    security(("bearer" = []))
)]
#[post("/opportunities/{id}/reopen")]
pub async fn reopen_opportunity(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<OpportunityId>,
    if_match: IfMatch,
    body: OptionalJson<ReopenOpportunity>,
) -> Result<HttpResponse, ApiError> {
    let (id, command) = (id.into_inner(), Command::Reopen(body.0));
    let opp = db::write(&state, move |conn| service::run(conn, &caller, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &opp))
}
