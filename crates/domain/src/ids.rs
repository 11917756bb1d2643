//! Record identifiers.

/// A new time-ordered UUIDv7, rendered as the lower-case hyphenated string the API returns.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A string that is not a well-formed UUID, given where a record id was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a record id (a UUID)")]
pub struct InvalidId(pub String);

/// Declare a newtype id for one kind of record: a UUID in its lower-case
/// hyphenated text form, so that one kind of id cannot be passed for another.
/// It (de)serialises as the plain string and refuses anything but a UUID.
macro_rules! entity_ids {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The id as text, for queries and JSON.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(s: String) -> Result<Self, InvalidId> {
                match uuid::Uuid::parse_str(&s) {
                    Ok(u) => Ok($name(u.hyphenated().to_string())),
                    Err(_) => Err(InvalidId(s)),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, InvalidId> {
                $name::try_from(s.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )+};
}

entity_ids! {
    /// A lead's id.
    LeadId;
    /// An account's id.
    AccountId;
    /// A contact's id.
    ContactId;
    /// An opportunity's id.
    OpportunityId;
    /// An activity's id.
    ActivityId;
    /// A customer pool's id.
    PoolId;
    /// A user's id.
    UserId;
    /// A department's id.
    DepartmentId;
    /// A competitor's id.
    CompetitorId;
    /// A product's id.
    ProductId;
    /// A quote's id.
    QuoteId;
    /// An approval request's id.
    ApprovalRequestId;
    /// An order's id.
    OrderId;
    /// A payment's id.
    PaymentId;
    /// A refund's id.
    RefundId;
    /// A commission plan's id.
    CommissionPlanId;
    /// A commission plan assignment's id.
    AssignmentId;
    /// A commission run's id.
    CommissionRunId;
    /// A commission statement's id.
    StatementId;
    /// A sales target's id.
    TargetId;
    /// A target's subject: a department's or a user's id.
    SubjectId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_ids_accept_only_uuids_and_keep_their_text() {
        let id = new_id();
        let lead: LeadId = id.parse().expect("a UUID is a lead id");
        assert_eq!(lead.as_str(), id);
        assert_eq!(String::from(lead.clone()), id);
        assert!("not-an-id".parse::<LeadId>().is_err());
        assert!("a\u{0}b".parse::<AccountId>().is_err());
        let upper: AccountId = id.to_uppercase().parse().expect("upper case");
        assert_eq!(upper.as_str(), id, "ids are kept in their canonical lower-case form");
        let json: UserId = serde_json::from_value(serde_json::json!(id)).expect("from JSON");
        assert_eq!(serde_json::to_value(&json).expect("to JSON"), serde_json::json!(id));
        assert!(serde_json::from_value::<UserId>(serde_json::json!("x")).is_err());
    }

    #[test]
    fn new_ids_are_valid_and_time_ordered() {
        let a = new_id();
        let b = new_id();
        assert!(a.parse::<LeadId>().is_ok());
        assert!(a < b, "UUIDv7 strings sort by creation time");
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!("not-an-id".parse::<LeadId>().is_err());
        assert!("".parse::<LeadId>().is_err());
    }
}
