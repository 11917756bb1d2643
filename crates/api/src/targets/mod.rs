//! `/targets`: sales targets (业绩目标) for the company, a department or a user, per year
//! and metric, with twelve monthly amounts; quarters and the year are their sums.
//!
//! **Reading.** Every role reads, within its data scope: the company's targets; those of
//! the users it sees; and those of the departments whose subtree holds a user it sees
//! (so a rep reads their own target, their department's and every department above it).
//!
//! **Writing.** Admins write any target. Managers write the targets of the departments in
//! their own department's subtree that hold a user they see (so they read what they
//! write), and of the users they see; the company's targets are
//! the admins'. Other roles write none (403). Every write is one transaction with its
//! audit event. `DELETE` soft-deletes, which frees the subject, year and metric for a new
//! target.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;
use salesops_persistence::targets::TargetRow;

/// The entity type targets are audited under; whoever may read the target reads its trail.
pub const ENTITY: EntityType = EntityType::scoped::<TargetRow>("target");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the target routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_targets)
        .service(handlers::create_target)
        .service(handlers::get_target_breakdown)
        .service(handlers::get_target)
        .service(handlers::update_target)
        .service(handlers::delete_target);
}
