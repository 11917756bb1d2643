//! The HTTP edge of `/orders/{id}/credit-splits`.

use super::dto::CreditSplits;
use super::service;
use crate::app::permission::AssignRecords;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{get, put, web, HttpResponse};
use salesops_domain::ids::OrderId;

/// Get who an order credits for commissions.
///
/// Readable by whoever sees the order. An empty list: the order credits its owner alone.
#[utoipa::path(
    tag = "orders",
    operation_id = "get_credit_splits",
    params(("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order's credit split", body = CreditSplits)),
    security(("bearer" = []))
)]
#[get("/orders/{id}/credit-splits")]
pub async fn get_credit_splits(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let splits = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(splits))
}

/// Share an order's credit among users (managers and admins).
///
/// The shares name active users, each once, and sum to 10000 basis points (422
/// `not_whole` on `splits` otherwise); an empty list credits the owner alone again. Each
/// credit (the order's total, or a payment on it) is split by largest remainder, so the
/// parts sum exactly to it. Once an approved or paid statement has used the order or one
/// of its payments the split is final (409 `conflict`); a cancelled order is 409
/// `invalid_transition`.
#[utoipa::path(
    tag = "orders",
    operation_id = "put_credit_splits",
    params(("id" = String, Path, description = "Order id")),
    request_body = CreditSplits,
    responses(
        (status = 200, description = "The new split", body = CreditSplits),
        (status = 403, description = "Only managers and admins split credit"),
        (status = 409, description = "`conflict`: an approved or paid statement used the order; `invalid_transition`: it is cancelled"),
        (status = 422, description = "Shares that do not sum to 10000, a repeated or unknown user, or a share out of range"),
    ),
    security(("bearer" = []))
)]
#[put("/orders/{id}/credit-splits")]
pub async fn put_credit_splits(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<OrderId>,
    body: ValidJson<CreditSplits>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let splits = db::write(&state, move |conn| service::put(conn, &caller, &id, input)).await?;
    Ok(HttpResponse::Ok().json(splits))
}
