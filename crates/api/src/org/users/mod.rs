//! `/users`: the people of the sales organisation.
//!
//! Anyone signed in may read users; only admins create, change, deactivate and
//! reactivate them. Nobody is ever hard-deleted: a deactivated user keeps their
//! records, cannot log in, and loses every token they held.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

// Other resources (leads, accounts, pools, opportunities, activities, `/me`)
// reach these at their old paths.
pub use dto::User;
pub use service::check_assignable;

/// The entity type users are audited under.
pub const ENTITY: EntityType = EntityType::user("user");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the user routes. Literal paths come before `{id}`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_users)
        .service(handlers::create_user)
        .service(handlers::get_user)
        .service(handlers::update_user)
        .service(handlers::deactivate_user)
        .service(handlers::reactivate_user);
}
