//! The target's JSON shapes: the record, its create body, its patch and its breakdown.

use crate::time::to_utc;
use chrono::{DateTime, Utc};
use salesops_domain::money::Money;
use salesops_domain::target::{Metric, MonthlyAmounts, SubjectType};
use salesops_persistence::targets::TargetRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// Whom a target is for, as a request names it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "type": "department", "id": "0190f0c2-6a00-7000-8000-0000000000d1" }))]
pub struct SubjectRef {
    /// `company`, `department` or `user`.
    #[serde(rename = "type")]
    pub subject_type: SubjectType,
    /// The active department or user; must be left out for the company.
    #[serde(default)]
    pub id: Option<String>,
}

/// Whom a target is for, with their name.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "type": "department", "id": "0190f0c2-6a00-7000-8000-0000000000d1", "name": "华东大区" }))]
pub struct Subject {
    /// `company`, `department` or `user`.
    #[serde(rename = "type")]
    pub subject_type: SubjectType,
    /// The department or user; `null` for the company.
    pub id: Option<String>,
    /// The department's or user's name; `null` for the company.
    pub name: Option<String>,
}

/// A sales target (业绩目标): twelve monthly amounts for one subject, year and metric.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000e01",
    "subject": { "type": "department", "id": "0190f0c2-6a00-7000-8000-0000000000d1", "name": "华东大区" },
    "year": 2027, "metric": "booking", "currency": "CNY",
    "months": [
        { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
        { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
        { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
        { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
        { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
        { "amount": 1_000_000, "currency": "CNY" }, { "amount": 2_000_000, "currency": "CNY" }
    ],
    "quarters": [
        { "amount": 3_000_000, "currency": "CNY" }, { "amount": 3_000_000, "currency": "CNY" },
        { "amount": 3_000_000, "currency": "CNY" }, { "amount": 4_000_000, "currency": "CNY" }
    ],
    "total": { "amount": 13_000_000, "currency": "CNY" },
    "version": 1, "created_at": "2026-12-07T08:00:00Z", "updated_at": "2026-12-07T08:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a0"
}))]
pub struct Target {
    /// UUIDv7.
    pub id: String,
    /// Whom it is for.
    pub subject: Subject,
    /// The calendar year.
    pub year: i32,
    /// `booking` (orders by booking date) or `collection` (confirmed payments by confirmation day).
    pub metric: Metric,
    /// The currency of every amount.
    #[schema(example = "CNY")]
    pub currency: String,
    /// Twelve monthly amounts, January first.
    pub months: Vec<Money>,
    /// The four quarters, Q1 first: each the sum of its months.
    pub quarters: Vec<Money>,
    /// The year: the sum of the months.
    pub total: Money,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who set it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Target);

impl Target {
    /// The target stored as `row` with its `months`, its subject named `name`.
    pub fn new(row: TargetRow, months: &MonthlyAmounts, name: Option<String>) -> Target {
        let money = |amount: i64| Money::new(amount, row.currency.clone());
        Target {
            subject: Subject { subject_type: row.subject_type, id: row.subject_id.clone(), name },
            months: months.0.iter().map(|a| money(*a)).collect(),
            quarters: months.quarters().iter().map(|a| money(*a)).collect(),
            total: money(months.total()),
            id: row.id,
            year: row.year,
            metric: row.metric,
            currency: row.currency,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            created_by: row.created_by,
        }
    }
}

/// A new target.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subject": { "type": "user", "id": "0190f0c2-6a00-7000-8000-0000000000a1" },
    "year": 2027, "metric": "booking",
    "months": [
        { "amount": 500_000, "currency": "CNY" }, { "amount": 500_000, "currency": "CNY" },
        { "amount": 500_000, "currency": "CNY" }, { "amount": 500_000, "currency": "CNY" },
        { "amount": 500_000, "currency": "CNY" }, { "amount": 500_000, "currency": "CNY" },
        { "amount": 500_000, "currency": "CNY" }, { "amount": 500_000, "currency": "CNY" },
        { "amount": 500_000, "currency": "CNY" }, { "amount": 500_000, "currency": "CNY" },
        { "amount": 500_000, "currency": "CNY" }, { "amount": 800_000, "currency": "CNY" }
    ]
}))]
pub struct CreateTarget {
    /// Whom it is for: the company (no id), or an active department or user.
    pub subject: SubjectRef,
    /// The calendar year, 2000–2999.
    #[validate(range(min = 2000, max = 2999))]
    pub year: i32,
    /// `booking` or `collection`.
    pub metric: Metric,
    /// Exactly twelve monthly amounts, January first, each at least 0, all in one currency.
    pub months: Vec<Money>,
}

/// New monthly amounts for a target (JSON Merge Patch; the subject, year and metric are fixed).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "months": [
        { "amount": 600_000, "currency": "CNY" }, { "amount": 600_000, "currency": "CNY" },
        { "amount": 600_000, "currency": "CNY" }, { "amount": 600_000, "currency": "CNY" },
        { "amount": 600_000, "currency": "CNY" }, { "amount": 600_000, "currency": "CNY" },
        { "amount": 600_000, "currency": "CNY" }, { "amount": 600_000, "currency": "CNY" },
        { "amount": 600_000, "currency": "CNY" }, { "amount": 600_000, "currency": "CNY" },
        { "amount": 600_000, "currency": "CNY" }, { "amount": 900_000, "currency": "CNY" }
    ]
}))]
pub struct TargetPatch {
    /// Exactly twelve monthly amounts, January first, each at least 0, all in one currency
    /// (which becomes the target's).
    pub months: Vec<Money>,
}

/// One month (or the year) of a target's breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "month": 2, "target": { "amount": 1_000_000, "currency": "CNY" },
    "children": { "amount": 1_200_000, "currency": "CNY" }, "unallocated": { "amount": -200_000, "currency": "CNY" } }))]
pub struct BreakdownMonth {
    /// The month, 1–12; `null` for the year.
    pub month: Option<u32>,
    /// The target's amount.
    pub target: Money,
    /// The sum of the direct children's targets.
    pub children: Money,
    /// `target − children`: negative when the children were given more than the target.
    pub unallocated: Money,
}

/// How a target is allocated to its direct children, month by month.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "target": {
        "id": "0190f0c2-7000-7000-8000-000000000e01",
        "subject": { "type": "company", "id": null, "name": null },
        "year": 2027, "metric": "booking", "currency": "CNY",
        "months": [
            { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
            { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
            { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
            { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
            { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" },
            { "amount": 1_000_000, "currency": "CNY" }, { "amount": 1_000_000, "currency": "CNY" }
        ],
        "quarters": [
            { "amount": 3_000_000, "currency": "CNY" }, { "amount": 3_000_000, "currency": "CNY" },
            { "amount": 3_000_000, "currency": "CNY" }, { "amount": 3_000_000, "currency": "CNY" }
        ],
        "total": { "amount": 12_000_000, "currency": "CNY" },
        "version": 1, "created_at": "2026-12-07T08:00:00Z", "updated_at": "2026-12-07T08:00:00Z",
        "created_by": "0190f0c2-6a00-7000-8000-0000000000a0"
    },
    "months": [
        { "month": 1, "target": { "amount": 1_000_000, "currency": "CNY" },
          "children": { "amount": 1_200_000, "currency": "CNY" }, "unallocated": { "amount": -200_000, "currency": "CNY" } }
    ],
    "year": { "month": null, "target": { "amount": 12_000_000, "currency": "CNY" },
              "children": { "amount": 14_400_000, "currency": "CNY" }, "unallocated": { "amount": -2_400_000, "currency": "CNY" } },
    "children_counted": 2, "children_excluded": 0
}))]
pub struct TargetBreakdown {
    /// The target broken down.
    pub target: Target,
    /// Every month, January first.
    pub months: Vec<BreakdownMonth>,
    /// The year's sums.
    pub year: BreakdownMonth,
    /// How many direct children's targets (same year and metric, same currency) were summed.
    pub children_counted: i64,
    /// How many direct children's targets were left out because they are in another currency.
    pub children_excluded: i64,
}
