//! Clawbacks: what a run takes back from its users' paid periods, when an order those
//! periods were paid on has been cancelled, or a payment refunded, since.
//!
//! A paid statement is never changed. Its lines record what it counted: each source and
//! the user's credited part of it. Against that record the corrections are found from
//! amounts, not clocks:
//! - an order it counted that is now cancelled is one correction, its part falling to 0;
//! - for a payment, the refunds it already reflected are the first `k` (oldest first) that
//!   bring the payment to the part it counted; each refund after those is one correction.
//!
//! The corrections apply one at a time in the order they were made, and each takes back
//! what the period earned before it less what it earns after (`domain::commission::clawbacks`).
//! One a run of the plan already carries is not carried again; the new ones together take
//! back exactly what was paid for the period (its own lines and the clawbacks carried so
//! far) less what it earns with every correction applied.

use super::engine::{earn_error, group_splits, split_amount, Line, PlanRules};
use crate::app::{AppError, AppResult};
use crate::time::{business_day, to_utc};
use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use salesops_domain::commission::{clawbacks, Credit, LineReason};
use salesops_domain::commission_run::SourceType;
use salesops_domain::order::OrderStatus;
use salesops_persistence::commission_runs::{self, LineRow, RunRow, StatementRow};
use salesops_persistence::credits::{self, RefundNow};
use salesops_persistence::{commission_plans, DbConnection};
use std::collections::{HashMap, HashSet};

/// A source a paid statement counted, and the user's part of it as counted.
#[derive(Debug, Clone)]
struct Counted {
    source_type: SourceType,
    source_id: String,
    number: String,
    part: i64,
    split_bps: i32,
}

/// One correction of a counted source, made after the statement counted it.
#[derive(Debug, Clone)]
struct Correction {
    /// When it was made; corrections apply in this order (then by id).
    at: NaiveDateTime,
    /// The cancelled order, or the refund.
    source_type: SourceType,
    id: String,
    /// The day the line is dated: the cancellation's business day, or the refund's.
    date: NaiveDate,
    /// Which counted source it corrects, and the user's part of it afterwards.
    index: usize,
    part_after: i64,
}

/// A paid statement with what it counted.
struct PaidPeriod {
    statement: StatementRow,
    run: RunRow,
    counted: Vec<Counted>,
    /// Σ its credit lines' earnings: what the period itself paid.
    paid: i64,
}

/// The paid statements of `plan_id` in periods before `before` that counted a source since
/// cancelled or refunded, each with the sources it counted, in the order it counted them.
fn paid_periods(conn: &mut DbConnection, plan_id: &str, before: NaiveDate) -> AppResult<Vec<PaidPeriod>> {
    let paid = commission_runs::corrected_settled_statements(conn, plan_id, before)?;
    let ids: Vec<String> = paid.iter().map(|(s, _)| s.id.clone()).collect();
    let mut lines: HashMap<String, Vec<LineRow>> = HashMap::new();
    for line in commission_runs::lines_of(conn, &ids)? {
        lines.entry(line.statement_id.clone()).or_default().push(line);
    }
    Ok(paid
        .into_iter()
        .map(|(statement, run)| {
            let mut counted: Vec<Counted> = Vec::new();
            let mut paid = 0;
            for line in lines.remove(&statement.id).unwrap_or_default() {
                if line.corrects_statement_id.is_some() {
                    continue;
                }
                paid += line.earning;
                match counted.last_mut() {
                    Some(last) if last.source_id == line.source_id => last.part += line.credited_amount,
                    _ => counted.push(Counted {
                        source_type: line.source_type,
                        source_id: line.source_id,
                        number: line.source_number,
                        part: line.credited_amount,
                        split_bps: line.split_bps,
                    }),
                }
            }
            PaidPeriod { statement, run, counted, paid }
        })
        .collect())
}

/// What the sources of the paid periods look like now: orders, payments, their refunds and splits.
struct Facts {
    /// Order id → (status, cancelled at).
    orders: HashMap<String, (OrderStatus, Option<NaiveDateTime>)>,
    /// Payment id → (order id, gross amount).
    payments: HashMap<String, (String, i64)>,
    /// Payment id → its refunds, oldest first.
    refunds: HashMap<String, Vec<RefundNow>>,
    /// Order id → its credit shares.
    splits: HashMap<String, Vec<(String, i32)>>,
}

fn facts(conn: &mut DbConnection, periods: &[PaidPeriod]) -> AppResult<Facts> {
    let ids = |kind: SourceType| -> Vec<String> {
        let set: HashSet<&String> =
            periods.iter().flat_map(|p| &p.counted).filter(|c| c.source_type == kind).map(|c| &c.source_id).collect();
        set.into_iter().cloned().collect()
    };
    let (order_ids, payment_ids) = (ids(SourceType::Order), ids(SourceType::Payment));
    let orders =
        credits::orders_now(conn, &order_ids)?.into_iter().map(|o| (o.id, (o.status, o.cancelled_at))).collect();
    let payments: HashMap<String, (String, i64)> = credits::payments_gross(conn, &payment_ids)?
        .into_iter()
        .map(|(id, order, gross)| (id, (order, gross)))
        .collect();
    let mut refunds: HashMap<String, Vec<RefundNow>> = HashMap::new();
    for refund in credits::refunds_of(conn, &payment_ids)? {
        refunds.entry(refund.payment_id.clone()).or_default().push(refund);
    }
    let split_orders: Vec<String> =
        order_ids.iter().cloned().chain(payments.values().map(|(o, _)| o.clone())).collect();
    let splits = group_splits(credits::splits_of_orders(conn, &split_orders)?);
    Ok(Facts { orders, payments, refunds, splits })
}

impl Facts {
    /// `user`'s part of `full` credited by order `order_id`: all of it, or their split.
    fn part(&self, order_id: &str, user: &str, full: i64) -> AppResult<i64> {
        match self.splits.get(order_id) {
            Some(shares) => Ok(split_amount(full, shares)?.into_iter().find(|(u, _)| u == user).map_or(0, |(_, a)| a)),
            None => Ok(full),
        }
    }

    /// The corrections of `period`'s counted sources, in the order they were made.
    fn corrections(&self, period: &PaidPeriod, zone: Tz) -> AppResult<Vec<Correction>> {
        let user = period.statement.user_id.as_str();
        let mut found = Vec::new();
        for (index, counted) in period.counted.iter().enumerate() {
            match counted.source_type {
                SourceType::Order => {
                    let Some((status, Some(at))) = self.orders.get(&counted.source_id) else { continue };
                    if *status == OrderStatus::Cancelled {
                        found.push(Correction {
                            at: *at,
                            source_type: SourceType::Order,
                            id: counted.source_id.clone(),
                            date: business_day(to_utc(*at), zone),
                            index,
                            part_after: 0,
                        });
                    }
                }
                _ => {
                    let Some((order_id, gross)) = self.payments.get(&counted.source_id) else { continue };
                    let refunds = self.refunds.get(&counted.source_id).map(Vec::as_slice).unwrap_or_default();
                    // The net amount after each prefix of the refunds, and which prefix was counted.
                    let mut nets = vec![*gross];
                    for refund in refunds {
                        nets.push(nets[nets.len() - 1] - refund.amount);
                    }
                    let mut reflected = refunds.len();
                    for (k, net) in nets.iter().enumerate().rev() {
                        if self.part(order_id, user, *net)? == counted.part {
                            reflected = k;
                            break;
                        }
                    }
                    for (k, refund) in refunds.iter().enumerate().skip(reflected) {
                        found.push(Correction {
                            at: refund.created_at,
                            source_type: SourceType::Refund,
                            id: refund.id.clone(),
                            date: refund.refunded_on,
                            index,
                            part_after: self.part(order_id, user, nets[k + 1])?,
                        });
                    }
                }
            }
        }
        found.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        Ok(found)
    }
}

/// The clawback lines, per user (whether or not still on the plan), that a run of
/// `plan_id` for a period starting on `start` carries (see the module docs); cancellations
/// are dated on their business day in `zone`.
pub fn lines(
    conn: &mut DbConnection,
    (plan_id, run_id): (&str, &str),
    (start, zone): (NaiveDate, Tz),
) -> AppResult<HashMap<String, Vec<Line>>> {
    let periods = paid_periods(conn, plan_id, start)?;
    if periods.is_empty() {
        return Ok(HashMap::new());
    }
    let statement_ids: Vec<String> = periods.iter().map(|p| p.statement.id.clone()).collect();
    let mut carried: HashMap<(String, String), i64> = HashMap::new();
    for (statement, source, earning) in commission_runs::corrections_carried(conn, &statement_ids, run_id)? {
        *carried.entry((statement, source)).or_default() += earning;
    }
    let facts = facts(conn, &periods)?;
    // Every paid period is the plan's: its versions' rules, read once.
    let rules: HashMap<String, PlanRules> = commission_plans::versions_of(conn, &[plan_id.to_owned()])?
        .iter()
        .map(|v| (v.row.id.clone(), PlanRules::from(v)))
        .collect();
    let mut out: HashMap<String, Vec<Line>> = HashMap::new();
    for period in &periods {
        let corrections = facts.corrections(period, zone)?;
        if corrections.is_empty() {
            continue;
        }
        let version_id = &period.run.plan_version_id;
        let rules =
            rules.get(version_id).ok_or_else(|| AppError::Internal(format!("plan version {version_id} is gone")))?;
        // The period's credits after each correction in turn.
        let mut parts: Vec<i64> = period.counted.iter().map(|c| c.part).collect();
        let mut states = Vec::with_capacity(corrections.len());
        let mut changes = Vec::with_capacity(corrections.len());
        for correction in &corrections {
            changes.push(correction.part_after - parts[correction.index]);
            parts[correction.index] = correction.part_after;
            states.push(parts.iter().enumerate().map(|(source, amount)| Credit { source, amount: *amount }).collect());
        }
        let steps = clawbacks(rules.as_rules(), period.statement.target, period.paid, &states).map_err(earn_error)?;
        let statement_id = &period.statement.id;
        let carried_earning: i64 =
            corrections.iter().filter_map(|c| carried.get(&(statement_id.clone(), c.id.clone()))).sum();
        // Still owed back: what was paid for the period (its lines, plus the clawbacks already
        // carried, which earn below 0) less what it earns fully corrected (paid − Σ steps).
        let mut due = carried_earning + steps.iter().sum::<i64>();
        let fresh: Vec<usize> = (0..corrections.len())
            .filter(|i| !carried.contains_key(&(statement_id.clone(), corrections[*i].id.clone())))
            .collect();
        let user_lines = out.entry(period.statement.user_id.clone()).or_default();
        for (n, i) in fresh.iter().enumerate() {
            // The last new correction takes what remains, so the new lines add up exactly.
            let amount = if n + 1 == fresh.len() { due } else { steps[*i] };
            due -= amount;
            if amount == 0 {
                continue;
            }
            let (correction, counted) = (&corrections[*i], &period.counted[corrections[*i].index]);
            user_lines.push(Line {
                source_type: correction.source_type,
                source_id: correction.id.clone(),
                source_number: counted.number.clone(),
                credit_date: correction.date,
                credited_amount: changes[*i],
                split_bps: counted.split_bps,
                tier: None,
                rate_bps: None,
                earning: -amount,
                reason: Some(LineReason::Clawback),
                corrects_statement_id: Some(statement_id.clone()),
            });
        }
    }
    out.retain(|_, lines| !lines.is_empty());
    Ok(out)
}
