//! The payment plan's JSON shapes: the plan as written, and as read with what each
//! instalment has been paid.

use crate::extract::trimmed_opt;
use chrono::NaiveDate;
use salesops_domain::money::Money;
use salesops_domain::receivables::InstalmentStatus;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// One instalment of a plan as written.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "due_date": "2027-01-31", "amount": {"amount": 6_042_000, "currency": "CNY"}, "note": "On signature"
}))]
pub struct InstalmentRequest {
    /// When it is due; no two instalments of a plan are due the same day.
    pub due_date: NaiveDate,
    /// How much is due: above zero, in the order's currency.
    pub amount: Money,
    /// Free note, at most 500 characters.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub note: Option<String>,
}

/// An order's payment plan, replacing the one it had: 1–120 instalments adding up
/// exactly to the order's total.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"instalments": [
    {"due_date": "2027-01-31", "amount": {"amount": 6_042_000, "currency": "CNY"}, "note": "On signature"},
    {"due_date": "2027-06-30", "amount": {"amount": 6_042_000, "currency": "CNY"}}
]}))]
pub struct SetPaymentPlan {
    /// The instalments, in the order they are to be numbered.
    pub instalments: Vec<InstalmentRequest>,
}

/// One instalment of an order's payment plan, and what has been paid on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000b01", "position": 1, "due_date": "2027-01-31",
    "amount": {"amount": 6_042_000, "currency": "CNY"}, "paid": {"amount": 2_000_000, "currency": "CNY"},
    "outstanding": {"amount": 4_042_000, "currency": "CNY"}, "status": "partially_paid", "note": "On signature"
}))]
pub struct Instalment {
    /// UUIDv7; a payment may name it as the instalment it is meant for.
    pub id: String,
    /// Its place in the plan, from 1.
    pub position: i32,
    /// When it is due.
    pub due_date: NaiveDate,
    /// How much is due.
    pub amount: Money,
    /// Confirmed money settled on it, net of refunds.
    pub paid: Money,
    /// What it still owes: `amount − paid`, never below zero.
    pub outstanding: Money,
    /// Read on today's business day: `paid` once paid in full; otherwise `overdue` past
    /// its due date (even when partly paid), else `partially_paid` or `pending`.
    pub status: InstalmentStatus,
    /// Free note.
    pub note: Option<String>,
}

/// An order's payment plan (回款计划) and its balance.
///
/// `paid` is the order's confirmed payments less refunds and `outstanding` is
/// `total − paid`, as on the order. The ETag is the order's version.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "order_id": "0190f0c2-7000-7000-8000-000000000801", "currency": "CNY",
    "total": {"amount": 12_084_000, "currency": "CNY"}, "paid": {"amount": 2_000_000, "currency": "CNY"},
    "outstanding": {"amount": 10_084_000, "currency": "CNY"},
    "instalments": [{
        "id": "0190f0c2-7000-7000-8000-000000000b01", "position": 1, "due_date": "2027-01-31",
        "amount": {"amount": 6_042_000, "currency": "CNY"}, "paid": {"amount": 2_000_000, "currency": "CNY"},
        "outstanding": {"amount": 4_042_000, "currency": "CNY"}, "status": "partially_paid", "note": "On signature"
    }, {
        "id": "0190f0c2-7000-7000-8000-000000000b02", "position": 2, "due_date": "2027-06-30",
        "amount": {"amount": 6_042_000, "currency": "CNY"}, "paid": {"amount": 0, "currency": "CNY"},
        "outstanding": {"amount": 6_042_000, "currency": "CNY"}, "status": "pending", "note": null
    }]
}))]
pub struct PaymentPlan {
    /// The order.
    pub order_id: String,
    /// ISO 4217 code of every amount: the order's.
    pub currency: String,
    /// The order's total, which the instalments add up to.
    pub total: Money,
    /// The order's confirmed payments less refunds.
    pub paid: Money,
    /// `total − paid`.
    pub outstanding: Money,
    /// The instalments, by position; empty when the order has no plan.
    pub instalments: Vec<Instalment>,
    /// The order's version, sent as the ETag.
    #[serde(skip)]
    pub order_version: i64,
}

impl crate::etag::Versioned for PaymentPlan {
    fn version(&self) -> i64 {
        self.order_version
    }
}
