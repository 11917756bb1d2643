//! What an endpoint demands of the acting user's role, stated once in its
//! signature as `Authorized<P>` (see `crate::auth::Authorized`).

use salesops_domain::org::Role;

/// A permission: a set of roles, and the phrase a refusal uses.
pub trait Permission: 'static {
    /// What the permission lets a role do, for the 403 detail: "the rep role may not {ACTION}".
    const ACTION: &'static str;

    /// Whether `role` holds it.
    fn allows(role: Role) -> bool;
}

/// Create and change pipeline records: leads, accounts, contacts, activities,
/// opportunities. Everyone but finance.
#[derive(Debug)]
pub struct EditPipeline;

impl Permission for EditPipeline {
    const ACTION: &'static str = "change pipeline records";

    fn allows(role: Role) -> bool {
        role.can_edit_pipeline()
    }
}

/// Hand records to other users (assign, transfer), reopen closed deals and
/// maintain shared dictionaries such as competitors. Managers and admins.
#[derive(Debug)]
pub struct AssignRecords;

impl Permission for AssignRecords {
    const ACTION: &'static str = "assign records to others";

    fn allows(role: Role) -> bool {
        role.can_assign()
    }
}

/// Configure the organisation and the system: users, departments, data
/// scopes, the pipeline, loss reasons, customer pools. Admins.
#[derive(Debug)]
pub struct Administer;

impl Permission for Administer {
    const ACTION: &'static str = "administer the organisation and its configuration";

    fn allows(role: Role) -> bool {
        role.can_administer()
    }
}

/// Confirm payments and record refunds: the money itself, which finance
/// answers for. Admins and finance.
#[derive(Debug)]
pub struct ConfirmMoney;

impl Permission for ConfirmMoney {
    const ACTION: &'static str = "confirm payments and record refunds";

    fn allows(role: Role) -> bool {
        matches!(role, Role::Admin | Role::Finance)
    }
}

/// Create, recompute and delete commission runs: payroll's arithmetic, which finance
/// answers for. Admins and finance.
#[derive(Debug)]
pub struct RunCommissions;

impl Permission for RunCommissions {
    const ACTION: &'static str = "run commissions";

    fn allows(role: Role) -> bool {
        matches!(role, Role::Admin | Role::Finance)
    }
}

/// Approve commission runs for payment, and simulate plans: the sales managers'
/// judgement. Admins and managers (a manager only over users in their scope).
#[derive(Debug)]
pub struct ApproveCommissions;

impl Permission for ApproveCommissions {
    const ACTION: &'static str = "approve or simulate commissions";

    fn allows(role: Role) -> bool {
        matches!(role, Role::Admin | Role::Manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_permission_names_its_roles() {
        let holders = |allows: fn(Role) -> bool| Role::ALL.iter().copied().filter(|r| allows(*r)).collect::<Vec<_>>();
        assert_eq!(holders(EditPipeline::allows), vec![Role::Admin, Role::Manager, Role::Rep]);
        assert_eq!(holders(AssignRecords::allows), vec![Role::Admin, Role::Manager]);
        assert_eq!(holders(Administer::allows), vec![Role::Admin]);
        assert_eq!(holders(ConfirmMoney::allows), vec![Role::Admin, Role::Finance]);
        assert_eq!(holders(RunCommissions::allows), vec![Role::Admin, Role::Finance]);
        assert_eq!(holders(ApproveCommissions::allows), vec![Role::Admin, Role::Manager]);
    }
}
