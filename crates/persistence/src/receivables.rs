//! Payment plans, payments, their allocations to instalments, and refunds: storage
//! and lookups. They belong to an order, whose owner decides who sees them.

use crate::connection::MultiBackend;
use crate::schema::{instalments, orders, payment_allocations, payments, refunds};
use crate::scope::Visibility;
use crate::{clock, DbConnection, StoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use salesops_domain::receivables::{PaymentMethod, PaymentStatus};

/// One instalment of an order's payment plan.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = instalments, treat_none_as_default_value = false)]
pub struct InstalmentRow {
    /// UUIDv7.
    pub id: String,
    /// The order.
    pub order_id: String,
    /// Its place in the plan, from 1.
    pub position: i32,
    /// When it is due.
    pub due_date: NaiveDate,
    /// What is due, minor units of the order's currency.
    pub amount: i64,
    /// Confirmed money settled on it, net of refunds.
    pub paid: i64,
    /// Free note.
    pub note: Option<String>,
}

/// The plan of order `order_id`, in order.
pub fn plan_of(conn: &mut DbConnection, order_id: &str) -> StoreResult<Vec<InstalmentRow>> {
    Ok(instalments::table
        .filter(instalments::order_id.eq(order_id))
        .order(instalments::position)
        .select(InstalmentRow::as_select())
        .load(conn)?)
}

/// Replace the plan of order `order_id` with `rows`.
pub fn replace_plan(conn: &mut DbConnection, order_id: &str, rows: &[InstalmentRow]) -> StoreResult<()> {
    diesel::delete(instalments::table.filter(instalments::order_id.eq(order_id))).execute(conn)?;
    for row in rows {
        diesel::insert_into(instalments::table).values(row.clone()).execute(conn)?;
    }
    Ok(())
}

/// Add `delta` (negative to take back) to what instalment `id` has been paid.
pub fn add_paid(conn: &mut DbConnection, id: &str, delta: i64) -> StoreResult<()> {
    diesel::update(instalments::table.find(id)).set(instalments::paid.eq(instalments::paid + delta)).execute(conn)?;
    Ok(())
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = payments, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PaymentRow {
    /// UUIDv7.
    pub id: String,
    /// The order paid.
    pub order_id: String,
    /// The instalment it is meant for, if named.
    pub instalment_id: Option<String>,
    /// Minor units of `currency`.
    pub amount: i64,
    /// The order's currency.
    pub currency: String,
    /// When the money arrived, as the payer says.
    pub received_at: NaiveDate,
    /// How it was paid.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub method: PaymentMethod,
    /// The bank or transaction reference.
    pub reference: Option<String>,
    /// `pending` until finance confirms it.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: PaymentStatus,
    /// The collection date: the business day it was confirmed.
    pub confirmed_on: Option<NaiveDate>,
    /// When it was confirmed, UTC.
    pub confirmed_at: Option<NaiveDateTime>,
    /// Who confirmed it.
    pub confirmed_by: Option<String>,
    /// Σ refunds of it.
    pub refunded: i64,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who recorded it.
    pub created_by: Option<String>,
}

impl PaymentRow {
    /// A new pending payment of `amount` on `order_id`, recorded now.
    pub fn new(
        order_id: &str,
        (amount, currency): (i64, &str),
        received_at: NaiveDate,
        method: PaymentMethod,
        created_by: Option<&str>,
    ) -> PaymentRow {
        let now = clock::now();
        PaymentRow {
            id: salesops_domain::new_id(),
            order_id: order_id.to_owned(),
            instalment_id: None,
            amount,
            currency: currency.to_owned(),
            received_at,
            method,
            reference: None,
            status: PaymentStatus::Pending,
            confirmed_on: None,
            confirmed_at: None,
            confirmed_by: None,
            refunded: 0,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
        }
    }
}

/// Insert a new payment.
pub fn insert_payment(conn: &mut DbConnection, row: &PaymentRow) -> StoreResult<()> {
    diesel::insert_into(payments::table).values(row.clone()).execute(conn)?;
    Ok(())
}

crate::versioned::row_writes!(payments, PaymentRow, "payment");

/// Every payment whose order's owner `visibility` covers.
pub fn scoped_payments<'a>(visibility: &Visibility) -> payments::BoxedQuery<'a, MultiBackend> {
    let query = payments::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => query.filter(
            payments::order_id.eq_any(orders::table.filter(orders::owner_id.eq_any(owners.clone())).select(orders::id)),
        ),
    }
}

/// The payment `id`, if the caller may see its order.
pub fn find_visible_payment(
    conn: &mut DbConnection,
    id: &str,
    visibility: &Visibility,
) -> StoreResult<Option<PaymentRow>> {
    Ok(scoped_payments(visibility)
        .filter(payments::id.eq(id.to_owned()))
        .select(PaymentRow::as_select())
        .first(conn)
        .optional()?)
}

// Payments are never deleted, so the trail's finder is the live one.
impl crate::visible::ScopedRow for PaymentRow {
    fn lock(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
        lock(conn, id)
    }

    fn find_visible(conn: &mut DbConnection, id: &str, visibility: &Visibility) -> StoreResult<Option<PaymentRow>> {
        find_visible_payment(conn, id, visibility)
    }

    fn find_visible_including_deleted(
        conn: &mut DbConnection,
        id: &str,
        visibility: &Visibility,
    ) -> StoreResult<Option<PaymentRow>> {
        find_visible_payment(conn, id, visibility)
    }
}

/// The pending payments of order `order_id` that name an instalment, oldest first.
pub fn pending_naming_instalments(conn: &mut DbConnection, order_id: &str) -> StoreResult<Vec<PaymentRow>> {
    Ok(pending_of(conn, order_id)?.into_iter().filter(|p| p.instalment_id.is_some()).collect())
}

/// The pending payments of order `order_id`, oldest first.
pub fn pending_of(conn: &mut DbConnection, order_id: &str) -> StoreResult<Vec<PaymentRow>> {
    Ok(payments::table
        .filter(payments::order_id.eq(order_id))
        .filter(payments::status.eq(PaymentStatus::Pending.as_str()))
        .order(payments::id)
        .select(PaymentRow::as_select())
        .load(conn)?)
}

/// Filters of the payment list; every one is applied in SQL.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    /// Only this order's payments.
    pub order_id: Option<String>,
    /// Statuses, any of; empty does not filter.
    pub statuses: Vec<PaymentStatus>,
    /// Start after this id (the cursor).
    pub after_id: Option<String>,
}

/// Up to `limit` payments the caller may see matching `filter`, oldest first.
pub fn list_payments(
    conn: &mut DbConnection,
    filter: &PaymentFilter,
    visibility: &Visibility,
    limit: i64,
) -> StoreResult<Vec<PaymentRow>> {
    let mut query = scoped_payments(visibility).select(PaymentRow::as_select()).order(payments::id).limit(limit);
    if let Some(order) = &filter.order_id {
        query = query.filter(payments::order_id.eq(order.clone()));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(payments::status.eq_any(filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(after) = &filter.after_id {
        query = query.filter(payments::id.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// Σ pending payments of order `order_id`: money recorded but not yet confirmed.
pub fn pending_total(conn: &mut DbConnection, order_id: &str) -> StoreResult<i64> {
    let sum: Option<i64> = payments::table
        .filter(payments::order_id.eq(order_id))
        .filter(payments::status.eq(PaymentStatus::Pending.as_str()))
        .select(diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>(
            "CAST(SUM(amount) AS BIGINT)",
        ))
        .first(conn)?;
    Ok(sum.unwrap_or(0))
}

/// Whether any payment of order `order_id` was confirmed: then its plan is fixed.
pub fn has_confirmed(conn: &mut DbConnection, order_id: &str) -> StoreResult<bool> {
    let n: i64 = payments::table
        .filter(payments::order_id.eq(order_id))
        .filter(payments::status.eq(PaymentStatus::Confirmed.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// How much of a payment went to one instalment.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = payment_allocations, treat_none_as_default_value = false)]
pub struct AllocationRow {
    /// The payment.
    pub payment_id: String,
    /// The instalment it settled.
    pub instalment_id: String,
    /// How much, net of refunds taken back.
    pub amount: i64,
}

/// Record allocations, adding to what each instalment has been paid.
pub fn allocate(conn: &mut DbConnection, rows: &[AllocationRow]) -> StoreResult<()> {
    for row in rows {
        diesel::insert_into(payment_allocations::table).values(row.clone()).execute(conn)?;
        add_paid(conn, &row.instalment_id, row.amount)?;
    }
    Ok(())
}

/// The allocations of payment `payment_id` with their instalments' due dates.
pub fn allocations_of(conn: &mut DbConnection, payment_id: &str) -> StoreResult<Vec<(AllocationRow, NaiveDate)>> {
    Ok(payment_allocations::table
        .inner_join(instalments::table)
        .filter(payment_allocations::payment_id.eq(payment_id))
        .select((AllocationRow::as_select(), instalments::due_date))
        .load(conn)?)
}

/// Take `amount` back from the allocation of `payment_id` to `instalment_id`, and from the
/// instalment's paid amount.
pub fn release(conn: &mut DbConnection, payment_id: &str, instalment_id: &str, amount: i64) -> StoreResult<()> {
    diesel::update(payment_allocations::table.find((payment_id, instalment_id)))
        .set(payment_allocations::amount.eq(payment_allocations::amount - amount))
        .execute(conn)?;
    add_paid(conn, instalment_id, -amount)
}

/// A refund as stored: its own record, never edited.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = refunds, treat_none_as_default_value = false)]
pub struct RefundRow {
    /// UUIDv7.
    pub id: String,
    /// The payment refunded.
    pub payment_id: String,
    /// The payment's order.
    pub order_id: String,
    /// Minor units of `currency`.
    pub amount: i64,
    /// The order's currency.
    pub currency: String,
    /// Why.
    pub reason: String,
    /// The business day of the refund.
    pub refunded_on: NaiveDate,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Who recorded it.
    pub created_by: Option<String>,
}

/// Insert a refund.
pub fn insert_refund(conn: &mut DbConnection, row: &RefundRow) -> StoreResult<()> {
    diesel::insert_into(refunds::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// Every refund whose order's owner `visibility` covers.
fn scoped_refunds<'a>(visibility: &Visibility) -> refunds::BoxedQuery<'a, MultiBackend> {
    let query = refunds::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => query.filter(
            refunds::order_id.eq_any(orders::table.filter(orders::owner_id.eq_any(owners.clone())).select(orders::id)),
        ),
    }
}

/// The refund `id`, if the caller may see its order.
pub fn find_visible_refund(
    conn: &mut DbConnection,
    id: &str,
    visibility: &Visibility,
) -> StoreResult<Option<RefundRow>> {
    Ok(scoped_refunds(visibility)
        .filter(refunds::id.eq(id.to_owned()))
        .select(RefundRow::as_select())
        .first(conn)
        .optional()?)
}

/// Up to `limit` refunds of payment `payment_id` (or every payment when `None`) the caller
/// may see, after `after_id`, oldest first.
pub fn list_refunds(
    conn: &mut DbConnection,
    payment_id: Option<&str>,
    visibility: &Visibility,
    after_id: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<RefundRow>> {
    let mut query = scoped_refunds(visibility).select(RefundRow::as_select()).order(refunds::id).limit(limit);
    if let Some(payment) = payment_id {
        query = query.filter(refunds::payment_id.eq(payment.to_owned()));
    }
    if let Some(after) = after_id {
        query = query.filter(refunds::id.gt(after.to_owned()));
    }
    Ok(query.load(conn)?)
}
