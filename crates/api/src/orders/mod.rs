//! `/orders` (订单/合同): orders and contracts, their approval, activation (the
//! booking), deliveries and completion.
//!
//! An order is made from an accepted quote or directly, as a draft. Submitting it
//! opens an approval request when its discount is beyond the submitter's authority
//! or its total is above the approval threshold, and otherwise activates it at once.
//! Activation books it (`booked_at`) and wins its opportunity. Deliveries ship its
//! lines; when every line has shipped it is `fulfilled`, and once fully collected
//! (see `crate::payments`) it can be completed. Its readers are those whose data
//! scope covers its owner.

pub mod commands;
pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;
use crate::app::AppError;
use salesops_domain::order::OrderTransitionError;
use salesops_persistence::orders::OrderRow;

/// The entity type orders are audited under; whoever may see the order reads its trail.
pub const ENTITY: EntityType = EntityType::scoped::<OrderRow>("order");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

impl From<OrderTransitionError> for AppError {
    fn from(e: OrderTransitionError) -> Self {
        AppError::transition(e.to_string())
    }
}

/// Register the order routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_orders)
        .service(handlers::create_order)
        .service(handlers::get_order)
        .service(handlers::update_order)
        .service(handlers::delete_order)
        .service(handlers::create_delivery)
        .service(handlers::list_deliveries)
        .service(commands::submit_order)
        .service(commands::approve_order)
        .service(commands::decline_order)
        .service(commands::activate_order)
        .service(commands::complete_order)
        .service(commands::cancel_order);
}
