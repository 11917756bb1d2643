//! `/opportunities`: the pipeline of deals, their stage commands and stage history.
//!
//! Every write is a use case in [`service`]; `handlers.rs` and `commands.rs` are
//! its HTTP edge, `listing.rs` the list and history queries. Other modules create
//! opportunities through [`service::create_in`] inside their own transaction.

pub mod commands;
pub mod dto;
pub mod handlers;
pub mod listing;
pub mod service;

use crate::app::entity::EntityType;

/// Opportunities in the audit log; whoever sees one in their data scope may read its trail, deleted or not.
pub const ENTITY: EntityType = EntityType::scoped::<salesops_persistence::opportunities::OpportunityRow>("opportunity");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the opportunity routes. Literal paths come before `{id}` so they are not taken for ids.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_opportunity)
        .service(listing::list_opportunities)
        .service(handlers::get_opportunity)
        .service(handlers::update_opportunity)
        .service(handlers::delete_opportunity)
        .service(listing::list_opportunity_history)
        .service(commands::move_opportunity)
        .service(commands::win_opportunity)
        .service(commands::lose_opportunity)
        .service(commands::abandon_opportunity)
        .service(commands::reopen_opportunity);
}
