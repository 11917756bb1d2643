//! `/activities`: follow-ups (跟进记录) on leads, accounts, contacts and opportunities.

pub mod dto;
pub mod handlers;
pub mod links;
pub mod listing;

/// Register the activity routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_activity)
        .service(listing::list_activities)
        .service(handlers::get_activity)
        .service(handlers::update_activity)
        .service(handlers::delete_activity);
}
