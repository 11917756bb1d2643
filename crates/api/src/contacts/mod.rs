//! `/contacts`: the people at an account, with one primary contact per account.

pub mod dto;
pub mod handlers;
pub mod listing;
pub mod service;

use crate::app::entity::EntityType;

/// Contacts in the audit log; whoever sees one in their data scope may read its trail, deleted or not.
pub const ENTITY: EntityType = EntityType::scoped::<salesops_persistence::contacts::ContactRow>("contact");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the contact routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_contact)
        .service(listing::list_contacts)
        .service(handlers::get_contact)
        .service(handlers::update_contact)
        .service(handlers::delete_contact);
}
