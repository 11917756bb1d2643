//! `/approval-requests` (审批): the record of a document's submission for a
//! discount beyond the submitter's authority, its steps up the reporting line,
//! and each approver's decision.
//!
//! A request is created when a quote (later an order) is submitted, and decided
//! through that document's `approve` and `decline` commands; this resource only
//! reads them. Whoever may see the document may read its requests, and so may
//! its approvers: `GET /approval-requests?approver_id=me&status=pending` is an
//! approver's inbox.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// What an approval request is called in the audit log and in a write conflict; the
/// requests are not audited themselves (see [`RESOURCE`]).
pub const ENTITY: EntityType = EntityType::admins_only("approval_request");

/// The resource as the app registers it. Requests are not audited themselves: each
/// decision is on its step, and the document's audit trail records the command.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

/// Register the approval-request routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_approval_requests).service(handlers::get_approval_request);
}
