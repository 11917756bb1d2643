//! The authenticated caller, extracted from the bearer token and checked against the database.

use crate::auth::jwt::Claims;
use crate::error::ApiError;
use crate::state::AppState;
use crate::{db, request_id};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use salesops_domain::org::{DataScope, Role};
use salesops_persistence::scope::{self, Viewer, Visibility};
use salesops_persistence::users::UserRow;
use salesops_persistence::{role_scopes, tokens, users, DbConnection};

/// Who is calling: an active user with a valid, unrevoked access token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user, as stored now (not as when the token was issued).
    pub user: UserRow,
    /// The user's role.
    pub role: Role,
    /// The data scope in force for that role.
    pub scope: DataScope,
    /// The verified token's claims.
    pub claims: Claims,
    /// The request's id, carried into audit events written off the async thread.
    pub request_id: Option<String>,
}

impl Caller {
    /// The caller's id.
    pub fn id(&self) -> &str {
        &self.user.id
    }

    /// Refuse with 403 unless `allowed`.
    pub fn require(&self, allowed: bool, action: &str) -> Result<(), ApiError> {
        if allowed {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("the {} role may not {action}", self.role)))
        }
    }

    /// Refuse with 403 unless the caller administers the organisation.
    pub fn require_admin(&self, action: &str) -> Result<(), ApiError> {
        self.require(self.role.can_administer(), action)
    }

    /// Resolve whose records the caller may see.
    pub fn visibility(&self, conn: &mut DbConnection) -> Result<Visibility, ApiError> {
        let viewer =
            Viewer { user_id: &self.user.id, department_id: self.user.department_id.as_deref(), scope: self.scope };
        Ok(scope::resolve(conn, viewer)?)
    }
}

/// The scope in force for a role: the admin's setting, else the domain default.
pub fn effective_scope(conn: &mut DbConnection, role: Role) -> Result<DataScope, ApiError> {
    Ok(role_scopes::find(conn, role)?.unwrap_or_else(|| role.default_scope()))
}

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthenticated("send an access token as `Authorization: Bearer <token>`".into()))?;
    let value = value.to_str().map_err(|_| ApiError::Unauthenticated("malformed Authorization header".into()))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthenticated("the Authorization header must use the Bearer scheme".into()));
    }
    Ok(token.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let request_id = request_id::current();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let claims = state.jwt.verify(&token?)?;
            let jti = claims.jti.clone();
            let sub = claims.sub.clone();
            let (user, role, scope) = db::read(&state, move |conn| {
                let rejected = || ApiError::Unauthenticated("the access token is no longer valid".into());
                let user = users::find(conn, &sub)?.filter(|u| u.active).ok_or_else(rejected)?;
                if tokens::is_access_revoked(conn, &jti)? {
                    return Err(rejected());
                }
                let role: Role = user.role;
                let scope = effective_scope(conn, role)?;
                Ok((user, role, scope))
            })
            .await?;
            Ok(Caller { user, role, scope, claims, request_id })
        })
    }
}
