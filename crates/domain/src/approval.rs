//! Approval requests (审批): who must approve a document's discount, and how a
//! decision moves the request along its steps.
//!
//! A request's steps climb the submitter's reporting line from the direct
//! manager up to the first whose role's discount authority covers the
//! document's largest line discount; every manager on the way approves in turn.
//! The request is `approved` after its last step and `declined` at the first
//! decline. The document's own status is kept apart (DOMAIN.md).

use crate::pricing::{covers, DiscountAuthority};
use crate::text_enum;

text_enum! {
    /// Where an approval request is.
    ApprovalStatus {
        /// Waiting on the current step's approver.
        Pending => "pending",
        /// Every step approved.
        Approved => "approved",
        /// A step declined; the document went back to draft.
        Declined => "declined",
        /// The document was cancelled while the request waited.
        Withdrawn => "withdrawn",
    }
}

text_enum! {
    /// What an approver decided on a step.
    Decision {
        /// Approved.
        Approved => "approved",
        /// Declined, with a comment.
        Declined => "declined",
    }
}

/// What an approver's authority must cover for a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    /// The document's largest line discount, basis points.
    pub discount_bps: i32,
    /// Whether the document's total is above the approval threshold (orders): only an
    /// admin covers that.
    pub above_threshold: bool,
}

impl Need {
    /// A need for the discount alone.
    pub fn discount(discount_bps: i32) -> Need {
        Need { discount_bps, above_threshold: false }
    }

    /// Whether an approver with `authority` covers it: an admin always does, whatever
    /// their configured authority; anyone else covers the discount within their authority,
    /// and never a total above the threshold.
    pub fn met_by(self, authority: DiscountAuthority, is_admin: bool) -> bool {
        is_admin || (!self.above_threshold && covers(authority, self.discount_bps))
    }
}

/// Nobody up the submitter's reporting line may approve the document (422 on submit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "no one in the submitter's reporting line has the authority for {}",
    if need.above_threshold { "a total above the approval threshold".to_owned() } else { format!("a {} bps discount", need.discount_bps) }
)]
pub struct NoApprover {
    /// What needed approving.
    pub need: Need,
}

/// A manager up the submitter's reporting line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver<Id> {
    /// Who.
    pub id: Id,
    /// Their role's discount authority.
    pub authority: DiscountAuthority,
    /// Whether they are an admin, who covers everything.
    pub is_admin: bool,
}

/// The steps of an approval request: the submitter's managers, from the direct manager
/// up, climbed until the first who meets `need` (an admin always does); every manager on
/// the way approves in turn. `managers` lists the chain upward; it need not reach the top.
pub fn approval_steps<Id: Clone>(managers: &[Approver<Id>], need: Need) -> Result<Vec<Id>, NoApprover> {
    let last = managers.iter().position(|m| need.met_by(m.authority, m.is_admin)).ok_or(NoApprover { need })?;
    Ok(managers[..=last].iter().map(|m| m.id.clone()).collect())
}

/// Where a request stands after a decision on its current step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Approved, and the step at this index (0-based) decides next.
    NextStep(usize),
    /// The last step approved: the document's price is approved.
    Approved,
    /// Declined: the document goes back to draft.
    Declined,
}

/// A decision refused because the request is no longer waiting for one (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the approval request is already {0}")]
pub struct AlreadyDecided(pub ApprovalStatus);

/// The outcome of `decision` on step `current` (0-based) of a request in `status` with
/// `steps` steps.
pub fn decide(
    status: ApprovalStatus,
    current: usize,
    steps: usize,
    decision: Decision,
) -> Result<Outcome, AlreadyDecided> {
    if status != ApprovalStatus::Pending {
        return Err(AlreadyDecided(status));
    }
    Ok(match decision {
        Decision::Declined => Outcome::Declined,
        Decision::Approved if current + 1 >= steps => Outcome::Approved,
        Decision::Approved => Outcome::NextStep(current + 1),
    })
}

/// Whether a user may decide the current step: its approver, or an admin on their behalf.
pub fn may_decide(user_id: &str, is_admin: bool, current_approver_id: &str) -> bool {
    is_admin || user_id == current_approver_id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_climbs_the_reporting_line_to_the_first_who_may_approve() {
        let approver = |id, authority, is_admin| Approver { id, authority, is_admin };
        let chain = [
            approver("lead", Some(1000), false),
            approver("manager", Some(2000), false),
            approver("director", Some(3000), false),
            approver("admin", Some(0), true),
        ];
        let d = Need::discount;
        assert_eq!(approval_steps(&chain, d(1500)), Ok(vec!["lead", "manager"]));
        assert_eq!(approval_steps(&chain, d(2000)), Ok(vec!["lead", "manager"]));
        assert_eq!(approval_steps(&chain, d(2500)), Ok(vec!["lead", "manager", "director"]));
        assert_eq!(approval_steps(&chain, d(9000)), Ok(vec!["lead", "manager", "director", "admin"]));
        assert_eq!(approval_steps(&chain[..2], d(2500)), Err(NoApprover { need: d(2500) }));
        assert_eq!(approval_steps::<&str>(&[], d(100)), Err(NoApprover { need: d(100) }));
        // A total above the threshold climbs to an unlimited authority, whatever the discount.
        let large = Need { discount_bps: 0, above_threshold: true };
        assert_eq!(approval_steps(&chain, large), Ok(vec!["lead", "manager", "director", "admin"]));
        assert_eq!(
            approval_steps(&chain[..3], large).unwrap_err().to_string(),
            "no one in the submitter's reporting line has the authority for a total above the approval threshold"
        );
        assert_eq!(
            NoApprover { need: d(2500) }.to_string(),
            "no one in the submitter's reporting line has the authority for a 2500 bps discount"
        );
        assert!(Need::discount(1000).met_by(Some(1000), false));
        assert!(!large.met_by(Some(10_000), false));
        assert!(!large.met_by(None, false), "an unlimited discount authority is not an admin");
        assert!(large.met_by(Some(0), true), "an admin covers everything, whatever their authority");
        assert!(Need::discount(9000).met_by(Some(0), true));
    }

    #[test]
    fn decisions_walk_the_steps_and_stop_at_a_decline() {
        use ApprovalStatus as S;
        assert_eq!(decide(S::Pending, 0, 2, Decision::Approved), Ok(Outcome::NextStep(1)));
        assert_eq!(decide(S::Pending, 1, 2, Decision::Approved), Ok(Outcome::Approved));
        assert_eq!(decide(S::Pending, 0, 1, Decision::Approved), Ok(Outcome::Approved));
        assert_eq!(decide(S::Pending, 0, 2, Decision::Declined), Ok(Outcome::Declined));
        for done in [S::Approved, S::Declined, S::Withdrawn] {
            for decision in Decision::ALL {
                assert_eq!(decide(done, 0, 2, *decision), Err(AlreadyDecided(done)));
            }
        }
        assert_eq!(AlreadyDecided(S::Declined).to_string(), "the approval request is already declined");
    }

    #[test]
    fn the_current_approver_or_an_admin_decides() {
        assert!(may_decide("m1", false, "m1"));
        assert!(!may_decide("m2", false, "m1"));
        assert!(may_decide("admin", true, "m1"));
    }
}
