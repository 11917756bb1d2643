//! `/auth/login`, `/auth/refresh`, `/auth/logout` and `/me`.

use crate::auth::throttle::{self, ThrottlePolicy};
use crate::auth::{password, random_token, Caller};
use crate::db;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::org::users::User;
use crate::state::AppState;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Duration;
use salesops_domain::org::DataScope;
use salesops_persistence::tokens::{self, RefreshTokenRow};
use salesops_persistence::users::UserRow;
use salesops_persistence::{clock, users, DbConnection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use validator::Validate;

/// Credentials.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@localhost", "password": "change-me-please-1"}))]
pub struct LoginRequest {
    /// The user's email.
    #[validate(length(min = 1, max = 254))]
    #[schema(example = "admin@localhost")]
    pub email: String,
    /// The user's password.
    #[validate(length(min = 1, max = 1024))]
    #[schema(example = "change-me-please-1")]
    pub password: String,
}

/// A refresh token to rotate.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "n3J6bS1xZk9hR0xwVVd0c2FHbGpiR1Z5YVhOb1pXUQ"}))]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    #[validate(length(min = 1, max = 512))]
    pub refresh_token: String,
}

/// What to revoke on logout.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "n3J6bS1xZk9hR0xwVVd0c2FHbGpiR1Z5YVhOb1pXUQ"}))]
pub struct LogoutRequest {
    /// The session's refresh token; its whole family is revoked with the access token.
    #[validate(length(min = 1, max = 512))]
    pub refresh_token: Option<String>,
}

/// A new token pair.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkwZjBjMi02YTAwLTcwMDAtODAwMC0wMDAwMDAwMDAwYTEiLCJyb2xlIjoicmVwIn0.Zm9yLWRvY3VtZW50YXRpb24tb25seQ",
    "token_type": "Bearer", "expires_in": 900,
    "refresh_token": "n3J6bS1xZk9hR0xwVVd0c2FHbGpiR1Z5YVhOb1pXUQ", "refresh_expires_in": 1209600
}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Exchange at `/auth/refresh` for a new pair. Single use.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    #[schema(example = 1209600)]
    pub refresh_expires_in: i64,
}

/// The caller and what they can see.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f0c2-6a00-7000-8000-0000000000a1", "email": "li.lei@example.cn", "name": "李雷", "phone": "+86 139 1234 5678",
    "role": "rep", "department_id": "0190f0c2-6a00-7000-8000-000000000001", "manager_id": "0190f0c2-6a00-7000-8000-0000000000a0", "active": true, "version": 1,
    "created_at": "2026-11-28T08:30:00Z", "updated_at": "2026-11-28T08:30:00Z", "created_by": "0190f0c2-6a00-7000-8000-0000000000ad",
    "effective_scope": "self"
}))]
pub struct Me {
    /// The caller.
    #[serde(flatten)]
    pub user: User,
    /// The data scope in force for the caller's role.
    pub effective_scope: DataScope,
}

/// Hex SHA-256 of `token`: how refresh tokens and throttle keys are stored.
pub(crate) fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Issue an access token and a refresh token in `family_id`.
fn issue_pair(
    conn: &mut DbConnection,
    state: &AppState,
    user: &UserRow,
    family_id: String,
) -> Result<TokenResponse, ApiError> {
    let (access_token, claims) = state.jwt.issue(&user.id, user.role.as_str())?;
    let refresh_token = random_token(32);
    let now = clock::now();
    let ttl = i64::try_from(state.settings.refresh_token_ttl.as_secs()).unwrap_or(1_209_600);
    tokens::insert_refresh(
        conn,
        &RefreshTokenRow {
            id: salesops_domain::new_id(),
            family_id,
            user_id: user.id.clone(),
            token_hash: hash_token(&refresh_token),
            expires_at: now + Duration::seconds(ttl),
            created_at: now,
            used_at: None,
            revoked_at: None,
            access_jti: Some(claims.jti),
            access_expires_at: chrono::DateTime::from_timestamp(claims.exp, 0).map(|t| t.naive_utc()),
        },
    )?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: state.jwt.ttl_seconds(),
        refresh_token,
        refresh_expires_in: ttl,
    })
}

/// Log in with email and password.
///
/// Attempts are counted as they start, per (email, client address), per email
/// (a higher ceiling) and per client address (higher still): a key that
/// reaches its limit is locked for a while, and further attempts get 429 with
/// `Retry-After` without their password being checked.
#[utoipa::path(
    tag = "auth",
    operation_id = "login_user",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong email or password"),
        (status = 429, description = "Too many failed attempts"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password: given } = body.0;
    let email = email.trim().to_lowercase();
    let address = throttle::client_address(&req, &state.settings.trusted_proxies);
    let st = state.get_ref().clone();
    let policy = ThrottlePolicy {
        max_failures: state.settings.login_max_failures,
        lockout: Duration::seconds(i64::try_from(state.settings.login_lockout.as_secs()).unwrap_or(300)),
    };
    // Each step commits on its own: an attempt must be counted even though the request fails.
    let pair = db::read_with(&state, move |conn| {
        // Counted before the password is checked, so that parallel guesses cannot overrun the limit.
        throttle::reserve(conn, &email, &address, clock::now(), policy)?;
        let user = users::find_by_email(conn, &email)?;
        let ok = match &user {
            Some(u) => password::verify(&given, &u.password_hash) && u.active,
            None => {
                password::verify_against_nothing(&given);
                false
            }
        };
        match user.filter(|_| ok) {
            Some(user) => {
                throttle::succeeded(conn, &email, &address, policy)?;
                issue_pair(conn, &st, &user, salesops_domain::new_id())
            }
            None => Err(ApiError::Unauthenticated("wrong email or password".into())),
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Exchange a refresh token for a new pair.
///
/// Each refresh token works once. Presenting one that was already used revokes
/// its whole family, since it means the token was stolen.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_token",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: ValidJson<RefreshRequest>) -> Result<HttpResponse, ApiError> {
    let hash = hash_token(&body.0.refresh_token);
    let st = state.get_ref().clone();
    let pair = db::read_with(&state, move |conn| {
        let now = clock::now();
        let invalid = || ApiError::Unauthenticated("the refresh token is not valid".into());
        let row = tokens::find_refresh(conn, &hash)?.ok_or_else(invalid)?;
        if row.revoked_at.is_some() || row.expires_at <= now {
            return Err(invalid());
        }
        if row.used_at.is_some() || !tokens::mark_refresh_used(conn, &row.id, now)? {
            tokens::revoke_family(conn, &row.family_id, now)?;
            // The family's access tokens are revoked too: stop trusting what this replica remembers of them.
            st.callers.invalidate();
            log::warn!("refresh token reuse for user {}; family {} revoked", row.user_id, row.family_id);
            return Err(invalid());
        }
        let user = users::find(conn, &row.user_id)?.filter(|u| u.active).ok_or_else(invalid)?;
        issue_pair(conn, &st, &user, row.family_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Log out: revoke this access token and, if given, the refresh token's family.
///
/// The access token stops working at once. With `refresh_token`, every token
/// rotated from the same login is revoked too; other sessions of the user
/// are untouched. Without a body, only the access token is revoked.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout_user",
    request_body(content = Option<LogoutRequest>, description = "Optional; omit the body to revoke only the access token"),
    responses((status = 204, description = "Revoked")),
    security(("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let request: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        crate::extract::parse_json(&body)?
    };
    request.validate()?;
    db::write_access(&state, move |conn| {
        let now = clock::now();
        let expires = chrono::DateTime::from_timestamp(caller.claims.exp, 0).map(|t| t.naive_utc()).unwrap_or(now);
        tokens::revoke_access(conn, &caller.claims.jti, expires)?;
        if let Some(token) = request.refresh_token {
            if let Some(row) = tokens::find_refresh(conn, &hash_token(&token))?.filter(|r| r.user_id == caller.id()) {
                tokens::revoke_family(conn, &row.family_id, now)?;
            }
        }
        tokens::purge_expired(conn, now)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller, with their effective data scope.
///
/// A role or department change made through this server shows at once (one made
/// through another replica within `SALESOPS_AUTH_CACHE_SECONDS`); `effective_scope` is the data scope in
/// force for the role now (the admin's setting, else the role's default).
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    responses((status = 200, description = "The caller", body = Me)),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn me(caller: Caller) -> Result<HttpResponse, ApiError> {
    // The extractor already resolved the scope in force; no second lookup.
    let effective_scope = caller.scope;
    Ok(HttpResponse::Ok().json(Me { user: User::try_from(caller.facts.user.clone())?, effective_scope }))
}
