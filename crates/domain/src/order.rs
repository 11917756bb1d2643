//! Orders and contracts (订单/合同): their statuses, the commands that move them,
//! and when one needs approval (capability 4; the pricing of their lines is in
//! [`crate::pricing`], their payment plans and payments in [`crate::receivables`]).
//!
//! ```text
//! draft ──submit / activate──▶ active                    (no approval needed)
//!   │    └──submit──▶ pending_approval ──approve (last step)──▶ active ──fulfil──▶ fulfilled
//!   ◀──────decline─────────┘                                 (every line delivered)   │
//!                                                                 completed ◀──complete──┘
//!                                                                          (fully collected)
//! draft | pending_approval | active | fulfilled ──cancel──▶ cancelled     (nothing net collected)
//! ```
//!
//! An order is booked (counts as sales) once `active`, and stays booked when
//! fulfilled and completed. Only a draft's lines may change; only an active order
//! takes deliveries; active and fulfilled orders take payments. Money collected
//! on an order must be refunded before it can be cancelled.

use crate::text_enum;
use chrono::NaiveDate;

text_enum! {
    /// Where an order is, as stored.
    OrderStatus {
        /// Being written; the only status whose lines may change.
        Draft => "draft",
        /// Submitted with a discount beyond the submitter's authority, or a total above the
        /// approval threshold; waiting for its approvers.
        PendingApproval => "pending_approval",
        /// Booked: being delivered and paid for.
        Active => "active",
        /// Every line delivered; waiting for the last of the money.
        Fulfilled => "fulfilled",
        /// Delivered and fully collected. Final.
        Completed => "completed",
        /// Called off before completion, with nothing left collected on it. Final.
        Cancelled => "cancelled",
    }
}

impl OrderStatus {
    /// Whether the order's fields and lines may change: only a draft's.
    pub fn is_editable(self) -> bool {
        self == OrderStatus::Draft
    }

    /// Whether deliveries may be recorded against the order: only an active one's.
    pub fn takes_deliveries(self) -> bool {
        self == OrderStatus::Active
    }

    /// Whether payments may be recorded against the order: an active or fulfilled one's
    /// (a completed order is fully collected; a draft or pending one is not booked yet).
    pub fn takes_payments(self) -> bool {
        matches!(self, OrderStatus::Active | OrderStatus::Fulfilled)
    }

    /// Whether the order counts as booked sales: active, fulfilled or completed.
    pub fn is_booked(self) -> bool {
        matches!(self, OrderStatus::Active | OrderStatus::Fulfilled | OrderStatus::Completed)
    }
}

/// A command on an order, with what the use case found out for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderCommand {
    /// Submit a draft; `needs_approval` as [`crate::approval::Need::met_by`] decides. Without it, the order
    /// goes straight to active.
    Submit {
        /// Whether the order needs approval.
        needs_approval: bool,
    },
    /// The current approver approves; `last_step` when no step follows.
    Approve {
        /// Whether this was the request's last step.
        last_step: bool,
    },
    /// The current approver declines: back to draft.
    Decline,
    /// Activate a draft that needs no approval (as [`crate::approval::Need::met_by`] decides).
    Activate {
        /// Whether the order needs approval; if so it must be submitted instead.
        needs_approval: bool,
    },
    /// Every line of an active order is delivered; the app issues it after a delivery.
    Fulfil,
    /// Complete a fulfilled order; `fully_collected` when nothing is outstanding.
    Complete {
        /// Whether the net collected money covers the order's total.
        fully_collected: bool,
    },
    /// Call the order off; `net_collected` is the money collected on it less refunds.
    Cancel {
        /// Confirmed payments less refunds, in minor units.
        net_collected: i64,
    },
}

impl OrderCommand {
    /// The command's name, as in its URL.
    pub fn name(self) -> &'static str {
        match self {
            OrderCommand::Submit { .. } => "submit",
            OrderCommand::Approve { .. } => "approve",
            OrderCommand::Decline => "decline",
            OrderCommand::Activate { .. } => "activate",
            OrderCommand::Fulfil => "fulfil",
            OrderCommand::Complete { .. } => "complete",
            OrderCommand::Cancel { .. } => "cancel",
        }
    }

    /// What the command does to an order, as a past participle ("submitted", "fulfilled", …).
    fn action(self) -> &'static str {
        match self {
            OrderCommand::Submit { .. } => "submitted",
            OrderCommand::Approve { .. } => "approved",
            OrderCommand::Decline => "declined",
            OrderCommand::Activate { .. } => "activated",
            OrderCommand::Fulfil => "fulfilled",
            OrderCommand::Complete { .. } => "completed",
            OrderCommand::Cancel { .. } => "cancelled",
        }
    }
}

/// A refused order command (409 `invalid_transition`), with why when the status alone
/// does not say: `an order that is fulfilled cannot be completed: it is not fully collected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "an order that is {} cannot be {action}{}",
    status_words(*.status),
    .reason.map(|r| format!(": {r}")).unwrap_or_default()
)]
pub struct OrderTransitionError {
    /// The order's status when the command came.
    pub status: OrderStatus,
    /// What was refused, in words ("submitted", "completed", …).
    pub action: &'static str,
    /// Why, when the command is refused for more than the status.
    pub reason: Option<&'static str>,
}

/// How a status reads after "an order that is": "a draft", "pending approval", "active", …
fn status_words(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Draft => "a draft",
        OrderStatus::PendingApproval => "pending approval",
        other => other.as_str(),
    }
}

/// The status after `command` on an order in `status`.
pub fn next_status(status: OrderStatus, command: OrderCommand) -> Result<OrderStatus, OrderTransitionError> {
    use OrderCommand as C;
    use OrderStatus as S;
    let refused = |reason| Err(OrderTransitionError { status, action: command.action(), reason });
    match (status, command) {
        (S::Draft, C::Submit { needs_approval: true }) => Ok(S::PendingApproval),
        (S::Draft, C::Submit { needs_approval: false }) => Ok(S::Active),
        (S::PendingApproval, C::Approve { last_step: true }) => Ok(S::Active),
        (S::PendingApproval, C::Approve { last_step: false }) => Ok(S::PendingApproval),
        (S::PendingApproval, C::Decline) => Ok(S::Draft),
        (S::Draft, C::Activate { needs_approval: false }) => Ok(S::Active),
        (S::Draft, C::Activate { needs_approval: true }) => {
            refused(Some("it needs approval; submit it for approval instead"))
        }
        (S::Active, C::Fulfil) => Ok(S::Fulfilled),
        (S::Fulfilled, C::Complete { fully_collected: true }) => Ok(S::Completed),
        (S::Fulfilled, C::Complete { fully_collected: false }) => refused(Some("it is not fully collected")),
        (S::Active, C::Complete { .. }) => refused(Some("it is not fully delivered")),
        // A negative net (more refunded than collected) cannot happen; it leaves nothing to refund.
        (S::Draft | S::PendingApproval | S::Active | S::Fulfilled, C::Cancel { net_collected }) => {
            if net_collected > 0 {
                refused(Some("money was collected on it; refund it first"))
            } else {
                Ok(S::Cancelled)
            }
        }
        _ => refused(None),
    }
}

/// A booking date after today (422 on `booked_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the booking date {booked_at} is after today ({today})")]
pub struct BookedInFuture {
    /// The booking date given.
    pub booked_at: NaiveDate,
    /// Today, the last day it may be.
    pub today: NaiveDate,
}

/// An order's booking date may be back-dated (a contract signed last week and entered
/// today), but not after `today`.
pub fn check_booked_at(booked_at: NaiveDate, today: NaiveDate) -> Result<(), BookedInFuture> {
    if booked_at > today {
        Err(BookedInFuture { booked_at, today })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderCommand as C;
    use OrderStatus as S;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("a date")
    }

    const ALL_COMMANDS: [OrderCommand; 13] = [
        C::Submit { needs_approval: true },
        C::Submit { needs_approval: false },
        C::Approve { last_step: true },
        C::Approve { last_step: false },
        C::Decline,
        C::Activate { needs_approval: true },
        C::Activate { needs_approval: false },
        C::Fulfil,
        C::Complete { fully_collected: true },
        C::Complete { fully_collected: false },
        C::Cancel { net_collected: 0 },
        C::Cancel { net_collected: 1 },
        C::Cancel { net_collected: -1 },
    ];

    #[test]
    fn every_status_and_command() {
        let allowed = [
            (S::Draft, C::Submit { needs_approval: true }, S::PendingApproval),
            (S::Draft, C::Submit { needs_approval: false }, S::Active),
            (S::PendingApproval, C::Approve { last_step: false }, S::PendingApproval),
            (S::PendingApproval, C::Approve { last_step: true }, S::Active),
            (S::PendingApproval, C::Decline, S::Draft),
            (S::Draft, C::Activate { needs_approval: false }, S::Active),
            (S::Active, C::Fulfil, S::Fulfilled),
            (S::Fulfilled, C::Complete { fully_collected: true }, S::Completed),
            (S::Draft, C::Cancel { net_collected: 0 }, S::Cancelled),
            (S::PendingApproval, C::Cancel { net_collected: 0 }, S::Cancelled),
            (S::Active, C::Cancel { net_collected: 0 }, S::Cancelled),
            (S::Fulfilled, C::Cancel { net_collected: 0 }, S::Cancelled),
            (S::Draft, C::Cancel { net_collected: -1 }, S::Cancelled),
            (S::PendingApproval, C::Cancel { net_collected: -1 }, S::Cancelled),
            (S::Active, C::Cancel { net_collected: -1 }, S::Cancelled),
            (S::Fulfilled, C::Cancel { net_collected: -1 }, S::Cancelled),
        ];
        let approval = "it needs approval; submit it for approval instead";
        let collected = "money was collected on it; refund it first";
        let reasons = [
            (S::Draft, C::Activate { needs_approval: true }, approval),
            (S::Active, C::Complete { fully_collected: true }, "it is not fully delivered"),
            (S::Active, C::Complete { fully_collected: false }, "it is not fully delivered"),
            (S::Fulfilled, C::Complete { fully_collected: false }, "it is not fully collected"),
            (S::Draft, C::Cancel { net_collected: 1 }, collected),
            (S::PendingApproval, C::Cancel { net_collected: 1 }, collected),
            (S::Active, C::Cancel { net_collected: 1 }, collected),
            (S::Fulfilled, C::Cancel { net_collected: 1 }, collected),
        ];
        let mut refused = 0;
        for status in OrderStatus::ALL {
            for command in ALL_COMMANDS {
                let expected = allowed.iter().find(|(s, c, _)| s == status && *c == command).map(|(_, _, next)| *next);
                match (next_status(*status, command), expected) {
                    (Ok(next), Some(want)) => assert_eq!(next, want, "{status} {command:?}"),
                    (Err(e), None) => {
                        let reason = reasons.iter().find(|(s, c, _)| s == status && *c == command).map(|r| r.2);
                        assert_eq!(e, OrderTransitionError { status: *status, action: e.action, reason });
                        refused += 1;
                    }
                    (got, want) => panic!("{status} {command:?}: {got:?}, not {want:?}"),
                }
            }
        }
        assert_eq!(refused, OrderStatus::ALL.len() * ALL_COMMANDS.len() - allowed.len());
    }

    #[test]
    fn a_refusal_names_the_command_and_reads_as_a_sentence() {
        let expected = [
            (C::Submit { needs_approval: false }, "submit", "submitted"),
            (C::Approve { last_step: true }, "approve", "approved"),
            (C::Decline, "decline", "declined"),
            (C::Activate { needs_approval: false }, "activate", "activated"),
            (C::Fulfil, "fulfil", "fulfilled"),
            (C::Complete { fully_collected: true }, "complete", "completed"),
            (C::Cancel { net_collected: 0 }, "cancel", "cancelled"),
        ];
        for (command, name, action) in expected {
            assert_eq!(command.name(), name);
            assert_eq!(next_status(S::Cancelled, command).map_err(|e| e.action), Err(action));
        }
        let message = |status, command| next_status(status, command).unwrap_err().to_string();
        assert_eq!(
            message(S::Active, C::Complete { fully_collected: true }),
            "an order that is active cannot be completed: it is not fully delivered"
        );
        assert_eq!(
            message(S::Fulfilled, C::Complete { fully_collected: false }),
            "an order that is fulfilled cannot be completed: it is not fully collected"
        );
        assert_eq!(
            message(S::Active, C::Cancel { net_collected: 100 }),
            "an order that is active cannot be cancelled: money was collected on it; refund it first"
        );
        assert_eq!(
            message(S::Draft, C::Activate { needs_approval: true }),
            "an order that is a draft cannot be activated: it needs approval; submit it for approval instead"
        );
        assert_eq!(message(S::PendingApproval, C::Fulfil), "an order that is pending approval cannot be fulfilled");
        assert_eq!(
            message(S::Completed, C::Cancel { net_collected: 0 }),
            "an order that is completed cannot be cancelled"
        );
    }

    #[test]
    fn what_each_status_allows() {
        let editable: Vec<_> = OrderStatus::ALL.iter().filter(|s| s.is_editable()).collect();
        let deliveries: Vec<_> = OrderStatus::ALL.iter().filter(|s| s.takes_deliveries()).collect();
        let payments: Vec<_> = OrderStatus::ALL.iter().filter(|s| s.takes_payments()).collect();
        let booked: Vec<_> = OrderStatus::ALL.iter().filter(|s| s.is_booked()).collect();
        assert_eq!(editable, [&S::Draft]);
        assert_eq!(deliveries, [&S::Active]);
        assert_eq!(payments, [&S::Active, &S::Fulfilled]);
        assert_eq!(booked, [&S::Active, &S::Fulfilled, &S::Completed]);
    }

    #[test]
    fn an_order_is_booked_by_becoming_active_and_only_cancelling_unbooks_it() {
        for status in OrderStatus::ALL {
            for command in ALL_COMMANDS {
                if let Ok(next) = next_status(*status, command) {
                    if next.is_booked() && !status.is_booked() {
                        assert_eq!(next, S::Active, "{status} {command:?}");
                    }
                    if status.is_booked() && !next.is_booked() {
                        assert_eq!(next, S::Cancelled, "{status} {command:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_booking_date_may_be_back_dated_but_not_in_the_future() {
        assert_eq!(check_booked_at(day(1), day(10)), Ok(()));
        assert_eq!(check_booked_at(day(10), day(10)), Ok(()));
        assert_eq!(check_booked_at(day(11), day(10)), Err(BookedInFuture { booked_at: day(11), today: day(10) }));
        assert_eq!(
            BookedInFuture { booked_at: day(11), today: day(10) }.to_string(),
            "the booking date 2026-12-11 is after today (2026-12-10)"
        );
    }
}
