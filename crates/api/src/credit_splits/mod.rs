//! `/orders/{id}/credit-splits`: who an order credits for commissions when not only its
//! owner, as shares summing to 10000 basis points. A collection credit (a payment on the
//! order) follows the same split. Splits change only while no approved or paid statement has used
//! the order or its payments; changes are audited on the order as `split_credit`.

pub mod dto;
pub mod handlers;
pub mod service;

/// The resource as the app registers it; its changes are audited on the order.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

/// Register the credit split routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::get_credit_splits).service(handlers::put_credit_splits);
}
