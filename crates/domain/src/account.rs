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
