//! The HTTP edge of `/commission-runs`: each handler extracts, authorises, runs one use
//! case from [`super::service`] and answers.

use super::dto::{CreateRun, Run};
use super::service;
use crate::app::permission::{ApproveCommissions, ConfirmMoney, RunCommissions};
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{delete, get, post, web, HttpResponse};
use salesops_domain::commission_run::{RunCommand, RunStatus};
use salesops_domain::ids::{CommissionPlanId, CommissionRunId};
use salesops_persistence::commission_runs::RunFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /commission-runs`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunListQuery {
    /// Only this plan's runs.
    #[param(value_type = Option<String>)]
    pub plan_id: Option<CommissionPlanId>,
    /// Comma-separated statuses, e.g. `draft,approved`.
    #[param(example = "approved")]
    pub status: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List the commission runs with a user in the caller's data scope, oldest first.
///
/// Finance's queue of runs to pay is `status=approved`; a manager's to approve is
/// `status=draft`.
#[utoipa::path(
    tag = "commission-runs",
    operation_id = "list_commission_runs",
    params(RunListQuery),
    responses(
        (status = 200, description = "One page of runs", body = Page<Run>),
        (status = 400, description = "An unknown status, or a bad id, cursor or limit"),
    ),
    security(("bearer" = []))
)]
#[get("/commission-runs")]
pub async fn list_commission_runs(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RunListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = RunFilter {
        plan_id: q.plan_id.map(String::from),
        statuses: pagination::enum_list::<RunStatus>("status", q.status.as_deref())?,
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| service::list(conn, &caller, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a commission run.
///
/// Readable by whoever sees every one of its users (its total sums them all); 404
/// otherwise. A rep reads their own statement at `/commission-statements`.
#[utoipa::path(
    tag = "commission-runs",
    operation_id = "get_commission_run",
    params(("id" = String, Path, description = "Run id")),
    responses((status = 200, description = "The run", body = Run, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/commission-runs/{id}")]
pub async fn get_commission_run(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<CommissionRunId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let run = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &run))
}

/// Run a plan for a period (finance and admins).
///
/// Creates a `draft` run with a statement for each user assigned to the plan in the
/// period, paid on the credits dated within their assignment, against their target for
/// the period on the plan's basis (422 `missing_target` on `period`, one error per user
/// without one). The period has the plan's length (`2027-01`, `2027-Q1`, `2027`) and a
/// version of the plan's rules pays it (422 otherwise); that version is frozen from now
/// on. A plan has one run per period (409 `duplicate`, naming it). Clawbacks of the
/// users' earlier paid periods are added as lines.
#[utoipa::path(
    tag = "commission-runs",
    operation_id = "create_commission_run",
    request_body = CreateRun,
    responses(
        (status = 201, description = "A draft run", body = Run,
         headers(("Location" = String, description = "The new run's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only finance and admins run commissions, over users in their scope"),
        (status = 409, description = "`duplicate`: the plan has a run for the period"),
        (status = 422, description = "An unknown plan, a bad or uncovered period, or `missing_target`"),
    ),
    security(("bearer" = []))
)]
#[post("/commission-runs")]
pub async fn create_commission_run(
    state: web::Data<AppState>,
    caller: Authorized<RunCommissions>,
    body: ValidJson<CreateRun>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let zone = state.settings.business_time_zone;
    let run = db::write(&state, move |conn| service::create(conn, &caller, input, zone)).await?;
    Ok(etag::created(format!("/api/v1/commission-runs/{}", run.id), &run))
}

/// Delete a draft run and its statements (finance and admins).
///
/// An approved or paid run is 409 `invalid_transition`: a paid run never changes.
#[utoipa::path(
    tag = "commission-runs",
    operation_id = "delete_commission_run",
    params(
        ("id" = String, Path, description = "Run id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only finance and admins run commissions"),
        (status = 409, description = "`invalid_transition`: the run is approved or paid"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/commission-runs/{id}")]
pub async fn delete_commission_run(
    state: web::Data<AppState>,
    caller: Authorized<RunCommissions>,
    id: web::Path<CommissionRunId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Recompute a draft run's statements from the current credits (finance and admins).
///
/// The same credits, targets, splits and rules give byte-identical lines; a statement
/// keeps its id. An approved or paid run is 409 `invalid_transition`.
#[utoipa::path(
    tag = "commission-runs",
    operation_id = "recompute_commission_run",
    params(
        ("id" = String, Path, description = "Run id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The recomputed run", body = Run, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only finance and admins run commissions"),
        (status = 409, description = "`invalid_transition`: the run is approved or paid"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`missing_target`: a user has no target for the period"),
    ),
    security(("bearer" = []))
)]
#[post("/commission-runs/{id}/recompute")]
pub async fn recompute_commission_run(
    state: web::Data<AppState>,
    caller: Authorized<RunCommissions>,
    id: web::Path<CommissionRunId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, zone) = (id.into_inner(), state.settings.business_time_zone);
    let run = db::write(&state, move |conn| {
        service::run_command(conn, &caller, &id, (RunCommand::Recompute, if_match), zone)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &run))
}

/// Approve a draft run for payment (a manager over all its users, or an admin).
///
/// Only a closed period is approved: while it runs (its last business day is today or
/// later) it is 409 `invalid_transition`, as credits could still come in. A run with a user
/// outside the caller's scope is 404; one that pays the approving manager is 403 (no one
/// approves their own commission; admins excepted); a run that is not a draft is 409.
/// Approved, the run never changes again: the splits of what it counted are final, and no
/// booking can be back-dated into its period.
#[utoipa::path(
    tag = "commission-runs",
    operation_id = "approve_commission_run",
    params(
        ("id" = String, Path, description = "Run id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The approved run", body = Run, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins approve, and a manager not a run that pays them"),
        (status = 409, description = "`invalid_transition`: the run is not a draft, or its period has not ended"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/commission-runs/{id}/approve")]
pub async fn approve_commission_run(
    state: web::Data<AppState>,
    caller: Authorized<ApproveCommissions>,
    id: web::Path<CommissionRunId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, zone) = (id.into_inner(), state.settings.business_time_zone);
    let run =
        db::write(&state, move |conn| service::run_command(conn, &caller, &id, (RunCommand::Approve, if_match), zone))
            .await?;
    Ok(with_etag(HttpResponse::Ok(), &run))
}

/// Record that an approved run was paid (finance and admins).
///
/// The run is locked from then on: recompute and delete are 409, and cancellations or
/// refunds of what it paid on become clawback lines in the next run of the plan.
#[utoipa::path(
    tag = "commission-runs",
    operation_id = "pay_commission_run",
    params(
        ("id" = String, Path, description = "Run id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The paid run", body = Run, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only finance and admins pay"),
        (status = 409, description = "`invalid_transition`: the run is not approved"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/commission-runs/{id}/pay")]
pub async fn pay_commission_run(
    state: web::Data<AppState>,
    caller: Authorized<ConfirmMoney>,
    id: web::Path<CommissionRunId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, zone) = (id.into_inner(), state.settings.business_time_zone);
    let run =
        db::write(&state, move |conn| service::run_command(conn, &caller, &id, (RunCommand::Pay, if_match), zone))
            .await?;
    Ok(with_etag(HttpResponse::Ok(), &run))
}
