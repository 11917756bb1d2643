//! The authenticated caller, extracted from the bearer token and checked against the database.

use crate::app::permission::Permission;
use crate::app::{Actor, AppError};
use crate::auth::cache::CallerFacts;
use crate::auth::jwt::Claims;
use crate::error::ApiError;
use crate::org::role_scopes::effective_scope;
use crate::state::AppState;
use crate::{db, request_id};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use salesops_persistence::scope::{self, Viewer};
use salesops_persistence::{tokens, users};
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

/// Who is calling: an active user with a valid, unrevoked access token.
/// It dereferences to the [`Actor`] that use cases take.
///
/// What the database says of the caller comes from this replica's
/// [`CallerCache`](crate::auth::cache::CallerCache) when it checked the token
/// lately, so that most requests make no round trip for it.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The acting user, with the role and data scope in force now.
    pub actor: Actor,
    /// The user as stored (not as when the token was issued), with their scope.
    pub facts: Arc<CallerFacts>,
    /// The verified token's claims.
    pub claims: Claims,
}

impl Deref for Caller {
    type Target = Actor;

    fn deref(&self) -> &Actor {
        &self.actor
    }
}

/// A caller whose role holds permission `P`; anyone else is refused with 403
/// before the handler runs. Each endpoint states its permission once, in its
/// signature, and the use case it calls does not check it again.
#[derive(Debug, Clone)]
pub struct Authorized<P: Permission> {
    caller: Caller,
    permission: PhantomData<P>,
}

impl<P: Permission> Deref for Authorized<P> {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl<P: Permission> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            if !P::allows(caller.role) {
                return Err(AppError::Forbidden(format!("the {} role may not {}", caller.role, P::ACTION)).into());
            }
            Ok(Authorized { caller, permission: PhantomData })
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    if req.headers().get_all(header::AUTHORIZATION).nth(1).is_some() {
        // Which one wins differs between proxies and servers: refuse rather than guess.
        return Err(ApiError::BadRequest("send exactly one Authorization header".into()));
    }
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
            let state = state.ok_or_else(|| AppError::Internal("application state missing".into()))?;
            let claims = state.jwt.verify(&token?)?;
            let facts = match state.callers.get(&claims.jti) {
                // Only a token checked by this token's own user is ever remembered.
                Some(facts) if facts.user.id == claims.sub => facts,
                _ => check(&state, &claims).await?,
            };
            let actor = Actor {
                id: facts.user.id.clone(),
                role: facts.user.role,
                scope: facts.scope,
                department_id: facts.user.department_id.clone(),
                request_id,
                visibility: Arc::clone(&facts.visibility),
            };
            Ok(Caller { actor, facts, claims })
        })
    }
}

/// Read from the database whether the token's user is active and the token
/// unrevoked, with their scope and its visibility, and remember the answer.
async fn check(state: &AppState, claims: &Claims) -> Result<Arc<CallerFacts>, ApiError> {
    let (jti, sub) = (claims.jti.clone(), claims.sub.clone());
    let generation = state.callers.generation();
    let facts = db::read_with(state, move |conn| {
        let rejected = || ApiError::Unauthenticated("the access token is no longer valid".into());
        let user = users::find(conn, &sub).map_err(AppError::from)?.filter(|u| u.active).ok_or_else(rejected)?;
        if tokens::is_access_revoked(conn, &jti).map_err(AppError::from)? {
            return Err(rejected());
        }
        let scope = effective_scope(conn, user.role)?;
        let viewer = Viewer { user_id: &user.id, department_id: user.department_id.as_deref(), scope };
        let visibility = Arc::new(scope::resolve(conn, viewer).map_err(AppError::from)?);
        Ok(Arc::new(CallerFacts { user, scope, visibility }))
    })
    .await?;
    state.callers.remember(&claims.jti, Arc::clone(&facts), generation);
    Ok(facts)
}
