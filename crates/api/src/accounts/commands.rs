//! Account ownership: `transfer`, and the owner history every ownership change appends to.

use crate::accounts::dto::{Account, OwnerChange, TransferAccount};
use crate::accounts::service;
use crate::app::permission::AssignRecords;
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use salesops_domain::ids::AccountId;
use serde::Deserialize;
use utoipa::IntoParams;

/// Transfer an account to another owner.
///
/// Managers and admins only. The new owner must be an active user within the
/// caller's data scope (else 422 on `owner_id`). An account in a pool is
/// assigned or claimed, not transferred, and transferring to the current
/// owner changes nothing: both are 409 `invalid_transition`. The change is
/// kept in the owner history with the note. With `include_open_opportunities`
/// every open opportunity of the account moves to the new owner too, unless
/// one of them belongs to someone outside the caller's scope (409).
#[utoipa::path(
    tag = "accounts",
    operation_id = "transfer_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the transfer is based on"),
    ),
    request_body = TransferAccount,
    responses(
        (status = 200, description = "The account after the transfer", body = Account, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins transfer accounts"),
        (status = 409, description = "`invalid_transition`: the account is in a pool, already belongs to this owner, or (with `include_open_opportunities`) has open opportunities outside your scope"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/transfer")]
pub async fn transfer_account(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<AccountId>,
    if_match: IfMatch,
    body: ValidJson<TransferAccount>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), body.0);
    let account = db::write(&state, move |conn| service::transfer(conn, &caller, &id, if_match, input)).await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Query parameters of `GET /accounts/{id}/owner-history`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwnerHistoryQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List an account's owner history: every create, transfer, release, claim, assign and recall, oldest first (id order), paged.
///
/// Each entry says who had the account before and after (`null` while it sat
/// in a pool), the pool it left or entered, who made the change (`null` for
/// the recall job) and why: a transfer's note, or the recall rule with its
/// numbers. The history is readable by whoever can see the account.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_account_owner_history",
    params(("id" = String, Path, description = "Account id"), OwnerHistoryQuery),
    responses(
        (status = 200, description = "One page of the history, oldest first", body = Page<OwnerChange>),
        (status = 400, description = "A bad `limit` or `cursor`"),
        (status = 404, description = "No such account in the caller's scope"),
    ),
    security(("bearer" = []))
)]
#[get("/accounts/{id}/owner-history")]
pub async fn list_account_owner_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<AccountId>,
    query: web::Query<OwnerHistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, q) = (id.into_inner(), query.into_inner());
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after_id(q.cursor.as_deref())?;
    let page = db::read(&state, move |conn| service::owner_history(conn, &caller, &id, after, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}
