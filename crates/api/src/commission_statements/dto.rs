//! The commission statement's JSON shapes.

use crate::commission_runs::engine;
use chrono::NaiveDate;
use salesops_domain::commission::LineReason;
use salesops_domain::commission_run::{RunStatus, SourceType};
use salesops_domain::money::Money;
use salesops_persistence::commission_runs::LineRow;
use serde::Serialize;
use utoipa::ToSchema;

/// One line of a statement: the part of a credit in one tier, or a clawback.
///
/// `earning` = `credited_amount` × `rate_bps` / 10000, rounded half away from zero,
/// except when `reason` is `capped` (it earns up to the cap) or `cap_reached` (0). A
/// `clawback` line takes back what a paid period earned on a cancelled order or a
/// refunded payment: it has no tier or rate, and names the statement it corrects.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "position": 2, "source_type": "order", "source_id": "0190f0c2-7000-7000-8000-000000000801",
    "source_number": "SO-20270115-0003", "credit_date": "2027-01-15",
    "credited_amount": {"amount": 2_000_000, "currency": "CNY"}, "split_bps": 10000, "tier": 1, "rate_bps": 500,
    "earning": {"amount": 100_000, "currency": "CNY"}, "reason": null, "corrects_statement_id": null
}))]
pub struct StatementLine {
    /// Its place in the statement, from 1.
    pub position: i32,
    /// `order` (booking), `payment` (collection), or for a clawback `order` (cancelled) or `refund`.
    pub source_type: SourceType,
    /// The order, payment or refund.
    pub source_id: String,
    /// The order's number.
    pub source_number: String,
    /// The booking, confirmation, cancellation or refund day.
    pub credit_date: NaiveDate,
    /// The user's credited amount on this line (the part of the credit in this tier);
    /// negative on a clawback: how much the user's credit fell.
    pub credited_amount: Money,
    /// The user's share of the source, basis points (10000 when not split).
    pub split_bps: i32,
    /// The tier, from 0; `null` on a clawback.
    pub tier: Option<i32>,
    /// The tier's rate, basis points; `null` on a clawback.
    pub rate_bps: Option<i32>,
    /// What it earns. On a clawback, what it takes back: below 0, except in the rare case the
    /// correction raises what the period earns (each line rounds on its own).
    pub earning: Money,
    /// `capped`, `cap_reached`, `clawback`, or `null`.
    pub reason: Option<LineReason>,
    /// For a clawback, the paid statement it corrects.
    pub corrects_statement_id: Option<String>,
}

impl StatementLine {
    /// A stored line in `currency`.
    pub fn from_row(r: LineRow, currency: &str) -> StatementLine {
        StatementLine {
            position: r.position,
            source_type: r.source_type,
            source_id: r.source_id,
            source_number: r.source_number,
            credit_date: r.credit_date,
            credited_amount: Money::new(r.credited_amount, currency),
            split_bps: r.split_bps,
            tier: r.tier,
            rate_bps: r.rate_bps,
            earning: Money::new(r.earning, currency),
            reason: r.reason,
            corrects_statement_id: r.corrects_statement_id,
        }
    }

    /// A computed line at `position`, in `currency`.
    pub fn computed(position: i32, l: engine::Line, currency: &str) -> StatementLine {
        StatementLine {
            position,
            source_type: l.source_type,
            source_id: l.source_id,
            source_number: l.source_number,
            credit_date: l.credit_date,
            credited_amount: Money::new(l.credited_amount, currency),
            split_bps: l.split_bps,
            tier: l.tier,
            rate_bps: l.rate_bps,
            earning: Money::new(l.earning, currency),
            reason: l.reason,
            corrects_statement_id: l.corrects_statement_id,
        }
    }
}

/// A user's commission statement (提成明细) for a run's period. `total` is the sum of
/// its lines; `attainment_bps` is `credited` ÷ `target`. The lines themselves are a list
/// of their own, `GET /commission-statements/{id}/lines`, since a busy period has thousands.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000f11", "run_id": "0190f0c2-7000-7000-8000-000000000f01",
    "plan_id": "0190f0c2-7000-7000-8000-000000000e01", "period": "2027-Q1", "status": "draft",
    "user_id": "0190f0c2-6a00-7000-8000-0000000000b1",
    "target": {"amount": 10_000_000, "currency": "CNY"}, "credited": {"amount": 2_000_000, "currency": "CNY"},
    "attainment_bps": 2000, "total": {"amount": 60_000, "currency": "CNY"}, "line_count": 1
}))]
pub struct Statement {
    /// UUIDv7.
    pub id: String,
    /// The run.
    pub run_id: String,
    /// The run's plan.
    pub plan_id: String,
    /// The run's period.
    pub period: String,
    /// The run's status: `draft`, `approved` or `paid`.
    pub status: RunStatus,
    /// The user paid.
    pub user_id: String,
    /// The user's target for the period, on the plan's basis.
    pub target: Money,
    /// Σ the user's credits in the period (clawbacks apart).
    pub credited: Money,
    /// `credited` ÷ `target`, basis points, rounded half away from zero.
    pub attainment_bps: i64,
    /// Σ the lines' earnings.
    pub total: Money,
    /// How many lines it has (see `GET /commission-statements/{id}/lines`).
    pub line_count: i64,
}
