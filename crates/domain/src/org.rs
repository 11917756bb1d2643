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

/// A department's place in the tree, for cycle checks when it is moved.
///
/// `ancestors_of_new_parent` lists the proposed parent and every department
/// above it. Moving a department under itself or under one of its own
/// descendants would make a cycle.
pub fn reparent_makes_cycle(department_id: &str, ancestors_of_new_parent: &[String]) -> bool {
    ancestors_of_new_parent.iter().any(|a| a == department_id)
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
        let ancestors = vec!["child".to_owned(), "root".to_owned()];
        assert!(reparent_makes_cycle("root", &ancestors));
        assert!(!reparent_makes_cycle("other", &ancestors));
    }
}
