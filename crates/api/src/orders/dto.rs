//! The order's JSON shapes: the record, its create body, its merge patch, the bodies
//! of its commands, and deliveries.

use crate::documents::lines::{LineRequest, PricedLine};
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::time::to_utc;
use chrono::{DateTime, NaiveDate, Utc};
use salesops_domain::money::Money;
use salesops_domain::order::OrderStatus;
use salesops_persistence::orders::{DeliveryLineRow, DeliveryRow, OrderRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A priced order line and how much of it has shipped.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000901", "product_id": "0190f0c2-7000-7000-8000-000000000401",
    "description": "CRM Enterprise, one year", "unit": "license", "quantity": "10",
    "unit_price": {"amount": 1_200_000, "currency": "CNY"}, "discount_bps": 500, "tax_rate_bps": 600,
    "gross": {"amount": 12_000_000, "currency": "CNY"}, "discount": {"amount": 600_000, "currency": "CNY"},
    "net": {"amount": 11_400_000, "currency": "CNY"}, "tax": {"amount": 684_000, "currency": "CNY"},
    "total": {"amount": 12_084_000, "currency": "CNY"}, "delivered": "4", "open": "6"
}))]
pub struct OrderLine {
    /// The priced line (the formula is on `PricedLine`).
    #[serde(flatten)]
    pub line: PricedLine,
    /// How much has shipped, a decimal with at most 3 decimals.
    #[schema(example = "4")]
    pub delivered: String,
    /// How much is still to ship.
    #[schema(example = "6")]
    pub open: String,
}

/// An order or contract (订单/合同): priced lines in one currency, what has shipped, and
/// what has been collected.
///
/// The lines are priced as on quotes: per line `gross = unit_price × quantity`,
/// `discount = gross × discount_bps / 10000`, `net = gross − discount`,
/// `tax = net × tax_rate_bps / 10000`, `total = net + tax`, each rounded half away from
/// zero at the line; `subtotal`, `discount`, `tax` and `total` are the sums of the lines.
/// `collected` is the confirmed payments, `refunded` the refunds, and
/// `outstanding = total − (collected − refunded)`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000801", "number": "SO-20261206-0001",
    "account_id": "0190f0c2-7000-7000-8000-000000000201", "opportunity_id": "0190f0c2-7000-7000-8000-000000000301",
    "quote_id": "0190f0c2-7000-7000-8000-000000000601", "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1",
    "status": "active", "currency": "CNY",
    "lines": [{
        "id": "0190f0c2-7000-7000-8000-000000000901", "product_id": "0190f0c2-7000-7000-8000-000000000401",
        "description": "CRM Enterprise, one year", "unit": "license", "quantity": "10",
        "unit_price": {"amount": 1_200_000, "currency": "CNY"}, "discount_bps": 500, "tax_rate_bps": 600,
        "gross": {"amount": 12_000_000, "currency": "CNY"}, "discount": {"amount": 600_000, "currency": "CNY"},
        "net": {"amount": 11_400_000, "currency": "CNY"}, "tax": {"amount": 684_000, "currency": "CNY"},
        "total": {"amount": 12_084_000, "currency": "CNY"}, "delivered": "0", "open": "10"
    }],
    "subtotal": {"amount": 12_000_000, "currency": "CNY"}, "discount": {"amount": 600_000, "currency": "CNY"},
    "tax": {"amount": 684_000, "currency": "CNY"}, "total": {"amount": 12_084_000, "currency": "CNY"},
    "collected": {"amount": 0, "currency": "CNY"}, "refunded": {"amount": 0, "currency": "CNY"},
    "outstanding": {"amount": 12_084_000, "currency": "CNY"}, "max_discount_bps": 500,
    "approval_request_id": null, "signed_at": "2026-12-05", "start_date": "2027-01-01", "end_date": "2027-12-31",
    "booked_at": "2026-12-06", "submitted_at": "2026-12-06T09:00:00Z", "fulfilled_at": null, "completed_at": null,
    "cancelled_at": null, "cancel_reason": null, "notes": null, "version": 2,
    "created_at": "2026-12-06T08:00:00Z", "updated_at": "2026-12-06T09:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Order {
    /// UUIDv7.
    pub id: String,
    /// From the order numbering rule (see `/numbering-rules`), e.g. `SO-20261206-0001`.
    #[schema(example = "SO-20261206-0001")]
    pub number: String,
    /// The customer.
    pub account_id: String,
    /// The deal it closes; activating the order wins it.
    pub opportunity_id: Option<String>,
    /// The accepted quote it was made from.
    pub quote_id: Option<String>,
    /// The owner; the order's readers are those whose scope covers them.
    pub owner_id: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The lines, in order.
    pub lines: Vec<OrderLine>,
    /// Σ line gross.
    pub subtotal: Money,
    /// Σ line discount.
    pub discount: Money,
    /// Σ line tax.
    pub tax: Money,
    /// Σ line total.
    pub total: Money,
    /// Σ confirmed payments.
    pub collected: Money,
    /// Σ refunds.
    pub refunded: Money,
    /// `total − (collected − refunded)`.
    pub outstanding: Money,
    /// The largest line discount, basis points.
    pub max_discount_bps: i32,
    /// The approval request of its submission, while it stands.
    pub approval_request_id: Option<String>,
    /// When the contract was signed.
    pub signed_at: Option<NaiveDate>,
    /// The contract's first day.
    pub start_date: Option<NaiveDate>,
    /// The contract's last day.
    pub end_date: Option<NaiveDate>,
    /// The booking date: the business day it was activated, or a back-dated one.
    pub booked_at: Option<NaiveDate>,
    /// When it was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When its last line shipped.
    pub fulfilled_at: Option<DateTime<Utc>>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Order);

impl Order {
    /// The order stored as `row`, with its `lines`.
    pub fn new(row: OrderRow, lines: Vec<OrderLine>) -> Order {
        let money = |amount: i64| Money::new(amount, row.currency.clone());
        Order {
            subtotal: money(row.subtotal),
            discount: money(row.discount),
            tax: money(row.tax),
            total: money(row.total),
            collected: money(row.collected),
            refunded: money(row.refunded),
            outstanding: money(row.total - (row.collected - row.refunded)),
            lines,
            id: row.id,
            number: row.number,
            account_id: row.account_id,
            opportunity_id: row.opportunity_id,
            quote_id: row.quote_id,
            owner_id: row.owner_id,
            status: row.status,
            currency: row.currency,
            max_discount_bps: row.max_discount_bps,
            approval_request_id: row.approval_request_id,
            signed_at: row.signed_at,
            start_date: row.start_date,
            end_date: row.end_date,
            booked_at: row.booked_at,
            submitted_at: row.submitted_at.map(to_utc),
            fulfilled_at: row.fulfilled_at.map(to_utc),
            completed_at: row.completed_at.map(to_utc),
            cancelled_at: row.cancelled_at.map(to_utc),
            cancel_reason: row.cancel_reason,
            notes: row.notes,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            created_by: row.created_by,
        }
    }
}

/// A new order, created as a draft: from an accepted quote (`quote_id` alone, copying its
/// lines at their quoted prices), or directly (`account_id`, `currency` and `lines`).
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "account_id": "0190f0c2-7000-7000-8000-000000000201", "currency": "CNY",
    "lines": [{"product_id": "0190f0c2-7000-7000-8000-000000000401", "quantity": "10", "discount_bps": 500}],
    "signed_at": "2026-12-05", "start_date": "2027-01-01", "end_date": "2027-12-31"
}))]
pub struct CreateOrder {
    /// An accepted quote in the caller's scope, not yet ordered; with it, leave out
    /// `account_id`, `opportunity_id`, `currency` and `lines`.
    #[schema(value_type = Option<String>)]
    pub quote_id: Option<String>,
    /// The customer, in the caller's scope (required without `quote_id`).
    #[schema(value_type = Option<String>)]
    pub account_id: Option<String>,
    /// An opportunity of that account, in the caller's scope.
    #[schema(value_type = Option<String>)]
    pub opportunity_id: Option<String>,
    /// The owner: the caller when left out; managers and admins may name an active user
    /// within their scope.
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<String>,
    /// ISO 4217 code (required without `quote_id`).
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub currency: Option<String>,
    /// 1–200 lines, as on quotes (required without `quote_id`).
    pub lines: Option<Vec<LineRequest>>,
    /// When the contract was signed.
    pub signed_at: Option<NaiveDate>,
    /// The contract's first day.
    pub start_date: Option<NaiveDate>,
    /// The contract's last day, not before `start_date`.
    pub end_date: Option<NaiveDate>,
    /// Free notes, at most 10000 characters.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub notes: Option<String>,
}

/// A JSON Merge Patch (RFC 7396) of a draft order. `lines`, when given, replaces every line.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"signed_at": "2026-12-06", "notes": "Signed in Shanghai"}))]
pub struct OrderPatch {
    /// Every line, replacing the current ones; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<LineRequest>>)]
    pub lines: Option<Option<Vec<LineRequest>>>,
    /// When the contract was signed.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub signed_at: Option<Option<NaiveDate>>,
    /// The contract's first day.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_date: Option<Option<NaiveDate>>,
    /// The contract's last day.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_date: Option<Option<NaiveDate>>,
    /// Free notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// Activation of a draft order that needs no approval.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"booked_at": "2026-11-30"}))]
pub struct ActivateOrder {
    /// Admins and finance only: a back-dated booking date (an order migrated from an
    /// ERP), never after today. Today's business day when left out.
    pub booked_at: Option<NaiveDate>,
}

/// Why an order is cancelled.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Customer withdrew before delivery"}))]
pub struct CancelOrder {
    /// 1–2000 characters.
    #[validate(custom(function = "crate::validation::not_blank"), length(max = 2000))]
    #[serde(deserialize_with = "trimmed")]
    pub reason: String,
}

/// One line of a delivery as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"order_line_id": "0190f0c2-7000-7000-8000-000000000901", "quantity": "4"}))]
pub struct DeliveryLineRequest {
    /// A line of this order.
    #[schema(value_type = String)]
    pub order_line_id: String,
    /// How much shipped: a decimal with at most 3 decimals, above 0, at most what is still open.
    #[schema(example = "4")]
    pub quantity: String,
}

/// A shipment of some of an order's lines; partial deliveries are fine.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"shipped_at": "2026-12-06", "lines": [{"order_line_id": "0190f0c2-7000-7000-8000-000000000901", "quantity": "4"}]}))]
pub struct CreateDelivery {
    /// When it shipped.
    pub shipped_at: NaiveDate,
    /// 1–200 lines, each order line at most once.
    pub lines: Vec<DeliveryLineRequest>,
    /// Free note, at most 2000 characters.
    #[validate(length(max = 2000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub note: Option<String>,
}

/// One shipped line.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"order_line_id": "0190f0c2-7000-7000-8000-000000000901", "quantity": "4"}))]
pub struct DeliveredLine {
    /// The order line.
    pub order_line_id: String,
    /// How much shipped.
    pub quantity: String,
}

/// A delivery (交付): what shipped from an order, and when. Never edited.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000a01", "order_id": "0190f0c2-7000-7000-8000-000000000801",
    "shipped_at": "2026-12-06", "note": null,
    "lines": [{"order_line_id": "0190f0c2-7000-7000-8000-000000000901", "quantity": "4"}],
    "created_at": "2026-12-06T10:00:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Delivery {
    /// UUIDv7.
    pub id: String,
    /// The order.
    pub order_id: String,
    /// When it shipped.
    pub shipped_at: NaiveDate,
    /// Free note.
    pub note: Option<String>,
    /// What shipped.
    pub lines: Vec<DeliveredLine>,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// Who recorded it.
    pub created_by: Option<String>,
}

impl Delivery {
    /// The delivery stored as `row`, with its `lines` (quantities already as decimals).
    pub fn new(row: DeliveryRow, lines: Vec<DeliveryLineRow>) -> Delivery {
        let quantity = salesops_domain::pricing::decimal;
        Delivery {
            lines: lines
                .into_iter()
                .map(|l| DeliveredLine { quantity: quantity(l.quantity), order_line_id: l.order_line_id })
                .collect(),
            id: row.id,
            order_id: row.order_id,
            shipped_at: row.shipped_at,
            note: row.note,
            created_at: to_utc(row.created_at),
            created_by: row.created_by,
        }
    }
}
