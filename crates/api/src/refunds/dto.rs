//! The refund's JSON shapes: the record and its create body.

use crate::extract::trimmed;
use crate::time::to_utc;
use chrono::{DateTime, NaiveDate, Utc};
use salesops_domain::money::Money;
use salesops_persistence::receivables::RefundRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A refund (退款) of (part of) a confirmed payment. Never edited.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000d01", "payment_id": "0190f0c2-7000-7000-8000-000000000c01",
    "order_id": "0190f0c2-7000-7000-8000-000000000801", "amount": {"amount": 500_000, "currency": "CNY"},
    "reason": "Two licences returned", "refunded_on": "2027-02-15",
    "created_at": "2027-02-15T03:00:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000f1"
}))]
pub struct Refund {
    /// UUIDv7.
    pub id: String,
    /// The payment refunded.
    pub payment_id: String,
    /// The payment's order.
    pub order_id: String,
    /// How much, in the payment's currency.
    pub amount: Money,
    /// Why.
    pub reason: String,
    /// The business day of the refund.
    pub refunded_on: NaiveDate,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// Who recorded it.
    pub created_by: Option<String>,
}

impl From<RefundRow> for Refund {
    fn from(r: RefundRow) -> Self {
        Refund {
            amount: Money::new(r.amount, r.currency),
            id: r.id,
            payment_id: r.payment_id,
            order_id: r.order_id,
            reason: r.reason,
            refunded_on: r.refunded_on,
            created_at: to_utc(r.created_at),
            created_by: r.created_by,
        }
    }
}

/// A refund of a confirmed payment.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "payment_id": "0190f0c2-7000-7000-8000-000000000c01", "amount": {"amount": 500_000, "currency": "CNY"},
    "reason": "Two licences returned"
}))]
pub struct CreateRefund {
    /// A confirmed payment in the caller's scope.
    pub payment_id: String,
    /// Above zero, in the payment's currency, and at most what the payment has left
    /// after its earlier refunds.
    pub amount: Money,
    /// Why, 1–2000 characters.
    #[validate(custom(function = "crate::validation::not_blank"), length(max = 2000))]
    #[serde(deserialize_with = "trimmed")]
    pub reason: String,
}
