//! `/role-scopes`: the data scope each role has.

/// Register the role-scope routes.
pub fn routes(_cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {}
