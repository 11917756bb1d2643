//! The commission engine: gather a period's credits, share them by their orders' credit
//! splits, and pay each user's by a plan's rules (`domain::commission::earn`); then, for a
//! run, add the clawbacks of the user's paid periods that cancellations and refunds have
//! since corrected. Runs store what it computes; simulations only show it.
//!
//! It follows DOMAIN.md's determinism rules: credits in order of credit date, then
//! document number (then payment id); splits by largest remainder; users by id. The same
//! credits, targets and rules give the same lines to the minor unit.

use crate::app::{AppError, AppResult, FieldError};
use crate::time::to_utc;
use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use salesops_domain::commission::{self, clawbacks, Credit, EarnError, LineReason, Rules, Tier, TierMode};
use salesops_domain::commission_run::SourceType;
use salesops_domain::order::OrderStatus;
use salesops_domain::target::{attainment_bps, Metric, PlanPeriod};
use salesops_persistence::commission_runs::{self, LineRow, RunRow, StatementRow};
use salesops_persistence::credits::{self, SourceCredit, SplitRow};
use salesops_persistence::{commission_plans, targets, DbConnection};
use std::collections::{BTreeMap, HashMap, HashSet};

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

impl PlanRules {
    fn as_rules(&self) -> Rules<'_> {
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

fn split_amount(amount: i64, shares: &[(String, i32)]) -> AppResult<Vec<(String, i64)>> {
    commission::split(amount, shares).map_err(|e| AppError::Internal(format!("stored credit splits: {e}")))
}

fn group_splits(rows: Vec<SplitRow>) -> HashMap<String, Vec<(String, i32)>> {
    let mut by_order: HashMap<String, Vec<(String, i32)>> = HashMap::new();
    for row in rows {
        by_order.entry(row.order_id).or_default().push((row.user_id, row.share_bps));
    }
    by_order
}

/// Each member's credits in the period, in credit order, with their amounts.
fn member_credits(
    conn: &mut DbConnection,
    spec: &Spec<'_>,
    members: &[Member],
) -> AppResult<HashMap<String, Vec<Credit<UserCredit>>>> {
    let range = (spec.period.start(), spec.period.end());
    let sources: Vec<SourceCredit> = credits::in_range(conn, spec.basis, spec.currency, range)?;
    let splits = group_splits(credits::splits_in_range(conn, spec.basis, range)?);
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
    for source in &sources {
        match splits.get(&source.order_id) {
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

fn earn_error(e: EarnError) -> AppError {
    AppError::Internal(format!("commission rules: {e}"))
}

/// The statements of `members` (sorted by user) for the period, without clawbacks; 422
/// `missing_target` when a member has no target (see [`targets_of`]).
pub fn statements(conn: &mut DbConnection, spec: &Spec<'_>, members: &[Member]) -> AppResult<Vec<Statement>> {
    let started = std::time::Instant::now();
    let targets = targets_of(conn, spec, members)?;
    let mut credited = member_credits(conn, spec, members)?;
    log::debug!(
        "{} credits of {} members read in {} ms",
        credited.values().map(Vec::len).sum::<usize>(),
        members.len(),
        started.elapsed().as_millis()
    );
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

/// A correction of a source that a paid statement counted, made after it was computed.
#[derive(Debug, Clone)]
struct Correction {
    at: NaiveDateTime,
    source_type: SourceType,
    id: String,
    number: String,
    date: NaiveDate,
    /// The corrected source (order or payment) and its full amount after the correction.
    source_id: String,
    full_after: i64,
}

/// What a paid statement counted, and the facts to correct it with.
struct PaidPeriod {
    statement: StatementRow,
    run: RunRow,
    /// (source type, source id, order id, the user's credited amount, split bps), in credit order.
    credits: Vec<(SourceType, String, String, i64, i32)>,
    /// Σ its credit lines' earnings: what the period itself paid.
    paid: i64,
}

/// Read `lines` (by statement, then position) back into each paid statement's credits.
fn paid_periods(
    conn: &mut DbConnection,
    plan_id: &str,
    users: &[String],
    before: NaiveDate,
) -> AppResult<Vec<PaidPeriod>> {
    let paid = commission_runs::paid_statements(conn, plan_id, users, before)?;
    let ids: Vec<String> = paid.iter().map(|(s, _)| s.id.clone()).collect();
    let mut lines: HashMap<String, Vec<LineRow>> = HashMap::new();
    for line in commission_runs::lines_of(conn, &ids)? {
        lines.entry(line.statement_id.clone()).or_default().push(line);
    }
    let payments: HashMap<String, String> = credits::payments_gross(
        conn,
        &lines
            .values()
            .flatten()
            .filter(|l| l.source_type == SourceType::Payment)
            .map(|l| l.source_id.clone())
            .collect::<Vec<_>>(),
    )?
    .into_iter()
    .map(|(id, order_id, _)| (id, order_id))
    .collect();
    Ok(paid
        .into_iter()
        .map(|(statement, run)| {
            let mut credits: Vec<(SourceType, String, String, i64, i32)> = Vec::new();
            let mut earned = 0;
            for line in lines.remove(&statement.id).unwrap_or_default() {
                if line.corrects_statement_id.is_some() {
                    continue;
                }
                earned += line.earning;
                match credits.last_mut() {
                    Some(last) if last.1 == line.source_id => last.3 += line.credited_amount,
                    _ => {
                        let order_id = match line.source_type {
                            SourceType::Payment => payments.get(&line.source_id).cloned().unwrap_or_default(),
                            _ => line.source_id.clone(),
                        };
                        credits.push((
                            line.source_type,
                            line.source_id,
                            order_id,
                            line.credited_amount,
                            line.split_bps,
                        ));
                    }
                }
            }
            PaidPeriod { statement, run, credits, paid: earned }
        })
        .collect())
}

/// The clawback lines, per user, that a run of `plan_id` for a period starting on `start`
/// carries: for each of the users' paid statements of the plan in earlier periods, one
/// line per cancellation or refund since it was computed that no other run carries yet.
/// Each takes back what the period earned before the correction less what it earns after
/// (`domain::commission::clawbacks`), naming the correction and the statement it corrects;
/// a cancellation is dated on its business day in `zone`, a refund on its own.
pub fn clawback_lines(
    conn: &mut DbConnection,
    (plan_id, run_id): (&str, &str),
    users: &[String],
    (start, zone): (NaiveDate, Tz),
) -> AppResult<HashMap<String, Vec<Line>>> {
    let periods = paid_periods(conn, plan_id, users, start)?;
    if periods.is_empty() {
        return Ok(HashMap::new());
    }
    let statement_ids: Vec<String> = periods.iter().map(|p| p.statement.id.clone()).collect();
    let carried: HashSet<(String, String)> = commission_runs::corrections_carried(conn, &statement_ids, run_id)?
        .into_iter()
        .map(|(statement, source, _)| (statement, source))
        .collect();
    let sources = |kind: SourceType| -> Vec<String> {
        let ids: HashSet<&String> =
            periods.iter().flat_map(|p| &p.credits).filter(|c| c.0 == kind).map(|c| &c.1).collect();
        ids.into_iter().cloned().collect()
    };
    let (order_ids, payment_ids) = (sources(SourceType::Order), sources(SourceType::Payment));
    let orders: HashMap<String, credits::OrderNow> =
        credits::orders_now(conn, &order_ids)?.into_iter().map(|o| (o.id.clone(), o)).collect();
    let gross: HashMap<String, (String, i64)> = credits::payments_gross(conn, &payment_ids)?
        .into_iter()
        .map(|(id, order, amount)| (id, (order, amount)))
        .collect();
    let refunds = credits::refunds_of(conn, &payment_ids)?;
    let payment_orders: Vec<String> = gross.values().map(|(order, _)| order.clone()).collect();
    let numbers: HashMap<String, String> = credits::orders_now(conn, &payment_orders)?
        .into_iter()
        .map(|o| (o.id, o.number))
        .chain(orders.values().map(|o| (o.id.clone(), o.number.clone())))
        .collect();
    let all_orders: Vec<String> = order_ids.iter().chain(&payment_orders).cloned().collect();
    let splits = group_splits(credits::splits_of_orders(conn, &all_orders)?);
    let mut versions = HashMap::new();
    let mut out: HashMap<String, Vec<Line>> = HashMap::new();
    for period in periods {
        let computed_at = period.run.computed_at;
        let mut corrections: Vec<Correction> = Vec::new();
        // The full amount of each source as the statement counted it.
        let mut full: BTreeMap<String, i64> = BTreeMap::new();
        for (kind, source_id, _, _, _) in &period.credits {
            match kind {
                SourceType::Order => {
                    let Some(order) = orders.get(source_id) else { continue };
                    full.insert(source_id.clone(), order.total);
                    if let (Ok(OrderStatus::Cancelled), Some(at)) = (order.status.parse(), order.cancelled_at) {
                        if at > computed_at {
                            corrections.push(Correction {
                                at,
                                source_type: SourceType::Order,
                                id: order.id.clone(),
                                number: order.number.clone(),
                                date: crate::time::business_day(to_utc(at), zone),
                                source_id: source_id.clone(),
                                full_after: 0,
                            });
                        }
                    }
                }
                _ => {
                    let Some((order_id, amount)) = gross.get(source_id) else { continue };
                    let mine = refunds.iter().filter(|r| &r.payment_id == source_id);
                    let counted: i64 = mine.clone().filter(|r| r.created_at <= computed_at).map(|r| r.amount).sum();
                    let mut left = amount - counted;
                    full.insert(source_id.clone(), left);
                    for refund in mine.filter(|r| r.created_at > computed_at) {
                        left -= refund.amount;
                        corrections.push(Correction {
                            at: refund.created_at,
                            source_type: SourceType::Refund,
                            id: refund.id.clone(),
                            number: numbers.get(order_id).cloned().unwrap_or_default(),
                            date: refund.refunded_on,
                            source_id: source_id.clone(),
                            full_after: left,
                        });
                    }
                }
            }
        }
        if corrections.is_empty() {
            continue;
        }
        corrections.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        let version_id = period.run.plan_version_id.clone();
        if !versions.contains_key(&version_id) {
            let stored = commission_plans::find_version(conn, &version_id)?
                .ok_or_else(|| AppError::Internal(format!("plan version {version_id} is gone")))?;
            let rules = PlanRules { tiers: stored.tiers, mode: stored.row.tier_mode, cap: stored.row.cap };
            versions.insert(version_id.clone(), rules);
        }
        let rules = &versions[&version_id];
        let user = period.statement.user_id.clone();
        // The user's part of a source's full amount: all of it, or their split.
        let part = |order_id: &str, full_amount: i64| -> AppResult<i64> {
            match splits.get(order_id) {
                Some(shares) => {
                    Ok(split_amount(full_amount, shares)?.into_iter().find(|(u, _)| *u == user).map_or(0, |(_, a)| a))
                }
                None => Ok(full_amount),
            }
        };
        // The statement's credits after each correction in turn; a source whose facts are
        // gone keeps what the statement counted.
        let mut current = full;
        let mut states: Vec<Vec<Credit<usize>>> = Vec::new();
        let mut changes: Vec<i64> = Vec::new();
        for correction in &corrections {
            let order_id = period.credits.iter().find(|c| c.1 == correction.source_id).map_or("", |c| c.2.as_str());
            let before = part(order_id, current[&correction.source_id])?;
            current.insert(correction.source_id.clone(), correction.full_after);
            changes.push(part(order_id, correction.full_after)? - before);
            let state = period
                .credits
                .iter()
                .enumerate()
                .map(|(i, (_, id, order, recorded, _))| {
                    let amount = current.get(id).map_or(Ok(*recorded), |full| part(order, *full))?;
                    Ok(Credit { source: i, amount })
                })
                .collect::<AppResult<Vec<_>>>()?;
            states.push(state);
        }
        let amounts = clawbacks(rules.as_rules(), period.statement.target, period.paid, &states).map_err(earn_error)?;
        for ((correction, amount), change) in corrections.iter().zip(amounts).zip(changes) {
            if amount == 0 || carried.contains(&(period.statement.id.clone(), correction.id.clone())) {
                continue;
            }
            let split_bps = period.credits.iter().find(|c| c.1 == correction.source_id).map_or(10_000, |c| c.4);
            out.entry(user.clone()).or_default().push(Line {
                source_type: correction.source_type,
                source_id: correction.id.clone(),
                source_number: correction.number.clone(),
                credit_date: correction.date,
                credited_amount: change,
                split_bps,
                tier: None,
                rate_bps: None,
                earning: -amount,
                reason: Some(LineReason::Clawback),
                corrects_statement_id: Some(period.statement.id.clone()),
            });
        }
    }
    Ok(out)
}
