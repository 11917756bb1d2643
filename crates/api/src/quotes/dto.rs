//! The quote's JSON shapes: the record, its create body, its merge patch and the
//! bodies of its commands.

use crate::documents::lines::{LineRequest, PricedLine};
use crate::extract::{double_option, trimmed, trimmed_opt};
use crate::time::to_utc;
use chrono::{DateTime, NaiveDate, Utc};
use salesops_domain::money::Money;
use salesops_domain::quote::QuoteStatus;
use salesops_persistence::quotes::QuoteRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A quote (报价) of an opportunity: priced lines in one currency, their totals, and
/// where it stands.
///
/// Each line's `gross = unit_price × quantity`, `discount = gross × discount_bps / 10000`,
/// `net = gross − discount`, `tax = net × tax_rate_bps / 10000` and `total = net + tax`,
/// each rounded half away from zero to the minor unit at the line. `subtotal`,
/// `discount`, `tax` and `total` are the sums of the lines' gross, discount, tax and
/// total, so `total = subtotal − discount + tax` exactly. An approved or sent quote past
/// `valid_until` reads as `expired`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000601", "number": "QT-20261206-0001",
    "opportunity_id": "0190f0c2-7000-7000-8000-000000000301", "status": "pending_approval",
    "currency": "CNY", "valid_until": "2026-12-31",
    "lines": [{
        "id": "0190f0c2-7000-7000-8000-000000000501", "product_id": "0190f0c2-7000-7000-8000-000000000401",
        "description": "CRM Enterprise, one year", "unit": "license", "quantity": "2.5",
        "unit_price": {"amount": 1_200_000, "currency": "CNY"}, "discount_bps": 1500, "tax_rate_bps": 600,
        "gross": {"amount": 3_000_000, "currency": "CNY"}, "discount": {"amount": 450_000, "currency": "CNY"},
        "net": {"amount": 2_550_000, "currency": "CNY"}, "tax": {"amount": 153_000, "currency": "CNY"},
        "total": {"amount": 2_703_000, "currency": "CNY"}
    }],
    "subtotal": {"amount": 3_000_000, "currency": "CNY"}, "discount": {"amount": 450_000, "currency": "CNY"},
    "tax": {"amount": 153_000, "currency": "CNY"}, "total": {"amount": 2_703_000, "currency": "CNY"},
    "max_discount_bps": 1500, "approval_request_id": "0190f0c2-7000-7000-8000-000000000701",
    "rejection_reason": null, "notes": null, "submitted_at": "2026-12-06T09:00:00Z", "sent_at": null,
    "accepted_at": null, "rejected_at": null, "version": 2,
    "created_at": "2026-12-06T08:00:00Z", "updated_at": "2026-12-06T09:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a1"
}))]
pub struct Quote {
    /// UUIDv7.
    pub id: String,
    /// From the quote numbering rule (see `/numbering-rules`), e.g. `QT-20261206-0001`.
    #[schema(example = "QT-20261206-0001")]
    pub number: String,
    /// The opportunity it prices; the quote's readers are the opportunity's.
    pub opportunity_id: String,
    /// Where it stands today: `expired` for an approved or sent quote past `valid_until`.
    pub status: QuoteStatus,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The last day the offer holds.
    pub valid_until: NaiveDate,
    /// The priced lines, in order.
    pub lines: Vec<PricedLine>,
    /// Σ line gross.
    pub subtotal: Money,
    /// Σ line discount.
    pub discount: Money,
    /// Σ line tax.
    pub tax: Money,
    /// Σ line total.
    pub total: Money,
    /// The largest line discount, basis points; beyond the submitter's authority it needs approval.
    pub max_discount_bps: i32,
    /// The approval request of its submission, while it stands (see `/approval-requests/{id}`).
    pub approval_request_id: Option<String>,
    /// Why the customer said no.
    pub rejection_reason: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
    /// When it was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was sent to the customer.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the customer accepted it.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When the customer rejected it.
    pub rejected_at: Option<DateTime<Utc>>,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Quote);

impl Quote {
    /// The quote stored as `row` with its priced `lines`, its status read on `today`.
    pub fn new(row: QuoteRow, lines: Vec<PricedLine>, today: NaiveDate) -> Quote {
        let money = |amount: i64| Money::new(amount, row.currency.clone());
        Quote {
            status: row.status.read_on(row.valid_until, today),
            subtotal: money(row.subtotal),
            discount: money(row.discount),
            tax: money(row.tax),
            total: money(row.total),
            lines,
            id: row.id,
            number: row.number,
            opportunity_id: row.opportunity_id,
            currency: row.currency,
            valid_until: row.valid_until,
            max_discount_bps: row.max_discount_bps,
            approval_request_id: row.approval_request_id,
            rejection_reason: row.rejection_reason,
            notes: row.notes,
            submitted_at: row.submitted_at.map(to_utc),
            sent_at: row.sent_at.map(to_utc),
            accepted_at: row.accepted_at.map(to_utc),
            rejected_at: row.rejected_at.map(to_utc),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            created_by: row.created_by,
        }
    }
}

/// A new quote, created as a draft.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "opportunity_id": "0190f0c2-7000-7000-8000-000000000301", "valid_until": "2026-12-31",
    "lines": [{"product_id": "0190f0c2-7000-7000-8000-000000000401", "quantity": "2.5", "discount_bps": 1500}]
}))]
pub struct CreateQuote {
    /// An open or won opportunity within the caller's data scope.
    #[schema(value_type = String)]
    pub opportunity_id: String,
    /// The last day the offer holds: today or later, in the business time zone.
    pub valid_until: NaiveDate,
    /// ISO 4217 code of the quote; the opportunity's currency when left out.
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub currency: Option<String>,
    /// 1–200 lines, priced in the quote's currency.
    pub lines: Vec<LineRequest>,
    /// Free notes, at most 10000 characters.
    #[validate(length(max = 10000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub notes: Option<String>,
}

/// A JSON Merge Patch (RFC 7396) of a draft quote. `lines`, when given, replaces every line.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"valid_until": "2027-01-15", "lines": [{"product_id": "0190f0c2-7000-7000-8000-000000000401", "quantity": "3", "discount_bps": 800}]}))]
pub struct QuotePatch {
    /// The last valid day, today or later; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_until: Option<Option<NaiveDate>>,
    /// The quote's currency; cannot be cleared. Every line is repriced in it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub currency: Option<Option<String>>,
    /// Every line, replacing the current ones; cannot be cleared.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Vec<LineRequest>>)]
    pub lines: Option<Option<Vec<LineRequest>>>,
    /// Free notes.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// The customer's refusal of a sent quote.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Budget frozen until Q2"}))]
pub struct RejectQuote {
    /// Why, 1–2000 characters.
    #[validate(custom(function = "crate::validation::not_blank"), length(max = 2000))]
    #[serde(deserialize_with = "trimmed")]
    pub reason: String,
}
