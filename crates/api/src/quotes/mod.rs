//! `/quotes` (报价): priced offers on an opportunity, with discount approval.
//!
//! A quote is a draft until submitted. Submitting approves it at once when the
//! submitter's discount authority covers its largest line discount, and otherwise
//! opens an approval request up the submitter's reporting line (see
//! `crate::approvals`). An approved quote is sent, then accepted or rejected;
//! `revise` takes it back to draft. Its readers are its opportunity's.

pub mod commands;
pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;
use crate::app::AppError;
use salesops_domain::quote::QuoteTransitionError;
use salesops_persistence::quotes::QuoteRow;

/// The entity type quotes are audited under; whoever may see the quote reads its trail.
pub const ENTITY: EntityType = EntityType::scoped::<QuoteRow>("quote");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

impl From<QuoteTransitionError> for AppError {
    fn from(e: QuoteTransitionError) -> Self {
        AppError::transition(e.to_string())
    }
}

/// Register the quote routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_quotes)
        .service(handlers::create_quote)
        .service(handlers::get_quote)
        .service(handlers::update_quote)
        .service(handlers::delete_quote)
        .service(commands::submit_quote)
        .service(commands::approve_quote)
        .service(commands::decline_quote)
        .service(commands::send_quote)
        .service(commands::accept_quote)
        .service(commands::reject_quote)
        .service(commands::revise_quote);
}
