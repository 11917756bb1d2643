//! The commission plan's JSON shapes: the plan with its rule versions, its create body,
//! its merge patch, a new version, and assignments.

use crate::app::{AppError, FieldError};
use crate::extract::{double_option, trimmed};
use crate::time::to_utc;
use crate::validation::not_blank;
use chrono::{DateTime, NaiveDate, Utc};
use salesops_domain::commission::{check_tiers, Tier, TierMode};
use salesops_domain::money::Money;
use salesops_domain::target::{Metric, PeriodKind, PlanPeriod};
use salesops_persistence::commission_plans::{AssignmentRow, PlanRow, StoredVersion};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// One band of attainment and what it pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from_bps": 0, "to_bps": 8000, "rate_bps": 300}))]
pub struct TierBody {
    /// Where the band starts, basis points of the target: 0 for the first tier, then
    /// where the tier before it ends.
    pub from_bps: i32,
    /// Where it ends (exclusive); `null` only on the last tier, which is then open-ended
    /// (a closed last tier also pays beyond its end).
    pub to_bps: Option<i32>,
    /// What it pays, 0–10000 basis points of the credited amount.
    pub rate_bps: i32,
}

impl From<TierBody> for Tier {
    fn from(t: TierBody) -> Tier {
        Tier { from_bps: t.from_bps, to_bps: t.to_bps, rate_bps: t.rate_bps }
    }
}

impl From<&Tier> for TierBody {
    fn from(t: &Tier) -> TierBody {
        TierBody { from_bps: t.from_bps, to_bps: t.to_bps, rate_bps: t.rate_bps }
    }
}

/// A plan's paying rules as submitted: the tiers, how they pay, and the cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesInput {
    /// Marginal or flat.
    pub tier_mode: TierMode,
    /// The tiers, checked.
    pub tiers: Vec<Tier>,
    /// The cap in minor units of the plan's currency.
    pub cap: Option<i64>,
}

/// Check `tiers` (each problem on `tiers[i]`, or on `tiers` when there is none) and `cap`
/// (at least 0, in `currency`): the rules, or every field error found.
pub fn check_rules(
    (tier_mode, tiers): (TierMode, &[TierBody]),
    cap: Option<&Money>,
    currency: &str,
) -> Result<RulesInput, Vec<FieldError>> {
    let tiers: Vec<Tier> = tiers.iter().copied().map(Tier::from).collect();
    let mut errors: Vec<FieldError> = check_tiers(&tiers)
        .err()
        .into_iter()
        .flatten()
        .map(|p| {
            let field = p.index().map_or("tiers".to_owned(), |i| format!("tiers[{i}]"));
            FieldError::new(field, "tiers", p.to_string())
        })
        .collect();
    if let Some(cap) = cap {
        match cap.validate(false) {
            Err(e) => errors.push(crate::money::field_error("cap", &e)),
            Ok(()) => errors.extend(crate::money::require_currency(cap, "cap", currency, "the plan's").err()),
        }
    }
    if errors.is_empty() {
        Ok(RulesInput { tier_mode, tiers, cap: cap.map(|c| c.amount) })
    } else {
        Err(errors)
    }
}

/// 422 `period_start` on `field` unless `day` is the first day of a period of length `kind`.
pub fn check_period_start(field: &str, day: NaiveDate, kind: PeriodKind) -> Result<(), FieldError> {
    if PlanPeriod::containing(day, kind).start() == day {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "period_start",
            format!("must be the first day of a {kind}, as a plan's rules pay whole periods"),
        ))
    }
}

/// One version of a plan's rules.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000e11", "effective_from": "2027-01-01", "tier_mode": "marginal",
    "tiers": [{"from_bps": 0, "to_bps": 8000, "rate_bps": 300}, {"from_bps": 8000, "to_bps": 10000, "rate_bps": 500},
              {"from_bps": 10000, "to_bps": null, "rate_bps": 800}],
    "cap": {"amount": 5_000_000, "currency": "CNY"}, "frozen": true
}))]
pub struct PlanVersion {
    /// UUIDv7.
    pub id: String,
    /// The first day it pays; it pays until the next version's `effective_from`.
    pub effective_from: NaiveDate,
    /// `marginal`: each band at its own rate; `flat`: every credit at the rate of the tier reached.
    pub tier_mode: TierMode,
    /// The tiers, contiguous from 0.
    pub tiers: Vec<TierBody>,
    /// The most one user earns in one period.
    pub cap: Option<Money>,
    /// Whether a run has used it: its rules then never change.
    pub frozen: bool,
}

impl PlanVersion {
    fn from_stored(v: &StoredVersion, currency: &str) -> PlanVersion {
        PlanVersion {
            id: v.row.id.clone(),
            effective_from: v.row.effective_from,
            tier_mode: v.row.tier_mode,
            tiers: v.tiers.iter().map(TierBody::from).collect(),
            cap: v.row.cap.map(|c| Money::new(c, currency)),
            frozen: v.row.frozen_at.is_some(),
        }
    }
}

/// A commission plan (提成方案): what it pays on, over what periods, by which tiers.
///
/// Its rules come in versions, each from a period's first day; the top-level `tier_mode`,
/// `tiers` and `cap` are the latest version's. Attainment inside a period is the user's
/// credits to date ÷ their target for the period, on the plan's basis.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000e01", "name": "Direct sales 2027", "basis": "booking",
    "period": "quarter", "currency": "CNY", "tier_mode": "marginal",
    "tiers": [{"from_bps": 0, "to_bps": 8000, "rate_bps": 300}, {"from_bps": 8000, "to_bps": 10000, "rate_bps": 500},
              {"from_bps": 10000, "to_bps": null, "rate_bps": 800}],
    "cap": {"amount": 5_000_000, "currency": "CNY"}, "effective_from": "2027-01-01", "effective_to": null,
    "frozen": false,
    "versions": [{"id": "0190f0c2-7000-7000-8000-000000000e11", "effective_from": "2027-01-01", "tier_mode": "marginal",
                  "tiers": [{"from_bps": 0, "to_bps": 8000, "rate_bps": 300}, {"from_bps": 8000, "to_bps": 10000, "rate_bps": 500},
                            {"from_bps": 10000, "to_bps": null, "rate_bps": 800}],
                  "cap": {"amount": 5_000_000, "currency": "CNY"}, "frozen": false}],
    "version": 1, "created_at": "2026-12-07T08:00:00Z", "updated_at": "2026-12-07T08:00:00Z",
    "created_by": "0190f0c2-6a00-7000-8000-0000000000a0"
}))]
pub struct Plan {
    /// UUIDv7.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `booking`: active orders by booking date, at their total; `collection`: confirmed
    /// payments by confirmation day, net of refunds.
    pub basis: Metric,
    /// The length of its periods: `month`, `quarter` or `year`.
    pub period: PeriodKind,
    /// The currency of its cap, targets and credits; other currencies are not credited.
    pub currency: String,
    /// The latest version's tier mode.
    pub tier_mode: TierMode,
    /// The latest version's tiers.
    pub tiers: Vec<TierBody>,
    /// The latest version's cap per user and period.
    pub cap: Option<Money>,
    /// The first version's first day.
    pub effective_from: NaiveDate,
    /// The last day it pays, if it ends.
    pub effective_to: Option<NaiveDate>,
    /// Whether the latest version is frozen (a run used it); change it with a new version.
    pub frozen: bool,
    /// Every version, oldest first.
    pub versions: Vec<PlanVersion>,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: Option<String>,
}

crate::etag::versioned!(Plan);

impl Plan {
    /// The plan `row` with its `versions` (oldest first, at least one).
    pub fn new(row: PlanRow, versions: &[StoredVersion]) -> Result<Plan, AppError> {
        let (Some(first), Some(latest)) = (versions.first(), versions.last()) else {
            return Err(AppError::Internal(format!("commission plan {} has no version", row.id)));
        };
        let latest = PlanVersion::from_stored(latest, &row.currency);
        Ok(Plan {
            tier_mode: latest.tier_mode,
            tiers: latest.tiers.clone(),
            cap: latest.cap.clone(),
            frozen: latest.frozen,
            effective_from: first.row.effective_from,
            versions: versions.iter().map(|v| PlanVersion::from_stored(v, &row.currency)).collect(),
            id: row.id,
            name: row.name,
            basis: row.basis,
            period: row.period,
            currency: row.currency,
            effective_to: row.effective_to,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            created_by: row.created_by,
        })
    }
}

/// A new commission plan, with its first version of rules.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Direct sales 2027", "basis": "booking", "period": "quarter", "tier_mode": "marginal",
    "tiers": [{"from_bps": 0, "to_bps": 8000, "rate_bps": 300}, {"from_bps": 8000, "to_bps": 10000, "rate_bps": 500},
              {"from_bps": 10000, "to_bps": null, "rate_bps": 800}],
    "cap": {"amount": 5_000_000, "currency": "CNY"}, "effective_from": "2027-01-01"
}))]
pub struct CreatePlan {
    /// Display name, 1–200 characters.
    #[validate(custom(function = "not_blank"), length(max = 200))]
    #[serde(deserialize_with = "trimmed")]
    pub name: String,
    /// What credits it: `booking` or `collection`.
    pub basis: Metric,
    /// Its period length: `month`, `quarter` or `year`.
    pub period: PeriodKind,
    /// The ISO 4217 currency of its cap, targets and credits; the base currency when left out.
    #[serde(default)]
    pub currency: Option<String>,
    /// `marginal` or `flat`.
    pub tier_mode: TierMode,
    /// 1–20 tiers, contiguous from 0; only the last may be open-ended (422 naming the tier).
    #[validate(length(min = 1, max = 20))]
    pub tiers: Vec<TierBody>,
    /// The most one user earns in one period, in the plan's currency.
    #[serde(default)]
    pub cap: Option<Money>,
    /// The first day it pays: the first day of one of its periods.
    pub effective_from: NaiveDate,
    /// The last day it pays, if it ends; not before `effective_from`.
    #[serde(default)]
    pub effective_to: Option<NaiveDate>,
}

/// A JSON Merge Patch (RFC 7396) of a plan. Rules (`tier_mode`, `tiers`, `cap`) change
/// the latest version, and only while no run has used it (409 otherwise: add a version).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Direct sales 2027 (revised)", "effective_to": "2027-12-31"}))]
pub struct PlanPatch {
    /// Display name, 1–200 characters; cannot be cleared.
    #[validate(custom(function = "not_blank"), length(max = 200))]
    #[serde(default, deserialize_with = "crate::extract::trimmed_opt")]
    pub name: Option<String>,
    /// The last day it pays; `null` for no end.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_to: Option<Option<NaiveDate>>,
    /// The latest version's tier mode.
    #[serde(default)]
    pub tier_mode: Option<TierMode>,
    /// The latest version's tiers, 1–20.
    #[serde(default)]
    #[validate(length(min = 1, max = 20))]
    pub tiers: Option<Vec<TierBody>>,
    /// The latest version's cap; `null` for none.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Money>)]
    pub cap: Option<Option<Money>>,
}

impl PlanPatch {
    /// Whether it changes the rules.
    pub fn touches_rules(&self) -> bool {
        self.tier_mode.is_some() || self.tiers.is_some() || self.cap.is_some()
    }
}

/// A new version of a plan's rules, from the first day of a later period.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "effective_from": "2027-07-01", "tier_mode": "marginal",
    "tiers": [{"from_bps": 0, "to_bps": 10000, "rate_bps": 400}, {"from_bps": 10000, "to_bps": null, "rate_bps": 900}],
    "cap": null
}))]
pub struct CreatePlanVersion {
    /// The first day it pays: a period's first day after the latest version's.
    pub effective_from: NaiveDate,
    /// `marginal` or `flat`.
    pub tier_mode: TierMode,
    /// 1–20 tiers, contiguous from 0; only the last may be open-ended.
    #[validate(length(min = 1, max = 20))]
    pub tiers: Vec<TierBody>,
    /// The most one user earns in one period.
    #[serde(default)]
    pub cap: Option<Money>,
}

/// A user on a plan for a range of days.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000e21", "plan_id": "0190f0c2-7000-7000-8000-000000000e01",
    "user_id": "0190f0c2-6a00-7000-8000-0000000000b1", "from": "2027-01-01", "to": null,
    "created_at": "2026-12-07T08:00:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000a0"
}))]
pub struct Assignment {
    /// UUIDv7.
    pub id: String,
    /// The plan.
    pub plan_id: String,
    /// The user.
    pub user_id: String,
    /// The first day.
    pub from: NaiveDate,
    /// The last day, if it ends.
    pub to: Option<NaiveDate>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Who made it.
    pub created_by: Option<String>,
}

impl From<AssignmentRow> for Assignment {
    fn from(r: AssignmentRow) -> Self {
        Assignment {
            id: r.id,
            plan_id: r.plan_id,
            user_id: r.user_id,
            from: r.valid_from,
            to: r.valid_to,
            created_at: to_utc(r.created_at),
            created_by: r.created_by,
        }
    }
}

/// Put a user on the plan from a day, until a day or for good.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": "0190f0c2-6a00-7000-8000-0000000000b1", "from": "2027-01-01"}))]
pub struct CreateAssignment {
    /// An active user.
    pub user_id: String,
    /// The first day.
    pub from: NaiveDate,
    /// The last day; not before `from`. Left out: no end.
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

/// End an assignment, or take its end away.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "2027-06-30"}))]
pub struct AssignmentPatch {
    /// The last day; not before its first. `null`: no end.
    #[serde(deserialize_with = "crate::extract::required_nullable")]
    #[schema(required = true)]
    pub to: Option<NaiveDate>,
}
