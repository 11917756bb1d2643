//! Accounts (customers): value tier, lifecycle, and why an owner changed.

use crate::text_enum;

text_enum! {
    /// An account's value tier.
    AccountTier {
        /// A: strategic.
        Strategic => "strategic",
        /// B: key.
        Key => "key",
        /// C: standard (the default).
        Standard => "standard",
        /// D: small.
        Small => "small",
    }
}

text_enum! {
    /// Where an account is in its life as a customer.
    AccountLifecycle {
        /// Not yet bought (the default).
        Prospect => "prospect",
        /// Buying.
        Active => "active",
        /// Quiet for a while.
        Dormant => "dormant",
        /// Gone.
        Churned => "churned",
    }
}

text_enum! {
    /// Why an account's owner changed, as kept in its owner history.
    OwnerChangeReason {
        /// Created with this owner.
        Create => "create",
        /// Handed to another owner.
        Transfer => "transfer",
        /// The owner put it back in a pool.
        Release => "release",
        /// A rep took it from a pool.
        Claim => "claim",
        /// A manager gave it to a rep.
        Assign => "assign",
        /// The recall job took it back into its pool.
        Recall => "recall",
    }
}

/// Why an account change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountRuleError {
    /// The proposed parent is the account itself or one of its subsidiaries.
    #[error("an account cannot belong to itself or to one of its own subsidiaries")]
    ParentCycle,
    /// The account sits in a pool; it is assigned or claimed, not transferred.
    #[error("the account is in a pool; assign or claim it instead of transferring it")]
    InPool,
    /// The new owner already owns the account.
    #[error("the account already belongs to this owner")]
    SameOwner,
}

/// An account may join the group of `new_parent_chain` (the proposed parent
/// and every account above it) unless that chain contains the account itself.
pub fn check_parent(account_id: &str, new_parent_chain: &[String]) -> Result<(), AccountRuleError> {
    if new_parent_chain.iter().any(|a| a == account_id) {
        return Err(AccountRuleError::ParentCycle);
    }
    Ok(())
}

/// An owned account may be handed to anyone but its current owner; an
/// account in a pool (`current_owner` is `None`) is assigned, not transferred.
pub fn check_transfer(current_owner: Option<&str>, new_owner: &str) -> Result<(), AccountRuleError> {
    match current_owner {
        None => Err(AccountRuleError::InPool),
        Some(owner) if owner == new_owner => Err(AccountRuleError::SameOwner),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_parent_chain_containing_the_account_is_a_cycle() {
        assert_eq!(check_parent("a", &chain(&["a"])), Err(AccountRuleError::ParentCycle));
        assert_eq!(check_parent("a", &chain(&["c", "b", "a"])), Err(AccountRuleError::ParentCycle));
        assert_eq!(check_parent("a", &chain(&["c", "b"])), Ok(()));
        assert_eq!(check_parent("a", &[]), Ok(()));
    }

    #[test]
    fn transfers_need_an_owned_account_and_a_new_owner() {
        assert_eq!(check_transfer(None, "u"), Err(AccountRuleError::InPool));
        assert_eq!(check_transfer(Some("u"), "u"), Err(AccountRuleError::SameOwner));
        assert_eq!(check_transfer(Some("u"), "v"), Ok(()));
    }

    #[test]
    fn tier_and_lifecycle_words_round_trip() {
        for tier in AccountTier::ALL {
            assert_eq!(tier.as_str().parse::<AccountTier>(), Ok(*tier));
        }
        assert!("gold".parse::<AccountTier>().is_err());
        assert_eq!("churned".parse::<AccountLifecycle>(), Ok(AccountLifecycle::Churned));
    }
}
