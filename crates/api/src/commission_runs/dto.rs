//! The commission run's JSON shapes.

use crate::time::to_utc;
use chrono::{DateTime, NaiveDate, Utc};
use salesops_domain::commission_run::RunStatus;
use salesops_domain::money::Money;
use salesops_persistence::commission_runs::RunRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A commission run: one plan's statements for one period.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000f01", "plan_id": "0190f0c2-7000-7000-8000-000000000e01",
    "plan_version_id": "0190f0c2-7000-7000-8000-000000000e11", "period": "2027-Q1",
    "period_start": "2027-01-01", "period_end": "2027-03-31", "status": "draft",
    "total": {"amount": 1_234_500, "currency": "CNY"}, "computed_at": "2027-04-02T01:00:00Z",
    "approved_at": null, "approved_by": null, "paid_at": null, "paid_by": null, "version": 1,
    "created_at": "2027-04-02T01:00:00Z", "updated_at": "2027-04-02T01:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000f1"
}))]
pub struct Run {
    /// UUIDv7.
    pub id: String,
    /// The plan.
    pub plan_id: String,
    /// The plan version whose rules it pays by (frozen from then on).
    pub plan_version_id: String,
    /// `2027-01`, `2027-Q1` or `2027`, by the plan's period.
    pub period: String,
    /// The period's first day.
    pub period_start: NaiveDate,
    /// The period's last day.
    pub period_end: NaiveDate,
    /// `draft`, `approved` or `paid`.
    pub status: RunStatus,
    /// Σ its statements' totals, clawbacks included.
    pub total: Money,
    /// When its statements were last computed.
    pub computed_at: DateTime<Utc>,
    /// When it was approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When it was paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// Who paid it.
    pub paid_by: Option<String>,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Run);

impl From<RunRow> for Run {
    fn from(r: RunRow) -> Self {
        Run {
            total: Money::new(r.total, r.currency),
            id: r.id,
            plan_id: r.plan_id,
            plan_version_id: r.plan_version_id,
            period: r.period,
            period_start: r.period_start,
            period_end: r.period_end,
            status: r.status,
            computed_at: to_utc(r.computed_at),
            approved_at: r.approved_at.map(to_utc),
            approved_by: r.approved_by,
            paid_at: r.paid_at.map(to_utc),
            paid_by: r.paid_by,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// Run a plan for a period.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"plan_id": "0190f0c2-7000-7000-8000-000000000e01", "period": "2027-Q1"}))]
pub struct CreateRun {
    /// The plan.
    pub plan_id: String,
    /// A period of the plan's length: `2027-01` (month), `2027-Q1` (quarter) or `2027` (year).
    #[validate(length(max = 16))]
    pub period: String,
}
