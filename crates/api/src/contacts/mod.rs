//! `/contacts`: the people at an account, with one primary contact per account.

pub mod dto;
pub mod handlers;

/// Register the contact routes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_contact)
        .service(handlers::list_contacts)
        .service(handlers::get_contact)
        .service(handlers::update_contact)
        .service(handlers::delete_contact);
}
