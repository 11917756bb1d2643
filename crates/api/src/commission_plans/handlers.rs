//! The HTTP edge of `/commission-plans`: each handler extracts, authorises, runs one use
//! case from [`super::service`] and answers.

use super::dto::{Assignment, AssignmentPatch, CreateAssignment, CreatePlan, CreatePlanVersion, Plan, PlanPatch};
use super::service;
use crate::app::permission::Administer;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::{AssignmentId, CommissionPlanId};
use salesops_domain::target::Metric;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /commission-plans`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanListQuery {
    /// Only plans on this basis.
    pub basis: Option<Metric>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List the commission plans, oldest first.
///
/// Every signed-in user reads the plans: a rep sees how they are paid. Each plan carries
/// its rule versions; the top-level rules are the latest version's.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "list_commission_plans",
    params(PlanListQuery),
    responses(
        (status = 200, description = "One page of plans", body = Page<Plan>),
        (status = 400, description = "An unknown basis, or a bad cursor or limit"),
    ),
    security(("bearer" = []))
)]
#[get("/commission-plans")]
pub async fn list_commission_plans(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<PlanListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after_id(q.cursor.as_deref())?;
    let page = db::read(&state, move |conn| service::list(conn, q.basis, after.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a commission plan with its rule versions.
///
/// Every signed-in user reads it.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "get_commission_plan",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, description = "The plan", body = Plan, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/commission-plans/{id}")]
pub async fn get_commission_plan(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<CommissionPlanId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let plan = db::read(&state, move |conn| service::get(conn, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &plan))
}

/// Create a commission plan (admins).
///
/// Tiers are bands of attainment in basis points, contiguous from 0; only the last may
/// be open-ended. A gap, an overlap, an empty band or a rate outside 0–10000 is 422 on
/// `tiers[i]`, naming the tier. `effective_from` must be the first day of one of the
/// plan's periods, so a version always pays whole periods; the cap is money in the plan's
/// currency (the base currency when `currency` is left out).
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "create_commission_plan",
    request_body = CreatePlan,
    responses(
        (status = 201, description = "Created", body = Plan,
         headers(("Location" = String, description = "The new plan's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins write plans"),
        (status = 422, description = "A bad tier (named), cap, currency or `effective_from`"),
    ),
    security(("bearer" = []))
)]
#[post("/commission-plans")]
pub async fn create_commission_plan(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreatePlan>,
) -> Result<HttpResponse, ApiError> {
    let (input, base) = (body.0, state.settings.base_currency.clone());
    let plan = db::write(&state, move |conn| service::create(conn, &caller, input, &base)).await?;
    Ok(etag::created(format!("/api/v1/commission-plans/{}", plan.id), &plan))
}

/// Change a commission plan (admins; JSON Merge Patch).
///
/// `name` and `effective_to` always change. The rules (`tier_mode`, `tiers`, `cap`)
/// change the latest version only while no run has used it; once one has, they are
/// frozen (409 `conflict`) and later periods get new rules with
/// `POST /commission-plans/{id}/versions`.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "update_commission_plan",
    params(
        ("id" = String, Path, description = "Plan id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = PlanPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed plan", body = Plan, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins write plans"),
        (status = 409, description = "`conflict`: the latest rules are frozen by a run"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "A bad tier, cap or `effective_to`"),
    ),
    security(("bearer" = []))
)]
#[patch("/commission-plans/{id}")]
pub async fn update_commission_plan(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<CommissionPlanId>,
    if_match: IfMatch,
    body: ValidJson<PlanPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch) = (id.into_inner(), body.0);
    let plan = db::write(&state, move |conn| service::update(conn, &caller, &id, patch, if_match)).await?;
    Ok(with_etag(HttpResponse::Ok(), &plan))
}

/// Delete a commission plan that no run has used (admins).
///
/// Once a run has used it, it is 409 `conflict`: end it with `effective_to` instead.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "delete_commission_plan",
    params(
        ("id" = String, Path, description = "Plan id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only admins write plans"),
        (status = 409, description = "`conflict`: a run has used the plan"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/commission-plans/{id}")]
pub async fn delete_commission_plan(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<CommissionPlanId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a version of a plan's rules from a later period (admins).
///
/// The new rules pay every period from `effective_from` on, which must be a period's
/// first day after the latest version's and not after the plan ends (422). Earlier
/// periods keep the rules they were, or will be, paid by.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "add_commission_plan_version",
    params(
        ("id" = String, Path, description = "Plan id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body = CreatePlanVersion,
    responses(
        (status = 200, description = "The plan with the new version", body = Plan, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins write plans"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "A bad tier or cap, or an `effective_from` that is not a later period's first day"),
    ),
    security(("bearer" = []))
)]
#[post("/commission-plans/{id}/versions")]
pub async fn add_commission_plan_version(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<CommissionPlanId>,
    if_match: IfMatch,
    body: ValidJson<CreatePlanVersion>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let plan = db::write(&state, move |conn| service::add_version(conn, &caller, &id, input, if_match)).await?;
    Ok(with_etag(HttpResponse::Ok(), &plan))
}

/// List the users on a plan, by first day.
///
/// Every signed-in user reads them.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "list_commission_assignments",
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, description = "The plan's assignments", body = Vec<Assignment>)),
    security(("bearer" = []))
)]
#[get("/commission-plans/{id}/assignments")]
pub async fn list_commission_assignments(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<CommissionPlanId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let assignments = db::read(&state, move |conn| service::assignments(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(assignments))
}

/// Put a user on a plan from a day (admins).
///
/// A user has at most one plan per basis on any day: an assignment sharing a day with
/// another on the same basis is 409 `duplicate`, naming it. A run pays a user only on
/// the credits dated within their assignment.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "create_commission_assignment",
    params(("id" = String, Path, description = "Plan id")),
    request_body = CreateAssignment,
    responses(
        (status = 201, description = "Assigned", body = Assignment),
        (status = 403, description = "Only admins assign plans"),
        (status = 409, description = "`duplicate`: the user has a plan on the same basis on one of the days"),
        (status = 422, description = "An unknown or inactive user, or `to` before `from`"),
    ),
    security(("bearer" = []))
)]
#[post("/commission-plans/{id}/assignments")]
pub async fn create_commission_assignment(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<CommissionPlanId>,
    body: ValidJson<CreateAssignment>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let assignment = db::write(&state, move |conn| service::assign(conn, &caller, &id, input)).await?;
    let location = format!("/api/v1/commission-plans/{}/assignments/{}", assignment.plan_id, assignment.id);
    Ok(HttpResponse::Created().insert_header(("Location", location)).json(assignment))
}

/// End a user's assignment to a plan, or take its end away (admins).
///
/// The way a user leaves a plan once runs have paid them: `to` is the last day whose
/// credits it pays. Not before the assignment's first day (422); a later end that would
/// share a day with another plan of the same basis is 409 `duplicate`.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "update_commission_assignment",
    params(
        ("id" = String, Path, description = "Plan id"),
        ("assignment_id" = String, Path, description = "Assignment id"),
    ),
    request_body(content = AssignmentPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The assignment", body = Assignment),
        (status = 403, description = "Only admins assign plans"),
        (status = 409, description = "`duplicate`: the user has a plan on the same basis on one of the days"),
        (status = 422, description = "`to` before the assignment's first day"),
    ),
    security(("bearer" = []))
)]
#[patch("/commission-plans/{id}/assignments/{assignment_id}")]
pub async fn update_commission_assignment(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    path: web::Path<(CommissionPlanId, AssignmentId)>,
    body: ValidJson<AssignmentPatch>,
) -> Result<HttpResponse, ApiError> {
    let ((id, assignment_id), input) = (path.into_inner(), body.0);
    let assignment =
        db::write(&state, move |conn| service::end_assignment(conn, &caller, (&id, &assignment_id), input)).await?;
    Ok(HttpResponse::Ok().json(assignment))
}

/// Take a user off a plan (admins).
///
/// Only while no run of the plan has a statement for the user (409 `conflict`): after
/// that, end the assignment with `PATCH` instead.
#[utoipa::path(
    tag = "commission-plans",
    operation_id = "delete_commission_assignment",
    params(
        ("id" = String, Path, description = "Plan id"),
        ("assignment_id" = String, Path, description = "Assignment id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Only admins assign plans"),
        (status = 409, description = "`conflict`: a run has a statement for the user"),
    ),
    security(("bearer" = []))
)]
#[delete("/commission-plans/{id}/assignments/{assignment_id}")]
pub async fn delete_commission_assignment(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    path: web::Path<(CommissionPlanId, AssignmentId)>,
) -> Result<HttpResponse, ApiError> {
    let (id, assignment_id) = path.into_inner();
    db::write(&state, move |conn| service::unassign(conn, &caller, &id, &assignment_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
