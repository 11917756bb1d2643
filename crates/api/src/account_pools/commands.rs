//! Account pool commands: `release` (owner → pool), `claim` (pool → caller) and
//! `assign` (pool → a user, by a manager). The rules live in
//! [`service::run`](crate::account_pools::service::run).

use crate::account_pools::dto::{AssignAccount, ClaimAccount, ReleaseAccount};
use crate::account_pools::service::{self, Command};
use crate::accounts::dto::Account;
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::auth::Authorized;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::{OptionalJson, ValidJson};
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use salesops_domain::ids::AccountId;

/// Release an owned account into a customer pool.
///
/// The owner, or a manager or admin with the account in scope, may release it.
/// `pool_id` defaults to the account's home pool (else the default pool) and
/// becomes its home. An account with open opportunities is refused (409): they
/// need an owner, so close or transfer them first.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "release_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the account the command is based on"),
    ),
    request_body(content = Option<ReleaseAccount>, description = "Optional; `{}` or nothing releases into the home pool"),
    responses(
        (status = 200, description = "The account, now in the pool", body = Account, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Neither the owner nor a manager over them"),
        (status = 404, description = "No such account in the caller's scope"),
        (status = 409, description = "`invalid_transition`: already in a pool, or open opportunities remain"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`validation`: unknown pool"),
    ),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/release")]
pub async fn release_account(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<AccountId>,
    if_match: IfMatch,
    body: OptionalJson<ReleaseAccount>,
) -> Result<HttpResponse, ApiError> {
    let command = Command::Release { pool_id: body.0.pool_id };
    let id = id.into_inner();
    let account = db::write(&state, move |conn| service::run(conn, &caller, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Claim an account from its pool; the caller becomes its owner.
///
/// Within every limit of the account's home pool, each refusal (409
/// `invalid_transition`) naming the limit in `errors[].field`:
/// `max_claims_per_rep_per_day` (claims from any pool since 00:00 UTC today),
/// `max_owned_accounts_per_rep` (live accounts owned in any pool), and
/// `previous_owner_cooldown_days` (the caller released this account, or had it
/// recalled, too recently). A pool with a department is claimed from only by
/// users of that department's subtree (403; admins excepted). Of several
/// simultaneous claims exactly one wins; the others get 409 when the winner
/// is in their scope, else 404 (an account owned outside the caller's scope
/// is not found).
#[utoipa::path(
    tag = "account-pools",
    operation_id = "claim_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the account the command is based on"),
    ),
    request_body(content = Option<ClaimAccount>, description = "Optional; `{}` or nothing"),
    responses(
        (status = 200, description = "The account, now the caller's", body = Account, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The role may not claim, or the caller is outside the pool's department"),
        (status = 404, description = "No such account, or owned outside the caller's scope"),
        (status = 409, description = "`invalid_transition`: the account already has an owner, or a pool limit is reached"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/claim")]
pub async fn claim_account(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<AccountId>,
    if_match: IfMatch,
    _body: OptionalJson<ClaimAccount>,
) -> Result<HttpResponse, ApiError> {
    let command = Command::Claim;
    let id = id.into_inner();
    let account = db::write(&state, move |conn| service::run(conn, &caller, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Assign an account in a pool to a user (managers and admins).
///
/// The user must be active and within the caller's data scope, and, when the
/// pool has a department, in its subtree. The pool's claim limits do not apply:
/// assigning is a manager's decision. An owned account is moved with transfer
/// instead (409 here).
#[utoipa::path(
    tag = "account-pools",
    operation_id = "assign_account",
    params(
        ("id" = String, Path, description = "Account id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the account the command is based on"),
    ),
    request_body = AssignAccount,
    responses(
        (status = 200, description = "The account, now the user's", body = Account, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only managers and admins assign"),
        (status = 404, description = "No such account"),
        (status = 409, description = "`invalid_transition`: the account already has an owner"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`validation`: unknown user, out of scope, or outside the pool's department"),
    ),
    security(("bearer" = []))
)]
#[post("/accounts/{id}/assign")]
pub async fn assign_account(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<AccountId>,
    if_match: IfMatch,
    body: ValidJson<AssignAccount>,
) -> Result<HttpResponse, ApiError> {
    let command = Command::Assign { owner_id: body.0.owner_id };
    let id = id.into_inner();
    let account = db::write(&state, move |conn| service::run(conn, &caller, &id, if_match, command)).await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}
