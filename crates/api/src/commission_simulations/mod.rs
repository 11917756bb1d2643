//! `/commission-simulations`: a proposed plan run against real credits and targets,
//! beside what each user's current plan pays for the same period. It writes nothing.

pub mod dto;
pub mod handlers;
pub mod service;

/// The resource as the app registers it; a simulation writes nothing to audit.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

/// Register the simulation route.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::simulate_commissions);
}
