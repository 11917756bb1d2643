//! `/commission-plans` (提成方案): what commissions pay on, over which periods, by which
//! tiers of attainment, and who is on each plan.
//!
//! Every signed-in user reads the plans; admins write them. A plan's rules come in
//! versions, each from a period's first day, and a version is frozen once a run has used
//! it: change the rules of later periods by adding a version. A user has at most one plan
//! per basis on any day.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type plans are audited under; admins read the trail.
pub const ENTITY: EntityType = EntityType::admins_only("commission_plan");

/// The entity type assignments are audited under; admins read the trail.
pub const ASSIGNMENT_ENTITY: EntityType = EntityType::admins_only("commission_assignment");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY, ASSIGNMENT_ENTITY] };

/// Register the commission plan routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_commission_plans)
        .service(handlers::create_commission_plan)
        .service(handlers::get_commission_plan)
        .service(handlers::update_commission_plan)
        .service(handlers::delete_commission_plan)
        .service(handlers::add_commission_plan_version)
        .service(handlers::list_commission_assignments)
        .service(handlers::create_commission_assignment)
        .service(handlers::update_commission_assignment)
        .service(handlers::delete_commission_assignment);
}
