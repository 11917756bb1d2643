//! `/departments`: the department tree.
//!
//! Anyone signed in may read the tree; only admins change it. A department is
//! never moved under itself or one of its descendants, and one that still has
//! sub-departments or active members cannot be deleted.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

// Other resources (account pools) check department references at this path.
pub use service::require_department;

/// The entity type departments are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("department");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the department routes. Literal paths come before `{id}`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_departments)
        .service(handlers::create_department)
        .service(handlers::get_department)
        .service(handlers::update_department)
        .service(handlers::delete_department);
}
