//! `/commission-statements` (提成明细): a user's commission for a run's period, line by
//! line. Every line names its source document, the credited amount and split, the tier,
//! rate and earning, and why it earns other than amount × rate; a clawback names the
//! paid statement it corrects. A statement is read-only: it changes only when its draft
//! run is recomputed. A user's statements are visible to whoever sees the user.

pub mod dto;
pub mod handlers;
pub mod service;

/// The resource as the app registers it; statements are written with their run.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

/// Register the commission statement routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_commission_statements)
        .service(handlers::get_commission_statement)
        .service(handlers::list_commission_statement_lines);
}
