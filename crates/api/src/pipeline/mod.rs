//! The pipeline's configuration: `/pipeline-stages`, `/loss-reasons` and `/competitors`.

pub mod competitors;
pub mod loss_reasons;
pub mod stages;

/// The resource as the app registers it.
pub const RESOURCE: crate::Resource =
    crate::Resource { routes, audited: &[stages::ENTITY, loss_reasons::ENTITY, competitors::ENTITY] };

/// Register the pipeline configuration routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(stages::list_pipeline_stages)
        .service(stages::create_pipeline_stage)
        .service(stages::get_pipeline_stage)
        .service(stages::update_pipeline_stage)
        .service(loss_reasons::list_loss_reasons)
        .service(loss_reasons::create_loss_reason)
        .service(loss_reasons::get_loss_reason)
        .service(loss_reasons::update_loss_reason)
        .service(loss_reasons::delete_loss_reason)
        .service(competitors::list_competitors)
        .service(competitors::create_competitor)
        .service(competitors::get_competitor)
        .service(competitors::update_competitor)
        .service(competitors::delete_competitor);
}
