//! Commission run use cases: run a plan for a period, read and list runs, recompute a
//! draft, approve, pay and delete. Each write is one transaction with its audit event.

use super::clawbacks;
use super::dto::{CreateRun, Run};
use super::engine::{self, Member, PlanRules, Spec};
use super::ENTITY;
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult, OrUnknown};
use crate::audit::{self, snapshot};
use crate::commission_plans;
use crate::pagination::{self, Page};
use chrono::NaiveDate;
use chrono_tz::Tz;
use salesops_domain::commission_run::{check_approval, next_status, ApprovalRefusal, RunCommand, RunStatus};
use salesops_domain::org::Role;
use salesops_domain::target::PlanPeriod;
use salesops_persistence::commission_plans::{
    self as commission_plans_store, assigned, AssignedTo, AssignmentRow, PlanRow,
};
use salesops_persistence::commission_runs::{self, ComputedStatement, LineRow, RunFilter, RunRow, StatementRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, DbConnection};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Instant;
use validator::Validate;

/// The users of `assignments` (by user) in `period`, each with the days of it they are
/// assigned, up to the plan's last day `ends` if it has one.
pub fn members(assignments: Vec<AssignmentRow>, period: &PlanPeriod, ends: Option<NaiveDate>) -> Vec<Member> {
    let mut members: Vec<Member> = Vec::new();
    let last = ends.map_or(period.end(), |ends| ends.min(period.end()));
    for a in assignments {
        let from = a.valid_from.max(period.start());
        let to = a.valid_to.map_or(last, |to| to.min(last));
        if from > to {
            continue;
        }
        match members.last_mut() {
            Some(last) if last.user_id == a.user_id => last.days.push((from, to)),
            _ => members.push(Member { user_id: a.user_id, days: vec![(from, to)] }),
        }
    }
    members
}

/// The active users on `plan` in `period`, each with the days of it they are assigned.
fn plan_members(conn: &mut DbConnection, plan: &PlanRow, period: &PlanPeriod) -> AppResult<Vec<Member>> {
    let assignments = assigned(conn, AssignedTo::Plan(&plan.id), (period.start(), period.end()))?;
    Ok(members(assignments, period, plan.effective_to))
}

/// The statements of `run` as they compute now: its plan's members' credits under its
/// version's rules, then the clawbacks it carries. A user with a clawback who is no longer
/// on the plan gets a statement of clawbacks alone (no target, nothing credited).
fn compute(
    conn: &mut DbConnection,
    (plan, rules): (&PlanRow, &PlanRules),
    (run, period): (&RunRow, PlanPeriod),
    (members, zone): (&[Member], Tz),
) -> AppResult<Vec<ComputedStatement>> {
    let spec = Spec { basis: plan.basis, currency: &plan.currency, period, rules };
    let started = Instant::now();
    let mut statements = engine::statements(conn, &spec, members)?;
    let earned = started.elapsed();
    let mut clawbacks = clawbacks::lines(conn, (&plan.id, &run.id), (period.start(), zone))?;
    let mut leavers: Vec<String> =
        clawbacks.keys().filter(|u| !members.iter().any(|m| &m.user_id == *u)).cloned().collect();
    leavers.sort();
    statements.extend(leavers.into_iter().map(|user_id| engine::Statement {
        user_id,
        target: 0,
        credited: 0,
        attainment_bps: 0,
        total: 0,
        lines: Vec::new(),
    }));
    statements.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    log::info!(
        "commission run {} ({}): {} statements earned in {} ms, clawbacks in {} ms",
        run.id,
        run.period,
        statements.len(),
        earned.as_millis(),
        (started.elapsed() - earned).as_millis()
    );
    // A recomputed statement keeps its id.
    let mut ids: HashMap<String, String> = commission_runs::statement_ids_of(conn, &run.id)?.into_iter().collect();
    Ok(statements
        .into_iter()
        .map(|s| {
            let id = ids.remove(&s.user_id).unwrap_or_else(salesops_domain::new_id);
            let mut lines = s.lines;
            lines.extend(clawbacks.remove(&s.user_id).unwrap_or_default());
            let total = lines.iter().map(|l| l.earning).sum();
            let lines = (1..)
                .zip(lines)
                .map(|(position, l)| LineRow {
                    statement_id: id.clone(),
                    position,
                    source_type: l.source_type,
                    source_id: l.source_id,
                    source_number: l.source_number,
                    credit_date: l.credit_date,
                    credited_amount: l.credited_amount,
                    split_bps: l.split_bps,
                    tier: l.tier,
                    rate_bps: l.rate_bps,
                    earning: l.earning,
                    reason: l.reason,
                    corrects_statement_id: l.corrects_statement_id,
                })
                .collect();
            let row = StatementRow {
                id,
                run_id: run.id.clone(),
                user_id: s.user_id,
                target: s.target,
                credited: s.credited,
                attainment_bps: s.attainment_bps,
                total,
            };
            ComputedStatement { row, lines }
        })
        .collect())
}

/// Store `statements` as `run`'s (replacing any before), with the run's total.
fn store(conn: &mut DbConnection, run: &mut RunRow, statements: Vec<ComputedStatement>) -> AppResult<()> {
    let started = Instant::now();
    commission_runs::delete_statements(conn, &run.id)?;
    run.total = statements.iter().map(|s| s.row.total).sum();
    let lines: usize = statements.iter().map(|s| s.lines.len()).sum();
    commission_runs::insert_statements(conn, statements)?;
    log::info!("commission run {}: {lines} lines stored in {} ms", run.id, started.elapsed().as_millis());
    run.computed_at = clock::now();
    Ok(())
}

/// 403 unless the actor sees every one of `users` (a run over users outside one's scope).
fn require_sees_all(actor: &Actor, users: &[String], action: &str) -> AppResult<()> {
    match actor.visibility() {
        Visibility::All => Ok(()),
        visibility if users.iter().all(|u| visibility.allows(Some(u))) => Ok(()),
        _ => Err(AppError::Forbidden(format!("you may not {action}: it pays users outside your data scope"))),
    }
}

/// Run plan `input.plan_id` for `input.period` (finance and admins), audited as
/// `create`: a draft with a statement per user assigned in the period. 422 on an unknown
/// plan, a period of another length or outside the plan's versions, or users without a
/// target (`missing_target`); 409 `duplicate` when the plan already has a run for it.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateRun, zone: Tz) -> AppResult<Run> {
    input.validate()?;
    let plan = commission_plans::service::load(conn, &input.plan_id, true).or_unknown("plan_id", "commission plan")?;
    let period = commission_plans::service::parse_period(&input.period, plan.period)?;
    let version = commission_plans::service::version_for(conn, &plan, period.start(), "period")?;
    if let Some(existing) = commission_runs::find_for_period(conn, &plan.id, &period.to_string())? {
        return Err(AppError::Duplicate {
            detail: format!("plan {} already has a run for {period}; recompute it while it is a draft", plan.name),
            ids: vec![existing.id],
        });
    }
    let members = plan_members(conn, &plan, &period)?;
    require_sees_all(actor, &members.iter().map(|m| m.user_id.clone()).collect::<Vec<_>>(), "run this plan")?;
    let label = period.to_string();
    let mut run =
        RunRow::new(&plan.id, &version.row.id, (&label, period.start(), period.end()), &plan.currency, actor.id());
    commission_runs::insert(conn, &run).map_err(|e| {
        if e.is_unique_violation_on("period") {
            AppError::Duplicate {
                detail: format!("plan {} already has a run for {period}", plan.name),
                ids: Vec::new(),
            }
        } else {
            e.into()
        }
    })?;
    let statements = compute(conn, (&plan, &PlanRules::from(&version)), (&run, period), (&members, zone))?;
    store(conn, &mut run, statements)?;
    commission_runs::update(conn, &run, run.version)?;
    commission_plans_store::freeze_version(conn, &version.row.id)?;
    let view = Run::from(run);
    audit::record(conn, actor, "create", ENTITY, &view.id, &Value::Null, &snapshot(&view))?;
    Ok(view)
}

/// The run `id` if the actor sees every one of its users (404 otherwise), under its row lock
/// when `for_update`.
pub fn load(conn: &mut DbConnection, actor: &Actor, id: &str, for_update: bool) -> AppResult<RunRow> {
    if for_update {
        commission_runs::lock(conn, id)?;
    }
    commission_runs::find_visible(conn, id, actor.visibility())?.ok_or(AppError::NotFound)
}

/// The run `id`.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Run> {
    load(conn, actor, id, false).map(Run::from)
}

/// One page of the runs the actor sees, matching `filter`, oldest first.
pub fn list(conn: &mut DbConnection, actor: &Actor, filter: &RunFilter, limit: i64) -> AppResult<Page<Run>> {
    let rows = commission_runs::list(conn, filter, actor.visibility(), limit + 1)?;
    pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(Run::from(r)))
}

/// Apply `command` to run `id`, audited under its name: recompute a draft (finance and
/// admins), approve a draft whose period has ended on the business day in `zone` (a
/// manager who sees all its users and is not paid by it, or an admin), pay an
/// approved run (finance and admins). 409 `invalid_transition` when its status refuses
/// the command: a paid run never changes.
pub fn run_command(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    (command, if_match): (RunCommand, IfMatch),
    zone: Tz,
) -> AppResult<Run> {
    let before = load(conn, actor, id, true)?;
    if_match.check(before.version)?;
    let status = next_status(before.status, command).map_err(|e| AppError::transition(e.to_string()))?;
    let mut after = before.clone();
    match command {
        RunCommand::Recompute => {
            // Runs of one plan compute one at a time, so two never carry the same clawback.
            let plan = commission_plans::service::load(conn, &before.plan_id, true)?;
            let version = commission_plans_store::find_version(conn, &before.plan_version_id)?
                .ok_or_else(|| AppError::Internal("a run's plan version is gone".into()))?;
            let period = PlanPeriod::parse(&after.period).map_err(|e| AppError::Internal(e.to_string()))?;
            let members = plan_members(conn, &plan, &period)?;
            require_sees_all(actor, &members.iter().map(|m| m.user_id.clone()).collect::<Vec<_>>(), "recompute it")?;
            let statements = compute(conn, (&plan, &PlanRules::from(&version)), (&after, period), (&members, zone))?;
            store(conn, &mut after, statements)?;
        }
        RunCommand::Approve => {
            let pays_approver = commission_runs::users_of(conn, id)?.iter().any(|u| u == actor.id());
            let today = crate::time::business_day(chrono::Utc::now(), zone);
            check_approval((actor.role == Role::Admin, pays_approver), before.period_end, today).map_err(
                |e| match e {
                    ApprovalRefusal::PaysApprover => AppError::Forbidden(e.to_string()),
                    ApprovalRefusal::PeriodOpen { .. } => {
                        AppError::transition(format!("the period {} {e}", before.period))
                    }
                },
            )?;
            // Approved, the run never changes again: what it counted is settled.
            commission_runs::record_settled_sources(conn, id)?;
            (after.approved_at, after.approved_by) = (Some(clock::now()), Some(actor.id().to_owned()));
        }
        RunCommand::Pay => {
            (after.paid_at, after.paid_by) = (Some(clock::now()), Some(actor.id().to_owned()));
        }
        RunCommand::Delete => return Err(AppError::Internal("delete is not a run command".into())),
    }
    after.status = status.unwrap_or(RunStatus::Draft);
    audit::save_versioned::<_, Run>(conn, actor, ENTITY, command.as_str(), &before, after, AppError::from)
}

/// Delete the draft run `id` with its statements (finance and admins), audited as
/// `delete`; 409 `invalid_transition` once approved or paid.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &str, if_match: IfMatch) -> AppResult<()> {
    let before = load(conn, actor, id, true)?;
    if_match.check(before.version)?;
    next_status(before.status, RunCommand::Delete).map_err(|e| AppError::transition(e.to_string()))?;
    commission_runs::delete(conn, id)?;
    audit::record(conn, actor, "delete", ENTITY, id, &snapshot(&Run::from(before)), &Value::Null)
}
