//! Commission runs: a plan's statements for one period, and the states they go through.
//!
//! ```text
//! draft ──approve──▶ approved ──pay──▶ paid
//!   └─recompute─┘ (draft only)         (never changes again)
//! ```
//!
//! A draft may be recomputed or deleted; an approved run only paid; a paid run nothing.

use crate::text_enum;
use chrono::NaiveDate;

text_enum! {
    /// Where a run is, as stored.
    RunStatus {
        /// Computed and open to recomputing; not yet approved.
        Draft => "draft",
        /// Checked by a manager over its users, or an admin; waiting to be paid.
        Approved => "approved",
        /// Paid out by finance. Final: it never changes.
        Paid => "paid",
    }
}

text_enum! {
    /// What can be done to a run.
    RunCommand {
        /// Compute the statements again from the current credits.
        Recompute => "recompute",
        /// Approve the statements for payment.
        Approve => "approve",
        /// Record that the statements were paid.
        Pay => "pay",
        /// Delete the run and its statements.
        Delete => "delete",
    }
}

text_enum! {
    /// What a statement line's credit comes from.
    SourceType {
        /// A booked order (basis `booking`), or a cancelled one taken back.
        Order => "order",
        /// A confirmed payment (basis `collection`), net of its refunds.
        Payment => "payment",
        /// A refund of a payment that a paid statement counted, taken back.
        Refund => "refund",
    }
}

/// Why a command was refused: the run is not in a status that takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunRefusal {
    /// Where the run is.
    pub status: RunStatus,
    /// What was asked.
    pub command: RunCommand,
    /// What would allow it.
    pub why: &'static str,
}

impl RunCommand {
    /// The past participle the refusal uses.
    fn done(self) -> &'static str {
        match self {
            RunCommand::Recompute => "recomputed",
            RunCommand::Approve => "approved",
            RunCommand::Pay => "paid",
            RunCommand::Delete => "deleted",
        }
    }
}

impl std::error::Error for RunRefusal {}

impl std::fmt::Display for RunRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a run that is {} cannot be {}: {}", self.status, self.command.done(), self.why)
    }
}

/// The status `command` moves a run in `status` to; `None` for a delete.
pub fn next_status(status: RunStatus, command: RunCommand) -> Result<Option<RunStatus>, RunRefusal> {
    use RunCommand as C;
    use RunStatus as S;
    let refuse = |why| Err(RunRefusal { status, command, why });
    match (status, command) {
        (S::Draft, C::Recompute) => Ok(Some(S::Draft)),
        (S::Draft, C::Approve) => Ok(Some(S::Approved)),
        (S::Approved, C::Pay) => Ok(Some(S::Paid)),
        (S::Draft, C::Delete) => Ok(None),
        (S::Paid, _) => refuse("a paid run never changes"),
        (S::Draft, C::Pay) => refuse("approve it first"),
        (S::Approved, C::Approve) => refuse("it is already approved"),
        (S::Approved, C::Recompute | C::Delete) => refuse("only a draft is recomputed or deleted"),
    }
}

/// Why an approval was refused although the run is a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalRefusal {
    /// Only an admin approves a run that pays them.
    #[error("you may not approve a run that pays you")]
    PaysApprover,
    /// The period is still taking credits, so what it pays could still grow.
    #[error("runs until {period_end}; approve it once it has ended")]
    PeriodOpen {
        /// The period's last day.
        period_end: NaiveDate,
    },
}

/// Whether a draft run of a period ending on `period_end` may be approved on the business
/// day `today` by an approver who is an admin or not (`by_admin`) and paid by it or not
/// (`pays_approver`). The period must have ended; and no one but an admin approves their
/// own commission.
pub fn check_approval(
    (by_admin, pays_approver): (bool, bool),
    period_end: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApprovalRefusal> {
    if pays_approver && !by_admin {
        return Err(ApprovalRefusal::PaysApprover);
    }
    if period_end >= today {
        return Err(ApprovalRefusal::PeriodOpen { period_end });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_waits_for_the_period_and_is_never_ones_own_but_an_admins() {
        let end = NaiveDate::from_ymd_opt(2027, 1, 31).expect("a day");
        let (on_end, after) = (end, end.succ_opt().expect("a day"));
        assert_eq!(check_approval((false, false), end, after), Ok(()));
        assert_eq!(check_approval((true, true), end, after), Ok(()), "an admin may approve their own");
        assert_eq!(check_approval((false, true), end, after), Err(ApprovalRefusal::PaysApprover));
        assert_eq!(check_approval((false, false), end, on_end), Err(ApprovalRefusal::PeriodOpen { period_end: end }));
        assert_eq!(check_approval((true, false), end, on_end), Err(ApprovalRefusal::PeriodOpen { period_end: end }));
        assert_eq!(check_approval((false, true), end, on_end), Err(ApprovalRefusal::PaysApprover), "403 before 409");
    }

    #[test]
    fn every_status_and_command() {
        use RunCommand as C;
        use RunStatus as S;
        let allowed = [
            (S::Draft, C::Recompute, Some(S::Draft)),
            (S::Draft, C::Approve, Some(S::Approved)),
            (S::Draft, C::Delete, None),
            (S::Approved, C::Pay, Some(S::Paid)),
        ];
        for status in S::ALL {
            for command in C::ALL {
                let expected = allowed.iter().find(|(s, c, _)| s == status && c == command).map(|(_, _, to)| *to);
                match (next_status(*status, *command), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{status} {command}"),
                    (Err(refusal), None) => assert_eq!((refusal.status, refusal.command), (*status, *command)),
                    (got, want) => panic!("{status} {command}: got {got:?}, want {want:?}"),
                }
            }
        }
        let paid = next_status(S::Paid, C::Recompute).unwrap_err();
        assert_eq!(paid.to_string(), "a run that is paid cannot be recomputed: a paid run never changes");
    }
}
