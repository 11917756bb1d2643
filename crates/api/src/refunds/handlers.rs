//! The HTTP edge of `/refunds`: each handler extracts, authorises, runs one use case
//! from [`super::service`] and answers.

use super::dto::{CreateRefund, Refund};
use super::service;
use crate::app::permission::ConfirmMoney;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use salesops_domain::ids::{PaymentId, RefundId};
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /refunds`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RefundListQuery {
    /// Only the refunds of this payment.
    #[param(value_type = Option<String>)]
    pub payment_id: Option<PaymentId>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List the refunds of the orders in the caller's data scope, oldest first.
///
/// `payment_id` narrows to one payment's refunds; the scope is applied in SQL. Pages
/// follow `next_cursor`.
#[utoipa::path(
    tag = "refunds",
    operation_id = "list_refunds",
    params(RefundListQuery),
    responses(
        (status = 200, description = "One page of refunds", body = Page<Refund>),
        (status = 400, description = "A bad cursor or limit"),
    ),
    security(("bearer" = []))
)]
#[get("/refunds")]
pub async fn list_refunds(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RefundListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after_id = pagination::after_id(q.cursor.as_deref())?;
    let payment_id = q.payment_id.map(String::from);
    let page =
        db::read(&state, move |conn| service::list(conn, &caller, payment_id.as_deref(), after_id.as_deref(), limit))
            .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a refund.
///
/// Readable by whoever's scope covers its order's owner; 404 otherwise. A refund is
/// never edited, so it carries no version.
#[utoipa::path(
    tag = "refunds",
    operation_id = "get_refund",
    params(("id" = String, Path, description = "Refund id")),
    responses((status = 200, description = "The refund", body = Refund)),
    security(("bearer" = []))
)]
#[get("/refunds/{id}")]
pub async fn get_refund(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<RefundId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let refund = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(refund))
}

/// Refund (part of) a confirmed payment (finance and admins).
///
/// The payment must be confirmed (409 `invalid_transition` while pending) and its order
/// active or fulfilled; the amount above zero, in the payment's currency, and at most
/// what the payment has left after its earlier refunds (422 `exceeds_remaining` on
/// `amount`). The refund takes back from the instalments the payment settled, latest
/// due first, which reopens them, and raises the payment's and the order's `refunded`.
/// Refunds are never edited or deleted.
#[utoipa::path(
    tag = "refunds",
    operation_id = "create_refund",
    request_body = CreateRefund,
    responses(
        (status = 201, description = "Recorded", body = Refund,
         headers(("Location" = String, description = "The new refund's URL"))),
        (status = 403, description = "Only finance and admins record refunds"),
        (status = 409, description = "`invalid_transition`: the payment is pending, or its order takes no refunds"),
        (status = 422, description = "An unknown payment, another currency, or an amount not above zero or beyond what the payment has left"),
    ),
    security(("bearer" = []))
)]
#[post("/refunds")]
pub async fn create_refund(
    state: web::Data<AppState>,
    caller: Authorized<ConfirmMoney>,
    body: ValidJson<CreateRefund>,
) -> Result<HttpResponse, ApiError> {
    let (input, today) = (body.0, state.business_today());
    let refund = db::write(&state, move |conn| service::create(conn, &caller, input, today)).await?;
    let location = format!("/api/v1/refunds/{}", refund.id);
    Ok(HttpResponse::Created().insert_header(("Location", location)).json(refund))
}
