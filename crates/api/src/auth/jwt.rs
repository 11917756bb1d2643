//! HS256 access tokens with the algorithm pinned.

use crate::app::AppError;
use crate::config::Settings;
use crate::error::ApiError;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The user's role when the token was issued (informational; the database is authoritative).
    pub role: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Unique token id, for revocation.
    pub jti: String,
}

/// Keys and rules for signing and checking access tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl JwtKeys {
    /// Keys from a shared secret and the configured issuer, audience and lifetime.
    pub fn new(secret: &[u8], settings: &Settings) -> JwtKeys {
        // Only HS256 is accepted: `none` and algorithm confusion fail verification.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&settings.jwt_issuer]);
        validation.set_audience(&[&settings.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        // A token that is not valid yet is refused, with the same leeway as expiry.
        validation.validate_nbf = true;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            ttl_seconds: i64::try_from(settings.access_token_ttl.as_secs()).unwrap_or(900),
        }
    }

    /// How long an access token lives, in seconds.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// Sign a new access token for a user.
    pub fn issue(&self, user_id: &str, role: &str) -> Result<(String, Claims), ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            role: role.to_owned(),
            iat: now,
            exp: now + self.ttl_seconds,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            jti: uuid::Uuid::now_v7().to_string(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::from(AppError::Internal(format!("token signing failed: {e}"))))?;
        Ok((token, claims))
    }

    /// Verify a token's signature, algorithm, expiry, issuer and audience.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        if has_critical_extensions(token) {
            // RFC 7515 §4.1.11: we understand no extension, so any `crit` header refuses the token.
            return Err(ApiError::Unauthenticated("the access token is not valid: unknown critical header".into()));
        }
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| ApiError::Unauthenticated(format!("the access token is not valid: {}", kind(&e))))
    }
}

/// Whether the token's header names critical extensions (`crit`); an
/// unreadable header is left to the signature check to refuse.
fn has_critical_extensions(token: &str) -> bool {
    use base64::Engine;
    let Some(header) = token.split('.').next() else { return false };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|h| h.get("crit").is_some())
}

fn kind(e: &jsonwebtoken::errors::Error) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::ExpiredSignature => "expired",
        ErrorKind::ImmatureSignature => "not valid yet",
        ErrorKind::InvalidIssuer => "wrong issuer",
        ErrorKind::InvalidAudience => "wrong audience",
        ErrorKind::InvalidAlgorithm => "algorithm not allowed",
        ErrorKind::InvalidSignature => "bad signature",
        _ => "malformed",
    }
}
