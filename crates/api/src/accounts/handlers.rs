//! Creating, reading, patching and deleting accounts, and the account duplicate check.

use super::ENTITY;
use crate::accounts::dto::{Account, AccountDuplicateCheck, AccountPatch, CreateAccount};
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::Actor;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::contacts::dto::Contact;
use crate::db;
use crate::duplicates::{self, DuplicateCheckResult};
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::leads::handlers::DuplicateOverride;
use crate::org::users::check_assignable;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::account::{check_parent, AccountRuleError, OwnerChangeReason};
use salesops_domain::contact_info::{normalize_company, normalize_email, normalize_phone, DuplicateEntity};
use salesops_domain::lead::{initial_owner, NewOwnerError};
use salesops_persistence::account_owner_changes::{self, OwnerChangeRow};
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::duplicates::{Hit, MatchKey, Probe};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{account_pools, clock, contacts, opportunities, DbConnection, StoreError};
use validator::Validate;

impl From<AccountRuleError> for AppError {
    fn from(e: AccountRuleError) -> Self {
        match e {
            AccountRuleError::ParentCycle => AppError::invalid_field("parent_account_id", "cycle", e.to_string()),
            AccountRuleError::InPool | AccountRuleError::SameOwner => {
                AppError::InvalidTransition { detail: e.to_string(), errors: Vec::new() }
            }
        }
    }
}

/// Load a live account the caller can see, taking its row lock first when `for_update`.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Actor,
    id: &str,
    for_update: bool,
) -> Result<(AccountRow, Visibility), AppError> {
    if for_update {
        accounts::lock(conn, id)?;
    }
    let visibility = caller.visibility(conn)?;
    let row = accounts::find_visible(conn, id, &visibility)?.ok_or(AppError::NotFound)?;
    Ok((row, visibility))
}

/// Count records that block a command, naming only those the caller may see:
/// `2 open opportunities (0190…, and 1 outside your scope)`. Each item is an id
/// and its owner (`None`: in a pool, visible to all).
pub fn blockers(
    items: impl IntoIterator<Item = (String, Option<String>)>,
    visibility: &Visibility,
    singular: &str,
    plural: &str,
) -> String {
    let mut total = 0;
    let mut named = Vec::new();
    for (id, owner) in items {
        total += 1;
        if visibility.allows(owner.as_deref()) {
            named.push(id);
        }
    }
    let hidden = total - named.len();
    if hidden > 0 {
        named.push(format!("{hidden} outside your scope"));
    }
    let noun = if total == 1 { singular } else { plural };
    format!("{total} {noun} ({})", named.join(", "))
}

/// Report a taken `external_id` as a field error, a USCC taken by a
/// concurrent writer as a duplicate; other storage errors as usual.
pub fn map_unique(e: StoreError) -> AppError {
    if e.is_unique_violation_on("external_id") {
        AppError::Validation(vec![FieldError::new("external_id", "taken", "another account has this external_id")])
    } else if e.is_unique_violation_on("uscc") {
        AppError::Duplicate { detail: "another account has this uscc".into(), ids: Vec::new() }
    } else {
        e.into()
    }
}

/// Refuse an account whose USCC another live account has (never overridable),
/// or whose normalised name another live account has (unless `allow_duplicate`).
fn refuse_duplicates(conn: &mut DbConnection, row: &AccountRow, allow_duplicate: bool) -> Result<(), AppError> {
    let probe = Probe { company: Some(row.name_normalized.clone()), uscc: row.uscc.clone(), ..Probe::default() };
    let hits = duplicates::find(conn, &probe, &[DuplicateEntity::Account], Some(&row.id))?;
    let (same_uscc, same_name): (Vec<Hit>, Vec<Hit>) =
        hits.into_iter().partition(|h| h.matched_on.contains(&MatchKey::Uscc));
    duplicates::refuse_any(&same_uscc, "already have this uscc", false)?;
    if !allow_duplicate {
        duplicates::refuse_any(&same_name, "already have this name", true)?;
    }
    Ok(())
}

/// Check that `parent_id` names a live account the caller can see, and that
/// `account_id` would not become its own ancestor.
fn check_parent_account(
    conn: &mut DbConnection,
    visibility: &Visibility,
    account_id: &str,
    parent_id: &str,
) -> Result<(), AppError> {
    if accounts::find_visible(conn, parent_id, visibility)?.is_none() {
        return Err(FieldError::unknown("parent_account_id", "live account").into());
    }
    Ok(check_parent(account_id, &accounts::ancestors_and_self(conn, parent_id)?)?)
}

/// Create an account inside the caller's write transaction: settle the owner
/// (the caller unless they may name another, or the pool with `to_pool`),
/// then [`insert_owned_account`]. `POST /accounts` runs it.
pub fn insert_account(
    conn: &mut DbConnection,
    caller: &Actor,
    input: &CreateAccount,
    allow_duplicate: bool,
) -> Result<Account, AppError> {
    let owner = initial_owner(input.owner_id.as_deref(), input.to_pool, caller.id(), caller.role.can_assign())
        .map_err(|e| match e {
            NewOwnerError::PoolWithOwner => {
                AppError::invalid_field("owner_id", "conflict", "an account sent to its pool has no owner")
            }
            NewOwnerError::NotAllowed => {
                AppError::Forbidden("only managers and admins create accounts for others or into a pool".into())
            }
        })?;
    if let Some(owner) = owner.as_deref().filter(|o| *o != caller.id()) {
        let visibility = caller.visibility(conn)?;
        check_assignable(conn, &visibility, owner)?;
    }
    insert_owned_account(conn, caller, input, owner.as_deref(), allow_duplicate, None)
}

/// Create an account for an owner already settled (`None`: unowned, in its
/// pool) inside the caller's write transaction: settle the pool, check the
/// parent and duplicates, insert it, and write its owner-history `create` row
/// (with `history_detail`) and its audit event. [`insert_account`] and lead
/// conversion run it.
pub fn insert_owned_account(
    conn: &mut DbConnection,
    caller: &Actor,
    input: &CreateAccount,
    owner: Option<&str>,
    allow_duplicate: bool,
    history_detail: Option<String>,
) -> Result<Account, AppError> {
    // The pool is locked so a concurrent delete cannot leave the account homed in a deleted pool.
    let default_pool = account_pools::lock_default(conn)?.map(|p| p.id);
    let pool_id = match input.pool_id.as_deref() {
        Some(pool) if account_pools::lock_live(conn, pool)?.is_some() => {
            if default_pool.as_deref() != Some(pool) && !caller.role.can_assign() {
                return Err(AppError::Forbidden(
                    "only managers and admins home a new account in a pool other than the default".into(),
                ));
            }
            Some(pool.to_owned())
        }
        Some(_) => return Err(AppError::invalid_field("pool_id", "unknown", "no pool with this id")),
        None => default_pool,
    };
    let mut row = AccountRow::new(&input.name, owner, pool_id.as_deref(), Some(caller.id()));
    input.write_to(&mut row);
    if let Some(parent) = row.parent_account_id.as_deref() {
        let visibility = caller.visibility(conn)?;
        check_parent_account(conn, &visibility, &row.id, parent)?;
    }
    refuse_duplicates(conn, &row, allow_duplicate)?;
    accounts::insert(conn, &row).map_err(map_unique)?;
    let mut history = OwnerChangeRow::new(&row.id, None, owner, OwnerChangeReason::Create, Some(caller.id()));
    if owner.is_none() {
        history.pool_id = row.pool_id.clone();
    }
    history.detail = history_detail;
    account_owner_changes::insert(conn, &history)?;
    let account = Account::try_from(row)?;
    audit::record(conn, caller, "create", ENTITY, &account.id, &serde_json::Value::Null, &snapshot(&account))?;
    Ok(account)
}

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
    let input = body.0;
    let allow_duplicate = query.allow_duplicate;
    let account = db::write(&state, move |conn| insert_account(conn, &caller, &input, allow_duplicate)).await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/accounts/{}", account.id)));
    Ok(with_etag(created, &account))
}

/// Get an account.
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
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let account = db::read(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, false)?;
        Account::try_from(row)
    })
    .await?;
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
    id: web::Path<String>,
    if_match: IfMatch,
    query: web::Query<DuplicateOverride>,
    body: ValidJson<AccountPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let allow_duplicate = query.allow_duplicate;
    let patch = body.0;
    let account = db::write(&state, move |conn| {
        if patch.moves_parent() {
            accounts::lock_hierarchy(conn)?;
        }
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        if_match.check(row.version)?;
        let input = patch.apply(CreateAccount::from_row(&row)?)?.tidied();
        input.validate()?;
        let mut after = row.clone();
        input.write_to(&mut after);
        if after.parent_account_id != row.parent_account_id {
            if let Some(parent) = after.parent_account_id.as_deref() {
                check_parent_account(conn, &visibility, &row.id, parent)?;
            }
        }
        if after.name_normalized != row.name_normalized || after.uscc != row.uscc {
            refuse_duplicates(conn, &after, allow_duplicate)?;
        }
        audit::save_versioned::<_, Account>(conn, &caller, ENTITY, "update", &row, after, map_unique)
    })
    .await?;
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
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        if row.owner_id.is_none() {
            caller.require::<AssignRecords>("delete pool accounts")?;
        }
        if_match.check(row.version)?;
        let open = opportunities::open_for_account(conn, &row.id)?;
        if !open.is_empty() {
            let owners = open.into_iter().map(|o| (o.id, Some(o.owner_id)));
            return Err(AppError::Conflict(format!(
                "the account has {}; close or move them first",
                blockers(owners, &visibility, "open opportunity", "open opportunities")
            )));
        }
        let children = accounts::live_children(conn, &row.id)?;
        if !children.is_empty() {
            return Err(AppError::Conflict(format!(
                "the account has {}; delete or re-parent them first",
                blockers(children, &visibility, "live subsidiary", "live subsidiaries")
            )));
        }
        let now = clock::now();
        for contact in contacts::live_for_account(conn, &row.id)? {
            contacts::lock(conn, &contact.id)?;
            let mut gone = contact.clone();
            gone.deleted_at = Some(now);
            audit::save_versioned::<_, Contact>(
                conn,
                &caller,
                crate::contacts::ENTITY,
                "delete",
                &contact,
                gone,
                AppError::from,
            )?;
        }
        let mut after = row.clone();
        after.deleted_at = Some(now);
        audit::save_versioned::<_, Account>(conn, &caller, ENTITY, "delete", &row, after, map_unique).map(|_| ())
    })
    .await?;
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
    let probe = Probe {
        email: check.email.as_deref().and_then(normalize_email),
        phone: check.phone.as_deref().and_then(normalize_phone),
        company: check.name.as_deref().and_then(normalize_company),
        uscc: check.uscc.map(|u| u.trim().to_uppercase()).filter(|u| !u.is_empty()),
    };
    if probe.is_empty() {
        return Err(
            AppError::invalid_field("(body)", "required", "give at least one of name, uscc, email, phone").into()
        );
    }
    let all = [DuplicateEntity::Lead, DuplicateEntity::Account, DuplicateEntity::Contact];
    let result = db::read(&state, move |conn| duplicates::check(conn, &caller, &probe, &all, "name")).await?;
    Ok(HttpResponse::Ok().json(result))
}
