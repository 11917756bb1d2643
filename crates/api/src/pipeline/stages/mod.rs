//! `/pipeline-stages`: the configurable stages, their default probabilities,
//! forecast categories and gates; and the lookups the opportunity commands use.
//!
//! Anyone signed in may read stages; only admins create and change them. A
//! stage is never deleted: it is deactivated, which is refused while open
//! opportunities sit in it. Exactly one `won` and one `lost` stage are active
//! at any time, and at least one `open` stage. Changing a stage's probability
//! or forecast category does not rewrite opportunities already in it.

pub mod dto;
pub mod handlers;
pub mod service;

use crate::app::entity::EntityType;

/// The entity type stages are audited under.
pub const ENTITY: EntityType = EntityType::admins_only("pipeline_stage");

/// Register the stage routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_pipeline_stages)
        .service(handlers::create_pipeline_stage)
        .service(handlers::get_pipeline_stage)
        .service(handlers::update_pipeline_stage);
}
