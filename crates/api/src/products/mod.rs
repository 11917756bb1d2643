//! `/products`: the catalogue that quotes and orders sell from.
//!
//! Every signed-in role reads it; managers and admins add and change products.
//! A product is never deleted: `DELETE` deactivates it (reactivate with
//! `PATCH {"active": true}`), so quotes and orders keep their references.
//! Inactive products cannot be quoted.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type products are audited under; admins read the trail, as of every dictionary.
pub const ENTITY: EntityType = EntityType::admins_only("product");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the product routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_products)
        .service(handlers::create_product)
        .service(handlers::get_product)
        .service(handlers::update_product)
        .service(handlers::delete_product);
}
