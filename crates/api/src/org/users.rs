//! `/users`: the people of the sales organisation.

use crate::time::to_utc;
use chrono::{DateTime, Utc};
use salesops_domain::org::Role;
use salesops_persistence::users::UserRow;
use serde::Serialize;
use utoipa::ToSchema;

/// A user. The password hash is never returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    /// UUIDv7.
    pub id: String,
    /// Unique, lower-cased.
    #[schema(example = "li.lei@example.cn")]
    pub email: String,
    /// Display name.
    #[schema(example = "李雷")]
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Role.
    pub role: Role,
    /// Department.
    pub department_id: Option<String>,
    /// Line manager.
    pub manager_id: Option<String>,
    /// False once deactivated.
    pub active: bool,
    /// Bumped on every change; also the ETag.
    pub version: i64,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Who created the user.
    pub created_by: Option<String>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            role: r.role.parse().unwrap_or(Role::Rep),
            id: r.id,
            email: r.email,
            name: r.name,
            phone: r.phone,
            department_id: r.department_id,
            manager_id: r.manager_id,
            active: r.active,
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// Register the user routes.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
