//! `/refunds` (退款): money given back from a confirmed payment, recorded by finance
//! (or an admin).
//!
//! A refund takes back from the instalments its payment settled, latest due first,
//! which reopens them, and raises the payment's and the order's `refunded`. A refund is
//! its own record, never edited or deleted; it is audited on its payment and its order
//! (both as `refund`). Its readers are its order's.

pub mod dto;
pub mod handlers;
pub mod service;

/// The resource as the app registers it; refunds are audited on their payment and order.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

/// Register the refund routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_refunds).service(handlers::create_refund).service(handlers::get_refund);
}
