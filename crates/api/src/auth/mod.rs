//! Authentication: tokens, passwords, login throttling, and the [`Caller`] extractor.

pub mod caller;
pub mod handlers;
pub mod jwt;
pub mod password;
pub mod throttle;

pub use caller::Caller;

/// `bytes` random bytes from the operating system, base64url-encoded: refresh
/// tokens, generated secrets and passwords.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand_core::RngCore;
    let mut buf = vec![0u8; bytes];
    rand_core::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}
