//! The HTTP edge of the order commands: `submit`, `approve`, `decline`, `activate`,
//! `complete`, `cancel`. Each runs [`service::run`] in one write transaction; the
//! state machine and the approval rules live there.

use super::dto::{ActivateOrder, CancelOrder, Order};
use super::service::{self, Command, Policy};
use crate::app::permission::EditPipeline;
use crate::app::Actor;
use crate::approvals::dto::{ApproveDocument, DeclineDocument};
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{with_etag, IfMatch};
use crate::extract::{OptionalJson, ValidJson};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use salesops_domain::ids::OrderId;

/// Run `command` on order `id` as `actor` and answer with the order and its ETag.
async fn run(
    state: web::Data<AppState>,
    actor: Actor,
    id: OrderId,
    if_match: IfMatch,
    command: Command,
) -> Result<HttpResponse, ApiError> {
    let today = state.business_today();
    let settings = state.settings.clone();
    let order = db::write(&state, move |conn| {
        let threshold = settings.order_approval_threshold.map(|limit| (limit, settings.base_currency.as_str()));
        service::run(conn, &actor, &id, if_match, command, Policy { today, threshold })
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &order))
}

/// Submit a draft order.
///
/// When its largest discount is beyond the submitter's discount authority, or its total
/// is above the approval threshold (`SALESOPS_ORDER_APPROVAL_THRESHOLD`, in the base
/// currency; only an admin approves that), it becomes `pending_approval` with an approval
/// request up the submitter's reporting line. Otherwise it is activated at once: booked
/// today, and its open opportunity won.
#[utoipa::path(
    tag = "orders",
    operation_id = "submit_order",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The order, `pending_approval` or `active`", body = Order, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: the order is not a draft"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`no_approver`: nobody up the reporting line may approve it; or the opportunity's won-stage gates"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/submit")]
pub async fn submit_order(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OrderId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    run(state, (**caller).clone(), id.into_inner(), if_match, Command::Submit).await
}

/// Approve the current step of a pending order's approval.
///
/// Only the step's approver, or an admin, decides (403 otherwise). After the last step
/// the order is `active`: booked today, and its open opportunity won.
#[utoipa::path(
    tag = "orders",
    operation_id = "approve_order",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<ApproveDocument>, description = "Optional; `{}`, nothing, or a comment"),
    responses(
        (status = 200, description = "The order, `active` or still `pending_approval`", body = Order, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The caller is not the current step's approver"),
        (status = 409, description = "`invalid_transition`: the order is not pending approval"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/approve")]
pub async fn approve_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    if_match: IfMatch,
    body: OptionalJson<ApproveDocument>,
) -> Result<HttpResponse, ApiError> {
    run(state, (*caller).clone(), id.into_inner(), if_match, Command::Approve(body.0.comment)).await
}

/// Decline a pending order's approval, with a comment.
///
/// Only the current step's approver, or an admin, decides (403 otherwise). The order goes
/// back to `draft`; its approval request stays, `declined`.
#[utoipa::path(
    tag = "orders",
    operation_id = "decline_order",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = DeclineDocument,
    responses(
        (status = 200, description = "The order, back in `draft`", body = Order, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The caller is not the current step's approver"),
        (status = 409, description = "`invalid_transition`: the order is not pending approval"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/decline")]
pub async fn decline_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    if_match: IfMatch,
    body: ValidJson<DeclineDocument>,
) -> Result<HttpResponse, ApiError> {
    run(state, (*caller).clone(), id.into_inner(), if_match, Command::Decline(body.0.comment)).await
}

/// Activate a draft order that needs no approval.
///
/// It is booked (`booked_at`) today, or on the back-dated `booked_at` an admin or finance
/// gives for an order migrated from an ERP (never after today; 403 for other roles), and
/// its open opportunity is won. An order that needs approval is 409: submit it.
#[utoipa::path(
    tag = "orders",
    operation_id = "activate_order",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body(content = Option<ActivateOrder>, description = "Optional; `{}`, nothing, or a back-dated `booked_at`"),
    responses(
        (status = 200, description = "The active order", body = Order, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins and finance back-date a booking"),
        (status = 409, description = "`invalid_transition`: not a draft, or it needs approval"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "A `booked_at` after today, or the opportunity's won-stage gates"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/activate")]
pub async fn activate_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    if_match: IfMatch,
    body: OptionalJson<ActivateOrder>,
) -> Result<HttpResponse, ApiError> {
    run(state, (*caller).clone(), id.into_inner(), if_match, Command::Activate(body.0.booked_at)).await
}

/// Complete a fulfilled order that is fully collected.
///
/// 409 while anything is still to ship or to collect.
#[utoipa::path(
    tag = "orders",
    operation_id = "complete_order",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The completed order", body = Order, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 409, description = "`invalid_transition`: not fulfilled, or not fully collected"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/complete")]
pub async fn complete_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    run(state, (*caller).clone(), id.into_inner(), if_match, Command::Complete).await
}

/// Cancel an order, with a reason.
///
/// Refused (409) while money collected on it, net of refunds, is above zero: refund it
/// first. A pending approval request is withdrawn, and pending payments are voided.
#[utoipa::path(
    tag = "orders",
    operation_id = "cancel_order",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    request_body = CancelOrder,
    responses(
        (status = 200, description = "The cancelled order", body = Order, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 409, description = "`invalid_transition`: completed, cancelled, or money collected"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/cancel")]
pub async fn cancel_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    if_match: IfMatch,
    body: ValidJson<CancelOrder>,
) -> Result<HttpResponse, ApiError> {
    run(state, (*caller).clone(), id.into_inner(), if_match, Command::Cancel(body.0.reason)).await
}
