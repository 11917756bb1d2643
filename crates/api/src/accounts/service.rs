//! Account use cases: create (for an owner or into a pool), get, update,
//! delete, transfer, the owner history, the duplicate check, and the steps
//! other resources call ([`blockers`], [`insert_owned_account`], [`record_win`]).

use super::ENTITY;
use crate::accounts::dto::{Account, AccountDuplicateCheck, AccountPatch, CreateAccount, OwnerChange, TransferAccount};
use crate::app::error::taken;
use crate::app::permission::AssignRecords;
use crate::app::precondition::IfMatch;
use crate::app::scoped::load_visible;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use crate::contacts::dto::Contact;
use crate::duplicates::{self, DuplicateCheckResult};
use crate::org::users::check_assignable;
use crate::pagination::{self, Page};
use salesops_domain::account::{check_parent, check_transfer, AccountRuleError, OwnerChangeReason};
use salesops_domain::contact_info::{normalize_company, normalize_email, normalize_phone, DuplicateEntity};
use salesops_domain::ids::AccountId;
use salesops_domain::lead::{initial_owner, NewOwnerError};
use salesops_domain::opportunity::lifecycle_after_win;
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
            AccountRuleError::InPool | AccountRuleError::SameOwner => AppError::transition(e.to_string()),
        }
    }
}

/// Count records that block a command, naming only those the actor may see:
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

/// A taken `external_id` is 422 `taken`. A USCC is unique among live accounts
/// and checked before the write, so a unique violation on it means a
/// concurrent writer saved the same USCC first: 409 `duplicate`, as the check
/// would have answered a moment later.
fn store_error(e: StoreError) -> AppError {
    if e.is_unique_violation_on("uscc") {
        return AppError::Duplicate { detail: "another account has this uscc".into(), ids: Vec::new() };
    }
    taken(&[("external_id", "another account has this external_id")])(e)
}

/// Refuse an account whose USCC another live account has (never overridable),
/// or whose normalised name another live account has (unless `allow_duplicate`).
fn refuse_duplicates(conn: &mut DbConnection, actor: &Actor, row: &AccountRow, allow_duplicate: bool) -> AppResult<()> {
    let probe = Probe { company: Some(row.name_normalized.clone()), uscc: row.uscc.clone(), ..Probe::default() };
    let hits = duplicates::find(conn, &probe, &[DuplicateEntity::Account], Some(&row.id))?;
    let (same_uscc, same_name): (Vec<Hit>, Vec<Hit>) =
        hits.into_iter().partition(|h| h.matched_on.contains(&MatchKey::Uscc));
    let visibility = actor.visibility();
    duplicates::refuse_any(&same_uscc, "already have this uscc", false, visibility)?;
    if !allow_duplicate {
        duplicates::refuse_any(&same_name, "already have this name", true, visibility)?;
    }
    Ok(())
}

/// Check that `parent_id` names a live account within `visibility`, and that
/// `account_id` would not become its own ancestor.
fn check_parent_account(
    conn: &mut DbConnection,
    visibility: &Visibility,
    account_id: &str,
    parent_id: &str,
) -> AppResult<()> {
    if accounts::find_visible(conn, parent_id, visibility)?.is_none() {
        return Err(FieldError::unknown("parent_account_id", "live account").into());
    }
    Ok(check_parent(account_id, &accounts::ancestors_and_self(conn, parent_id)?)?)
}

/// Create an account: settle the owner (the actor unless they may name
/// another, or the pool with `to_pool`), then [`insert_owned_account`].
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: CreateAccount,
    allow_duplicate: bool,
) -> AppResult<Account> {
    let owner = initial_owner(input.owner_id.as_deref(), input.to_pool, actor.id(), actor.holds::<AssignRecords>())
        .map_err(|e| match e {
            NewOwnerError::PoolWithOwner => {
                AppError::invalid_field("owner_id", "conflict", "an account sent to its pool has no owner")
            }
            NewOwnerError::NotAllowed => {
                AppError::Forbidden("only managers and admins create accounts for others or into a pool".into())
            }
        })?;
    if let Some(owner) = owner.as_deref().filter(|o| *o != actor.id()) {
        let visibility = actor.visibility();
        check_assignable(conn, visibility, owner)?;
    }
    insert_owned_account(conn, actor, &input, owner.as_deref(), allow_duplicate, None)
}

/// Create an account for an owner already settled (`None`: unowned, in its
/// pool): settle the pool, check the parent and duplicates, insert it, and
/// write its owner-history `create` row (with `history_detail`) and its audit
/// event. [`create`] and lead conversion run it.
pub fn insert_owned_account(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &CreateAccount,
    owner: Option<&str>,
    allow_duplicate: bool,
    history_detail: Option<String>,
) -> AppResult<Account> {
    // The pool is locked so a concurrent delete cannot leave the account homed in a deleted pool.
    let default_pool = account_pools::lock_default(conn)?.map(|p| p.id);
    let pool_id = match input.pool_id.as_deref() {
        Some(pool) if account_pools::lock_live(conn, pool)?.is_some() => {
            if default_pool.as_deref() != Some(pool) {
                actor.require::<AssignRecords>("home a new account in a pool other than the default")?;
            }
            Some(pool.to_owned())
        }
        Some(_) => return Err(AppError::invalid_field("pool_id", "unknown", "no pool with this id")),
        None => default_pool,
    };
    let mut row = AccountRow::new(&input.name, owner, pool_id.as_deref(), Some(actor.id()));
    input.write_to(&mut row);
    if let Some(parent) = row.parent_account_id.as_deref() {
        let visibility = actor.visibility();
        check_parent_account(conn, visibility, &row.id, parent)?;
    }
    refuse_duplicates(conn, actor, &row, allow_duplicate)?;
    accounts::insert(conn, &row).map_err(store_error)?;
    let mut history = OwnerChangeRow::new(&row.id, None, owner, OwnerChangeReason::Create, Some(actor.id()));
    if owner.is_none() {
        history.pool_id = row.pool_id.clone();
    }
    history.detail = history_detail;
    account_owner_changes::insert(conn, &history)?;
    let account = Account::try_from(row)?;
    audit::record(conn, actor, "create", ENTITY, &account.id, &serde_json::Value::Null, &snapshot(&account))?;
    Ok(account)
}

/// A live account within the actor's data scope.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &AccountId) -> AppResult<Account> {
    let (row, _) = load_visible::<AccountRow>(conn, actor, id, false)?;
    Account::try_from(row)
}

/// Apply a merge patch: the patched account is validated as a create body
/// would be, a new parent is checked for visibility and cycles, and a new
/// name or USCC for duplicates (the name unless `allow_duplicate`).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &AccountId,
    if_match: IfMatch,
    patch: AccountPatch,
    allow_duplicate: bool,
) -> AppResult<Account> {
    if patch.moves_parent() {
        // Before the row lock: two concurrent re-parentings could otherwise each
        // pass the cycle check and together make a loop.
        accounts::lock_hierarchy(conn)?;
    }
    let (row, visibility) = load_visible::<AccountRow>(conn, actor, id, true)?;
    if_match.check(row.version)?;
    let input = patch.apply(CreateAccount::from_row(&row)?)?.tidied();
    input.validate()?;
    let mut after = row.clone();
    input.write_to(&mut after);
    if after.parent_account_id != row.parent_account_id {
        if let Some(parent) = after.parent_account_id.as_deref() {
            check_parent_account(conn, visibility, &row.id, parent)?;
        }
    }
    if after.name_normalized != row.name_normalized || after.uscc != row.uscc {
        refuse_duplicates(conn, actor, &after, allow_duplicate)?;
    }
    audit::save_versioned::<_, Account>(conn, actor, ENTITY, "update", &row, after, store_error)
}

/// Soft-delete an account with its contacts. Refused (409 `conflict`) while it
/// has open opportunities or live subsidiaries, naming those the actor may
/// see; an account in a pool is deleted only by those who may assign records.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &AccountId, if_match: IfMatch) -> AppResult<()> {
    let (row, visibility) = load_visible::<AccountRow>(conn, actor, id, true)?;
    if row.owner_id.is_none() {
        actor.require::<AssignRecords>("delete pool accounts")?;
    }
    if_match.check(row.version)?;
    let open = opportunities::open_for_account(conn, &row.id)?;
    if !open.is_empty() {
        let owners = open.into_iter().map(|o| (o.id, Some(o.owner_id)));
        return Err(AppError::Conflict(format!(
            "the account has {}; close or move them first",
            blockers(owners, visibility, "open opportunity", "open opportunities")
        )));
    }
    let children = accounts::live_children(conn, &row.id)?;
    if !children.is_empty() {
        return Err(AppError::Conflict(format!(
            "the account has {}; delete or re-parent them first",
            blockers(children, visibility, "live subsidiary", "live subsidiaries")
        )));
    }
    let now = clock::now();
    for contact in contacts::live_for_account(conn, &row.id)? {
        contacts::lock(conn, &contact.id)?;
        let mut gone = contact.clone();
        gone.deleted_at = Some(now);
        audit::save_versioned::<_, Contact>(
            conn,
            actor,
            crate::contacts::ENTITY,
            "delete",
            &contact,
            gone,
            AppError::from,
        )?;
    }
    let mut after = row.clone();
    after.deleted_at = Some(now);
    audit::save_versioned::<_, Account>(conn, actor, ENTITY, "delete", &row, after, store_error).map(|_| ())
}

/// Hand an owned account to another active user within the actor's scope,
/// with an owner-history row carrying the note; with
/// `include_open_opportunities` its open opportunities follow.
pub fn transfer(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &AccountId,
    if_match: IfMatch,
    input: TransferAccount,
) -> AppResult<Account> {
    let (row, visibility) = load_visible::<AccountRow>(conn, actor, id, true)?;
    if_match.check(row.version)?;
    check_transfer(row.owner_id.as_deref(), &input.owner_id)?;
    check_assignable(conn, visibility, &input.owner_id)?;
    let mut after = row.clone();
    after.owner_id = Some(input.owner_id.clone());
    after.owned_since = Some(clock::now());
    let account: Account = audit::save_versioned(conn, actor, ENTITY, "transfer", &row, after, store_error)?;
    let mut history = OwnerChangeRow::new(
        &row.id,
        row.owner_id.as_deref(),
        Some(&input.owner_id),
        OwnerChangeReason::Transfer,
        Some(actor.id()),
    );
    history.detail = input.note;
    account_owner_changes::insert(conn, &history)?;
    if input.include_open_opportunities {
        move_open_opportunities(conn, actor, visibility, &row.id, &input.owner_id)?;
    }
    Ok(account)
}

/// Hand every open opportunity of `account_id` not already owned by `new_owner` to
/// them, each under its row lock, with a version bump and an audit event
/// (through [`crate::opportunities::service::save`], with the opportunity's full snapshots).
///
/// Refused (409 `invalid_transition`, with a count and no ids) when any of them
/// is owned by someone outside the actor's scope: a manager moves only what they
/// may see, and a partial move would split the account's pipeline silently.
fn move_open_opportunities(
    conn: &mut DbConnection,
    actor: &Actor,
    visibility: &Visibility,
    account_id: &str,
    new_owner: &str,
) -> AppResult<()> {
    let open = opportunities::open_for_account(conn, account_id)?;
    let hidden = open.iter().filter(|o| !visibility.allows(Some(&o.owner_id))).count();
    if hidden > 0 {
        return Err(AppError::transition(format!(
            "{hidden} open opportunit{} of this account belong{} to owners outside your scope; \
             transfer without include_open_opportunities or ask someone who can see them",
            if hidden == 1 { "y" } else { "ies" },
            if hidden == 1 { "s" } else { "" },
        )));
    }
    for opportunity in open {
        if opportunity.owner_id == new_owner {
            continue;
        }
        opportunities::lock(conn, &opportunity.id)?;
        let mut after = opportunity.clone();
        after.owner_id = new_owner.to_owned();
        crate::opportunities::service::save(conn, actor, "transfer", &opportunity, after, None)?;
    }
    Ok(())
}

/// One page (up to `limit`, after the id `after`) of the owner history of an
/// account within the actor's data scope, oldest first.
pub fn owner_history(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &AccountId,
    after: Option<String>,
    limit: i64,
) -> AppResult<Page<OwnerChange>> {
    let (row, _) = load_visible::<AccountRow>(conn, actor, id, false)?;
    let rows = account_owner_changes::page_for_account(conn, &row.id, after.as_deref(), limit + 1)?;
    pagination::page_by_id(rows, limit, |r| r.id.clone(), OwnerChange::try_from)
}

/// Open leads, accounts and contacts matching `check`, described as the actor
/// may see them. A check with nothing to compare is refused on `(body)`.
pub fn check_duplicates(
    conn: &mut DbConnection,
    actor: &Actor,
    check: AccountDuplicateCheck,
) -> AppResult<DuplicateCheckResult> {
    let probe = Probe {
        email: check.email.as_deref().and_then(normalize_email),
        phone: check.phone.as_deref().and_then(normalize_phone),
        company: check.name.as_deref().and_then(normalize_company),
        uscc: check.uscc.map(|u| u.trim().to_uppercase()).filter(|u| !u.is_empty()),
    };
    if probe.is_empty() {
        return Err(AppError::invalid_field("(body)", "required", "give at least one of name, uscc, email, phone"));
    }
    let all = [DuplicateEntity::Lead, DuplicateEntity::Account, DuplicateEntity::Contact];
    duplicates::check(conn, actor, &probe, &all, "name")
}

/// Record that an opportunity of account `account_id` was won at `at`; the win took the account's row lock first:
/// `first_won_at` if unset, `last_won_at`, and a prospect becomes active
/// ([`lifecycle_after_win`]). Audited as `opportunity_won`; nothing to do if the account is gone.
pub fn record_win(
    conn: &mut DbConnection,
    actor: &Actor,
    account_id: &str,
    at: chrono::NaiveDateTime,
) -> AppResult<()> {
    let Some(before) = salesops_persistence::accounts::find_visible(conn, account_id, &Visibility::All)? else {
        return Ok(());
    };
    let mut after = before.clone();
    after.first_won_at = Some(before.first_won_at.unwrap_or(at));
    after.last_won_at = Some(at);
    after.lifecycle = lifecycle_after_win(before.lifecycle);
    audit::save_versioned::<_, Account>(conn, actor, ENTITY, "opportunity_won", &before, after, AppError::from)?;
    Ok(())
}
