//! `/commission-runs` (提成核算): a plan's commissions for one period, with a statement
//! per user on the plan (see `crate::commission_statements`).
//!
//! ```text
//! POST /commission-runs ─▶ draft ──approve──▶ approved ──pay──▶ paid (never changes)
//!                          └─recompute─┘ (draft only; DELETE too)
//! ```
//!
//! Finance and admins create, recompute and delete runs; a manager over all the run's
//! users, or an admin, approves; finance or an admin pays. A run is visible to whoever
//! sees every one of its users. [`engine`] computes the statements, [`clawbacks`] what
//! they take back from paid periods.

pub mod clawbacks;
pub mod dto;
pub mod engine;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type runs are audited under; admins read the trail.
pub const ENTITY: EntityType = EntityType::admins_only("commission_run");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the commission run routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_commission_runs)
        .service(handlers::create_commission_run)
        .service(handlers::get_commission_run)
        .service(handlers::delete_commission_run)
        .service(handlers::recompute_commission_run)
        .service(handlers::approve_commission_run)
        .service(handlers::pay_commission_run);
}
