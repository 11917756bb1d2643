//! The pipeline's configuration: `/pipeline-stages`, `/loss-reasons` and `/competitors`.
//!
//! Each dictionary is a folder: `dto.rs` (its JSON shapes), `service.rs` (every
//! operation on it, and the lookups opportunities use) and `handlers.rs` (HTTP).

pub mod competitors;
pub mod loss_reasons;
pub mod stages;

use serde::Deserialize;
use utoipa::IntoParams;

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource =
    crate::Resource { routes, audited: &[stages::ENTITY, loss_reasons::ENTITY, competitors::ENTITY] };

/// Register the pipeline configuration routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    stages::routes(cfg);
    loss_reasons::routes(cfg);
    competitors::routes(cfg);
}

/// Whether to include inactive records; the query of the stage and loss reason lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncludeInactive {
    /// Also list inactive records.
    #[serde(default)]
    pub include_inactive: bool,
}
