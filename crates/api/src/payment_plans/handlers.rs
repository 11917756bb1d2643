//! The HTTP edge of `/orders/{id}/payment-plan`: extract, authorise, run the use case,
//! answer with the plan and the order's version as its ETag.

use super::dto::{PaymentPlan, SetPaymentPlan};
use super::service;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::{with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use salesops_domain::ids::OrderId;

/// Get an order's payment plan (回款计划), with what each instalment has been paid.
///
/// Each instalment's status is read on today's business day: `paid` once confirmed
/// payments have settled it in full; `overdue` when past its due date and not paid in
/// full, even partly paid; otherwise `partially_paid` or `pending`. An order without a
/// plan answers an empty `instalments` list. The ETag is the order's version.
#[utoipa::path(
    tag = "payment-plans",
    operation_id = "get_payment_plan",
    params(("id" = String, Path, description = "Order id")),
    responses(
        (status = 200, description = "The plan", body = PaymentPlan,
         headers(("ETag" = String, description = "W/\"<version>\" of the order"))),
    ),
    security(("bearer" = []))
)]
#[get("/orders/{id}/payment-plan")]
pub async fn get_payment_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let (id, today) = (id.into_inner(), state.business_today());
    let plan = db::read(&state, move |conn| service::get(conn, &caller, &id, today)).await?;
    Ok(with_etag(HttpResponse::Ok(), &plan))
}

/// Write an order's payment plan, replacing the one it had.
///
/// 1–120 instalments, each above zero, in the order's currency and due on a day of its
/// own, adding up exactly to the order's total (422 naming the field, e.g. `instalments`
/// with `sum_mismatch`, `instalments[2].amount` with `range`). Whoever sees the order
/// writes its plan. A cancelled or completed order takes none, and once a payment on the
/// order is confirmed its plan is fixed (409 `invalid_transition`). Pending payments
/// that named an instalment of the old plan will settle the new one oldest due first.
/// Writing the plan bumps the order's version (the ETag; send it as `If-Match`) and is
/// audited on the order as `set_payment_plan`.
#[utoipa::path(
    tag = "payment-plans",
    operation_id = "set_payment_plan",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the order the plan is based on"),
    ),
    request_body = SetPaymentPlan,
    responses(
        (status = 200, description = "The new plan", body = PaymentPlan,
         headers(("ETag" = String, description = "W/\"<version>\" of the order"))),
        (status = 409, description = "`invalid_transition`: the order is cancelled or completed, or money was collected on it"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "The instalments do not add up to the total, an amount out of range or in another currency, a repeated due date, or a note too long"),
    ),
    security(("bearer" = []))
)]
#[put("/orders/{id}/payment-plan")]
pub async fn set_payment_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    if_match: IfMatch,
    body: ValidJson<SetPaymentPlan>,
) -> Result<HttpResponse, ApiError> {
    let (id, input, today) = (id.into_inner(), body.0, state.business_today());
    let plan = db::write(&state, move |conn| service::set(conn, &caller, &id, if_match, input, today)).await?;
    Ok(with_etag(HttpResponse::Ok(), &plan))
}
