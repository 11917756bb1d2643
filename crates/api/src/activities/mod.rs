//! `/activities`: follow-ups (跟进记录) on leads, accounts, contacts and opportunities.

pub mod dto;
pub mod handlers;
pub mod listing;
pub mod service;

use crate::app::entity::EntityType;

/// Activities in the audit log; whoever sees one in their data scope may read its trail, deleted or not.
pub const ENTITY: EntityType = EntityType::scoped::<salesops_persistence::activities::ActivityRow>("activity");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the activity routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_activity)
        .service(listing::list_activities)
        .service(handlers::get_activity)
        .service(handlers::update_activity)
        .service(handlers::delete_activity);
}
