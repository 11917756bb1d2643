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

/// Nobody up the submitter's reporting line may approve the discount (422 on submit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no one in the submitter's reporting line has the authority for a {discount_bps} bps discount")]
pub struct NoApprover {
    /// The largest line discount that needs approving.
    pub discount_bps: i32,
}

/// The steps of an approval request: the submitter's managers, from the direct manager
/// up, each with their role's discount authority, climbed until the first whose
/// authority covers `discount_bps` (an admin's always does); every manager on the
/// way approves in turn. `managers` lists the chain upward; it need not reach the top.
pub fn approval_steps<Id: Clone>(
    managers: &[(Id, DiscountAuthority)],
    discount_bps: i32,
) -> Result<Vec<Id>, NoApprover> {
    let last = managers
        .iter()
        .position(|(_, authority)| covers(*authority, discount_bps))
        .ok_or(NoApprover { discount_bps })?;
    Ok(managers[..=last].iter().map(|(id, _)| id.clone()).collect())
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
        let chain = [("lead", Some(1000)), ("manager", Some(2000)), ("director", Some(3000)), ("admin", None)];
        assert_eq!(approval_steps(&chain, 1500), Ok(vec!["lead", "manager"]));
        assert_eq!(approval_steps(&chain, 2000), Ok(vec!["lead", "manager"]));
        assert_eq!(approval_steps(&chain, 2500), Ok(vec!["lead", "manager", "director"]));
        assert_eq!(approval_steps(&chain, 9000), Ok(vec!["lead", "manager", "director", "admin"]));
        assert_eq!(approval_steps(&chain[..2], 2500), Err(NoApprover { discount_bps: 2500 }));
        assert_eq!(approval_steps::<&str>(&[], 100), Err(NoApprover { discount_bps: 100 }));
    }

    #[test]
    fn decisions_walk_the_steps_and_stop_at_a_decline() {
        use ApprovalStatus as S;
        assert_eq!(decide(S::Pending, 0, 2, Decision::Approved), Ok(Outcome::NextStep(1)));
        assert_eq!(decide(S::Pending, 1, 2, Decision::Approved), Ok(Outcome::Approved));
        assert_eq!(decide(S::Pending, 0, 1, Decision::Approved), Ok(Outcome::Approved));
        assert_eq!(decide(S::Pending, 0, 2, Decision::Declined), Ok(Outcome::Declined));
        for done in [S::Approved, S::Declined] {
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
