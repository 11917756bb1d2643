//! `/loss-reasons`: the dictionary of why deals are lost.
//!
//! Anyone signed in may read it; admins add and change reasons. A reason is
//! never deleted: `DELETE` deactivates it (and `PATCH {"active": true}`
//! brings it back), so lost opportunities keep a valid code. Inactive reasons
//! cannot be chosen for new losses.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type loss reasons are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("loss_reason");

/// Register the loss reason routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_loss_reasons)
        .service(handlers::create_loss_reason)
        .service(handlers::get_loss_reason)
        .service(handlers::update_loss_reason)
        .service(handlers::delete_loss_reason);
}
