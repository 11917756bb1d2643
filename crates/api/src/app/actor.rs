//! The acting user of a use case.

use crate::app::permission::Permission;
use crate::app::AppError;
use salesops_domain::org::{DataScope, Role};
use salesops_persistence::scope::Visibility;
use std::sync::Arc;

/// Who performs a use case: an authenticated, active user with the role and
/// data scope in force now. The edge builds it from a verified token; a use
/// case trusts that the endpoint's [`Permission`] was already checked.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id.
    pub id: String,
    /// The user's role.
    pub role: Role,
    /// The data scope in force for that role.
    pub scope: DataScope,
    /// The user's department, which some scopes and pool rules read.
    pub department_id: Option<String>,
    /// The request the use case serves, carried into the audit log.
    pub request_id: Option<String>,
    /// Whose records the scope shows, resolved once when the caller was checked.
    pub visibility: Arc<Visibility>,
}

impl Actor {
    /// The user's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether the role holds permission `P`, for rules that depend on the
    /// record (a pool lead may be deleted only by those who may assign).
    pub fn holds<P: Permission>(&self) -> bool {
        P::allows(self.role)
    }

    /// Refuse with 403 unless the role holds `P`; for the few checks that
    /// depend on the record or the input rather than on the endpoint.
    pub fn require<P: Permission>(&self, action: &str) -> Result<(), AppError> {
        if self.holds::<P>() {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("the {} role may not {action}", self.role)))
        }
    }

    /// Whose records the actor may see.
    pub fn visibility(&self) -> &Visibility {
        &self.visibility
    }
}
