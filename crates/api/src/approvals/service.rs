//! Approval use cases: open a request when a document is submitted beyond the
//! submitter's discount authority, record a decision on its current step, and
//! read requests.

use super::dto::ApprovalRequest;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::discount_authorities::service::authority_of;
use crate::pagination::{self, Page};
use salesops_domain::approval::{self, ApprovalStatus, Approver, Decision, Need, Outcome};
use salesops_domain::numbering::DocumentType;
use salesops_domain::org::Role;
use salesops_persistence::approvals::{self, ApprovalFilter, ApprovalRequestRow};
use salesops_persistence::{clock, users, DbConnection};

/// What a document submitted for its price asks approval for.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    /// The kind of document.
    pub document_type: DocumentType,
    /// The document.
    pub document_id: &'a str,
    /// What the approver's authority must cover: its largest line discount, and for an
    /// order, a total above the approval threshold.
    pub need: Need,
    /// Its total, minor units of `currency`.
    pub total: i64,
    /// Its currency.
    pub currency: &'a str,
}

/// Submit a document as `actor`: `None` when the actor's discount authority meets its
/// need (no approval needed), else the pending request opened for it, whose steps climb
/// the actor's reporting line (active managers only) to the first whose authority meets
/// it. 422 on `lines` when nobody up the line may approve it.
pub fn open(
    conn: &mut DbConnection,
    actor: &Actor,
    submission: Submission<'_>,
) -> AppResult<Option<ApprovalRequestRow>> {
    if submission.need.met_by(authority_of(conn, actor.role)?, actor.role == Role::Admin) {
        return Ok(None);
    }
    let manager = users::find(conn, actor.id())?.and_then(|u| u.manager_id);
    let chain = match manager {
        Some(manager) => users::manager_chain(conn, &manager)?,
        None => Vec::new(),
    };
    let mut managers = Vec::with_capacity(chain.len());
    for id in chain {
        match users::find(conn, &id)? {
            Some(user) if user.active => managers.push(Approver {
                authority: authority_of(conn, user.role)?,
                is_admin: user.role == Role::Admin,
                id: user.id,
            }),
            _ => {}
        }
    }
    let approvers = approval::approval_steps(&managers, submission.need)
        .map_err(|e| AppError::Validation(vec![FieldError::new("lines", "no_approver", e.to_string())]))?;
    let request = ApprovalRequestRow::new(
        submission.document_type,
        submission.document_id,
        actor.id(),
        submission.need.discount_bps,
        (submission.total, submission.currency),
        &approvers[0],
    );
    approvals::insert(conn, &request, &approvers)?;
    Ok(Some(request))
}

/// Record `actor`'s `decision` on the current step of request `request_id` and move the
/// request on. 409 when it is no longer pending; 403 unless the actor is the current
/// step's approver or an admin.
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    request_id: &str,
    decision: Decision,
    comment: Option<&str>,
) -> AppResult<Outcome> {
    approvals::lock(conn, request_id)?;
    let before = approvals::find(conn, request_id)?.ok_or(AppError::NotFound)?;
    let steps = approvals::steps_of(conn, std::slice::from_ref(&before.id))?;
    let current = usize::try_from(before.current_step).unwrap_or(usize::MAX);
    let outcome = approval::decide(before.status, current, steps.len(), decision)
        .map_err(|e| AppError::transition(e.to_string()))?;
    let approver = before.current_approver_id.as_deref().unwrap_or_default();
    if !approval::may_decide(actor.id(), actor.role.can_administer(), approver) {
        return Err(AppError::Forbidden(format!(
            "only the current approver ({approver}) or an admin may decide this approval step"
        )));
    }
    approvals::decide_step(conn, &before.id, before.current_step, decision, actor.id(), comment)?;
    let mut after = before.clone();
    match outcome {
        Outcome::NextStep(next) => {
            after.current_step = i32::try_from(next).map_err(|e| AppError::Internal(e.to_string()))?;
            after.current_approver_id = Some(steps[next].approver_id.clone());
        }
        Outcome::Approved | Outcome::Declined => {
            after.status =
                if outcome == Outcome::Approved { ApprovalStatus::Approved } else { ApprovalStatus::Declined };
            after.current_approver_id = None;
            after.decided_at = Some(clock::now());
        }
    }
    crate::audit::write_versioned(conn, super::ENTITY, &before, &mut after, AppError::from)?;
    Ok(outcome)
}

/// Withdraw the pending request `request_id`: its document was cancelled while it waited.
pub fn withdraw(conn: &mut DbConnection, request_id: &str) -> AppResult<()> {
    approvals::lock(conn, request_id)?;
    let before = approvals::find(conn, request_id)?.ok_or(AppError::NotFound)?;
    let mut after = before.clone();
    (after.status, after.current_approver_id, after.decided_at) = (ApprovalStatus::Withdrawn, None, Some(clock::now()));
    crate::audit::write_versioned(conn, super::ENTITY, &before, &mut after, AppError::from)
}

/// Whether `actor` is the approver the pending request `request_id` waits on now.
pub fn is_current_approver(conn: &mut DbConnection, actor: &Actor, request_id: &str) -> AppResult<bool> {
    Ok(approvals::find(conn, request_id)?.is_some_and(|r| r.current_approver_id.as_deref() == Some(actor.id())))
}

/// The requests as the API shows them, with their steps.
fn views(conn: &mut DbConnection, rows: Vec<ApprovalRequestRow>) -> AppResult<Vec<ApprovalRequest>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut steps = approvals::steps_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own: Vec<_> = steps.extract_if(.., |s| s.request_id == row.id).collect();
            ApprovalRequest::new(row, own)
        })
        .collect())
}

/// The request `id`, if `actor` may read it: they may see its document, or approve it.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &str) -> AppResult<ApprovalRequest> {
    let row = approvals::find_readable(conn, id, actor.visibility(), actor.id())?.ok_or(AppError::NotFound)?;
    views(conn, vec![row])?.pop().ok_or(AppError::NotFound)
}

/// One page of the requests `actor` may read that match `filter`, oldest first.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filter: &ApprovalFilter,
    limit: i64,
) -> AppResult<Page<ApprovalRequest>> {
    let rows = approvals::list(conn, filter, actor.visibility(), actor.id(), limit + 1)?;
    let page = pagination::page_by_id(rows, limit, |r| r.id.clone(), Ok)?;
    Ok(Page { data: views(conn, page.data)?, next_cursor: page.next_cursor, total: None })
}
