//! `/account-pools/{id}`: reading a pool (everyone signed in), configuring it
//! and running its recall job now (admins).

use crate::account_pools::dto::{AccountPool, AccountPoolPatch, CreateAccountPool, RecallReport};
use crate::account_pools::service;
use crate::app::permission::Administer;
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::PoolId;

/// Get a customer pool.
///
/// Every signed-in user may read any live pool with its rules, whatever their
/// data scope; a deleted pool answers 404. The ETag is the pool's version,
/// for `If-Match` on a later change.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "get_account_pool",
    params(("id" = String, Path, description = "Pool id")),
    responses(
        (status = 200, description = "The pool", body = AccountPool, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 404, description = "No such pool"),
    ),
    security(("bearer" = []))
)]
#[get("/account-pools/{id}")]
pub async fn get_account_pool(
    state: web::Data<AppState>,
    _caller: Caller,
    id: web::Path<PoolId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let pool = db::read(&state, move |conn| service::get(conn, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &pool))
}

/// Create a customer pool (admins).
///
/// The name must be unique. With `is_default: true` the new pool becomes the
/// default and the previous default stops being it.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "create_account_pool",
    request_body = CreateAccountPool,
    responses(
        (status = 201, description = "Created", body = AccountPool,
         headers(("Location" = String, description = "The new pool's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins configure pools"),
        (status = 422, description = "`validation`: a rule out of range, the name taken, an unknown department"),
    ),
    security(("bearer" = []))
)]
#[post("/account-pools")]
pub async fn create_account_pool(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    body: ValidJson<CreateAccountPool>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let pool = db::write(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/account-pools/{}", pool.id), &pool))
}

/// Patch a customer pool (admins; JSON Merge Patch).
///
/// `null` switches a rule off. `is_default: true` makes this the default pool and
/// the previous default stops being it; the default pool cannot be un-defaulted
/// directly (make another pool the default instead). Send `If-Match: W/"<version>"`
/// to refuse the change (412) if someone changed the pool first.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "update_account_pool",
    params(
        ("id" = String, Path, description = "Pool id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the pool the change is based on"),
    ),
    request_body(content = AccountPoolPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed pool", body = AccountPool, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins configure pools"),
        (status = 409, description = "`conflict`: the pool changed while the request ran"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`validation`: a rule out of range, the name taken, an unknown department"),
    ),
    security(("bearer" = []))
)]
#[patch("/account-pools/{id}")]
pub async fn update_account_pool(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<PoolId>,
    if_match: IfMatch,
    body: ValidJson<AccountPoolPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch) = (id.into_inner(), body.0);
    let pool = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &pool))
}

/// Delete a customer pool (admins; soft).
///
/// The default pool, and a pool that is still the home of any account (owned or
/// not), cannot be deleted: 409 `invalid_transition`. Move or release the accounts first.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "delete_account_pool",
    params(
        ("id" = String, Path, description = "Pool id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only admins configure pools"),
        (status = 409, description = "`invalid_transition`: the default pool, or a pool holding accounts"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/account-pools/{id}")]
pub async fn delete_account_pool(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<PoolId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Run the recall job over a pool now (admins).
///
/// The same job the server runs on its schedule (`SALESOPS_RECALL_INTERVAL_SECONDS`).
/// Safe to repeat: an account is recalled once. If another runner holds the pool at
/// this moment the answer is an empty list.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "recall_account_pool",
    params(("id" = String, Path, description = "Pool id")),
    responses(
        (status = 200, description = "What was recalled", body = RecallReport),
        (status = 403, description = "Only admins run the job"),
        (status = 404, description = "No such pool"),
    ),
    security(("bearer" = []))
)]
#[post("/account-pools/{id}/recall")]
pub async fn recall_account_pool(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<PoolId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let recalled = db::write(&state, move |conn| service::recall(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(RecallReport { recalled }))
}
