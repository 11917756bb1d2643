//! Authentication: tokens, passwords, login throttling, and the [`Caller`] extractor.

pub mod cache;
pub mod caller;
pub mod handlers;
pub mod jwt;
pub mod password;
pub mod throttle;

pub use caller::{Authorized, Caller};

/// The resource as the app registers it: log in, refresh, log out, and who am I.
pub const RESOURCE: crate::Resource = crate::Resource { routes, audited: &[] };

fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::login).service(handlers::refresh).service(handlers::logout).service(handlers::me);
}

/// `bytes` random bytes from the operating system, base64url-encoded: refresh
/// tokens, generated secrets and passwords.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand_core::RngCore;
    let mut buf = vec![0u8; bytes];
    rand_core::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}
