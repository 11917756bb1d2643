//! The organisation: roles, data scopes and what each role may do.

use crate::text_enum;

text_enum! {
    /// What a user is in the sales organisation.
    Role {
        /// Everything, including configuration.
        Admin => "admin",
        /// Their scope, approvals and assignment.
        Manager => "manager",
        /// Their own work.
        Rep => "rep",
        /// Orders, payments and commissions; read-only on the pipeline.
        Finance => "finance",
    }
}

text_enum! {
    /// Which owned records a user can see and change (数据权限).
    DataScope {
        /// Records the user owns.
        OwnOnly => "self",
        /// The user and everyone below them through `manager_id`.
        SelfAndSubordinates => "self_and_subordinates",
        /// Everyone in the user's own department.
        Department => "department",
        /// The user's department and every department under it.
        DepartmentTree => "department_tree",
        /// Every record.
        All => "all",
    }
}

impl Role {
    /// The scope a role gets until an admin configures another (DOMAIN.md).
    pub fn default_scope(self) -> DataScope {
        match self {
            Role::Admin | Role::Finance => DataScope::All,
            Role::Manager => DataScope::DepartmentTree,
            Role::Rep => DataScope::OwnOnly,
        }
    }

    /// Whether the role may create and change pipeline records such as leads.
    /// Finance reads the pipeline but does not edit it.
    pub fn can_edit_pipeline(self) -> bool {
        !matches!(self, Role::Finance)
    }

    /// Whether the role may hand records to other users.
    pub fn can_assign(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }

    /// Whether the role may change the organisation: users, departments and scopes.
    pub fn can_administer(self) -> bool {
        matches!(self, Role::Admin)
    }
}

/// Why a change to the organisation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrgRuleError {
    /// A department moved under itself or one of its own sub-departments.
    #[error("a department cannot move under itself or one of its own sub-departments")]
    DepartmentCycle,
    /// A user named as their own manager.
    #[error("a user cannot be their own manager")]
    SelfManager,
    /// The new manager reports to the user, directly or through others.
    #[error("this manager reports to the user, directly or through others; that would make a loop")]
    ReportingLoop,
    /// An admin changing their own role, which could leave nobody to administer.
    #[error("you cannot change your own role; ask another admin")]
    OwnRoleChange,
    /// An admin deactivating themselves.
    #[error("you cannot deactivate yourself; ask another admin")]
    SelfDeactivation,
    /// Activating an active user or deactivating an inactive one.
    #[error("the user is already {}", if *.active { "active" } else { "inactive" })]
    AlreadyInState {
        /// The state the user is already in.
        active: bool,
    },
}

/// A department may move under `new_parent_chain` (the proposed parent and
/// every department above it) unless that chain contains the department itself.
pub fn check_reparent(department_id: &str, new_parent_chain: &[String]) -> Result<(), OrgRuleError> {
    if new_parent_chain.iter().any(|a| a == department_id) {
        return Err(OrgRuleError::DepartmentCycle);
    }
    Ok(())
}

/// A user may report to a manager whose chain (the manager and everyone above
/// them) does not contain the user.
pub fn check_manager(user_id: &str, manager_chain: &[String]) -> Result<(), OrgRuleError> {
    match manager_chain.first() {
        Some(manager) if manager == user_id => Err(OrgRuleError::SelfManager),
        _ if manager_chain.iter().any(|m| m == user_id) => Err(OrgRuleError::ReportingLoop),
        _ => Ok(()),
    }
}

/// Nobody changes their own role.
pub fn check_role_change(user_id: &str, actor_id: &str, from: Role, to: Role) -> Result<(), OrgRuleError> {
    if from != to && user_id == actor_id {
        return Err(OrgRuleError::OwnRoleChange);
    }
    Ok(())
}

/// Activation must change something, and nobody deactivates themselves.
pub fn check_activation(user_id: &str, actor_id: &str, active: bool, want_active: bool) -> Result<(), OrgRuleError> {
    if !want_active && user_id == actor_id {
        return Err(OrgRuleError::SelfDeactivation);
    }
    if active == want_active {
        return Err(OrgRuleError::AlreadyInState { active });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn default_scopes_follow_the_domain_document() {
        assert_eq!(Role::Rep.default_scope(), DataScope::OwnOnly);
        assert_eq!(Role::Manager.default_scope(), DataScope::DepartmentTree);
        assert_eq!(Role::Finance.default_scope(), DataScope::All);
        assert_eq!(Role::Admin.default_scope(), DataScope::All);
    }

    #[test]
    fn words_round_trip() {
        for scope in DataScope::ALL {
            assert_eq!(DataScope::from_str(scope.as_str()), Ok(*scope));
        }
        assert_eq!(DataScope::OwnOnly.as_str(), "self");
        let err = Role::from_str("root").unwrap_err();
        assert!(err.allowed.contains("manager"));
    }

    #[test]
    fn finance_reads_but_does_not_edit_the_pipeline() {
        assert!(!Role::Finance.can_edit_pipeline());
        assert!(Role::Rep.can_edit_pipeline());
        assert!(!Role::Rep.can_assign());
        assert!(Role::Manager.can_assign());
    }

    #[test]
    fn moving_a_department_under_its_descendant_is_a_cycle() {
        let chain = vec!["child".to_owned(), "root".to_owned()];
        assert_eq!(check_reparent("root", &chain), Err(OrgRuleError::DepartmentCycle));
        assert_eq!(check_reparent("other", &chain), Ok(()));
    }

    #[test]
    fn a_manager_may_not_be_the_user_or_below_them() {
        let chain = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(check_manager("u", &chain(&["u"])), Err(OrgRuleError::SelfManager));
        assert_eq!(check_manager("u", &chain(&["m", "u", "top"])), Err(OrgRuleError::ReportingLoop));
        assert_eq!(check_manager("u", &chain(&["m", "top"])), Ok(()));
    }

    #[test]
    fn admins_keep_their_own_role_and_activation() {
        assert_eq!(check_role_change("a", "a", Role::Admin, Role::Rep), Err(OrgRuleError::OwnRoleChange));
        assert_eq!(check_role_change("a", "a", Role::Admin, Role::Admin), Ok(()));
        assert_eq!(check_role_change("u", "a", Role::Rep, Role::Manager), Ok(()));
        assert_eq!(check_activation("a", "a", true, false), Err(OrgRuleError::SelfDeactivation));
        assert_eq!(check_activation("u", "a", false, false), Err(OrgRuleError::AlreadyInState { active: false }));
        assert_eq!(check_activation("u", "a", true, true), Err(OrgRuleError::AlreadyInState { active: true }));
        assert_eq!(check_activation("u", "a", true, false), Ok(()));
        assert_eq!(check_activation("a", "a", false, true), Ok(()));
    }
}
