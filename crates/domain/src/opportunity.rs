//! Opportunities: status, forecast category and stage kinds.

use crate::account::AccountLifecycle;
use crate::text_enum;

text_enum! {
    /// Whether an opportunity is still being worked, and how it ended.
    OpportunityStatus {
        /// Being worked.
        Open => "open",
        /// Closed won.
        Won => "won",
        /// Closed lost.
        Lost => "lost",
        /// Closed without a decision.
        Abandoned => "abandoned",
    }
}

text_enum! {
    /// How an opportunity counts in the forecast.
    ForecastCategory {
        /// Early; counted weighted.
        Pipeline => "pipeline",
        /// Could close this period.
        BestCase => "best_case",
        /// Expected to close this period.
        Commit => "commit",
        /// Left out of the forecast.
        Omitted => "omitted",
        /// Already closed.
        Closed => "closed",
    }
}

text_enum! {
    /// What entering a pipeline stage means.
    StageKind {
        /// The opportunity is still open.
        Open => "open",
        /// Entering it wins the opportunity.
        Won => "won",
        /// Entering it loses the opportunity.
        Lost => "lost",
    }
}

impl OpportunityStatus {
    /// Whether the opportunity is still being worked.
    pub fn is_open(self) -> bool {
        self == OpportunityStatus::Open
    }
}

text_enum! {
    /// An opportunity field a pipeline stage can require before it is entered (a gate).
    GateField {
        /// `amount` is set (and above 0 for a won stage).
        Amount => "amount",
        /// `expected_close_date` is set.
        ExpectedCloseDate => "expected_close_date",
        /// `account_id` is set.
        AccountId => "account_id",
        /// `contact_id` is set.
        ContactId => "contact_id",
        /// `next_step` is set.
        NextStep => "next_step",
        /// `loss_reason` is set.
        LossReason => "loss_reason",
        /// At least one competitor is listed.
        Competitors => "competitors",
    }
}

text_enum! {
    /// What changed an opportunity's stage or status, as kept in its stage history.
    OpportunityAction {
        /// Created in its first stage.
        Create => "create",
        /// Moved to another open stage.
        Move => "move",
        /// Closed won.
        Win => "win",
        /// Closed lost.
        Lose => "lose",
        /// Closed without a decision.
        Abandon => "abandon",
        /// Reopened after closing.
        Reopen => "reopen",
    }
}

/// What an opportunity has set, as far as stage gates are concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateFacts {
    /// The amount in minor units, if estimated.
    pub amount: Option<i64>,
    /// Whether an expected close date is set.
    pub expected_close_date: bool,
    /// Whether an account is linked.
    pub account_id: bool,
    /// Whether a contact is linked.
    pub contact_id: bool,
    /// Whether a next step is written down.
    pub next_step: bool,
    /// Whether a loss reason is recorded.
    pub loss_reason: bool,
    /// How many competitors are listed.
    pub competitors: usize,
}

/// The fields `required` by a stage of `kind` that `facts` lacks, in the order required.
///
/// An amount of 0 counts as missing for a `won` stage: a deal is not won for nothing.
pub fn missing_gate_fields(required: &[GateField], facts: &GateFacts, kind: StageKind) -> Vec<GateField> {
    let mut missing: Vec<GateField> = Vec::new();
    for field in required {
        let set = match field {
            GateField::Amount => match facts.amount {
                None => false,
                Some(a) => kind != StageKind::Won || a > 0,
            },
            GateField::ExpectedCloseDate => facts.expected_close_date,
            GateField::AccountId => facts.account_id,
            GateField::ContactId => facts.contact_id,
            GateField::NextStep => facts.next_step,
            GateField::LossReason => facts.loss_reason,
            GateField::Competitors => facts.competitors > 0,
        };
        if !set && !missing.contains(field) {
            missing.push(*field);
        }
    }
    missing
}

/// The gated fields set in `before` that a change leaves unset in `after`: an edit may
/// not undo what the current stage requires (fields that were already missing stay allowed).
pub fn gate_fields_cleared(
    required: &[GateField],
    before: &GateFacts,
    after: &GateFacts,
    kind: StageKind,
) -> Vec<GateField> {
    let missing_before = missing_gate_fields(required, before, kind);
    missing_gate_fields(required, after, kind).into_iter().filter(|f| !missing_before.contains(f)).collect()
}

/// Why a pipeline command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    /// The opportunity is closed; only `reopen` applies.
    #[error("the opportunity is {0}; reopen it first")]
    Closed(OpportunityStatus),
    /// The opportunity is open; `reopen` applies to closed ones only.
    #[error("the opportunity is open; only closed opportunities can be reopened")]
    AlreadyOpen,
    /// The target is the current stage.
    #[error("the opportunity is already in stage `{0}`")]
    SameStage(String),
    /// The target stage closes the opportunity; use `win` or `lose`.
    #[error("stage `{0}` closes the opportunity; use win or lose")]
    ClosingStage(String),
    /// A forecast override of `closed` on an open opportunity.
    #[error("an open opportunity cannot be forecast as closed")]
    ClosedForecastWhileOpen,
}

/// Check a move from `current_stage` to an active stage `target` of kind `target_kind`.
pub fn check_move(
    status: OpportunityStatus,
    current_stage: &str,
    target: &str,
    target_kind: StageKind,
) -> Result<(), PipelineError> {
    if !status.is_open() {
        return Err(PipelineError::Closed(status));
    }
    if target_kind != StageKind::Open {
        return Err(PipelineError::ClosingStage(target.to_owned()));
    }
    if target == current_stage {
        return Err(PipelineError::SameStage(target.to_owned()));
    }
    Ok(())
}

/// How a closing command leaves an opportunity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedState {
    /// The status it ends in.
    pub status: OpportunityStatus,
    /// The probability it ends with.
    pub probability_bps: i32,
    /// The forecast category it ends in.
    pub forecast_category: ForecastCategory,
}

/// Check that a closing command (`win`, `lose`, `abandon`) applies, and say how it leaves the opportunity.
/// Any other action is not a closing one and is refused as if the opportunity were closed.
pub fn close(status: OpportunityStatus, action: OpportunityAction) -> Result<ClosedState, PipelineError> {
    if !status.is_open() {
        return Err(PipelineError::Closed(status));
    }
    let (status, probability_bps, forecast_category) = match action {
        OpportunityAction::Win => (OpportunityStatus::Won, 10_000, ForecastCategory::Closed),
        OpportunityAction::Lose => (OpportunityStatus::Lost, 0, ForecastCategory::Omitted),
        OpportunityAction::Abandon => (OpportunityStatus::Abandoned, 0, ForecastCategory::Omitted),
        OpportunityAction::Create | OpportunityAction::Move | OpportunityAction::Reopen => {
            return Err(PipelineError::Closed(status))
        }
    };
    Ok(ClosedState { status, probability_bps, forecast_category })
}

/// Check that a closed opportunity may be reopened into a stage of `target_kind`.
pub fn check_reopen(status: OpportunityStatus, target: &str, target_kind: StageKind) -> Result<(), PipelineError> {
    if status.is_open() {
        return Err(PipelineError::AlreadyOpen);
    }
    if target_kind != StageKind::Open {
        return Err(PipelineError::ClosingStage(target.to_owned()));
    }
    Ok(())
}

/// Check a forecast-category override on an opportunity with `status`.
pub fn check_forecast_override(status: OpportunityStatus, category: ForecastCategory) -> Result<(), PipelineError> {
    if status.is_open() && category == ForecastCategory::Closed {
        return Err(PipelineError::ClosedForecastWhileOpen);
    }
    Ok(())
}

/// Whether `bps` is a probability: 0 to 10000 basis points.
pub fn is_probability(bps: i32) -> bool {
    (0..=10_000).contains(&bps)
}

/// Whether `key` can name a stage or a dictionary code: lower snake_case, 1–40
/// characters, starting with a letter, no double or trailing underscores.
pub fn is_code_key(key: &str) -> bool {
    let starts_with_letter = key.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    starts_with_letter
        && key.len() <= 40
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !key.ends_with('_')
        && !key.contains("__")
}

/// The weighted amount: `amount × probability_bps / 10000`, rounded half away from zero
/// to the minor unit (see [`crate::money::apply_bps`]).
pub fn weighted_amount(amount: i64, probability_bps: i32) -> i64 {
    crate::money::apply_bps(amount, probability_bps)
}

/// The lifecycle of an account after one of its opportunities is won: a prospect becomes active.
pub fn lifecycle_after_win(current: AccountLifecycle) -> AccountLifecycle {
    match current {
        AccountLifecycle::Prospect => AccountLifecycle::Active,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> GateFacts {
        GateFacts::default()
    }

    #[test]
    fn gates_name_every_missing_field_in_order() {
        let required = [GateField::Amount, GateField::ExpectedCloseDate, GateField::AccountId];
        assert_eq!(missing_gate_fields(&required, &facts(), StageKind::Open), required.to_vec());
        let f = GateFacts { amount: Some(0), account_id: true, ..facts() };
        assert_eq!(missing_gate_fields(&required, &f, StageKind::Open), vec![GateField::ExpectedCloseDate]);
        let all = GateFacts {
            amount: Some(1),
            expected_close_date: true,
            account_id: true,
            contact_id: true,
            next_step: true,
            loss_reason: true,
            competitors: 2,
        };
        assert!(missing_gate_fields(GateField::ALL, &all, StageKind::Open).is_empty());
        assert_eq!(missing_gate_fields(GateField::ALL, &facts(), StageKind::Open), GateField::ALL.to_vec());
    }

    #[test]
    fn a_zero_amount_does_not_win_a_deal() {
        let required = [GateField::AccountId, GateField::Amount];
        let f = GateFacts { amount: Some(0), account_id: true, ..facts() };
        assert_eq!(missing_gate_fields(&required, &f, StageKind::Won), vec![GateField::Amount]);
        let f = GateFacts { amount: Some(1), ..f };
        assert!(missing_gate_fields(&required, &f, StageKind::Won).is_empty());
    }

    #[test]
    fn an_edit_may_not_clear_what_the_stage_requires() {
        let required = [GateField::Amount, GateField::ExpectedCloseDate];
        let before = GateFacts { amount: Some(5), ..facts() };
        let after = GateFacts { amount: None, ..facts() };
        assert_eq!(gate_fields_cleared(&required, &before, &after, StageKind::Open), vec![GateField::Amount]);
        assert!(gate_fields_cleared(&required, &before, &before, StageKind::Open).is_empty());
    }

    #[test]
    fn moves_go_between_distinct_open_stages_of_open_opportunities() {
        assert!(check_move(OpportunityStatus::Open, "qualification", "proposal", StageKind::Open).is_ok());
        assert!(check_move(OpportunityStatus::Open, "proposal", "qualification", StageKind::Open).is_ok());
        assert_eq!(
            check_move(OpportunityStatus::Open, "proposal", "proposal", StageKind::Open),
            Err(PipelineError::SameStage("proposal".into()))
        );
        assert_eq!(
            check_move(OpportunityStatus::Open, "proposal", "closed_won", StageKind::Won),
            Err(PipelineError::ClosingStage("closed_won".into()))
        );
        for status in [OpportunityStatus::Won, OpportunityStatus::Lost, OpportunityStatus::Abandoned] {
            assert_eq!(
                check_move(status, "proposal", "negotiation", StageKind::Open),
                Err(PipelineError::Closed(status))
            );
        }
    }

    #[test]
    fn closing_sets_status_probability_and_forecast() {
        let won = close(OpportunityStatus::Open, OpportunityAction::Win).expect("win");
        assert_eq!(
            (won.status, won.probability_bps, won.forecast_category),
            (OpportunityStatus::Won, 10_000, ForecastCategory::Closed)
        );
        let lost = close(OpportunityStatus::Open, OpportunityAction::Lose).expect("lose");
        assert_eq!(
            (lost.status, lost.probability_bps, lost.forecast_category),
            (OpportunityStatus::Lost, 0, ForecastCategory::Omitted)
        );
        let gone = close(OpportunityStatus::Open, OpportunityAction::Abandon).expect("abandon");
        assert_eq!(gone.status, OpportunityStatus::Abandoned);
        assert!(close(OpportunityStatus::Open, OpportunityAction::Move).is_err());
        for status in [OpportunityStatus::Won, OpportunityStatus::Lost, OpportunityStatus::Abandoned] {
            for action in [OpportunityAction::Win, OpportunityAction::Lose, OpportunityAction::Abandon] {
                assert_eq!(close(status, action), Err(PipelineError::Closed(status)));
            }
        }
    }

    #[test]
    fn only_closed_opportunities_reopen_and_only_into_open_stages() {
        assert_eq!(check_reopen(OpportunityStatus::Open, "proposal", StageKind::Open), Err(PipelineError::AlreadyOpen));
        assert!(check_reopen(OpportunityStatus::Lost, "proposal", StageKind::Open).is_ok());
        assert!(check_reopen(OpportunityStatus::Won, "closed_lost", StageKind::Lost).is_err());
    }

    #[test]
    fn open_opportunities_cannot_be_forecast_as_closed() {
        assert!(check_forecast_override(OpportunityStatus::Open, ForecastCategory::Closed).is_err());
        assert!(check_forecast_override(OpportunityStatus::Open, ForecastCategory::Commit).is_ok());
        assert!(check_forecast_override(OpportunityStatus::Won, ForecastCategory::Closed).is_ok());
    }

    #[test]
    fn keys_are_lower_snake_case() {
        assert!(is_code_key("proposal"));
        assert!(is_code_key("stage_2b"));
        assert!(!is_code_key("Proposal"));
        assert!(!is_code_key("2nd"));
        assert!(!is_code_key("a__b"));
        assert!(!is_code_key("a_"));
        assert!(!is_code_key(""));
        assert!(!is_code_key(&"a".repeat(41)));
        assert!(is_probability(0) && is_probability(10_000) && !is_probability(-1) && !is_probability(10_001));
    }

    #[test]
    fn weighted_amounts_round_half_away_from_zero() {
        assert_eq!(weighted_amount(100_000, 2_500), 25_000);
        assert_eq!(weighted_amount(15, 5_000), 8); // 7.5
        assert_eq!(weighted_amount(333, 1_000), 33); // 33.3
        assert_eq!(weighted_amount(335, 1_000), 34); // 33.5
    }

    #[test]
    fn a_won_deal_makes_a_prospect_active() {
        assert_eq!(lifecycle_after_win(AccountLifecycle::Prospect), AccountLifecycle::Active);
        assert_eq!(lifecycle_after_win(AccountLifecycle::Dormant), AccountLifecycle::Dormant);
        assert_eq!(lifecycle_after_win(AccountLifecycle::Active), AccountLifecycle::Active);
    }
}
