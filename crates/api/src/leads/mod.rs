//! `/leads`: capture, duplicate checks, the lead pool, qualification and conversion.

pub mod commands;
pub mod dto;
pub mod handlers;
pub mod listing;
pub mod service;

use crate::app::entity::EntityType;

/// Leads in the audit log; whoever sees one in their data scope may read its trail, deleted or not.
pub const ENTITY: EntityType = EntityType::scoped::<salesops_persistence::leads::LeadRow>("lead");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the lead routes. Literal paths come before `{id}` so they are not taken for ids.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::check_lead_duplicates)
        .service(handlers::create_lead)
        .service(listing::list_leads)
        .service(handlers::get_lead)
        .service(handlers::update_lead)
        .service(handlers::delete_lead)
        .service(commands::start_lead)
        .service(commands::qualify_lead)
        .service(commands::disqualify_lead)
        .service(commands::reopen_lead)
        .service(commands::claim_lead)
        .service(commands::release_lead)
        .service(commands::assign_lead)
        .service(commands::convert_lead);
}
