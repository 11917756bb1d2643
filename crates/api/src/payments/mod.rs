//! `/payments` (回款): money received against an order.
//!
//! Whoever sees an order records its payments, as `pending`; finance (or an admin)
//! confirms each once the money has arrived. Only confirmed money counts: it settles
//! the order's instalments (the one the payment names first, then the others oldest
//! due first) and raises the order's `collected`. Records of money are never deleted,
//! nor edited once confirmed: there is no `PATCH` or `DELETE`; a mistake is put right
//! with a refund (see `crate::refunds`). A payment's readers are its order's.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;
use salesops_persistence::receivables::PaymentRow;

/// The entity type payments are audited under; whoever may see the payment's order reads its trail.
pub const ENTITY: EntityType = EntityType::scoped::<PaymentRow>("payment");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the payment routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_payments)
        .service(handlers::create_payment)
        .service(handlers::get_payment)
        .service(handlers::confirm_payment);
}
