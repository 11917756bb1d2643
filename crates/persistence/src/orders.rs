//! Orders and contracts, their lines and deliveries: storage and lookups. An order's
//! readers are those whose data scope covers its owner.

use crate::connection::MultiBackend;
use crate::schema::{deliveries, delivery_lines, order_lines, orders};
use crate::scope::Visibility;
use crate::{clock, DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use salesops_domain::order::OrderStatus;

/// An order as stored. Money is minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = orders, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct OrderRow {
    /// UUIDv7.
    pub id: String,
    /// From the order numbering rule, e.g. `SO-20261206-0001`; unique.
    pub number: String,
    /// The customer.
    pub account_id: String,
    /// The deal it closes, if any.
    pub opportunity_id: Option<String>,
    /// The accepted quote it was made from, if any.
    pub quote_id: Option<String>,
    /// The owner, whose data scope decides who sees it.
    pub owner_id: String,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// Where it stands.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: OrderStatus,
    /// Σ line gross.
    pub subtotal: i64,
    /// Σ line discount.
    pub discount: i64,
    /// Σ line tax.
    pub tax: i64,
    /// Σ line total.
    pub total: i64,
    /// The largest line discount.
    pub max_discount_bps: i32,
    /// Σ confirmed payments.
    pub collected: i64,
    /// Σ refunds.
    pub refunded: i64,
    /// The approval request of its last submission, while it stands.
    pub approval_request_id: Option<String>,
    /// When the contract was signed.
    pub signed_at: Option<NaiveDate>,
    /// The contract's first day.
    pub start_date: Option<NaiveDate>,
    /// The contract's last day.
    pub end_date: Option<NaiveDate>,
    /// The booking date: the business day it was activated, or a back-dated one.
    pub booked_at: Option<NaiveDate>,
    /// When it was last submitted.
    pub submitted_at: Option<NaiveDateTime>,
    /// When its last line was delivered.
    pub fulfilled_at: Option<NaiveDateTime>,
    /// When it was completed.
    pub completed_at: Option<NaiveDateTime>,
    /// When it was cancelled.
    pub cancelled_at: Option<NaiveDateTime>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
    /// Set when a draft was deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

impl OrderRow {
    /// A new draft for `account_id`, owned by `owner_id`, at version 1, without totals yet.
    pub fn new(number: String, account_id: &str, owner_id: &str, currency: &str, created_by: Option<&str>) -> OrderRow {
        let now = clock::now();
        OrderRow {
            id: salesops_domain::new_id(),
            number,
            account_id: account_id.to_owned(),
            opportunity_id: None,
            quote_id: None,
            owner_id: owner_id.to_owned(),
            currency: currency.to_owned(),
            status: OrderStatus::Draft,
            subtotal: 0,
            discount: 0,
            tax: 0,
            total: 0,
            max_discount_bps: 0,
            collected: 0,
            refunded: 0,
            approval_request_id: None,
            signed_at: None,
            start_date: None,
            end_date: None,
            booked_at: None,
            submitted_at: None,
            fulfilled_at: None,
            completed_at: None,
            cancelled_at: None,
            cancel_reason: None,
            notes: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
            deleted_at: None,
        }
    }
}

crate::lines::line_row! {
    /// A priced line of an order, in minor units of the order's currency, with what was shipped.
    OrderLineRow, order_lines, order_id,
    /// Thousandths of a unit shipped so far.
    delivered: i64,
}

/// Insert a new order.
pub fn insert(conn: &mut DbConnection, row: &OrderRow) -> StoreResult<()> {
    diesel::insert_into(orders::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// The order `id`, live or deleted, whoever may see it.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<OrderRow>> {
    Ok(orders::table.find(id).select(OrderRow::as_select()).first(conn).optional()?)
}

/// Every order, deleted ones included, whose owner `visibility` covers.
pub fn scoped<'a>(visibility: &Visibility) -> orders::BoxedQuery<'a, MultiBackend> {
    let query = orders::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => query.filter(orders::owner_id.eq_any(owners.clone())),
    }
}

crate::visible::scoped_lookups!(orders, OrderRow, "order");

crate::versioned::row_writes!(orders, OrderRow, "order");

/// Filters of the order list; every one is applied in SQL. Empty lists do not filter.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Statuses, any of.
    pub statuses: Vec<OrderStatus>,
    /// Only this owner's orders.
    pub owner_id: Option<String>,
    /// Only this account's orders.
    pub account_id: Option<String>,
    /// Only the orders of this opportunity.
    pub opportunity_id: Option<String>,
    /// Booked on or after this day.
    pub booked_from: Option<NaiveDate>,
    /// Booked on or before this day.
    pub booked_to: Option<NaiveDate>,
}

fn filtered<'a>(filter: &OrderFilter, visibility: &Visibility) -> orders::BoxedQuery<'a, MultiBackend> {
    let mut query = scoped(visibility).filter(orders::deleted_at.is_null());
    if !filter.statuses.is_empty() {
        query = query.filter(orders::status.eq_any(filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(orders::owner_id.eq(owner.clone()));
    }
    if let Some(account) = &filter.account_id {
        query = query.filter(orders::account_id.eq(account.clone()));
    }
    if let Some(opportunity) = &filter.opportunity_id {
        query = query.filter(orders::opportunity_id.eq(opportunity.clone()));
    }
    if let Some(from) = filter.booked_from {
        query = query.filter(orders::booked_at.ge(from));
    }
    if let Some(to) = filter.booked_to {
        query = query.filter(orders::booked_at.le(to));
    }
    query
}

crate::visible::id_ordered_list!(orders, OrderRow, OrderFilter, "orders");

crate::lines::line_store!(order_lines, OrderLineRow, order_id, "order");

/// Set how much of line `line_id` has been delivered.
pub fn set_delivered(conn: &mut DbConnection, line_id: &str, delivered: i64) -> StoreResult<()> {
    diesel::update(order_lines::table.find(line_id)).set(order_lines::delivered.eq(delivered)).execute(conn)?;
    Ok(())
}

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = deliveries, treat_none_as_default_value = false)]
pub struct DeliveryRow {
    /// UUIDv7.
    pub id: String,
    /// The order shipped from.
    pub order_id: String,
    /// When it shipped.
    pub shipped_at: NaiveDate,
    /// Free note.
    pub note: Option<String>,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Who recorded it.
    pub created_by: Option<String>,
}

/// One line of a delivery: how much of an order line shipped.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = delivery_lines, treat_none_as_default_value = false)]
pub struct DeliveryLineRow {
    /// The delivery.
    pub delivery_id: String,
    /// The order line shipped.
    pub order_line_id: String,
    /// Thousandths of a unit.
    pub quantity: i64,
}

/// Insert a delivery and its lines.
pub fn insert_delivery(conn: &mut DbConnection, delivery: &DeliveryRow, lines: &[DeliveryLineRow]) -> StoreResult<()> {
    diesel::insert_into(deliveries::table).values(delivery.clone()).execute(conn)?;
    for line in lines {
        diesel::insert_into(delivery_lines::table).values(line.clone()).execute(conn)?;
    }
    Ok(())
}

/// Up to `limit` deliveries of order `order_id` after `after_id`, oldest first.
pub fn deliveries_of(
    conn: &mut DbConnection,
    order_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<DeliveryRow>> {
    let mut query = deliveries::table
        .filter(deliveries::order_id.eq(order_id.to_owned()))
        .order(deliveries::id)
        .limit(limit)
        .select(DeliveryRow::as_select())
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(deliveries::id.gt(after.to_owned()));
    }
    Ok(query.load(conn)?)
}

/// The lines of every delivery in `delivery_ids`.
pub fn delivery_lines_of(conn: &mut DbConnection, delivery_ids: &[String]) -> StoreResult<Vec<DeliveryLineRow>> {
    Ok(delivery_lines::table
        .filter(delivery_lines::delivery_id.eq_any(delivery_ids))
        .order((delivery_lines::delivery_id, delivery_lines::order_line_id))
        .select(DeliveryLineRow::as_select())
        .load(conn)?)
}

/// The live order made from quote `quote_id`, if any.
pub fn find_by_quote(conn: &mut DbConnection, quote_id: &str) -> StoreResult<Option<OrderRow>> {
    Ok(orders::table
        .filter(orders::quote_id.eq(quote_id))
        .filter(orders::deleted_at.is_null())
        .select(OrderRow::as_select())
        .first(conn)
        .optional()?)
}
