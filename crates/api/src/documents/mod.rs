//! What quotes and orders share: their priced lines and totals (the money formula of
//! [`salesops_domain::pricing`]), and the approval of a discount beyond the
//! submitter's authority (see `crate::approvals`).

pub mod lines;

use crate::app::{AppError, AppResult, FieldError};

use crate::app::Actor;
use salesops_domain::approval::{Decision, Outcome};
use salesops_persistence::visible::ScopedRow;
use salesops_persistence::{DbConnection, StoreResult};

/// A quote or an order as stored: scoped, possibly deleted, possibly waiting for approval.
pub trait Document: ScopedRow {
    /// The row `id`, live or deleted, whoever may see it.
    fn find_any(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Self>>;
    /// Whether it is not deleted.
    fn is_live(&self) -> bool;
    /// The approval request of its last submission, while it stands.
    fn approval_request_id(&self) -> Option<&str>;
}

/// Who besides the actor's data scope may load a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only the actor's data scope: every change but a decision.
    Scope,
    /// Also the approver the document's pending approval waits on (who may sit outside the
    /// submitter's scope): reading it, and deciding it.
    ScopeOrApprover,
}

/// The live document `id` if `actor`'s scope covers it, or, with
/// [`Access::ScopeOrApprover`], they are the approver its pending approval waits on; 404
/// otherwise. Takes the row lock first when `for_update`.
pub fn load<D: Document>(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    for_update: bool,
    access: Access,
) -> AppResult<D> {
    if for_update {
        D::lock(conn, id)?;
    }
    if let Some(row) = D::find_visible(conn, id, actor.visibility())? {
        return Ok(row);
    }
    if access == Access::Scope {
        return Err(AppError::NotFound);
    }
    match D::find_any(conn, id)? {
        Some(row) if row.is_live() => match row.approval_request_id() {
            Some(request) if crate::approvals::service::is_current_approver(conn, actor, request)? => Ok(row),
            _ => Err(AppError::NotFound),
        },
        _ => Err(AppError::NotFound),
    }
}

/// Record `actor`'s `decision` on the pending approval `request` of a document whose
/// state machine already allowed it (see `crate::approvals::service::decide`).
pub fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    request: Option<&str>,
    decision: Decision,
    comment: Option<&str>,
) -> AppResult<Outcome> {
    let request =
        request.ok_or_else(|| AppError::Internal("a document pending approval without its approval request".into()))?;
    crate::approvals::service::decide(conn, actor, request, decision, comment)
}

/// Implement [`Document`] for a row with `deleted_at` and `approval_request_id`, found by `$find`.
macro_rules! document {
    ($row:ty, $find:path) => {
        impl $crate::documents::Document for $row {
            fn find_any(
                conn: &mut salesops_persistence::DbConnection,
                id: &str,
            ) -> salesops_persistence::StoreResult<Option<Self>> {
                $find(conn, id)
            }

            fn is_live(&self) -> bool {
                self.deleted_at.is_none()
            }

            fn approval_request_id(&self) -> Option<&str> {
                self.approval_request_id.as_deref()
            }
        }
    };
}
pub(crate) use document;

/// The most characters a document's notes may have.
pub const MAX_NOTES: usize = 10_000;

/// A document's notes as a merge patch sets them: trimmed, blank as none, and at most
/// [`MAX_NOTES`] characters (422 on `notes`).
pub fn patched_notes(notes: Option<String>) -> AppResult<Option<String>> {
    let notes = crate::validation::tidy(notes);
    if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES) {
        return Err(AppError::invalid_field("notes", "length", format!("must be at most {MAX_NOTES} characters")));
    }
    Ok(notes)
}

/// 422 on `currency` unless it is an ISO 4217 code: a document's (or a plan's) one currency.
pub fn check_currency(currency: &str) -> Result<(), FieldError> {
    if salesops_domain::money::is_currency_code(currency) {
        Ok(())
    } else {
        Err(FieldError::new("currency", "currency", "not an ISO 4217 code (three upper-case letters, such as CNY)"))
    }
}
