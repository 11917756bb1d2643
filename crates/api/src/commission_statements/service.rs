//! Commission statement use cases: read and list statements with their lines.

use super::dto::{Statement, StatementLine};
use crate::app::{Actor, AppError, AppResult};
use crate::pagination::{self, Page};
use salesops_persistence::commission_runs::{self, LineRow, StatementFilter, StatementRow};
use salesops_persistence::DbConnection;
use std::collections::HashMap;

/// `rows` with their runs and lines.
fn views(conn: &mut DbConnection, rows: Vec<StatementRow>) -> AppResult<Vec<Statement>> {
    let run_ids: Vec<String> = rows.iter().map(|r| r.run_id.clone()).collect();
    let runs: HashMap<String, _> =
        commission_runs::find_many(conn, &run_ids)?.into_iter().map(|r| (r.id.clone(), r)).collect();
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut lines: HashMap<String, Vec<LineRow>> = HashMap::new();
    for line in commission_runs::lines_of(conn, &ids)? {
        lines.entry(line.statement_id.clone()).or_default().push(line);
    }
    rows.into_iter()
        .map(|r| {
            let run =
                runs.get(&r.run_id).ok_or_else(|| AppError::Internal(format!("statement {} has no run", r.id)))?;
            let currency = run.currency.as_str();
            let money = |amount| salesops_domain::money::Money::new(amount, currency);
            Ok(Statement {
                lines: lines
                    .remove(&r.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| StatementLine::from_row(l, currency))
                    .collect(),
                target: money(r.target),
                credited: money(r.credited),
                total: money(r.total),
                attainment_bps: r.attainment_bps,
                plan_id: run.plan_id.clone(),
                period: run.period.clone(),
                status: run.status,
                id: r.id,
                run_id: r.run_id,
                user_id: r.user_id,
            })
        })
        .collect()
}

/// The statement `id` (404 unless the actor sees its user).
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<Statement> {
    let row = commission_runs::find_statement(conn, id, actor.visibility())?.ok_or(AppError::NotFound)?;
    views(conn, vec![row])?.pop().ok_or(AppError::NotFound)
}

/// One page of the statements whose users the actor sees, matching `filter`.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filter: &StatementFilter,
    limit: i64,
) -> AppResult<Page<Statement>> {
    let rows = commission_runs::list_statements(conn, filter, actor.visibility(), limit + 1)?;
    let page = pagination::page_by_id(rows, limit, |r| r.id.clone(), Ok)?;
    Ok(Page { data: views(conn, page.data)?, next_cursor: page.next_cursor, total: None })
}
