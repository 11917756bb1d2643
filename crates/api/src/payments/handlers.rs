//! The HTTP edge of `/payments`: each handler extracts, authorises, runs one use case
//! from [`super::service`] and answers.

use super::dto::{CreatePayment, Payment};
use super::service;
use crate::app::permission::ConfirmMoney;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use salesops_domain::ids::{OrderId, PaymentId};
use salesops_domain::receivables::PaymentStatus;
use salesops_persistence::receivables::PaymentFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /payments`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentListQuery {
    /// Only the payments of this order.
    #[param(value_type = Option<String>)]
    pub order_id: Option<OrderId>,
    /// Comma-separated statuses, e.g. `pending`.
    #[param(example = "pending")]
    pub status: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List the payments of the orders in the caller's data scope, oldest first.
///
/// Every filter is applied in SQL; finance's queue of payments to confirm is
/// `status=pending`. Pages follow `next_cursor`.
#[utoipa::path(
    tag = "payments",
    operation_id = "list_payments",
    params(PaymentListQuery),
    responses(
        (status = 200, description = "One page of payments", body = Page<Payment>),
        (status = 400, description = "An unknown status, or a bad cursor or limit"),
    ),
    security(("bearer" = []))
)]
#[get("/payments")]
pub async fn list_payments(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PaymentListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = PaymentFilter {
        order_id: q.order_id.map(String::from),
        statuses: pagination::enum_list::<PaymentStatus>("status", q.status.as_deref())?,
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| service::list(conn, &caller, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a payment.
///
/// Readable by whoever's scope covers its order's owner; 404 otherwise.
#[utoipa::path(
    tag = "payments",
    operation_id = "get_payment",
    params(("id" = String, Path, description = "Payment id")),
    responses((status = 200, description = "The payment", body = Payment, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/payments/{id}")]
pub async fn get_payment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PaymentId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let payment = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &payment))
}

/// Record a payment (回款) received against an order, pending until finance confirms it.
///
/// Any role that sees the order records its payments. The order must be active or
/// fulfilled (409 `invalid_transition`); the amount above zero, in the order's currency,
/// and at most what the order has outstanding less its payments already awaiting
/// confirmation (422 `exceeds_outstanding` on `amount`, naming what is available);
/// `received_at` not after today; `instalment_id`, if given, an instalment of the
/// order's plan. Payments are never deleted, nor edited once confirmed: there is no
/// `PATCH` or `DELETE`.
#[utoipa::path(
    tag = "payments",
    operation_id = "create_payment",
    request_body = CreatePayment,
    responses(
        (status = 201, description = "Recorded, pending", body = Payment,
         headers(("Location" = String, description = "The new payment's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 409, description = "`invalid_transition`: the order is not active or fulfilled"),
        (status = 422, description = "An unknown order or instalment, another currency, an amount not above zero or beyond what is outstanding, or a future `received_at`"),
    ),
    security(("bearer" = []))
)]
#[post("/payments")]
pub async fn create_payment(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<CreatePayment>,
) -> Result<HttpResponse, ApiError> {
    let (input, today) = (body.0, state.business_today());
    let payment = db::write(&state, move |conn| service::create(conn, &caller, input, today)).await?;
    Ok(etag::created(format!("/api/v1/payments/{}", payment.id), &payment))
}

/// Confirm that a payment's money arrived (finance and admins).
///
/// The payment becomes `confirmed` on today's business day (`confirmed_on`, its
/// collection date). Its money settles the instalment it names first, then the order's
/// other instalments oldest due first, and raises the order's `collected`. Refused with
/// 409 `invalid_transition` when already confirmed or voided (its order was cancelled), or when the order no longer takes
/// payments, and with 422 `exceeds_outstanding` on `amount` when it is more than the
/// order has outstanding. Once confirmed a payment is never edited; refund it instead.
#[utoipa::path(
    tag = "payments",
    operation_id = "confirm_payment",
    params(
        ("id" = String, Path, description = "Payment id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The confirmed payment", body = Payment, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only finance and admins confirm payments"),
        (status = 409, description = "`invalid_transition`: already confirmed or voided, or the order takes no payments"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`exceeds_outstanding`: the payment is more than the order has outstanding"),
    ),
    security(("bearer" = []))
)]
#[post("/payments/{id}/confirm")]
pub async fn confirm_payment(
    state: web::Data<AppState>,
    caller: Authorized<ConfirmMoney>,
    id: web::Path<PaymentId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (id, today) = (id.into_inner(), state.business_today());
    let payment = db::write(&state, move |conn| service::confirm(conn, &caller, &id, if_match, today)).await?;
    Ok(with_etag(HttpResponse::Ok(), &payment))
}
