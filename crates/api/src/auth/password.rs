//! argon2id password hashing.

use crate::app::AppError;
use crate::error::ApiError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::OsRng;

/// Hash a password into a PHC string.
pub fn hash(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::from(AppError::Internal(format!("password hashing failed: {e}"))))
}

/// Whether `password` matches the stored PHC string. A malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Spend the time of one verification, so unknown emails answer as slowly as wrong passwords.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let _ = verify(password, phc);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_only_the_right_password() {
        let h = super::hash("s3cret-password").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("s3cret-password", &h));
        assert!(!super::verify("wrong-password", &h));
        assert!(!super::verify("s3cret-password", "not a hash"));
    }
}
