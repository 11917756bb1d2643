//! Commission statement use cases: read and list statements, and page through a
//! statement's lines.

use super::dto::{Statement, StatementLine};
use crate::app::{Actor, AppError, AppResult};
use crate::pagination::{self, Page};
use salesops_persistence::commission_runs::{self, RunRow, StatementFilter, StatementRow};
use salesops_persistence::DbConnection;
use std::collections::HashMap;

/// The run of statement `statement`, among `runs`; a statement always has one.
fn run_of<'r>(runs: &'r HashMap<String, RunRow>, statement: &StatementRow) -> AppResult<&'r RunRow> {
    runs.get(&statement.run_id).ok_or_else(|| AppError::Internal(format!("statement {} has no run", statement.id)))
}

/// The runs of `rows`, by id.
fn runs_of(conn: &mut DbConnection, rows: &[StatementRow]) -> AppResult<HashMap<String, RunRow>> {
    let run_ids: Vec<String> = rows.iter().map(|r| r.run_id.clone()).collect();
    Ok(commission_runs::find_many(conn, &run_ids)?.into_iter().map(|r| (r.id.clone(), r)).collect())
}

/// `rows` with their runs and line counts.
fn views(conn: &mut DbConnection, rows: Vec<StatementRow>) -> AppResult<Vec<Statement>> {
    let runs = runs_of(conn, &rows)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let counts = commission_runs::line_counts(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let run = run_of(&runs, &r)?;
            let currency = run.currency.as_str();
            let money = |amount| salesops_domain::money::Money::new(amount, currency);
            Ok(Statement {
                line_count: counts.get(&r.id).copied().unwrap_or(0),
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

/// The cursor of a statement's lines: the last position on the previous page.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct LineCursor {
    /// The last position on the previous page.
    pub after: i32,
}

/// One page of statement `id`'s lines after position `after`, in position order (404
/// unless the actor sees its user).
pub fn lines(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    after: Option<i32>,
    limit: i64,
) -> AppResult<Page<StatementLine>> {
    let row = commission_runs::find_statement(conn, id, actor.visibility())?.ok_or(AppError::NotFound)?;
    let runs = runs_of(conn, std::slice::from_ref(&row))?;
    let currency = run_of(&runs, &row)?.currency.clone();
    let lines = commission_runs::lines_page(conn, id, after, limit + 1)?;
    pagination::page(
        lines,
        limit,
        |l| pagination::encode_cursor(&LineCursor { after: l.position }),
        |l| Ok(StatementLine::from_row(l, &currency)),
    )
}
