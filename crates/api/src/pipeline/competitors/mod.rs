//! `/competitors`: the small dictionary of competitors named on opportunities.
//!
//! Anyone signed in may read it; managers and admins add and change entries.
//! An entry is never deleted: `DELETE` deactivates it (reactivate with
//! `PATCH {"active": true}`), so opportunities keep their references.
//! Inactive competitors cannot be added to opportunities.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type competitors are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("competitor");

/// Register the competitor routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_competitors)
        .service(handlers::create_competitor)
        .service(handlers::get_competitor)
        .service(handlers::update_competitor)
        .service(handlers::delete_competitor);
}
