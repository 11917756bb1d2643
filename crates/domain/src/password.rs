//! Password policy. Hashing itself happens in the API layer (argon2).

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;
/// The longest password accepted; argon2 takes any length, but a bound keeps hashing cheap.
pub const MAX_PASSWORD_LEN: usize = 128;

/// Why a password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_PASSWORD_LEN`] characters.
    #[error("must be at least {MIN_PASSWORD_LEN} characters")]
    TooShort,
    /// More than [`MAX_PASSWORD_LEN`] characters.
    #[error("must be at most {MAX_PASSWORD_LEN} characters")]
    TooLong,
    /// Only one kind of character (all letters or all digits, say).
    #[error("must mix letters with digits or symbols")]
    TooSimple,
}

/// Check a new password against the policy.
pub fn check_password_policy(password: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_LEN {
        return Err(PasswordError::TooShort);
    }
    if len > MAX_PASSWORD_LEN {
        return Err(PasswordError::TooLong);
    }
    let has_alpha = password.chars().any(char::is_alphabetic);
    let has_other = password.chars().any(|c| !c.is_alphabetic());
    if !(has_alpha && has_other) {
        return Err(PasswordError::TooSimple);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_accepts_mixed_passwords() {
        assert_eq!(check_password_policy("correct-horse-9"), Ok(()));
    }

    #[test]
    fn policy_refuses_short_long_and_simple_passwords() {
        assert_eq!(check_password_policy("a1"), Err(PasswordError::TooShort));
        assert_eq!(check_password_policy(&"a1".repeat(65)), Err(PasswordError::TooLong));
        assert_eq!(check_password_policy("abcdefghijkl"), Err(PasswordError::TooSimple));
        assert_eq!(check_password_policy("123456789012"), Err(PasswordError::TooSimple));
    }
}
