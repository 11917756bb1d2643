//! The simulation use case: a proposed plan's statements beside the current plans', for
//! one period, computed by the run engine and stored nowhere.

use super::dto::{CreateSimulation, SimulatedStatement, Simulation, UserComparison};
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::commission_plans;
use crate::commission_runs::engine::{self, Member, PlanRules, Spec};
use crate::commission_runs::service::members;
use salesops_domain::money::Money;
use salesops_persistence::commission_plans::{self as plans_store, AssignedTo};
use salesops_persistence::{users, DbConnection};
use std::collections::{BTreeMap, HashMap};
use validator::Validate;

/// The users to simulate: those named (each active and visible, else 422 `unknown` on
/// `user_ids[i]`), or everyone visible with a plan on `basis` in the period.
fn chosen_users(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &CreateSimulation,
    assigned: &[String],
) -> AppResult<Vec<String>> {
    let visibility = actor.visibility();
    let Some(named) = &input.user_ids else {
        let mut users: Vec<String> = assigned.iter().filter(|u| visibility.allows(Some(u))).cloned().collect();
        users.dedup();
        return Ok(users);
    };
    let mut errors = Vec::new();
    for (i, id) in named.iter().enumerate() {
        if !users::find(conn, id)?.is_some_and(|u| u.active && visibility.allows(Some(&u.id))) {
            errors.push(FieldError::unknown(format!("user_ids[{i}]"), "active user"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut users = named.clone();
    users.sort();
    users.dedup();
    Ok(users)
}

/// Run `input.plan` for `input.period` against the chosen users' real credits and
/// targets, beside each user's current plan on the same basis. Reads only.
pub fn simulate(
    conn: &mut DbConnection,
    actor: &Actor,
    input: CreateSimulation,
    base_currency: &str,
) -> AppResult<Simulation> {
    input.validate()?;
    let (currency, rules) =
        commission_plans::service::check_plan(&input.plan, base_currency).map_err(|e| e.nested("plan"))?;
    let period = commission_plans::service::parse_period(&input.period, input.plan.period)?;
    let basis = input.plan.basis;
    let assignments = plans_store::assigned(conn, AssignedTo::Basis(basis), (period.start(), period.end()))?;
    let assigned: Vec<String> = assignments.iter().map(|a| a.user_id.clone()).collect();
    let users = chosen_users(conn, actor, &input, &assigned)?;
    let whole: Vec<Member> =
        users.iter().map(|u| Member { user_id: u.clone(), days: vec![(period.start(), period.end())] }).collect();
    let proposed_rules = PlanRules { tiers: rules.tiers, mode: rules.tier_mode, cap: rules.cap };
    let spec = Spec { basis, currency: &currency, period, rules: &proposed_rules };
    // The credits are read once: every current plan counted is on the same basis, in the
    // same currency and period.
    let credits = engine::PeriodCredits::read(conn, basis, &currency, &period)?;
    let proposed = engine::statements_over(conn, &spec, &whole, &credits)?;

    // The current plans, each run over its own members among the chosen users.
    let mut by_plan: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for a in assignments.into_iter().filter(|a| users.binary_search(&a.user_id).is_ok()) {
        by_plan.entry(a.plan_id.clone()).or_default().push(a);
    }
    let mut current: HashMap<String, SimulatedStatement> = HashMap::new();
    for (plan_id, assigned) in by_plan {
        let plan = commission_plans::service::load(conn, &plan_id, false)?;
        // A plan no version of which pays the period pays nothing in it.
        let Some(version) = commission_plans::service::version_in_effect(conn, &plan, period.start())? else {
            continue;
        };
        if plan.currency != currency {
            continue;
        }
        let plan_rules = PlanRules::from(&version);
        let spec = Spec { basis, currency: &plan.currency, period, rules: &plan_rules };
        for statement in engine::statements_over(conn, &spec, &members(assigned, &period, plan.effective_to), &credits)?
        {
            current.insert(
                statement.user_id.clone(),
                SimulatedStatement::new(Some(plan_id.clone()), statement, &currency),
            );
        }
    }
    let money = |amount| Money::new(amount, currency.as_str());
    let users: Vec<UserComparison> = proposed
        .into_iter()
        .map(|s| {
            let current = current.remove(&s.user_id);
            let difference = s.total - current.as_ref().map_or(0, |c| c.total.amount);
            UserComparison {
                user_id: s.user_id.clone(),
                proposed: SimulatedStatement::new(None, s, &currency),
                current,
                difference: money(difference),
            }
        })
        .collect();
    let proposed_total: i64 = users.iter().map(|u| u.proposed.total.amount).sum();
    let current_total: i64 = users.iter().filter_map(|u| u.current.as_ref()).map(|c| c.total.amount).sum();
    Ok(Simulation {
        period: period.to_string(),
        basis,
        proposed_total: money(proposed_total),
        current_total: money(current_total),
        difference: money(proposed_total - current_total),
        currency: currency.clone(),
        users,
    })
}
