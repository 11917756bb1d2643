//! The HTTP edge of `/users`: extract, authorise, run the use case, answer.

use super::dto::{CreateUser, User, UserListQuery, UserPatch};
use super::service;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::auth::{password, Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::validation::tidy;
use actix_web::{get, patch, post, web, HttpResponse};
use salesops_domain::ids::UserId;
use salesops_persistence::users::UserFilter;

/// List users.
///
/// Users come in id order (oldest first), deactivated ones included unless `active=true`.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    params(UserListQuery),
    responses((status = 200, description = "One page of users", body = Page<User>)),
    security(("bearer" = []))
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<UserListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = UserFilter {
        role: q.role,
        department_id: q.department_id.map(String::from),
        active: q.active,
        q: tidy(q.q),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| service::list(conn, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Create a user (admins).
///
/// The email is lower-cased and must be unused (409 `conflict` otherwise).
/// The department must exist and the manager must be an active user.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = User,
         headers(("Location" = String, description = "The new user's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`conflict`: a user with this email exists"),
    ),
    security(("bearer" = []))
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let mut input = body.0;
    // Hashing is slow on purpose; do it on the blocking pool, outside the transaction.
    let password = std::mem::take(&mut input.password);
    let password_hash = web::block(move || password::hash(&password))
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))??;
    let user = db::write_access(&state, move |conn| service::create(conn, &caller, input, &password_hash)).await?;
    Ok(etag::created(format!("/api/v1/users/{}", user.id), &user))
}

/// Get a user, active or not.
///
/// Any signed-in user may read any user, whatever their data scope; a
/// deactivated user is returned with `active: false`. The password hash is
/// never part of the answer.
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, description = "The user", body = User, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = db::read(&state, move |conn| service::get(conn, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &user))
}

/// Patch a user (admins; JSON Merge Patch of name, phone, role, department and manager).
///
/// Send `If-Match: W/"<version>"` to refuse the change (412) if someone else
/// changed the user first. A manager must be an active user, not the user
/// themselves and not someone who reports to them (422 on `manager_id`).
/// Admins cannot change their own role (409 `invalid_transition`).
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(
        ("id" = String, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the user the change is based on"),
    ),
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed user", body = User, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`invalid_transition`: an admin changing their own role; or a concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<UserId>,
    if_match: IfMatch,
    body: ValidJson<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let user = db::write_access(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &user))
}

/// Deactivate a user (admins).
///
/// The user keeps their records but can no longer log in; their access tokens
/// stop working at once and their refresh tokens are revoked. Admins cannot
/// deactivate themselves, and an inactive user cannot be deactivated again
/// (409 `invalid_transition`).
#[utoipa::path(
    tag = "users",
    operation_id = "deactivate_user",
    params(
        ("id" = String, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The deactivated user", body = User, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`invalid_transition`: already inactive, or the caller themselves"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/deactivate")]
pub async fn deactivate_user(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<UserId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = db::write_access(&state, move |conn| service::deactivate(conn, &caller, &id, if_match)).await?;
    Ok(with_etag(HttpResponse::Ok(), &user))
}

/// Reactivate a deactivated user (admins). They can log in again with their old password.
///
/// Their records were kept while they were inactive. Refresh tokens revoked
/// at deactivation stay revoked, so they sign in afresh. Reactivating a user
/// who is already active is refused with 409 `invalid_transition`.
#[utoipa::path(
    tag = "users",
    operation_id = "reactivate_user",
    params(
        ("id" = String, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the command is based on"),
    ),
    responses(
        (status = 200, description = "The reactivated user", body = User, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins change the organisation"),
        (status = 409, description = "`invalid_transition`: the user is already active"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/users/{id}/reactivate")]
pub async fn reactivate_user(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<UserId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = db::write_access(&state, move |conn| service::reactivate(conn, &caller, &id, if_match)).await?;
    Ok(with_etag(HttpResponse::Ok(), &user))
}
