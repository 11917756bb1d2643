//! Refund use cases: refund (part of) a confirmed payment, and read and list refunds.

use super::dto::{CreateRefund, Refund};
use crate::app::{Actor, AppError, AppResult, FieldError, OrUnknown};
use crate::orders;
use crate::pagination::{self, Page};
use crate::payments;
use chrono::NaiveDate;
use salesops_domain::receivables::{check_refund, release, PaymentStatus, RefundError};
use salesops_persistence::receivables::{self, RefundRow};
use salesops_persistence::{clock, DbConnection};

/// A refused refund amount, as a field error: on `amount.amount` when not above zero, on
/// `amount` with `exceeds_remaining` when above what the payment has left.
fn amount_error(e: RefundError) -> FieldError {
    match e {
        RefundError::NotPositive => FieldError::new("amount.amount", "range", e.to_string()),
        RefundError::ExceedsRemaining { .. } => FieldError::new("amount", "exceeds_remaining", e.to_string()),
    }
}

/// Refund `input.amount` of a confirmed payment on the business day `today`. The payment
/// must be one the actor sees (422 `unknown` on `payment_id`), confirmed, and its order
/// active or fulfilled (409 `invalid_transition`); the amount in its currency and at most
/// what it has left (422). The refund takes back from the instalments the payment
/// settled, latest due first, reopening them, and raises the payment's and the order's
/// `refunded`, each audited as `refund`.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateRefund, today: NaiveDate) -> AppResult<Refund> {
    let (payment, order) =
        payments::service::lock_with_order(conn, actor, &input.payment_id).or_unknown("payment_id", "payment")?;
    if payment.status != PaymentStatus::Confirmed {
        return Err(AppError::transition(format!(
            "a payment that is {} cannot be refunded; only confirmed money can",
            payment.status
        )));
    }
    payments::service::require_takes_payments(&order, "refunds")?;
    crate::money::require_currency(&input.amount, "amount", &payment.currency, "the payment's")?;
    let amount = input.amount.amount;
    check_refund(amount, payment.amount, payment.refunded).map_err(amount_error)?;
    let settled: Vec<_> = receivables::allocations_of(conn, &payment.id)?
        .into_iter()
        .map(|(allocation, due_date)| (allocation.instalment_id, allocation.amount, due_date))
        .collect();
    for (instalment_id, share) in release(&settled, amount) {
        receivables::release(conn, &payment.id, &instalment_id, share)?;
    }
    let row = RefundRow {
        id: salesops_domain::new_id(),
        payment_id: payment.id.clone(),
        order_id: order.id.clone(),
        amount,
        currency: payment.currency.clone(),
        reason: input.reason,
        refunded_on: today,
        created_at: clock::now(),
        created_by: Some(actor.id().to_owned()),
    };
    receivables::insert_refund(conn, &row)?;
    payments::service::add_refunded(conn, actor, &payment, amount)?;
    let mut refunded = order.clone();
    refunded.refunded += amount;
    orders::service::save(conn, actor, "refund", &order, refunded)?;
    Ok(Refund::from(row))
}

/// The refund `id` (404 unless the actor sees its order).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Refund> {
    receivables::find_visible_refund(conn, id, actor.visibility())?.map(Refund::from).ok_or(AppError::NotFound)
}

/// One page of the refunds whose orders the actor sees, of payment `payment_id` when
/// given, oldest first.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    payment_id: Option<&str>,
    after_id: Option<&str>,
    limit: i64,
) -> AppResult<Page<Refund>> {
    let rows = receivables::list_refunds(conn, payment_id, actor.visibility(), after_id, limit + 1)?;
    pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Refund::from(r)))
}
