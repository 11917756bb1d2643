//! The salesops REST/JSON API: routes, auth, errors, OpenAPI, and start-up.
//!
//! [`build_app`] assembles the actix application used by the binary and the
//! tests alike; [`openapi_document`] produces the schema without a database.

pub mod account_pools;
pub mod accounts;
pub mod activities;
pub mod audit;
pub mod auth;
pub mod config;
pub mod contacts;
pub mod db;
pub mod duplicates;
pub mod error;
pub mod etag;
pub mod extract;
pub mod health;
pub mod leads;
pub mod metrics;
pub mod money;
pub mod openapi;
pub mod opportunities;
pub mod org;
pub mod pagination;
pub mod pipeline;
pub mod problems;
pub mod reports;
pub mod request_id;
pub mod seed;
pub mod startup;
pub mod state;
pub mod time;
pub mod validation;

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Logger};
use actix_web::{web, App};
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

/// Register every `/api/v1` operation. Both the app and the schema come from here, so they cannot drift.
fn api_v1(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(auth::handlers::login)
        .service(auth::handlers::refresh)
        .service(auth::handlers::logout)
        .service(auth::handlers::me)
        .configure(org::departments::routes)
        .configure(org::users::routes)
        .configure(org::role_scopes::routes)
        .configure(leads::routes)
        .configure(accounts::routes)
        .configure(contacts::routes)
        .configure(account_pools::routes)
        .configure(activities::routes)
        .configure(pipeline::routes)
        .configure(opportunities::routes)
        .configure(reports::routes)
        .service(audit::list_audit_events);
}

/// The OpenAPI document, as served and as committed in `openapi/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .service(scope("/api/v1").configure(api_v1))
        .split_for_parts();
    finish(doc)
}

fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    // Modifiers of the derive ran before the paths were collected; run them again over the full document.
    use utoipa::Modify;
    openapi::SecurityAndErrors.modify(&mut doc);
    openapi::ClientShapes.modify(&mut doc);
    doc
}

/// The whole application over `state`.
pub fn build_app(
    state: state::AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.settings.max_body_bytes;
    let doc = openapi_document();
    App::new()
        .into_utoipa_app()
        .app_data(web::Data::new(state))
        .app_data(extract::BodyLimit(limit))
        .app_data(web::PayloadConfig::new(limit))
        .app_data(web::QueryConfig::default().error_handler(|e, _| ApiError::BadRequest(e.to_string()).into()))
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
        .app_data(web::Data::new(metrics::Metrics::default()))
        // Before the /api/v1 scope, which would otherwise claim /api/v1/openapi.json and answer 404.
        .openapi_service(move |_| SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", doc))
        .service(scope("/api/v1").configure(api_v1))
        .into_app()
        .service(health::live)
        .service(health::ready)
        .service(metrics::render_metrics)
        .service(problems::problem_page)
        .default_service(web::to(error::not_found))
        .wrap(from_fn(metrics::middleware))
        .wrap(from_fn(request_id::middleware))
        .wrap(Logger::new("%a \"%r\" %s %b %Dms request_id=%{x-request-id}o"))
}
