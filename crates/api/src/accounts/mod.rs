//! `/accounts`: customers, their group structure, duplicates, and ownership transfer.

pub mod commands;
pub mod dto;
pub mod handlers;
pub mod listing;
pub mod service;

use crate::app::entity::EntityType;

/// Accounts in the audit log; whoever sees one in their data scope may read its trail, deleted or not.
pub const ENTITY: EntityType = EntityType::scoped::<salesops_persistence::accounts::AccountRow>("account");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the account routes. Literal paths come before `{id}` so they are not taken for ids.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::check_account_duplicates)
        .service(handlers::create_account)
        .service(listing::list_accounts)
        .service(handlers::get_account)
        .service(handlers::update_account)
        .service(handlers::delete_account)
        .service(commands::transfer_account)
        .service(commands::list_account_owner_history);
}
