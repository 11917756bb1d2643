//! The commission engine: gather a period's credits, share them by their orders' credit
//! splits, and pay each user's by a plan's rules (`domain::commission::earn`). A run adds
//! the clawbacks of its users' paid periods (see [`super::clawbacks`]) and stores what it
//! computes; a simulation only shows it.
//!
//! It follows DOMAIN.md's determinism rules: credits in order of credit date, then
//! document number (then payment id); splits by largest remainder; users by id. The same
//! credits, targets and rules give the same lines to the minor unit.

use crate::app::{AppError, AppResult, FieldError};
use chrono::NaiveDate;
use salesops_domain::commission::{self, Credit, EarnError, LineReason, Rules, Tier, TierMode};
use salesops_domain::commission_run::SourceType;
use salesops_domain::target::{attainment_bps, Metric, PlanPeriod};
use salesops_persistence::commission_plans::StoredVersion;
use salesops_persistence::credits::{self, SourceCredit, SplitRow};
use salesops_persistence::{targets, DbConnection};
use std::collections::HashMap;

/// The rules a period is paid by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRules {
    /// Checked tiers.
    pub tiers: Vec<Tier>,
    /// Marginal or flat.
    pub mode: TierMode,
    /// The most a period pays a user.
    pub cap: Option<i64>,
}

impl From<&StoredVersion> for PlanRules {
    fn from(version: &StoredVersion) -> Self {
        PlanRules { tiers: version.tiers.clone(), mode: version.row.tier_mode, cap: version.row.cap }
    }
}

impl PlanRules {
    /// The domain's view of them.
    pub(super) fn as_rules(&self) -> Rules<'_> {
        Rules { tiers: &self.tiers, mode: self.mode, cap: self.cap }
    }
}

/// What is computed, and over what.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    /// Bookings or collections.
    pub basis: Metric,
    /// The only currency credited; targets must be in it.
    pub currency: &'a str,
    /// The plan period.
    pub period: PlanPeriod,
    /// How it pays.
    pub rules: &'a PlanRules,
}

/// A user paid in the period, and the days of it they are on the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The user.
    pub user_id: String,
    /// The days of the period they are assigned, as inclusive ranges.
    pub days: Vec<(NaiveDate, NaiveDate)>,
}

impl Member {
    fn covers(&self, day: NaiveDate) -> bool {
        self.days.iter().any(|(from, to)| (*from..=*to).contains(&day))
    }
}

/// A statement line as computed (the store adds the statement and position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What the credit comes from.
    pub source_type: SourceType,
    /// The order, payment or refund.
    pub source_id: String,
    /// The order's number.
    pub source_number: String,
    /// The credit (or correction) date.
    pub credit_date: NaiveDate,
    /// The credited amount on this line.
    pub credited_amount: i64,
    /// The user's share of the source.
    pub split_bps: i32,
    /// The tier; none on a clawback.
    pub tier: Option<i32>,
    /// The tier's rate; none on a clawback.
    pub rate_bps: Option<i32>,
    /// What it earns.
    pub earning: i64,
    /// Why it earns other than amount × rate.
    pub reason: Option<LineReason>,
    /// The paid statement a clawback corrects.
    pub corrects_statement_id: Option<String>,
}

/// A user's statement as computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The user.
    pub user_id: String,
    /// Their target for the period.
    pub target: i64,
    /// Σ their credits in it.
    pub credited: i64,
    /// credited ÷ target.
    pub attainment_bps: i64,
    /// Σ the lines' earnings.
    pub total: i64,
    /// The lines in order: credits, then clawbacks.
    pub lines: Vec<Line>,
}

/// One credit of one user: the source and the user's part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserCredit {
    source_type: SourceType,
    source_id: String,
    number: String,
    date: NaiveDate,
    split_bps: i32,
}

/// Each member's target for the period; 422 `missing_target` on `period`, one error per
/// user, when a member has none in the plan's currency above zero.
fn targets_of(conn: &mut DbConnection, spec: &Spec<'_>, members: &[Member]) -> AppResult<HashMap<String, i64>> {
    let ids: Vec<String> = members.iter().map(|m| m.user_id.clone()).collect();
    let found: HashMap<String, (String, i64)> = targets::user_period_targets(conn, spec.basis, &spec.period, &ids)?
        .into_iter()
        .map(|(user, currency, amount)| (user, (currency, amount)))
        .collect();
    let mut targets = HashMap::new();
    let mut missing = Vec::new();
    for member in members {
        match found.get(&member.user_id) {
            Some((currency, amount)) if currency == spec.currency && *amount > 0 => {
                targets.insert(member.user_id.clone(), *amount);
            }
            _ => missing.push(FieldError::new(
                "period",
                "missing_target",
                format!(
                    "user {} has no {} target in {} for {} to measure attainment against",
                    member.user_id, spec.basis, spec.currency, spec.period
                ),
            )),
        }
    }
    if missing.is_empty() {
        Ok(targets)
    } else {
        Err(AppError::Validation(missing))
    }
}

pub(super) fn split_amount(amount: i64, shares: &[(String, i32)]) -> AppResult<Vec<(String, i64)>> {
    commission::split(amount, shares).map_err(|e| AppError::Internal(format!("stored credit splits: {e}")))
}

pub(super) fn group_splits(rows: Vec<SplitRow>) -> HashMap<String, Vec<(String, i32)>> {
    let mut by_order: HashMap<String, Vec<(String, i32)>> = HashMap::new();
    for row in rows {
        by_order.entry(row.order_id).or_default().push((row.user_id, row.share_bps));
    }
    by_order
}

/// A period's credits on one basis in one currency, with the credit splits of their
/// orders: read once, and shared by every plan computed over that period (a simulation
/// computes the proposed plan and each current one over the same credits).
pub struct PeriodCredits {
    /// The credits, each whole, with the order it comes from.
    sources: Vec<SourceCredit>,
    /// The credit splits of the orders that have one, by order.
    splits: HashMap<String, Vec<(String, i32)>>,
}

impl PeriodCredits {
    /// The credits on `basis` in `currency` dated within `period`.
    pub fn read(conn: &mut DbConnection, basis: Metric, currency: &str, period: &PlanPeriod) -> AppResult<Self> {
        let started = std::time::Instant::now();
        let range = (period.start(), period.end());
        let sources = credits::in_range(conn, basis, currency, range)?;
        let splits = group_splits(credits::splits_in_range(conn, basis, range)?);
        log::debug!("{} credits of {period} read in {} ms", sources.len(), started.elapsed().as_millis());
        Ok(PeriodCredits { sources, splits })
    }

    /// Each member's share of the credits dated on a day of the period they are on the
    /// plan, by user, with their amounts.
    fn shares(&self, members: &[Member]) -> AppResult<HashMap<String, Vec<Credit<UserCredit>>>> {
        let by_user: HashMap<&str, &Member> = members.iter().map(|m| (m.user_id.as_str(), m)).collect();
        let mut credited: HashMap<String, Vec<Credit<UserCredit>>> = HashMap::new();
        let mut credit = |user: String, amount: i64, split_bps: i32, source: &SourceCredit| {
            if by_user.get(user.as_str()).is_some_and(|m| m.covers(source.date)) {
                let credit = UserCredit {
                    source_type: source.source_type,
                    source_id: source.source_id.clone(),
                    number: source.number.clone(),
                    date: source.date,
                    split_bps,
                };
                credited.entry(user).or_default().push(Credit { source: credit, amount });
            }
        };
        for source in &self.sources {
            match self.splits.get(&source.order_id) {
                None => credit(source.owner_id.clone(), source.amount, 10_000, source),
                Some(shares) => {
                    for ((user, amount), (_, share)) in split_amount(source.amount, shares)?.into_iter().zip(shares) {
                        credit(user, amount, *share, source);
                    }
                }
            }
        }
        Ok(credited)
    }
}

/// Stored rules the domain refuses to earn by: checked when saved, so a 500 if it happens.
pub(super) fn earn_error(e: EarnError) -> AppError {
    AppError::Internal(format!("commission rules: {e}"))
}

/// The statements of `members` (sorted by user) for the period, without clawbacks; 422
/// `missing_target` when a member has no target (see [`targets_of`]), checked before the
/// credits are read. The period's credits are freed once shared out, before earning.
pub fn statements(conn: &mut DbConnection, spec: &Spec<'_>, members: &[Member]) -> AppResult<Vec<Statement>> {
    let targets = targets_of(conn, spec, members)?;
    let credited = PeriodCredits::read(conn, spec.basis, spec.currency, &spec.period)?.shares(members)?;
    earn_all(spec, members, &targets, credited)
}

/// [`statements`] over credits already read for `spec`'s basis, currency and period.
pub fn statements_over(
    conn: &mut DbConnection,
    spec: &Spec<'_>,
    members: &[Member],
    credits: &PeriodCredits,
) -> AppResult<Vec<Statement>> {
    let targets = targets_of(conn, spec, members)?;
    earn_all(spec, members, &targets, credits.shares(members)?)
}

/// Each member's statement from their target and credits, sorted by user.
fn earn_all(
    spec: &Spec<'_>,
    members: &[Member],
    targets: &HashMap<String, i64>,
    mut credited: HashMap<String, Vec<Credit<UserCredit>>>,
) -> AppResult<Vec<Statement>> {
    let mut members: Vec<&Member> = members.iter().collect();
    members.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    members
        .into_iter()
        .map(|member| {
            let target = targets[&member.user_id];
            let mut credits = credited.remove(&member.user_id).unwrap_or_default();
            // The determinism rules' order: credit date, then document number (then source id).
            credits.sort_by(|a, b| {
                (a.source.date, &a.source.number, &a.source.source_id).cmp(&(
                    b.source.date,
                    &b.source.number,
                    &b.source.source_id,
                ))
            });
            let sum: i64 = credits.iter().map(|c| c.amount).sum();
            let lines: Vec<Line> = commission::earn(spec.rules.as_rules(), target, &credits)
                .map_err(earn_error)?
                .into_iter()
                .map(|l| Line {
                    source_type: l.source.source_type,
                    source_id: l.source.source_id,
                    source_number: l.source.number,
                    credit_date: l.source.date,
                    credited_amount: l.amount,
                    split_bps: l.source.split_bps,
                    tier: i32::try_from(l.tier).ok(),
                    rate_bps: Some(l.rate_bps),
                    earning: l.earning,
                    reason: l.reason,
                    corrects_statement_id: None,
                })
                .collect();
            Ok(Statement {
                user_id: member.user_id.clone(),
                target,
                credited: sum,
                attainment_bps: attainment_bps(sum, target).unwrap_or(0),
                total: lines.iter().map(|l| l.earning).sum(),
                lines,
            })
        })
        .collect()
}
