//! Creating, reading, patching and deleting accounts, and the account duplicate check.

use super::service;
use crate::accounts::dto::{Account, AccountDuplicateCheck, AccountPatch, CreateAccount};
use crate::app::permission::EditPipeline;
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::duplicates::{DuplicateCheckResult, DuplicateOverride};
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::AccountId;

/// Create an account.
///
/// The owner defaults to the caller; managers and admins may name another
/// active user within their data scope, or send the account straight into
/// its pool with `to_pool`. The pool defaults to the default pool. A USCC
/// another live account has is refused with 409 `duplicate` (never
/// overridable); so is a name another live account has (normalised: case,
/// spaces and bracket width ignored) unless `allow_duplicate=true`.
#[utoipa::path(
    tag = "accounts",
    operation_id = "create_account",
    params(DuplicateOverride),
    request_body = CreateAccount,
    responses(
        (status = 201, description = "Created", body = Account,
         headers(("Location" = String, description = "The new account's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not create accounts, or may not name another owner"),
        (status = 409, description = "`duplicate`: a live account has the USCC or the name"),
    ),
    security(("bearer" = []))
)]
#[post("/accounts")]
pub async fn create_account(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<CreateAccount>,
) -> Result<HttpResponse, ApiError> {
    let (input, allow_duplicate) = (body.0, query.allow_duplicate);
    let account = db::write(&state, move |conn| service::create(conn, &caller, input, allow_duplicate)).await?;
    Ok(etag::created(format!("/api/v1/accounts/{}", account.id), &account))
}

/// Get an account.
///
/// Only a live account within the caller's data scope, or one sitting in a
/// pool, is found; any other id answers 404, whether or not it exists. The
/// ETag is the account's version, for `If-Match` on a later change.
#[utoipa::path(
    tag = "accounts",
    operation_id = "get_account",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, description = "The account", body = Account, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/accounts/{id}")]
pub async fn get_account(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AccountId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let account = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Patch an account (JSON Merge Patch).
///
/// Send `If-Match: W/"<version>"` to refuse the change (412) if someone else
/// changed the account first. The owner and pool cannot be patched; use the
/// commands. A parent that is the account itself or one of its subsidiaries
/// is refused (422 `cycle` on `parent_account_id`). A new USCC or name is
/// checked for duplicates as on create.
#[utoipa::path(
    tag = "accounts",
    operation_id = "update_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the account the change is based on"),
        DuplicateOverride,
    ),
    request_body(content = AccountPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed account", body = Account, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not edit accounts"),
        (status = 409, description = "`duplicate`, or a concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/accounts/{id}")]
pub async fn update_account(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<AccountId>,
    if_match: IfMatch,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<AccountPatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, patch, allow_duplicate) = (id.into_inner(), body.0, query.allow_duplicate);
    let account =
        db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch, allow_duplicate)).await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Delete an account (soft: it disappears from lists and reads, and stays in the audit log).
///
/// Refused with 409 `conflict` while the account has open opportunities or
/// live subsidiaries; the detail names them. Its contacts are deleted with it.
/// An account in a pool is deleted only by managers and admins.
#[utoipa::path(
    tag = "accounts",
    operation_id = "delete_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not delete this account"),
        (status = 409, description = "`conflict`: the account has open opportunities or live subsidiaries"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/accounts/{id}")]
pub async fn delete_account(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<AccountId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Look for open leads, accounts and contacts matching a company name, USCC,
/// email or phone, without creating anything.
///
/// Accounts match on name and USCC, leads on company (reported as `name`),
/// email and phone, contacts on email and phone. Matches outside the
/// caller's data scope are reported with `visible: false` and without names.
#[utoipa::path(
    tag = "accounts",
    operation_id = "check_account_duplicates",
    request_body = AccountDuplicateCheck,
    responses((status = 200, description = "Matching open leads, accounts and contacts", body = DuplicateCheckResult)),
    security(("bearer" = []))
)]
#[post("/accounts/duplicates")]
pub async fn check_account_duplicates(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<AccountDuplicateCheck>,
) -> Result<HttpResponse, ApiError> {
    let check = body.0;
    let result = db::read(&state, move |conn| service::check_duplicates(conn, &caller, check)).await?;
    Ok(HttpResponse::Ok().json(result))
}
