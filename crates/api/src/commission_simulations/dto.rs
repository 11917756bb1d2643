//! The simulation's JSON shapes.

use crate::commission_plans::dto::CreatePlan;
use crate::commission_runs::engine;
use crate::commission_statements::dto::StatementLine;
use salesops_domain::money::Money;
use salesops_domain::target::Metric;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A proposed plan, the period to try it on, and optionally whom.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "plan": {"name": "Steeper 2027", "basis": "booking", "period": "quarter", "tier_mode": "marginal",
             "tiers": [{"from_bps": 0, "to_bps": 10000, "rate_bps": 200}, {"from_bps": 10000, "to_bps": null, "rate_bps": 1000}],
             "effective_from": "2027-01-01"},
    "period": "2027-Q1"
}))]
pub struct CreateSimulation {
    /// The proposed plan, as a plan is created.
    pub plan: CreatePlan,
    /// A period of the proposed plan's length.
    #[validate(length(max = 16))]
    pub period: String,
    /// The users to try it on (in the caller's scope). Left out: everyone on a plan of the
    /// same basis in the period whom the caller sees.
    #[serde(default)]
    #[validate(length(max = 1000))]
    pub user_ids: Option<Vec<String>>,
}

/// A statement as a plan would pay it, written nowhere.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "plan_id": null, "target": {"amount": 10_000_000, "currency": "CNY"},
    "credited": {"amount": 2_000_000, "currency": "CNY"}, "attainment_bps": 2000,
    "total": {"amount": 40_000, "currency": "CNY"}, "lines": []
}))]
pub struct SimulatedStatement {
    /// The current plan it comes from; `null` for the proposal.
    pub plan_id: Option<String>,
    /// The user's target for the period.
    pub target: Money,
    /// Σ the user's credits.
    pub credited: Money,
    /// `credited` ÷ `target`, basis points.
    pub attainment_bps: i64,
    /// Σ the lines' earnings.
    pub total: Money,
    /// The lines, as a statement's.
    pub lines: Vec<StatementLine>,
}

impl SimulatedStatement {
    /// A computed statement of `plan_id` (none for the proposal), in `currency`.
    pub fn new(plan_id: Option<String>, s: engine::Statement, currency: &str) -> SimulatedStatement {
        SimulatedStatement {
            plan_id,
            target: Money::new(s.target, currency),
            credited: Money::new(s.credited, currency),
            attainment_bps: s.attainment_bps,
            total: Money::new(s.total, currency),
            lines: (1..).zip(s.lines).map(|(i, l)| StatementLine::computed(i, l, currency)).collect(),
        }
    }
}

/// One user's proposed statement beside their current plan's.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "user_id": "0190f0c2-6a00-7000-8000-0000000000b1",
    "proposed": {"plan_id": null, "target": {"amount": 10_000_000, "currency": "CNY"},
                 "credited": {"amount": 2_000_000, "currency": "CNY"}, "attainment_bps": 2000,
                 "total": {"amount": 40_000, "currency": "CNY"}, "lines": []},
    "current": null, "difference": {"amount": 40_000, "currency": "CNY"}
}))]
pub struct UserComparison {
    /// The user.
    pub user_id: String,
    /// What the proposed plan pays them.
    pub proposed: SimulatedStatement,
    /// What their current plan on the same basis pays them for the period; `null` when
    /// they have none, or it is in another currency.
    pub current: Option<SimulatedStatement>,
    /// proposed − current (current counted as 0 when there is none).
    pub difference: Money,
}

/// A simulation's answer: per user and in total.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "period": "2027-Q1", "basis": "booking", "currency": "CNY", "users": [],
    "proposed_total": {"amount": 0, "currency": "CNY"}, "current_total": {"amount": 0, "currency": "CNY"},
    "difference": {"amount": 0, "currency": "CNY"}
}))]
pub struct Simulation {
    /// The period tried.
    pub period: String,
    /// The proposed plan's basis.
    pub basis: Metric,
    /// The proposed plan's currency.
    pub currency: String,
    /// Each user, by id.
    pub users: Vec<UserComparison>,
    /// Σ the proposed totals.
    pub proposed_total: Money,
    /// Σ the current totals.
    pub current_total: Money,
    /// proposed_total − current_total.
    pub difference: Money,
}
