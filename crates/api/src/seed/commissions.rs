//! The targets and commissions part of the demo data: booking and collection targets
//! for the company, each region and each rep, this year and last; a quarterly booking
//! plan with three tiers and a cap, every rep on it; one order's credit split 70/30; last
//! quarter's run approved and paid, and this quarter's as a draft.
//!
//! Like the rest of the demo it runs the real use cases, so the statements, their lines
//! and the audit events are what the API would have written.

use super::money::{actor, demo_user};
use crate::app::precondition::IfMatch;
use crate::app::AppResult;
use crate::commission_plans::dto::{CreateAssignment, CreatePlan, TierBody};
use crate::commission_runs::dto::CreateRun;
use crate::credit_splits::dto::{CreditSplits, Share};
use crate::targets::dto::{CreateTarget, SubjectRef};
use crate::{commission_plans, commission_runs, credit_splits, targets};
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use salesops_domain::commission::TierMode;
use salesops_domain::commission_run::RunCommand;
use salesops_domain::money::Money;
use salesops_domain::order::OrderStatus;
use salesops_domain::target::{Metric, PeriodKind, PlanPeriod, SubjectType};
use salesops_persistence::orders::{self, OrderFilter};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{users, DbConnection};

/// The demo plan's name: present means this part is loaded.
pub const MARKER_PLAN: &str = "演示提成方案 Demo direct sales";

/// A rep's monthly booking target, fen (¥40,000.00); collection is three quarters of it.
const REP_MONTHLY: i64 = 4_000_000;

/// Set a target of `monthly` fen in every month of `year`.
fn target(
    conn: &mut DbConnection,
    by: &crate::app::Actor,
    (subject_type, id): (SubjectType, Option<&str>),
    (year, metric): (i32, Metric),
    monthly: i64,
) -> AppResult<()> {
    let input = CreateTarget {
        subject: SubjectRef { subject_type, id: id.map(str::to_owned) },
        year,
        metric,
        months: (0..12).map(|_| Money::new(monthly, "CNY")).collect(),
    };
    targets::service::create(conn, by, input).map(|_| ())
}

/// Load the targets and commissions demo for the reps `reps`; returns a one-line summary.
pub fn load(conn: &mut DbConnection, reps: &[String], (today, zone): (NaiveDate, Tz)) -> AppResult<String> {
    // The loader is the system: it sets company policy as an admin would, in the east
    // manager's name (the demo has no admin user of its own).
    let admin = {
        let mut a = actor(&demo_user(conn, "manager.east@demo.salesops")?);
        a.role = salesops_domain::org::Role::Admin;
        a
    };
    let finance = actor(&demo_user(conn, "finance@demo.salesops")?);
    let this_quarter = PlanPeriod::containing(today, PeriodKind::Quarter);
    let last_quarter = this_quarter.previous();

    let mut regions: Vec<String> = Vec::new();
    for rep in reps {
        if let Some(dept) = users::find(conn, rep)?.and_then(|u| u.department_id) {
            if !regions.contains(&dept) {
                regions.push(dept);
            }
        }
    }
    let mut set = 0;
    for year in [today.year() - 1, today.year()] {
        for (metric, monthly) in [(Metric::Booking, REP_MONTHLY), (Metric::Collection, REP_MONTHLY * 3 / 4)] {
            let per_region = i64::try_from(reps.len() / regions.len().max(1)).unwrap_or(1) * monthly;
            let company = per_region * i64::try_from(regions.len()).unwrap_or(1) * 11 / 10;
            target(conn, &admin, (SubjectType::Company, None), (year, metric), company)?;
            for region in &regions {
                target(conn, &admin, (SubjectType::Department, Some(region)), (year, metric), per_region)?;
            }
            for rep in reps {
                target(conn, &admin, (SubjectType::User, Some(rep)), (year, metric), monthly)?;
            }
            set += 1 + regions.len() + reps.len();
        }
    }

    let start =
        PlanPeriod::containing(NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today), PeriodKind::Year);
    let tier = |from_bps, to_bps, rate_bps| TierBody { from_bps, to_bps, rate_bps };
    let plan = CreatePlan {
        name: MARKER_PLAN.to_owned(),
        basis: Metric::Booking,
        period: PeriodKind::Quarter,
        currency: Some("CNY".to_owned()),
        tier_mode: TierMode::Marginal,
        tiers: vec![tier(0, Some(8000), 300), tier(8000, Some(10_000), 500), tier(10_000, None, 800)],
        cap: Some(Money::new(3_000_000, "CNY")),
        effective_from: start.start(),
        effective_to: None,
    };
    let plan = commission_plans::service::create(conn, &admin, plan, "CNY")?;
    for rep in reps {
        let input = CreateAssignment { user_id: rep.clone(), from: start.start(), to: None };
        commission_plans::service::assign(conn, &admin, &plan.id, input)?;
    }

    // One active order's credit shared with a colleague.
    let filter = OrderFilter { statuses: vec![OrderStatus::Active], ..OrderFilter::default() };
    if let Some(order) = orders::list(conn, &filter, &Visibility::All, None, 1)?.pop() {
        if let Some(colleague) = reps.iter().find(|r| **r != order.owner_id) {
            let splits = CreditSplits {
                splits: vec![
                    Share { user_id: order.owner_id.clone(), share_bps: 7000 },
                    Share { user_id: colleague.clone(), share_bps: 3000 },
                ],
            };
            credit_splits::service::put(conn, &admin, &order.id, splits)?;
        }
    }

    let run = |conn: &mut DbConnection, period: &PlanPeriod| {
        let input = CreateRun { plan_id: plan.id.clone(), period: period.to_string() };
        commission_runs::service::create(conn, &finance, input, zone)
    };
    let paid = run(conn, &last_quarter)?;
    commission_runs::service::run_command(conn, &admin, &paid.id, (RunCommand::Approve, IfMatch(None)), zone)?;
    let paid = commission_runs::service::run_command(conn, &finance, &paid.id, (RunCommand::Pay, IfMatch(None)), zone)?;
    let draft = run(conn, &this_quarter)?;
    Ok(format!(
        "{set} targets, a commission plan for {} reps, a paid run for {} ({} fen) and a draft for {} ({} fen)",
        reps.len(),
        paid.period,
        paid.total.amount,
        draft.period,
        draft.total.amount
    ))
}
