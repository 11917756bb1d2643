//! `/role-scopes`: the data scope each role has (数据权限).
//!
//! Every role has a default scope (DOMAIN.md); an admin may set another. The
//! setting takes effect on the next request of every user with that role.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

// The caller check resolves each request's scope through this path.
pub use service::effective_scope;

/// The entity type scope settings are audited under; the entity id is the role word.
pub const ENTITY: EntityType = EntityType::admins_only("role_scope");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the role-scope routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_role_scopes).service(handlers::set_role_scope);
}
