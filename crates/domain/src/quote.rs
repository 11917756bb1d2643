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
//! `expired` (never stored): it can no longer be sent or accepted, only revised,
//! or rejected once sent.

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
        /// Never stored: what an approved or sent quote past its `valid_until` reads as
        /// (see [`QuoteStatus::read_on`]).
        Expired => "expired",
    }
}

impl QuoteStatus {
    /// Whether a quote in this status reads as `expired` on `today`: approved or sent, and
    /// past its `valid_until`. The API shows such a quote's status as `expired`; it is never stored.
    pub fn is_expired(self, valid_until: NaiveDate, today: NaiveDate) -> bool {
        matches!(self, QuoteStatus::Approved | QuoteStatus::Sent) && today > valid_until
    }

    /// The status a quote stored as `self` shows on `today`: [`QuoteStatus::Expired`]
    /// when [`QuoteStatus::is_expired`], else `self`.
    pub fn read_on(self, valid_until: NaiveDate, today: NaiveDate) -> QuoteStatus {
        if self.is_expired(valid_until, today) {
            QuoteStatus::Expired
        } else {
            self
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
#[error("a quote that is {} cannot be {action}", if *.expired { "expired" } else { .status.as_str() })]
pub struct QuoteTransitionError {
    /// The quote's stored status when the command came.
    pub status: QuoteStatus,
    /// Whether it read as expired (see [`QuoteStatus::is_expired`]).
    pub expired: bool,
    /// What was refused, in words ("sent", "accepted", …).
    pub action: &'static str,
}

/// The status after `command` on a quote in `status`, `expired` or not.
pub fn next_status(
    status: QuoteStatus,
    expired: bool,
    command: QuoteCommand,
) -> Result<QuoteStatus, QuoteTransitionError> {
    use QuoteCommand as C;
    use QuoteStatus as S;
    let next = match (status, expired, command) {
        (S::Draft, _, C::Submit { within_authority: true }) => S::Approved,
        (S::Draft, _, C::Submit { within_authority: false }) => S::PendingApproval,
        (S::PendingApproval, _, C::Approve { last_step: true }) => S::Approved,
        (S::PendingApproval, _, C::Approve { last_step: false }) => S::PendingApproval,
        (S::PendingApproval, _, C::Decline) => S::Draft,
        (S::Approved, false, C::Send) => S::Sent,
        (S::Sent, false, C::Accept) => S::Accepted,
        (S::Sent, _, C::Reject) => S::Rejected,
        (S::Approved | S::Sent | S::Rejected, _, C::Revise) => S::Draft,
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
            return Err(QuoteTransitionError { status, expired, action });
        }
    };
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuoteCommand as C;
    use QuoteStatus as S;

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
            (S::Draft, C::Submit { within_authority: true }, S::Approved),
            (S::Draft, C::Submit { within_authority: false }, S::PendingApproval),
            (S::PendingApproval, C::Approve { last_step: false }, S::PendingApproval),
            (S::PendingApproval, C::Approve { last_step: true }, S::Approved),
            (S::PendingApproval, C::Decline, S::Draft),
            (S::Approved, C::Send, S::Sent),
            (S::Sent, C::Accept, S::Accepted),
            (S::Sent, C::Reject, S::Rejected),
            (S::Approved, C::Revise, S::Draft),
            (S::Sent, C::Revise, S::Draft),
            (S::Rejected, C::Revise, S::Draft),
        ];
        // An expired quote (approved or sent) can no longer be sent or accepted.
        let refused_when_expired = [(S::Approved, C::Send), (S::Sent, C::Accept)];
        let mut refused = 0;
        for status in QuoteStatus::ALL {
            for expired in [false, true] {
                for command in ALL_COMMANDS {
                    let expected = allowed
                        .iter()
                        .find(|(s, c, _)| s == status && *c == command)
                        .filter(|_| !(expired && refused_when_expired.contains(&(*status, command))))
                        .map(|(_, _, next)| *next);
                    match (next_status(*status, expired, command), expected) {
                        (Ok(next), Some(want)) => assert_eq!(next, want),
                        (Err(e), None) => {
                            assert_eq!((e.status, e.expired), (*status, expired));
                            refused += 1;
                        }
                        (got, want) => panic!("{status} expired={expired} {}: {got:?}, not {want:?}", command.name()),
                    }
                }
            }
        }
        assert_eq!(refused, QuoteStatus::ALL.len() * 2 * ALL_COMMANDS.len() - 2 * allowed.len() + 2);
        assert_eq!(
            next_status(S::Sent, true, C::Accept).unwrap_err().to_string(),
            "a quote that is expired cannot be accepted"
        );
        assert_eq!(
            next_status(S::Accepted, false, C::Revise).unwrap_err().to_string(),
            "a quote that is accepted cannot be revised"
        );
    }

    #[test]
    fn approved_and_sent_quotes_expire_after_their_last_valid_day() {
        assert!(!S::Sent.is_expired(day(10), day(10)));
        assert!(S::Sent.is_expired(day(10), day(11)));
        assert!(S::Approved.is_expired(day(10), day(11)));
        for status in [S::Draft, S::PendingApproval, S::Accepted, S::Rejected] {
            assert!(!status.is_expired(day(1), day(31)), "{status}");
        }
        assert_eq!(S::Sent.read_on(day(10), day(11)), S::Expired);
        assert_eq!(S::Sent.read_on(day(10), day(10)), S::Sent);
        assert_eq!(S::Accepted.read_on(day(10), day(11)), S::Accepted);
        assert!(S::Draft.is_editable());
        assert_eq!(QuoteStatus::ALL.iter().filter(|s| s.is_editable()).count(), 1);
    }
}
