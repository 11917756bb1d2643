//! `/discount-authorities`: the largest line discount each role may give
//! without approval (折扣权限).
//!
//! Every role has a default (rep 10%, manager 20%, finance none, admin
//! unlimited); an admin may set another, or none at all. Quotes read the
//! authority in force through [`service::authority_of`].

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type authority settings are audited under; the entity id is the role word.
pub const ENTITY: EntityType = EntityType::admins_only("discount_authority");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the discount-authority routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_discount_authorities).service(handlers::set_discount_authority);
}
