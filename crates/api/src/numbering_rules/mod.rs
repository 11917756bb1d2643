//! `/numbering-rules`: how each document type is numbered (单据编号规则).
//!
//! A number is the type's prefix, the business day (in
//! `SALESOPS_BUSINESS_TIME_ZONE`) and the day's counter, e.g. `SO-20261206-0001`.
//! Every type has a default rule (`QT` for quotes, `SO` for orders, four digits);
//! an admin may set another, which applies from the next number. Documents take
//! their numbers through [`service::next_number`].

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type rule settings are audited under; the entity id is the document type word.
pub const ENTITY: EntityType = EntityType::admins_only("numbering_rule");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the numbering-rule routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_numbering_rules).service(handlers::set_numbering_rule);
}
