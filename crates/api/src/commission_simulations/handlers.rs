//! The HTTP edge of `/commission-simulations`.

use super::dto::{CreateSimulation, Simulation};
use super::service;
use crate::app::permission::ApproveCommissions;
use crate::auth::Authorized;
use crate::db;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};

/// Try a proposed commission plan on a period's real credits (managers and admins).
///
/// The plan body is checked as a new plan is (422 under `plan.`); the period has its
/// length. Each chosen user (by default everyone in the caller's scope on a plan of the
/// same basis) gets the proposal's statement, with all its lines, beside what their
/// current plan pays for the period, and the difference; then the totals. Users without
/// a target are 422 `missing_target`. Nothing is written: no run, statement, version or
/// audit event.
#[utoipa::path(
    tag = "commission-runs",
    operation_id = "simulate_commissions",
    request_body = CreateSimulation,
    responses(
        (status = 200, description = "The proposal beside the current plans", body = Simulation),
        (status = 403, description = "Only managers and admins simulate"),
        (status = 422, description = "A bad plan body or period, an unknown user, or `missing_target`"),
    ),
    security(("bearer" = []))
)]
#[post("/commission-simulations")]
pub async fn simulate_commissions(
    state: web::Data<AppState>,
    caller: Authorized<ApproveCommissions>,
    body: ValidJson<CreateSimulation>,
) -> Result<HttpResponse, ApiError> {
    let (input, base) = (body.0, state.settings.base_currency.clone());
    let simulation = db::read(&state, move |conn| service::simulate(conn, &caller, input, &base)).await?;
    Ok(HttpResponse::Ok().json(simulation))
}
