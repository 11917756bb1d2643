//! The payment's JSON shapes: the record and its create body.

use crate::extract::trimmed_opt;
use crate::time::to_utc;
use chrono::{DateTime, NaiveDate, Utc};
use salesops_domain::money::Money;
use salesops_domain::receivables::{PaymentMethod, PaymentStatus};
use salesops_persistence::receivables::PaymentRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A payment (回款) received against an order.
///
/// `pending` until finance confirms it; only then does it settle instalments and count
/// in the order's `collected`. `refundable` is `amount − refunded` once confirmed, and
/// zero while pending.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000c01", "order_id": "0190f0c2-7000-7000-8000-000000000801",
    "instalment_id": "0190f0c2-7000-7000-8000-000000000b01", "amount": {"amount": 2_000_000, "currency": "CNY"},
    "received_at": "2027-01-30", "method": "bank_transfer", "reference": "ICBC 20270130-8812",
    "status": "confirmed", "confirmed_on": "2027-01-31", "confirmed_at": "2027-01-31T02:00:00Z",
    "confirmed_by": "0190f0c2-6a00-7000-8000-0000000000f1", "refunded": {"amount": 0, "currency": "CNY"},
    "refundable": {"amount": 2_000_000, "currency": "CNY"}, "version": 2,
    "created_at": "2027-01-30T08:00:00Z", "updated_at": "2027-01-31T02:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Payment {
    /// UUIDv7.
    pub id: String,
    /// The order paid.
    pub order_id: String,
    /// The instalment it is meant for, settled first on confirmation.
    pub instalment_id: Option<String>,
    /// How much, in the order's currency.
    pub amount: Money,
    /// When the money arrived, as the payer says.
    pub received_at: NaiveDate,
    /// How it was paid.
    pub method: PaymentMethod,
    /// The bank or transaction reference.
    pub reference: Option<String>,
    /// `pending` or `confirmed`.
    pub status: PaymentStatus,
    /// The collection date: the business day it was confirmed.
    pub confirmed_on: Option<NaiveDate>,
    /// When it was confirmed.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Who confirmed it.
    pub confirmed_by: Option<String>,
    /// Σ refunds of it.
    pub refunded: Money,
    /// What may still be refunded: `amount − refunded` once confirmed, zero while pending.
    pub refundable: Money,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who recorded it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Payment);

impl From<PaymentRow> for Payment {
    fn from(r: PaymentRow) -> Self {
        let money = |amount: i64| Money::new(amount, r.currency.clone());
        let refundable = if r.status == PaymentStatus::Confirmed { r.amount - r.refunded } else { 0 };
        Payment {
            amount: money(r.amount),
            refunded: money(r.refunded),
            refundable: money(refundable),
            id: r.id,
            order_id: r.order_id,
            instalment_id: r.instalment_id,
            received_at: r.received_at,
            method: r.method,
            reference: r.reference,
            status: r.status,
            confirmed_on: r.confirmed_on,
            confirmed_at: r.confirmed_at.map(to_utc),
            confirmed_by: r.confirmed_by,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// A payment received against an order, recorded as pending.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "order_id": "0190f0c2-7000-7000-8000-000000000801", "amount": {"amount": 2_000_000, "currency": "CNY"},
    "received_at": "2027-01-30", "method": "bank_transfer", "reference": "ICBC 20270130-8812",
    "instalment_id": "0190f0c2-7000-7000-8000-000000000b01"
}))]
pub struct CreatePayment {
    /// An active or fulfilled order in the caller's scope.
    pub order_id: String,
    /// Above zero, in the order's currency, and at most what the order has outstanding
    /// less its payments awaiting confirmation.
    pub amount: Money,
    /// When the money arrived; not after today.
    pub received_at: NaiveDate,
    /// How it was paid.
    pub method: PaymentMethod,
    /// The bank or transaction reference, at most 128 characters.
    #[validate(length(max = 128))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub reference: Option<String>,
    /// An instalment of the order's plan this payment is meant for.
    #[serde(default)]
    pub instalment_id: Option<String>,
}
