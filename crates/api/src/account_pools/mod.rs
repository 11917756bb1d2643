//! `/account-pools`: customer pools (公海), their rules, the account commands
//! `release`, `claim` and `assign`, and the recall job.
//!
//! An account's `pool_id` is its home pool: the pool whose rules govern it while
//! it is owned, and where it sits while `owner_id` is null. An account without a
//! `pool_id` is governed by the default pool.

pub mod commands;
pub mod dto;
pub mod handlers;
pub mod listing;
pub mod recall;
pub mod schedule;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type pools are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("account_pool");

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[ENTITY] };

/// Register the pool routes and the account commands. Literal paths come before `{id}`.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(listing::list_account_pools)
        .service(handlers::create_account_pool)
        .service(handlers::get_account_pool)
        .service(handlers::update_account_pool)
        .service(handlers::delete_account_pool)
        .service(handlers::recall_account_pool)
        .service(listing::list_upcoming_recalls)
        .service(commands::release_account)
        .service(commands::claim_account)
        .service(commands::assign_account);
}
