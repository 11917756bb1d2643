//! The HTTP edge of `/orders` and their deliveries: each handler extracts,
//! authorises, runs one use case from [`super::service`] and answers.

use super::dto::{CreateDelivery, CreateOrder, Delivery, Order, OrderPatch};
use super::service;
use crate::app::permission::EditPipeline;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use salesops_domain::ids::{AccountId, OpportunityId, OrderId, UserId};
use salesops_domain::order::OrderStatus;
use salesops_persistence::orders::OrderFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /orders`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderListQuery {
    /// Comma-separated statuses, e.g. `active,fulfilled`.
    #[param(example = "active,fulfilled")]
    pub status: Option<String>,
    /// Only orders owned by this user.
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// Only orders of this account.
    #[param(value_type = Option<String>)]
    pub account_id: Option<AccountId>,
    /// Only orders of this opportunity.
    #[param(value_type = Option<String>)]
    pub opportunity_id: Option<OpportunityId>,
    /// Booked on or after this day (`YYYY-MM-DD`).
    pub booked_from: Option<NaiveDate>,
    /// Booked on or before this day (`YYYY-MM-DD`).
    pub booked_to: Option<NaiveDate>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of matching orders.
    #[serde(default)]
    pub count: bool,
}

/// List the orders in the caller's data scope, oldest first.
///
/// Every filter is applied in SQL; `owner_id` narrows the scope, never widens it.
#[utoipa::path(
    tag = "orders",
    operation_id = "list_orders",
    params(OrderListQuery),
    responses(
        (status = 200, description = "One page of orders", body = Page<Order>),
        (status = 400, description = "An unknown status, or `booked_from` after `booked_to`"),
    ),
    security(("bearer" = []))
)]
#[get("/orders")]
pub async fn list_orders(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OrderListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after_id = pagination::after_id(q.cursor.as_deref())?;
    if let (Some(from), Some(to)) = (q.booked_from, q.booked_to) {
        if from > to {
            return Err(ApiError::BadRequest("booked_from is after booked_to".into()));
        }
    }
    let filter = OrderFilter {
        statuses: pagination::enum_list::<OrderStatus>("status", q.status.as_deref())?,
        owner_id: q.owner_id.map(String::from),
        account_id: q.account_id.map(String::from),
        opportunity_id: q.opportunity_id.map(String::from),
        booked_from: q.booked_from,
        booked_to: q.booked_to,
    };
    let with_count = q.count;
    let page =
        db::read(&state, move |conn| service::list(conn, &caller, &filter, after_id.as_deref(), limit, with_count))
            .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an order with its lines, deliveries so far and money collected.
///
/// Readable by whoever's scope covers its owner, and by the approver its pending
/// approval waits on; 404 otherwise.
#[utoipa::path(
    tag = "orders",
    operation_id = "get_order",
    params(("id" = String, Path, description = "Order id")),
    responses((status = 200, description = "The order", body = Order, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/orders/{id}")]
pub async fn get_order(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let order = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &order))
}

/// Create a draft order, from an accepted quote or directly.
///
/// With `quote_id` alone, the quote's lines are copied at their quoted prices and the
/// account is its opportunity's; a quote is ordered once. Directly, `account_id`,
/// `currency` and `lines` are required, priced as on quotes. The owner is the caller
/// unless a manager or admin names another active user in their scope. The number
/// comes from the order numbering rule.
#[utoipa::path(
    tag = "orders",
    operation_id = "create_order",
    request_body = CreateOrder,
    responses(
        (status = 201, description = "Created", body = Order,
         headers(("Location" = String, description = "The new order's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records, or a rep named another owner"),
        (status = 422, description = "An unknown reference, a quote not accepted or already ordered, missing or extra fields, or a line's problem"),
    ),
    security(("bearer" = []))
)]
#[post("/orders")]
pub async fn create_order(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    body: ValidJson<CreateOrder>,
) -> Result<HttpResponse, ApiError> {
    let (input, today) = (body.0, state.business_today());
    let order = db::write(&state, move |conn| service::create(conn, &caller, input, today)).await?;
    Ok(etag::created(format!("/api/v1/orders/{}", order.id), &order))
}

/// Change a draft order (JSON Merge Patch).
///
/// `lines` replaces every line, priced in the order's currency; the contract dates and
/// notes change freely. An order that is not a draft is 409 `invalid_transition`.
#[utoipa::path(
    tag = "orders",
    operation_id = "update_order",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = OrderPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed order", body = Order, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: the order is not a draft"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "Cleared lines, an end before the start, or a line's problem"),
    ),
    security(("bearer" = []))
)]
#[patch("/orders/{id}")]
pub async fn update_order(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OrderId>,
    if_match: IfMatch,
    body: ValidJson<OrderPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch) = (id.into_inner(), body.0);
    let order = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &order))
}

/// Delete a draft order.
///
/// Only drafts are deleted (409 otherwise); the audit trail keeps it.
#[utoipa::path(
    tag = "orders",
    operation_id = "delete_order",
    params(
        ("id" = String, Path, description = "Order id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not change pipeline records"),
        (status = 409, description = "`invalid_transition`: the order is not a draft"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/orders/{id}")]
pub async fn delete_order(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<OrderId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record a delivery (交付) from an active order; partial deliveries are fine.
///
/// Each line ships at most what is still open on it (422 on that line's `quantity`).
/// When every line has fully shipped, the order becomes `fulfilled`. Deliveries are
/// never edited. Any role that sees the order records them.
#[utoipa::path(
    tag = "orders",
    operation_id = "create_delivery",
    params(("id" = String, Path, description = "Order id")),
    request_body = CreateDelivery,
    responses(
        (status = 201, description = "Recorded", body = Delivery,
         headers(("Location" = String, description = "The order's deliveries"))),
        (status = 409, description = "`invalid_transition`: the order is not active"),
        (status = 422, description = "A line not of this order, repeated, or shipping more than is open"),
    ),
    security(("bearer" = []))
)]
#[post("/orders/{id}/deliveries")]
pub async fn create_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    body: ValidJson<CreateDelivery>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let location = format!("/api/v1/orders/{id}/deliveries");
    let delivery = db::write(&state, move |conn| service::deliver(conn, &caller, &id, input)).await?;
    Ok(HttpResponse::Created().insert_header(("Location", location)).json(delivery))
}

/// Paging of an order's deliveries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List an order's deliveries, oldest first.
///
/// The order must be within the caller's scope (404 otherwise).
#[utoipa::path(
    tag = "orders",
    operation_id = "list_deliveries",
    params(("id" = String, Path, description = "Order id"), DeliveryListQuery),
    responses((status = 200, description = "One page of deliveries", body = Page<Delivery>)),
    security(("bearer" = []))
)]
#[get("/orders/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OrderId>,
    query: web::Query<DeliveryListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, q) = (id.into_inner(), query.into_inner());
    let limit = pagination::limit(q.limit)?;
    let after_id = pagination::after_id(q.cursor.as_deref())?;
    let page =
        db::read(&state, move |conn| service::deliveries(conn, &caller, &id, after_id.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}
