//! Account use cases: create (for an owner or into the pool), update, delete, the duplicate check, and the rules they share.

use super::ENTITY;
use crate::accounts::dto::{Account, CreateAccount};
use crate::app::Actor;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit::{self, snapshot};
use crate::duplicates::{self};
use crate::org::users::check_assignable;
use salesops_domain::account::{check_parent, AccountRuleError, OwnerChangeReason};
use salesops_domain::contact_info::DuplicateEntity;
use salesops_domain::lead::{initial_owner, NewOwnerError};
use salesops_persistence::account_owner_changes::{self, OwnerChangeRow};
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::duplicates::{Hit, MatchKey, Probe};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{account_pools, DbConnection, StoreError};

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
pub fn refuse_duplicates(conn: &mut DbConnection, row: &AccountRow, allow_duplicate: bool) -> Result<(), AppError> {
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
pub fn check_parent_account(
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
