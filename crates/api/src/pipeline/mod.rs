//! The pipeline's configuration: `/pipeline-stages`, `/loss-reasons` and `/competitors`.

pub mod stages;

/// Register the pipeline configuration routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(stages::list_pipeline_stages)
        .service(stages::create_pipeline_stage)
        .service(stages::get_pipeline_stage)
        .service(stages::update_pipeline_stage);
}
