//! Quotes (报价): their statuses, the commands that move them, and who must
//! approve a discount (capability 3; the pricing of their lines is in
//! [`crate::pricing`]).
//!
//! ```text
//! draft ──submit──▶ approved                (largest discount within the submitter's authority)
//!   │    └────────▶ pending_approval ──approve (last step)──▶ approved ──send──▶ sent ──accept──▶ accepted
//!   │                      │                                    │                  └──reject──▶ rejected
//!   ◀──────decline─────────┘                                    │
//!   ◀──────revise───────────────────────── approved | sent | rejected (and expired ones)
//! ```
//!
//! A quote that is `approved` or `sent` and past its `valid_until` reads as
//! `expired`: it can no longer be sent or accepted, only revised or rejected.

use crate::pricing::{covers, DiscountAuthority};
use crate::text_enum;
use chrono::NaiveDate;

text_enum! {
    /// Where a quote is, as stored.
    QuoteStatus {
        /// Being written; the only status whose lines may change.
        Draft => "draft",
        /// Submitted with a discount beyond the submitter's authority; waiting for its approvers.
        PendingApproval => "pending_approval",
        /// Its price is approved; it can be sent.
        Approved => "approved",
        /// Sent to the customer.
        Sent => "sent",
        /// The customer accepted it. Final.
        Accepted => "accepted",
        /// The customer said no, with a reason. Revising makes a new draft of it.
        Rejected => "rejected",
    }
}

text_enum! {
    /// Where a quote is, as read: the stored status, or `expired`.
    QuoteState {
        /// See [`QuoteStatus::Draft`].
        Draft => "draft",
        /// See [`QuoteStatus::PendingApproval`].
        PendingApproval => "pending_approval",
        /// See [`QuoteStatus::Approved`].
        Approved => "approved",
        /// See [`QuoteStatus::Sent`].
        Sent => "sent",
        /// See [`QuoteStatus::Accepted`].
        Accepted => "accepted",
        /// See [`QuoteStatus::Rejected`].
        Rejected => "rejected",
        /// Approved or sent, and past its `valid_until`.
        Expired => "expired",
    }
}

impl QuoteStatus {
    /// How a quote in this status reads on `today`, given its `valid_until`.
    pub fn state(self, valid_until: NaiveDate, today: NaiveDate) -> QuoteState {
        let expired = today > valid_until;
        match self {
            QuoteStatus::Approved | QuoteStatus::Sent if expired => QuoteState::Expired,
            QuoteStatus::Draft => QuoteState::Draft,
            QuoteStatus::PendingApproval => QuoteState::PendingApproval,
            QuoteStatus::Approved => QuoteState::Approved,
            QuoteStatus::Sent => QuoteState::Sent,
            QuoteStatus::Accepted => QuoteState::Accepted,
            QuoteStatus::Rejected => QuoteState::Rejected,
        }
    }

    /// Whether the quote's fields and lines may change: only a draft's.
    pub fn is_editable(self) -> bool {
        self == QuoteStatus::Draft
    }
}

/// A command on a quote, with what the use case found out for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteCommand {
    /// Submit a draft for its price; `within_authority` when the submitter's discount
    /// authority covers its largest line discount (see [`crate::pricing::covers`]).
    Submit {
        /// Whether no approval is needed.
        within_authority: bool,
    },
    /// The current approver approves; `last_step` when no step follows.
    Approve {
        /// Whether this was the request's last step.
        last_step: bool,
    },
    /// The current approver declines: back to draft.
    Decline,
    /// Send an approved quote to the customer.
    Send,
    /// The customer accepted a sent quote.
    Accept,
    /// The customer said no to a sent quote.
    Reject,
    /// Take an approved, sent or rejected quote back to draft, dropping its approval.
    Revise,
}

impl QuoteCommand {
    /// The command's name, as in its URL.
    pub fn name(self) -> &'static str {
        match self {
            QuoteCommand::Submit { .. } => "submit",
            QuoteCommand::Approve { .. } => "approve",
            QuoteCommand::Decline => "decline",
            QuoteCommand::Send => "send",
            QuoteCommand::Accept => "accept",
            QuoteCommand::Reject => "reject",
            QuoteCommand::Revise => "revise",
        }
    }
}

/// A refused quote command (409 `invalid_transition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a quote that is {state} cannot be {action}")]
pub struct QuoteTransitionError {
    /// How the quote read when the command came.
    pub state: QuoteState,
    /// What was refused, in words ("sent", "accepted", …).
    pub action: &'static str,
}

/// The status after `command` on a quote that reads `state`.
pub fn next_status(state: QuoteState, command: QuoteCommand) -> Result<QuoteStatus, QuoteTransitionError> {
    use QuoteCommand as C;
    use QuoteState as S;
    let next = match (state, command) {
        (S::Draft, C::Submit { within_authority: true }) => QuoteStatus::Approved,
        (S::Draft, C::Submit { within_authority: false }) => QuoteStatus::PendingApproval,
        (S::PendingApproval, C::Approve { last_step: true }) => QuoteStatus::Approved,
        (S::PendingApproval, C::Approve { last_step: false }) => QuoteStatus::PendingApproval,
        (S::PendingApproval, C::Decline) => QuoteStatus::Draft,
        (S::Approved, C::Send) => QuoteStatus::Sent,
        (S::Sent, C::Accept) => QuoteStatus::Accepted,
        (S::Sent | S::Expired, C::Reject) => QuoteStatus::Rejected,
        (S::Approved | S::Sent | S::Rejected | S::Expired, C::Revise) => QuoteStatus::Draft,
        _ => {
            let action = match command {
                C::Submit { .. } => "submitted",
                C::Approve { .. } => "approved",
                C::Decline => "declined",
                C::Send => "sent",
                C::Accept => "accepted",
                C::Reject => "rejected",
                C::Revise => "revised",
            };
            return Err(QuoteTransitionError { state, action });
        }
    };
    Ok(next)
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

/// A document number from a numbering rule: the prefix, the day, and the day's counter
/// padded to `width` digits, e.g. `SO-20261201-0001`. A counter wider than `width` is
/// written in full, so numbers stay unique past 9999 a day.
pub fn document_number(prefix: &str, day: NaiveDate, counter: u32, width: usize) -> String {
    format!("{prefix}-{}-{counter:0width$}", day.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuoteCommand as C;
    use QuoteState as S;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("a date")
    }

    const ALL_COMMANDS: [QuoteCommand; 9] = [
        C::Submit { within_authority: true },
        C::Submit { within_authority: false },
        C::Approve { last_step: true },
        C::Approve { last_step: false },
        C::Decline,
        C::Send,
        C::Accept,
        C::Reject,
        C::Revise,
    ];

    #[test]
    fn the_allowed_transitions() {
        let allowed = [
            (S::Draft, C::Submit { within_authority: true }, QuoteStatus::Approved),
            (S::Draft, C::Submit { within_authority: false }, QuoteStatus::PendingApproval),
            (S::PendingApproval, C::Approve { last_step: false }, QuoteStatus::PendingApproval),
            (S::PendingApproval, C::Approve { last_step: true }, QuoteStatus::Approved),
            (S::PendingApproval, C::Decline, QuoteStatus::Draft),
            (S::Approved, C::Send, QuoteStatus::Sent),
            (S::Sent, C::Accept, QuoteStatus::Accepted),
            (S::Sent, C::Reject, QuoteStatus::Rejected),
            (S::Expired, C::Reject, QuoteStatus::Rejected),
            (S::Approved, C::Revise, QuoteStatus::Draft),
            (S::Sent, C::Revise, QuoteStatus::Draft),
            (S::Rejected, C::Revise, QuoteStatus::Draft),
            (S::Expired, C::Revise, QuoteStatus::Draft),
        ];
        for (state, command, next) in allowed {
            assert_eq!(next_status(state, command), Ok(next), "{state} {}", command.name());
        }
        // Every other pair is refused, naming the state.
        let mut refused = 0;
        for state in QuoteState::ALL {
            for command in ALL_COMMANDS {
                if allowed.iter().any(|(s, c, _)| s == state && *c == command) {
                    continue;
                }
                let e = next_status(*state, command).expect_err("refused");
                assert_eq!(e.state, *state);
                refused += 1;
            }
        }
        assert_eq!(refused, QuoteState::ALL.len() * ALL_COMMANDS.len() - allowed.len());
        assert_eq!(next_status(S::Expired, C::Send).unwrap_err().to_string(), "a quote that is expired cannot be sent");
        assert!(next_status(S::Accepted, C::Revise).is_err(), "an accepted quote is final");
    }

    #[test]
    fn approved_and_sent_quotes_expire_after_their_last_valid_day() {
        assert_eq!(QuoteStatus::Sent.state(day(10), day(10)), S::Sent);
        assert_eq!(QuoteStatus::Sent.state(day(10), day(11)), S::Expired);
        assert_eq!(QuoteStatus::Approved.state(day(10), day(11)), S::Expired);
        for status in [QuoteStatus::Draft, QuoteStatus::PendingApproval, QuoteStatus::Accepted, QuoteStatus::Rejected] {
            assert_eq!(status.state(day(1), day(31)).as_str(), status.as_str());
        }
        assert!(QuoteStatus::Draft.is_editable());
        assert!(QuoteStatus::ALL.iter().filter(|s| s.is_editable()).count() == 1);
    }

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
    fn document_numbers_carry_the_prefix_the_day_and_a_padded_counter() {
        assert_eq!(document_number("SO", day(1), 1, 4), "SO-20261201-0001");
        assert_eq!(document_number("QT", day(31), 42, 4), "QT-20261231-0042");
        assert_eq!(document_number("SO", day(1), 12345, 4), "SO-20261201-12345");
    }
}
