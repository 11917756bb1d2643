//! The organisation: departments, users, and the data scope of each role.

pub mod departments;
pub mod role_scopes;
pub mod users;

use crate::app::AppError;
use crate::app::FieldError;
use salesops_domain::org::OrgRuleError;

impl From<OrgRuleError> for AppError {
    fn from(e: OrgRuleError) -> Self {
        let on_manager = |code: &str| AppError::Validation(vec![FieldError::new("manager_id", code, e.to_string())]);
        match e {
            OrgRuleError::SelfManager => on_manager("self_manager"),
            OrgRuleError::ReportingLoop => on_manager("reporting_loop"),
            OrgRuleError::DepartmentCycle
            | OrgRuleError::OwnRoleChange
            | OrgRuleError::SelfDeactivation
            | OrgRuleError::AlreadyInState { .. } => {
                AppError::InvalidTransition { detail: e.to_string(), errors: Vec::new() }
            }
        }
    }
}
