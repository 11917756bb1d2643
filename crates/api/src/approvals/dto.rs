//! The approval request's JSON shapes, and the bodies of the approve and decline
//! commands that every approvable document takes.

use crate::extract::{trimmed, trimmed_opt};
use crate::time::to_utc;
use chrono::{DateTime, Utc};
use salesops_domain::approval::{ApprovalStatus, Decision};
use salesops_domain::money::Money;
use salesops_domain::numbering::DocumentType;
use salesops_persistence::approvals::{ApprovalRequestRow, ApprovalStepRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// One step of an approval request: who must decide, and what they decided.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "position": 0, "approver_id": "0190f0c2-6a00-7000-8000-0000000000a2", "decision": "approved",
    "decided_by": "0190f0c2-6a00-7000-8000-0000000000a2", "decided_at": "2026-12-06T10:00:00Z", "comment": "OK"
}))]
pub struct ApprovalStep {
    /// 0-based place in the chain, the submitter's direct manager first.
    pub position: i32,
    /// The manager who must decide it.
    pub approver_id: String,
    /// What was decided; `null` until then.
    pub decision: Option<Decision>,
    /// Who decided: the approver, or an admin on their behalf.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decider's comment.
    pub comment: Option<String>,
}

impl From<ApprovalStepRow> for ApprovalStep {
    fn from(r: ApprovalStepRow) -> Self {
        ApprovalStep {
            position: r.position,
            approver_id: r.approver_id,
            decision: r.decision,
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(to_utc),
            comment: r.comment,
        }
    }
}

/// A document's submission for a discount beyond the submitter's authority.
///
/// The steps climb the submitter's `manager_id` chain up to the first manager whose
/// role's discount authority covers `discount_bps`; each approves in turn. It is
/// `approved` after the last step, `declined` at the first decline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-7000-7000-8000-000000000701", "document_type": "quote",
    "document_id": "0190f0c2-7000-7000-8000-000000000601", "status": "pending",
    "submitted_by": "0190f0c2-6a00-7000-8000-0000000000a1", "discount_bps": 1500,
    "total": {"amount": 2_703_000, "currency": "CNY"}, "current_step": 0,
    "current_approver_id": "0190f0c2-6a00-7000-8000-0000000000a2",
    "steps": [{"position": 0, "approver_id": "0190f0c2-6a00-7000-8000-0000000000a2", "decision": null,
               "decided_by": null, "decided_at": null, "comment": null}],
    "decided_at": null, "version": 1, "created_at": "2026-12-06T09:00:00Z", "updated_at": "2026-12-06T09:00:00Z"
}))]
pub struct ApprovalRequest {
    /// UUIDv7.
    pub id: String,
    /// What kind of document asks for approval.
    pub document_type: DocumentType,
    /// The document (`/quotes/{id}`).
    pub document_id: String,
    /// `pending`, `approved` or `declined`.
    pub status: ApprovalStatus,
    /// Who submitted the document.
    pub submitted_by: String,
    /// The document's largest line discount when submitted, basis points.
    pub discount_bps: i32,
    /// The document's total when submitted.
    pub total: Money,
    /// The step deciding now (0-based); the last one decided once the request is.
    pub current_step: i32,
    /// Who decides now; `null` once the request is decided.
    pub current_approver_id: Option<String>,
    /// Every step, in order.
    pub steps: Vec<ApprovalStep>,
    /// When it was approved or declined.
    pub decided_at: Option<DateTime<Utc>>,
    /// Bumped on every decision; also the ETag.
    pub version: i64,
    /// When the document was submitted.
    pub created_at: DateTime<Utc>,
    /// Last decision.
    pub updated_at: DateTime<Utc>,
}

crate::etag::versioned!(ApprovalRequest);

impl ApprovalRequest {
    /// The request stored as `row`, with its `steps`.
    pub fn new(row: ApprovalRequestRow, steps: Vec<ApprovalStepRow>) -> ApprovalRequest {
        ApprovalRequest {
            total: Money::new(row.total, row.currency),
            steps: steps.into_iter().map(ApprovalStep::from).collect(),
            id: row.id,
            document_type: row.document_type,
            document_id: row.document_id,
            status: row.status,
            submitted_by: row.submitted_by,
            discount_bps: row.discount_bps,
            current_step: row.current_step,
            current_approver_id: row.current_approver_id,
            decided_at: row.decided_at.map(to_utc),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// An approver's approval, with an optional comment.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "Strategic account; approved"}))]
pub struct ApproveDocument {
    /// At most 2000 characters.
    #[validate(length(max = 2000))]
    #[serde(default, deserialize_with = "trimmed_opt")]
    pub comment: Option<String>,
}

/// An approver's decline, which sends the document back to draft.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"comment": "15% is too deep for a one-year term"}))]
pub struct DeclineDocument {
    /// Why, 1–2000 characters.
    #[validate(custom(function = "crate::validation::not_blank"), length(max = 2000))]
    #[serde(deserialize_with = "trimmed")]
    pub comment: String,
}
