//! Leads (线索): their statuses, sources, and the commands that move them.

use crate::text_enum;

text_enum! {
    /// Where a lead is in its life.
    LeadStatus {
        /// Captured, not yet worked.
        New => "new",
        /// Someone is working it.
        Working => "working",
        /// Judged worth pursuing; ready to convert.
        Qualified => "qualified",
        /// Judged not worth pursuing, with a reason; can be reopened.
        Disqualified => "disqualified",
        /// Turned into an account, contact and opportunity. Final.
        Converted => "converted",
    }
}

text_enum! {
    /// How a lead reached the company.
    LeadSource {
        /// The website or a web form.
        Web => "web",
        /// A referral from a customer or contact.
        Referral => "referral",
        /// A trade show, conference or other event.
        Event => "event",
        /// Outbound calling.
        ColdCall => "cold_call",
        /// A channel or partner.
        Partner => "partner",
        /// Paid advertising.
        Advertisement => "advertisement",
        /// Anything else.
        Other => "other",
    }
}

text_enum! {
    /// A command that changes a lead's status or owner.
    LeadCommand {
        /// `new → working`.
        Start => "start",
        /// `new | working → qualified`; needs a company and an email or a phone.
        Qualify => "qualify",
        /// Any open status `→ disqualified`; needs a reason.
        Disqualify => "disqualify",
        /// `disqualified → working`.
        Reopen => "reopen",
        /// `qualified → converted`: the lead becomes an account, a contact and
        /// optionally an opportunity. Only qualified leads convert, so every
        /// converted lead has a company and a way to reach the person.
        Convert => "convert",
        /// A user takes an unowned lead from the pool.
        Claim => "claim",
        /// The owner puts the lead back into the pool.
        Release => "release",
        /// A manager gives the lead to a user.
        Assign => "assign",
    }
}

impl LeadStatus {
    /// Open leads are the ones still being pursued: new, working or qualified.
    pub fn is_open(self) -> bool {
        matches!(self, LeadStatus::New | LeadStatus::Working | LeadStatus::Qualified)
    }

    /// The statuses that count as open, for duplicate checks in SQL.
    pub fn open_statuses() -> [LeadStatus; 3] {
        [LeadStatus::New, LeadStatus::Working, LeadStatus::Qualified]
    }
}

/// The fields of a lead that decide whether it may be qualified.
#[derive(Debug, Clone, Copy, Default)]
pub struct QualificationFacts<'a> {
    /// The lead's company, if any.
    pub company: Option<&'a str>,
    /// The lead's email, if any.
    pub email: Option<&'a str>,
    /// The lead's phone, if any.
    pub phone: Option<&'a str>,
}

/// Why a command was refused. The API answers `409 invalid_transition`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The command does not apply to the lead's current status.
    #[error("cannot {command} a lead that is {from}")]
    NotAllowed {
        /// The status the lead is in.
        from: LeadStatus,
        /// The refused command.
        command: LeadCommand,
    },
    /// The command applies, but the lead lacks fields it needs.
    #[error("cannot {command} a lead without {}", .fields.join(" and "))]
    MissingFields {
        /// The refused command.
        command: LeadCommand,
        /// What must be set first, in API field names.
        fields: Vec<&'static str>,
    },
    /// Ownership does not allow the command: claiming an owned lead, or
    /// releasing one the caller does not own.
    #[error("{0}")]
    Ownership(&'static str),
    /// Someone other than the owner, without the right to act for others.
    #[error("only the owner, or a manager over them, may work on this lead")]
    NotOwner,
}

/// Why a new lead cannot have the owner asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NewOwnerError {
    /// Both an owner and the pool were asked for.
    #[error("a lead sent to the pool has no owner")]
    PoolWithOwner,
    /// Only those who may assign create leads for others or into the pool.
    #[error("only managers and admins create leads for others or into the pool")]
    NotAllowed,
}

/// The owner of a new lead: the creator unless they name someone else or
/// send it to the pool (`None`), which takes the right to assign.
pub fn initial_owner(
    requested: Option<&str>,
    to_pool: bool,
    actor_id: &str,
    may_assign: bool,
) -> Result<Option<String>, NewOwnerError> {
    let owner = match (to_pool, requested) {
        (true, Some(_)) => return Err(NewOwnerError::PoolWithOwner),
        (true, None) => None,
        (false, requested) => Some(requested.unwrap_or(actor_id).to_owned()),
    };
    if owner.as_deref() != Some(actor_id) && !may_assign {
        return Err(NewOwnerError::NotAllowed);
    }
    Ok(owner)
}

/// Status commands are run by the owner, or by someone who may act for
/// others; a lead in the pool must be claimed or assigned first.
pub fn check_worker(owner_id: Option<&str>, actor_id: &str, may_act_for_others: bool) -> Result<(), TransitionError> {
    match owner_id {
        None => Err(TransitionError::Ownership("the lead is in the pool; claim or assign it first")),
        Some(owner) if owner != actor_id && !may_act_for_others => Err(TransitionError::NotOwner),
        Some(_) => Ok(()),
    }
}

/// The status a status command leads to, or why it is refused.
///
/// Ownership commands (`claim`, `release`, `assign`) keep the status and are
/// checked by [`check_claim`], [`check_release`] and [`check_assign`].
pub fn next_status(
    from: LeadStatus,
    command: LeadCommand,
    facts: QualificationFacts<'_>,
) -> Result<LeadStatus, TransitionError> {
    let refuse = || TransitionError::NotAllowed { from, command };
    match command {
        LeadCommand::Start if from == LeadStatus::New => Ok(LeadStatus::Working),
        LeadCommand::Qualify if matches!(from, LeadStatus::New | LeadStatus::Working) => {
            let missing = missing_for_qualification(facts);
            if missing.is_empty() {
                Ok(LeadStatus::Qualified)
            } else {
                Err(TransitionError::MissingFields { command, fields: missing })
            }
        }
        LeadCommand::Disqualify if from.is_open() => Ok(LeadStatus::Disqualified),
        LeadCommand::Reopen if from == LeadStatus::Disqualified => Ok(LeadStatus::Working),
        LeadCommand::Convert if from == LeadStatus::Qualified => Ok(LeadStatus::Converted),
        LeadCommand::Claim | LeadCommand::Release | LeadCommand::Assign => Ok(from),
        _ => Err(refuse()),
    }
}

fn missing_for_qualification(facts: QualificationFacts<'_>) -> Vec<&'static str> {
    let present = |v: Option<&str>| v.is_some_and(|s| !s.trim().is_empty());
    let mut missing = Vec::new();
    if !present(facts.company) {
        missing.push("company");
    }
    if !present(facts.email) && !present(facts.phone) {
        missing.push("email or phone");
    }
    missing
}

/// A user may claim a lead only from the pool, and only while it is open.
pub fn check_claim(status: LeadStatus, owner_id: Option<&str>) -> Result<(), TransitionError> {
    if !status.is_open() {
        return Err(TransitionError::NotAllowed { from: status, command: LeadCommand::Claim });
    }
    if owner_id.is_some() {
        return Err(TransitionError::Ownership("the lead already has an owner"));
    }
    Ok(())
}

/// Only the owner releases a lead to the pool, and a converted lead stays put.
pub fn check_release(status: LeadStatus, owner_id: Option<&str>, actor_id: &str) -> Result<(), TransitionError> {
    if status == LeadStatus::Converted {
        return Err(TransitionError::NotAllowed { from: status, command: LeadCommand::Release });
    }
    match owner_id {
        None => Err(TransitionError::Ownership("the lead is already in the pool")),
        Some(owner) if owner != actor_id => Err(TransitionError::Ownership("only the owner can release a lead")),
        Some(_) => Ok(()),
    }
}

/// A lead can be (re)assigned unless it is converted, and not to its current owner.
pub fn check_assign(status: LeadStatus, owner_id: Option<&str>, new_owner_id: &str) -> Result<(), TransitionError> {
    if status == LeadStatus::Converted {
        return Err(TransitionError::NotAllowed { from: status, command: LeadCommand::Assign });
    }
    if owner_id == Some(new_owner_id) {
        return Err(TransitionError::Ownership("the lead is already owned by that user"));
    }
    Ok(())
}

/// The lowest and highest lead score.
pub const SCORE_RANGE: std::ops::RangeInclusive<i32> = 0..=100;

#[cfg(test)]
mod tests {
    use super::*;
    use LeadCommand::*;
    use LeadStatus::*;

    const FULL: QualificationFacts<'static> =
        QualificationFacts { company: Some("Acme"), email: Some("a@acme.cn"), phone: None };

    #[test]
    fn start_moves_new_to_working_only() {
        assert_eq!(next_status(New, Start, FULL), Ok(Working));
        for from in [Working, Qualified, Disqualified, Converted] {
            assert_eq!(next_status(from, Start, FULL), Err(TransitionError::NotAllowed { from, command: Start }));
        }
    }

    #[test]
    fn qualify_needs_company_and_a_way_to_reach() {
        assert_eq!(next_status(New, Qualify, FULL), Ok(Qualified));
        assert_eq!(next_status(Working, Qualify, FULL), Ok(Qualified));
        let phone_only = QualificationFacts { company: Some("Acme"), email: None, phone: Some("13800138000") };
        assert_eq!(next_status(Working, Qualify, phone_only), Ok(Qualified));
        let nothing = QualificationFacts { company: Some("  "), email: None, phone: None };
        assert_eq!(
            next_status(Working, Qualify, nothing),
            Err(TransitionError::MissingFields { command: Qualify, fields: vec!["company", "email or phone"] })
        );
        for from in [Qualified, Disqualified, Converted] {
            assert!(matches!(next_status(from, Qualify, FULL), Err(TransitionError::NotAllowed { .. })));
        }
    }

    #[test]
    fn disqualify_from_open_and_reopen_from_disqualified() {
        for from in [New, Working, Qualified] {
            assert_eq!(next_status(from, Disqualify, FULL), Ok(Disqualified));
        }
        assert!(next_status(Disqualified, Disqualify, FULL).is_err());
        assert!(next_status(Converted, Disqualify, FULL).is_err());
        assert_eq!(next_status(Disqualified, Reopen, FULL), Ok(Working));
        for from in [New, Working, Qualified, Converted] {
            assert!(next_status(from, Reopen, FULL).is_err());
        }
    }

    #[test]
    fn only_qualified_leads_convert_and_only_once() {
        assert_eq!(next_status(Qualified, Convert, FULL), Ok(Converted));
        for from in [New, Working, Disqualified, Converted] {
            assert_eq!(next_status(from, Convert, FULL), Err(TransitionError::NotAllowed { from, command: Convert }));
        }
    }

    #[test]
    fn new_leads_belong_to_their_creator_unless_an_assigner_decides_otherwise() {
        assert_eq!(initial_owner(None, false, "me", false), Ok(Some("me".into())));
        assert_eq!(initial_owner(Some("me"), false, "me", false), Ok(Some("me".into())));
        assert_eq!(initial_owner(Some("you"), false, "me", false), Err(NewOwnerError::NotAllowed));
        assert_eq!(initial_owner(None, true, "me", false), Err(NewOwnerError::NotAllowed));
        assert_eq!(initial_owner(Some("you"), false, "me", true), Ok(Some("you".into())));
        assert_eq!(initial_owner(None, true, "me", true), Ok(None));
        assert_eq!(initial_owner(Some("you"), true, "me", true), Err(NewOwnerError::PoolWithOwner));
    }

    #[test]
    fn only_the_owner_or_an_assigner_works_an_owned_lead() {
        assert_eq!(check_worker(Some("me"), "me", false), Ok(()));
        assert_eq!(check_worker(Some("you"), "me", false), Err(TransitionError::NotOwner));
        assert_eq!(check_worker(Some("you"), "me", true), Ok(()));
        assert!(matches!(check_worker(None, "me", true), Err(TransitionError::Ownership(_))));
    }

    #[test]
    fn claim_release_and_assign_guard_ownership() {
        assert_eq!(check_claim(New, None), Ok(()));
        assert!(check_claim(New, Some("u1")).is_err());
        assert!(check_claim(Disqualified, None).is_err());
        assert_eq!(check_release(Working, Some("u1"), "u1"), Ok(()));
        assert!(check_release(Working, Some("u1"), "u2").is_err());
        assert!(check_release(Working, None, "u1").is_err());
        assert!(check_release(Converted, Some("u1"), "u1").is_err());
        assert_eq!(check_assign(New, None, "u2"), Ok(()));
        assert!(check_assign(New, Some("u2"), "u2").is_err());
        assert!(check_assign(Converted, None, "u2").is_err());
    }
}
