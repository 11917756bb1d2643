//! Account pool commands: `release` (owner → pool), `claim` (pool → caller) and
//! `assign` (pool → a user, by a manager).
//!
//! Each takes the account's row lock first and re-reads it in scope, so of
//! several claims of one account exactly one wins and the others see it owned.
//! The change, its owner-history row and its audit event are one transaction.

use crate::account_pools::dto::{AssignAccount, ClaimAccount, ReleaseAccount};
use crate::accounts::dto::Account;
use crate::accounts::service::blockers;
use crate::accounts::ENTITY as ACCOUNT_ENTITY;
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::{OptionalJson, ValidJson};
use crate::org::users::check_assignable;
use crate::state::AppState;
use actix_web::{post, web, HttpResponse};
use salesops_domain::account::OwnerChangeReason;
use salesops_domain::account_pool::{start_of_day, ClaimFacts, ClaimRefusal};
use salesops_persistence::account_owner_changes::{self, OwnerChangeRow};
use salesops_persistence::account_pools::{self, PoolRow};
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, departments, opportunities, users, DbConnection};

impl From<ClaimRefusal> for AppError {
    fn from(e: ClaimRefusal) -> Self {
        let errors = vec![FieldError::new(e.limit.as_str(), "limit_reached", e.detail.clone())];
        AppError::InvalidTransition { detail: e.detail, errors }
    }
}

fn refused(detail: impl Into<String>) -> AppError {
    AppError::InvalidTransition { detail: detail.into(), errors: Vec::new() }
}

/// What a command does, with what it carries.
enum Command {
    Release(Option<String>),
    Claim,
    Assign(String),
}

impl Command {
    fn reason(&self) -> OwnerChangeReason {
        match self {
            Command::Release(_) => OwnerChangeReason::Release,
            Command::Claim => OwnerChangeReason::Claim,
            Command::Assign(_) => OwnerChangeReason::Assign,
        }
    }
}

/// Whether `department_id` lies in the subtree of the pool's department (always, for a pool without one).
fn in_pool_department(conn: &mut DbConnection, pool: &PoolRow, department_id: Option<&str>) -> Result<bool, AppError> {
    let Some(root) = &pool.department_id else { return Ok(true) };
    let Some(department) = department_id else { return Ok(false) };
    Ok(departments::subtree_ids(conn, root)?.iter().any(|d| d == department))
}

/// The account's home pool; every account has one (the default when `pool_id` is unset).
fn home_pool(conn: &mut DbConnection, account: &AccountRow) -> Result<PoolRow, AppError> {
    account_pools::home_of(conn, account)?.ok_or_else(|| AppError::Internal("no default account pool".into()))
}

/// Refuse a claim that breaks one of the pool's limits, naming it.
fn check_limits(conn: &mut DbConnection, pool: &PoolRow, account_id: &str, caller_id: &str) -> Result<(), AppError> {
    let rules = pool.rules();
    let now = clock::now();
    let claims_today = match rules.max_claims_per_rep_per_day {
        Some(_) => account_pools::claims_since(conn, caller_id, start_of_day(now))?,
        None => 0,
    };
    let owned_accounts = match rules.max_owned_accounts_per_rep {
        Some(_) => account_pools::owned_count(conn, caller_id)?,
        None => 0,
    };
    let last_left_caller_at = match rules.cooldown_since(now) {
        Some(since) => account_pools::last_left_owner(conn, account_id, caller_id, since)?,
        None => None,
    };
    rules.check_claim(&ClaimFacts { now, claims_today, owned_accounts, last_left_caller_at })?;
    Ok(())
}

/// Refuse to release an account that open opportunities still hang on,
/// naming only those the caller may see.
fn refuse_open_opportunities(
    conn: &mut DbConnection,
    visibility: &Visibility,
    account_id: &str,
) -> Result<(), AppError> {
    let open = opportunities::open_for_account(conn, account_id)?;
    if open.is_empty() {
        return Ok(());
    }
    let errors = open
        .iter()
        .filter(|o| visibility.allows(Some(&o.owner_id)))
        .map(|o| FieldError::new("opportunity_id", "open", o.id.clone()))
        .collect();
    let owners = open.into_iter().map(|o| (o.id, Some(o.owner_id)));
    Err(AppError::InvalidTransition {
        detail: format!(
            "the account has {}; close or transfer them before releasing it",
            blockers(owners, visibility, "open opportunity", "open opportunities")
        ),
        errors,
    })
}

async fn run(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    if_match: IfMatch,
    command: Command,
) -> Result<HttpResponse, ApiError> {
    caller.require::<EditPipeline>("change who owns accounts")?;
    if matches!(command, Command::Assign(_)) {
        caller.require::<AssignRecords>("assign accounts")?;
    }
    let account = db::write(&state, move |conn| {
        accounts::lock(conn, &id)?;
        if matches!(command, Command::Claim) {
            // One claim at a time per user, so two claims cannot both pass the daily and owned limits.
            users::lock(conn, caller.id())?;
        }
        let visibility = caller.visibility(conn)?;
        // An account owned outside the caller's scope is not found, even by a
        // claim that lost a race to it: its existence is not theirs to learn.
        let row = accounts::find_visible(conn, &id, &visibility)?.ok_or(AppError::NotFound)?;
        if_match.check(row.version)?;
        let now = clock::now();
        let mut after = row.clone();
        let pool = match &command {
            Command::Release(target) => {
                let Some(owner) = row.owner_id.as_deref() else {
                    return Err(refused("the account is already in a pool"));
                };
                if owner != caller.id() && !caller.role.can_assign() {
                    return Err(AppError::Forbidden(
                        "only the owner, or a manager over them, may release this account".into(),
                    ));
                }
                let home = home_pool(conn, &row)?;
                let pool_id = target.as_deref().unwrap_or(&home.id);
                // Locked so a concurrent delete cannot leave the account homed in a deleted pool.
                let pool = account_pools::lock_live(conn, pool_id)?
                    .ok_or_else(|| AppError::invalid_field("pool_id", "unknown", "no customer pool with this id"))?;
                if pool.id != home.id && !caller.role.can_assign() {
                    return Err(AppError::Forbidden(
                        "only managers and admins release an account into a pool other than its home pool".into(),
                    ));
                }
                refuse_open_opportunities(conn, &visibility, &row.id)?;
                after.owner_id = None;
                after.owned_since = None;
                pool
            }
            Command::Claim => {
                if row.owner_id.is_some() {
                    return Err(refused("the account already has an owner"));
                }
                let pool = home_pool(conn, &row)?;
                if !caller.role.can_administer()
                    && !in_pool_department(conn, &pool, caller.user.department_id.as_deref())?
                {
                    return Err(AppError::Forbidden(
                        "only members of the pool's department (or a department under it) may claim from it".into(),
                    ));
                }
                check_limits(conn, &pool, &row.id, caller.id())?;
                after.owner_id = Some(caller.id().to_owned());
                after.owned_since = Some(now);
                pool
            }
            Command::Assign(owner) => {
                if row.owner_id.is_some() {
                    return Err(refused("the account already has an owner; transfer it instead"));
                }
                let pool = home_pool(conn, &row)?;
                check_assignable(conn, &visibility, owner)?;
                let department = users::find(conn, owner)?.and_then(|u| u.department_id);
                if !in_pool_department(conn, &pool, department.as_deref())? {
                    return Err(AppError::invalid_field(
                        "owner_id",
                        "outside_pool_department",
                        "the user is not in the pool's department or a department under it",
                    ));
                }
                after.owner_id = Some(owner.clone());
                after.owned_since = Some(now);
                pool
            }
        };
        after.pool_id = Some(pool.id.clone());
        let reason = command.reason();
        let account: Account =
            audit::save_versioned(conn, &caller, ACCOUNT_ENTITY, reason.as_str(), &row, after.clone(), AppError::from)?;
        let mut history =
            OwnerChangeRow::new(&row.id, row.owner_id.as_deref(), after.owner_id.as_deref(), reason, Some(caller.id()));
        history.pool_id = Some(pool.id);
        history.occurred_at = now;
        account_owner_changes::insert(conn, &history)?;
        Ok(account)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

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
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: OptionalJson<ReleaseAccount>,
) -> Result<HttpResponse, ApiError> {
    run(state, caller, id.into_inner(), if_match, Command::Release(body.0.pool_id)).await
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
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    _body: OptionalJson<ClaimAccount>,
) -> Result<HttpResponse, ApiError> {
    run(state, caller, id.into_inner(), if_match, Command::Claim).await
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
    caller: Caller,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<AssignAccount>,
) -> Result<HttpResponse, ApiError> {
    run(state, caller, id.into_inner(), if_match, Command::Assign(body.0.owner_id)).await
}
