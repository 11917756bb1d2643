//! The salesops REST/JSON API: routes, auth, errors, OpenAPI, and start-up.
//!
//! [`build_app`] assembles the actix application used by the binary and the
//! tests alike; [`openapi_document`] produces the schema without a database.

pub mod account_pools;
pub mod accounts;
pub mod activities;
pub mod app;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod commission_plans;
pub mod commission_runs;
pub mod commission_simulations;
pub mod commission_statements;
pub mod config;
pub mod contacts;
pub mod credit_splits;
pub mod db;
pub mod discount_authorities;
pub mod documents;
pub mod duplicates;
pub mod error;
pub mod etag;
pub mod extract;
pub mod health;
pub mod leads;
pub mod metrics;
pub mod money;
pub mod numbering_rules;
pub mod openapi;
pub mod opportunities;
pub mod orders;
pub mod org;
pub mod pagination;
pub mod payment_plans;
pub mod payments;
pub mod pipeline;
pub mod problems;
pub mod products;
pub mod query_lists;
pub mod quotes;
pub mod refunds;
pub mod reports;
pub mod request_id;
pub mod seed;
pub mod startup;
pub mod state;
pub mod targets;
pub mod text_guard;
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

/// One resource as the app registers it: its routes, and the entity types it
/// writes to the audit log. Adding a resource adds one entry to [`RESOURCES`].
pub struct Resource {
    /// Registers the resource's operations under `/api/v1`.
    pub routes: fn(&mut utoipa_actix_web::service_config::ServiceConfig),
    /// The entity types it audits, so that the audit log can check who may read a trail.
    pub audited: &'static [app::entity::EntityType],
}

/// Every resource under `/api/v1`. Literal paths register before `{id}` paths within each resource.
pub const RESOURCES: &[Resource] = &[
    auth::RESOURCE,
    org::departments::RESOURCE,
    org::users::RESOURCE,
    org::role_scopes::RESOURCE,
    leads::RESOURCE,
    accounts::RESOURCE,
    contacts::RESOURCE,
    account_pools::RESOURCE,
    activities::RESOURCE,
    pipeline::RESOURCE,
    opportunities::RESOURCE,
    products::RESOURCE,
    discount_authorities::RESOURCE,
    numbering_rules::RESOURCE,
    quotes::RESOURCE,
    approvals::RESOURCE,
    orders::RESOURCE,
    payment_plans::RESOURCE,
    payments::RESOURCE,
    refunds::RESOURCE,
    targets::RESOURCE,
    credit_splits::RESOURCE,
    commission_plans::RESOURCE,
    commission_runs::RESOURCE,
    commission_statements::RESOURCE,
    commission_simulations::RESOURCE,
    reports::RESOURCE,
    audit::RESOURCE,
];

/// Register every `/api/v1` operation. Both the app and the schema come from here, so they cannot drift.
fn api_v1(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    for resource in RESOURCES {
        cfg.configure(resource.routes);
    }
}

/// Every audited entity type, from [`RESOURCES`].
fn entity_types() -> app::entity::EntityTypes {
    app::entity::EntityTypes::new(RESOURCES.iter().flat_map(|r| r.audited.iter().copied()))
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
    let body_timeout = state.settings.body_timeout;
    let doc = openapi_document();
    App::new()
        .into_utoipa_app()
        .app_data(web::Data::new(state))
        .app_data(extract::BodyLimit(limit))
        .app_data(extract::BodyTimeout(body_timeout))
        .app_data(web::PayloadConfig::new(limit))
        .app_data(web::QueryConfig::default().error_handler(|e, _| ApiError::BadRequest(e.to_string()).into()))
        .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::from(app::AppError::NotFound).into()))
        .app_data(web::Data::new(metrics::Metrics::default()))
        .app_data(web::Data::new(entity_types()))
        // Before the /api/v1 scope, which would otherwise claim /api/v1/openapi.json and answer 404.
        .openapi_service(move |_| SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", doc))
        .service(scope("/api/v1").configure(api_v1))
        .into_app()
        .service(health::live)
        .service(health::ready)
        .service(metrics::render_metrics)
        .service(problems::problem_page)
        .default_service(web::to(error::not_found))
        .wrap(from_fn(query_lists::middleware))
        .wrap(from_fn(text_guard::middleware))
        .wrap(from_fn(metrics::middleware))
        .wrap(from_fn(request_id::middleware))
        .wrap(Logger::new("%a \"%r\" %s %b %Dms request_id=%{x-request-id}o"))
}
