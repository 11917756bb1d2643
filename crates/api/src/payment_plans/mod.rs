//! `/orders/{id}/payment-plan` (回款计划): how an order's total is to be paid, in
//! instalments each due on its own day, and what confirmed payments (see
//! `crate::payments`) have settled on each.
//!
//! Whoever sees the order reads and writes its plan: reps plan their own deals, and
//! finance too. The plan is part of the order: writing it bumps the order's version
//! (the plan's ETag) and is audited on the order as `set_payment_plan`. Once money
//! has been collected on the order, its plan is fixed.

pub mod dto;
pub mod handlers;
pub mod service;

/// The resource as the app registers it; its changes are audited on the order.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

/// Register the payment plan routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::get_payment_plan).service(handlers::set_payment_plan);
}
