//! Payment plan use cases: read an order's plan with what each instalment has been
//! paid, write (replace) it, and the balances that payments and refunds work from.

use super::dto::{Instalment, InstalmentRequest, PaymentPlan, SetPaymentPlan};
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit;
use crate::orders;
use chrono::NaiveDate;
use salesops_domain::money::Money;
use salesops_domain::order::OrderStatus;
use salesops_domain::receivables::{check_plan, instalment_status, InstalmentBalance, OrderBalance, PlannedInstalment};
use salesops_persistence::orders::OrderRow;
use salesops_persistence::receivables::{self, InstalmentRow};
use salesops_persistence::DbConnection;
use serde_json::{json, Value};

/// The most characters an instalment's note may have (the column's width).
const MAX_NOTE: usize = 500;

/// The order's money: its total, and the confirmed payments and refunds on it.
pub fn order_balance(order: &OrderRow) -> OrderBalance {
    OrderBalance { total: order.total, collected: order.collected, refunded: order.refunded }
}

/// The instalment stored as `row`, as the receivables rules see it.
pub fn instalment_balance(row: &InstalmentRow) -> InstalmentBalance<String> {
    InstalmentBalance { id: row.id.clone(), due_date: row.due_date, amount: row.amount, paid: row.paid }
}

/// The plan of `order` as the API shows it, each instalment's status read on `today`.
fn view(conn: &mut DbConnection, order: &OrderRow, today: NaiveDate) -> AppResult<PaymentPlan> {
    let money = |amount: i64| Money::new(amount, order.currency.clone());
    let instalments = receivables::plan_of(conn, &order.id)?
        .into_iter()
        .map(|row| Instalment {
            outstanding: money(instalment_balance(&row).owed()),
            status: instalment_status(row.amount, row.paid, row.due_date, today),
            amount: money(row.amount),
            paid: money(row.paid),
            id: row.id,
            position: row.position,
            due_date: row.due_date,
            note: row.note,
        })
        .collect();
    let balance = order_balance(order);
    Ok(PaymentPlan {
        order_id: order.id.clone(),
        currency: order.currency.clone(),
        total: money(order.total),
        paid: money(balance.net_collected()),
        outstanding: money(balance.outstanding()),
        instalments,
        order_version: order.version,
    })
}

/// The payment plan of order `order_id` (404 unless the actor sees the order), read on `today`.
pub fn get(conn: &mut DbConnection, actor: &Actor, order_id: &str, today: NaiveDate) -> AppResult<PaymentPlan> {
    let order = orders::service::load(conn, actor, order_id, false)?;
    view(conn, &order, today)
}

/// The plan as the audit log records it: each instalment's due date, amount and note.
fn snapshot(rows: &[InstalmentRow], currency: &str) -> Value {
    let instalments: Vec<Value> = rows
        .iter()
        .map(|r| json!({"due_date": r.due_date, "amount": Money::new(r.amount, currency), "note": r.note}))
        .collect();
    json!({ "payment_plan": instalments })
}

/// Check `input` as a plan of `order`: every amount in the order's currency, every note
/// within [`MAX_NOTE`], and the rules of [`check_plan`] (the sum, the amounts, the
/// dates, the length), each problem one field error.
fn check(input: &[InstalmentRequest], order: &OrderRow) -> AppResult<()> {
    let mut errors = Vec::new();
    for (i, instalment) in input.iter().enumerate() {
        let field = format!("instalments[{i}].amount");
        if let Err(e) = crate::money::require_currency(&instalment.amount, &field, &order.currency, "the order's") {
            errors.push(e);
        }
        if instalment.note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
            let message = format!("must be at most {MAX_NOTE} characters");
            errors.push(FieldError::new(format!("instalments[{i}].note"), "length", message));
        }
    }
    let planned: Vec<PlannedInstalment> =
        input.iter().map(|i| PlannedInstalment { due_date: i.due_date, amount: i.amount.amount }).collect();
    if let Err(problems) = check_plan(&planned, order.total) {
        errors.extend(problems.iter().map(|p| FieldError::new(p.field(), p.code(), p.to_string())));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Write the payment plan of order `order_id`, replacing any it had. The order must be
/// one the actor sees (404), neither cancelled nor completed, with no money collected
/// on it yet (409 `invalid_transition`); the instalments must add up to its total, in
/// its currency (422). Pending payments that named an instalment of the old plan no
/// longer do (see [`crate::payments::service::forget_instalments`]). Bumps the order's
/// version, and is audited on the order as `set_payment_plan` with the plan before and after.
pub fn set(
    conn: &mut DbConnection,
    actor: &Actor,
    order_id: &str,
    if_match: IfMatch,
    input: SetPaymentPlan,
    today: NaiveDate,
) -> AppResult<PaymentPlan> {
    let before = orders::service::load(conn, actor, order_id, true)?;
    if_match.check(before.version)?;
    if matches!(before.status, OrderStatus::Cancelled | OrderStatus::Completed) {
        return Err(AppError::transition(format!("an order that is {} takes no payment plan", before.status)));
    }
    if receivables::has_confirmed(conn, &before.id)? {
        return Err(AppError::transition("money was collected on the order, so its payment plan is fixed"));
    }
    check(&input.instalments, &before)?;
    let old = receivables::plan_of(conn, &before.id)?;
    crate::payments::service::forget_instalments(conn, actor, &before.id)?;
    let rows: Vec<InstalmentRow> = (1..)
        .zip(input.instalments)
        .map(|(position, i)| InstalmentRow {
            id: salesops_domain::new_id(),
            order_id: before.id.clone(),
            position,
            due_date: i.due_date,
            amount: i.amount.amount,
            paid: 0,
            note: i.note,
        })
        .collect();
    receivables::replace_plan(conn, &before.id, &rows)?;
    let mut after = before.clone();
    audit::write_versioned(conn, orders::ENTITY, &before, &mut after, AppError::from)?;
    let (old, new) = (snapshot(&old, &before.currency), snapshot(&rows, &before.currency));
    audit::record(conn, actor, "set_payment_plan", orders::ENTITY, &before.id, &old, &new)?;
    view(conn, &after, today)
}

/// Drop the payment plan of the draft `order` when its lines changed its total, which
/// the plan then no longer adds up to; audited on the order as `discard_payment_plan`.
/// A draft has taken no payments, so nothing else names its instalments.
pub fn discard_if_stale(conn: &mut DbConnection, actor: &Actor, order: &OrderRow) -> AppResult<()> {
    let plan = receivables::plan_of(conn, &order.id)?;
    if plan.is_empty() || plan.iter().map(|i| i128::from(i.amount)).sum::<i128>() == i128::from(order.total) {
        return Ok(());
    }
    receivables::replace_plan(conn, &order.id, &[])?;
    let (old, new) = (snapshot(&plan, &order.currency), snapshot(&[], &order.currency));
    audit::record(conn, actor, "discard_payment_plan", orders::ENTITY, &order.id, &old, &new)
}
