//! What commissions are paid on: booked orders and confirmed payments over a range of
//! days, the credit splits that share them among users, and the cancellations and
//! refunds that correct them.

use crate::schema::{credit_splits, orders, payments, refunds};
use crate::{DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use salesops_domain::commission_run::SourceType;
use salesops_domain::order::OrderStatus;
use salesops_domain::receivables::PaymentStatus;
use salesops_domain::target::Metric;

/// A document that credits its order's owner (or the order's split users).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCredit {
    /// An order (basis booking) or a payment (basis collection).
    pub source_type: SourceType,
    /// The order's or payment's id.
    pub source_id: String,
    /// The order.
    pub order_id: String,
    /// The order's number.
    pub number: String,
    /// The booking day or the confirmation day.
    pub date: NaiveDate,
    /// The order's total, or the payment's amount net of its refunds.
    pub amount: i64,
    /// The order's owner.
    pub owner_id: String,
}

fn booked_statuses() -> Vec<&'static str> {
    OrderStatus::ALL.iter().filter(|s| s.is_booked()).map(|s| s.as_str()).collect()
}

/// The credits on `basis` in `currency` dated `from..=to`, in no particular order (the
/// engine orders each user's: sorting a million rows in the database spilled to disk).
/// They are the facts the attainment report sums (`money_reports`): live booked orders at
/// their total on their booking day, or confirmed payments of live orders net of their
/// refunds on their confirmation day.
pub fn in_range(
    conn: &mut DbConnection,
    basis: Metric,
    currency: &str,
    (from, to): (NaiveDate, NaiveDate),
) -> StoreResult<Vec<SourceCredit>> {
    match basis {
        Metric::Booking => {
            let rows: Vec<(String, String, Option<NaiveDate>, i64, String)> = orders::table
                .filter(orders::deleted_at.is_null())
                .filter(orders::status.eq_any(booked_statuses()))
                .filter(orders::currency.eq(currency))
                .filter(orders::booked_at.between(from, to))
                .select((orders::id, orders::number, orders::booked_at, orders::total, orders::owner_id))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .filter_map(|(id, number, date, amount, owner_id)| {
                    Some(SourceCredit {
                        source_type: SourceType::Order,
                        source_id: id.clone(),
                        order_id: id,
                        number,
                        date: date?,
                        amount,
                        owner_id,
                    })
                })
                .collect())
        }
        Metric::Collection => {
            let rows: Vec<(String, String, String, Option<NaiveDate>, i64, String)> = payments::table
                .inner_join(orders::table)
                .filter(orders::deleted_at.is_null())
                .filter(payments::status.eq(PaymentStatus::Confirmed.as_str()))
                .filter(payments::currency.eq(currency))
                .filter(payments::confirmed_on.between(from, to))
                .filter((payments::amount - payments::refunded).gt(0))
                .select((
                    payments::id,
                    orders::id,
                    orders::number,
                    payments::confirmed_on,
                    payments::amount - payments::refunded,
                    orders::owner_id,
                ))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .filter_map(|(id, order_id, number, date, amount, owner_id)| {
                    Some(SourceCredit {
                        source_type: SourceType::Payment,
                        source_id: id,
                        order_id,
                        number,
                        date: date?,
                        amount,
                        owner_id,
                    })
                })
                .collect())
        }
    }
}

/// One share of an order's credit.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = credit_splits)]
pub struct SplitRow {
    /// The order.
    pub order_id: String,
    /// Its place among the order's shares, from 1.
    pub position: i32,
    /// The user credited.
    pub user_id: String,
    /// The share, basis points; an order's shares sum to 10000.
    pub share_bps: i32,
}

/// The splits of order `order_id`, in order (none: it credits its owner).
pub fn splits_of(conn: &mut DbConnection, order_id: &str) -> StoreResult<Vec<SplitRow>> {
    splits_of_orders(conn, &[order_id.to_owned()])
}

/// Whom order `order_id` (owned by `owner_id`) credits: its split users if it has a split,
/// else its owner, as the commission engine shares it.
pub fn credited_users(conn: &mut DbConnection, order_id: &str, owner_id: &str) -> StoreResult<Vec<String>> {
    let split: Vec<String> = splits_of(conn, order_id)?.into_iter().map(|s| s.user_id).collect();
    Ok(if split.is_empty() { vec![owner_id.to_owned()] } else { split })
}

/// The splits of each of `order_ids`, by order then position.
pub fn splits_of_orders(conn: &mut DbConnection, order_ids: &[String]) -> StoreResult<Vec<SplitRow>> {
    Ok(credit_splits::table
        .filter(credit_splits::order_id.eq_any(order_ids))
        .order((credit_splits::order_id, credit_splits::position))
        .select(SplitRow::as_select())
        .load(conn)?)
}

/// The splits of the orders [`in_range`] credits on `basis` over `from..=to` (a superset:
/// every currency), by order then position.
pub fn splits_in_range(
    conn: &mut DbConnection,
    basis: Metric,
    (from, to): (NaiveDate, NaiveDate),
) -> StoreResult<Vec<SplitRow>> {
    let query = credit_splits::table
        .order((credit_splits::order_id, credit_splits::position))
        .select(SplitRow::as_select())
        .into_boxed();
    let query = match basis {
        Metric::Booking => query.filter(
            credit_splits::order_id
                .eq_any(orders::table.filter(orders::booked_at.between(from, to)).select(orders::id)),
        ),
        Metric::Collection => query.filter(
            credit_splits::order_id
                .eq_any(payments::table.filter(payments::confirmed_on.between(from, to)).select(payments::order_id)),
        ),
    };
    Ok(query.load(conn)?)
}

/// Replace the splits of order `order_id` with `rows` (none: it credits its owner again).
pub fn replace_splits(conn: &mut DbConnection, order_id: &str, rows: &[SplitRow]) -> StoreResult<()> {
    diesel::delete(credit_splits::table.filter(credit_splits::order_id.eq(order_id))).execute(conn)?;
    for row in rows {
        diesel::insert_into(credit_splits::table).values(row.clone()).execute(conn)?;
    }
    Ok(())
}

/// An order a paid statement counted, as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct OrderNow {
    /// The order.
    pub id: String,
    /// Its status now.
    #[diesel(deserialize_as = String)]
    pub status: OrderStatus,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<NaiveDateTime>,
}

/// The orders `ids`, as they are now.
pub fn orders_now(conn: &mut DbConnection, ids: &[String]) -> StoreResult<Vec<OrderNow>> {
    Ok(orders::table
        .filter(orders::id.eq_any(ids))
        .select((orders::id, orders::status, orders::cancelled_at))
        .load(conn)?)
}

/// A refund of a payment a paid statement counted.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct RefundNow {
    /// The refund.
    pub id: String,
    /// The payment refunded.
    pub payment_id: String,
    /// How much.
    pub amount: i64,
    /// The business day it was recorded.
    pub refunded_on: NaiveDate,
    /// When it was recorded.
    pub created_at: NaiveDateTime,
}

/// The refunds of `payment_ids`, oldest first.
pub fn refunds_of(conn: &mut DbConnection, payment_ids: &[String]) -> StoreResult<Vec<RefundNow>> {
    Ok(refunds::table
        .filter(refunds::payment_id.eq_any(payment_ids))
        .order((refunds::created_at, refunds::id))
        .select((refunds::id, refunds::payment_id, refunds::amount, refunds::refunded_on, refunds::created_at))
        .load(conn)?)
}

/// The gross amount (before refunds) and order of each of `payment_ids`.
pub fn payments_gross(conn: &mut DbConnection, payment_ids: &[String]) -> StoreResult<Vec<(String, String, i64)>> {
    Ok(payments::table
        .filter(payments::id.eq_any(payment_ids))
        .select((payments::id, payments::order_id, payments::amount))
        .load(conn)?)
}

/// The ids of the payments of order `order_id`.
pub fn payment_ids_of(conn: &mut DbConnection, order_id: &str) -> StoreResult<Vec<String>> {
    Ok(payments::table.filter(payments::order_id.eq(order_id)).select(payments::id).load(conn)?)
}
