//! Payment use cases: record a payment, confirm it (settling instalments and raising the
//! order's `collected`), read and list payments, and the steps refunds and payment plans
//! take on payments. Every money write takes the order's row lock first, then the
//! payment's, so two of them on one order run one after the other.

use super::dto::{CreatePayment, Payment};
use super::ENTITY;
use crate::app::precondition::IfMatch;
use crate::app::scoped::load_visible;
use crate::app::{Actor, AppError, AppResult, FieldError, OrUnknown};
use crate::audit::{self, snapshot};
use crate::orders;
use crate::pagination::{self, Page};
use crate::payment_plans::service::{instalment_balance, order_balance};
use chrono::NaiveDate;
use salesops_domain::receivables::{allocate, PaymentError, PaymentStatus};
use salesops_persistence::orders::OrderRow;
use salesops_persistence::receivables::{self, AllocationRow, PaymentFilter, PaymentRow};
use salesops_persistence::{clock, DbConnection};

/// 409 `invalid_transition` unless `order` takes payments and refunds: only active and
/// fulfilled orders do (a completed one is settled, the others are not booked).
pub fn require_takes_payments(order: &OrderRow, what: &str) -> AppResult<()> {
    if order.status.takes_payments() {
        Ok(())
    } else {
        Err(AppError::transition(format!(
            "an order that is {} takes no {what}; only active and fulfilled orders do",
            order.status
        )))
    }
}

/// A refused payment amount, as a field error: on `amount.amount` when not above zero,
/// on `amount` with `exceeds_outstanding` when above what the order has left to collect.
fn amount_error(e: PaymentError) -> FieldError {
    match e {
        PaymentError::NotPositive => FieldError::new("amount.amount", "range", e.to_string()),
        PaymentError::ExceedsOutstanding { .. } | PaymentError::ExceedsAvailable { .. } => {
            FieldError::new("amount", "exceeds_outstanding", e.to_string())
        }
    }
}

/// The problems of a new payment on `order` that are not its order's: the amount's
/// currency and size (at most the outstanding balance less the pending payments), the
/// instalment it names, the day it arrived, each one field error.
fn check_new(conn: &mut DbConnection, order: &OrderRow, input: &CreatePayment, today: NaiveDate) -> AppResult<()> {
    let mut errors = Vec::new();
    if let Err(e) = crate::money::require_currency(&input.amount, "amount", &order.currency, "the order's") {
        errors.push(e);
    } else {
        let pending = receivables::pending_total(conn, &order.id)?;
        let checked = order_balance(order).check_payment_with_pending(pending, input.amount.amount);
        errors.extend(checked.err().map(amount_error));
    }
    if let Some(named) = &input.instalment_id {
        if !receivables::plan_of(conn, &order.id)?.iter().any(|i| &i.id == named) {
            errors.push(FieldError::unknown("instalment_id", "instalment of the order's payment plan"));
        }
    }
    if input.received_at > today {
        let message = format!("{} is after today ({today})", input.received_at);
        errors.push(FieldError::new("received_at", "in_future", message));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Record a payment against an order, pending until finance confirms it. The order must
/// be one the actor sees (422 `unknown` on `order_id`) and take payments (409); see
/// [`check_new`] for the rest (422). Audited as `create`.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreatePayment, today: NaiveDate) -> AppResult<Payment> {
    let order = orders::service::load(conn, actor, &input.order_id, true).or_unknown("order_id", "order")?;
    require_takes_payments(&order, "payments")?;
    check_new(conn, &order, &input, today)?;
    let amount = (input.amount.amount, order.currency.as_str());
    let mut row = PaymentRow::new(&order.id, amount, input.received_at, input.method, Some(actor.id()));
    (row.reference, row.instalment_id) = (input.reference, input.instalment_id);
    receivables::insert_payment(conn, &row)?;
    let payment = Payment::from(row);
    audit::record(conn, actor, "create", ENTITY, &payment.id, &serde_json::Value::Null, &snapshot(&payment))?;
    Ok(payment)
}

/// The payment `id` (404 unless the actor sees its order).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Payment> {
    let (row, _) = load_visible::<PaymentRow>(conn, actor, id, false)?;
    Ok(Payment::from(row))
}

/// One page of the payments whose orders the actor sees, matching `filter`, oldest first.
pub fn list(conn: &mut DbConnection, actor: &Actor, filter: &PaymentFilter, limit: i64) -> AppResult<Page<Payment>> {
    let rows = receivables::list_payments(conn, filter, actor.visibility(), limit + 1)?;
    pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Payment::from(r)))
}

/// The payment `id` the actor sees and its order, both read under their row locks: the
/// order's first, as every money write takes them. 404 when the payment is not visible.
pub fn lock_with_order(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<(PaymentRow, OrderRow)> {
    let (seen, _) = load_visible::<PaymentRow>(conn, actor, id, false)?;
    let order = orders::service::load(conn, actor, &seen.order_id, true)?;
    let (payment, _) = load_visible::<PaymentRow>(conn, actor, id, true)?;
    Ok((payment, order))
}

/// Confirm the pending payment `id` on the business day `today` (its collection date):
/// 409 when already confirmed or voided, or when its order no longer takes payments; 422
/// `exceeds_outstanding` when it is more than the order's outstanding balance. Its money
/// settles the instalment it names first, then the others oldest due first, each up to
/// what it owes; the order's `collected` rises (audited on the order as `collect`).
/// Audited as `confirm`.
pub fn confirm(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    if_match: IfMatch,
    today: NaiveDate,
) -> AppResult<Payment> {
    let (before, order) = lock_with_order(conn, actor, id)?;
    if_match.check(before.version)?;
    match before.status {
        PaymentStatus::Pending => {}
        PaymentStatus::Confirmed => return Err(AppError::transition("the payment is already confirmed")),
        PaymentStatus::Voided => {
            return Err(AppError::transition("the payment is voided: its order was cancelled while it waited"))
        }
    }
    require_takes_payments(&order, "payments")?;
    order_balance(&order).check_payment(before.amount).map_err(amount_error)?;
    let plan: Vec<_> = receivables::plan_of(conn, &order.id)?.iter().map(instalment_balance).collect();
    let allocations: Vec<AllocationRow> = allocate(&plan, before.instalment_id.as_ref(), before.amount)
        .into_iter()
        .map(|(instalment_id, amount)| AllocationRow { payment_id: before.id.clone(), instalment_id, amount })
        .collect();
    receivables::allocate(conn, &allocations)?;
    let mut after = before.clone();
    after.status = PaymentStatus::Confirmed;
    (after.confirmed_on, after.confirmed_at, after.confirmed_by) =
        (Some(today), Some(clock::now()), Some(actor.id().to_owned()));
    let payment = audit::save_versioned::<_, Payment>(conn, actor, ENTITY, "confirm", &before, after, AppError::from)?;
    let mut collected = order.clone();
    collected.collected += before.amount;
    orders::service::save(conn, actor, "collect", &order, collected)?;
    Ok(payment)
}

/// Add a refund of `amount` to the payment `before` (read under its row lock), audited as `refund`.
pub fn add_refunded(conn: &mut DbConnection, actor: &Actor, before: &PaymentRow, amount: i64) -> AppResult<Payment> {
    let mut after = before.clone();
    after.refunded += amount;
    audit::save_versioned::<_, Payment>(conn, actor, ENTITY, "refund", before, after, AppError::from)
}

/// When order `order_id` (read under its row lock) is cancelled: its pending payments,
/// which can no longer be confirmed, become `voided`, each audited as `void`.
pub fn void_pending(conn: &mut DbConnection, actor: &Actor, order_id: &str) -> AppResult<()> {
    for before in receivables::pending_of(conn, order_id)? {
        let mut after = before.clone();
        after.status = PaymentStatus::Voided;
        audit::save_versioned::<_, Payment>(conn, actor, ENTITY, "void", &before, after, AppError::from)?;
    }
    Ok(())
}

/// Before the payment plan of order `order_id` (read under its row lock) is replaced:
/// its pending payments that named an instalment name none, since the instalments go;
/// confirmed, they will settle the new plan oldest due first. Each is audited as
/// `detach_instalment`.
pub fn forget_instalments(conn: &mut DbConnection, actor: &Actor, order_id: &str) -> AppResult<()> {
    for before in receivables::pending_naming_instalments(conn, order_id)? {
        let mut after = before.clone();
        after.instalment_id = None;
        audit::save_versioned::<_, Payment>(conn, actor, ENTITY, "detach_instalment", &before, after, AppError::from)?;
    }
    Ok(())
}
