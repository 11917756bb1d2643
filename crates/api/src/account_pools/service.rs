//! Customer pool use cases: a pool's configuration (get, create, update,
//! delete), the account commands `release`, `claim` and `assign` ([`run`]),
//! and the recall job's work on one pool ([`recall_as_of`]) with its forecast
//! ([`upcoming_recalls`]).
//!
//! Each account command takes the account's row lock first and only then reads
//! it in scope, so of several claims of one account exactly one wins; for the
//! others it is now owned outside their scope and reads as 404. The change, its owner-history row and its audit event are one
//! transaction.

use super::ENTITY;
use crate::account_pools::dto::{
    AccountPool, AccountPoolPatch, CreateAccountPool, DueCursor, RecalledAccount, UpcomingRecall,
};
use crate::accounts::dto::Account;
use crate::accounts::service::blockers;
use crate::accounts::ENTITY as ACCOUNT_ENTITY;
use crate::app::error::taken;
use crate::app::permission::{Administer, AssignRecords};
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot, Author};
use crate::org::departments::require_department;
use crate::org::users::check_assignable;
use crate::pagination::{self, Page};
use crate::time::to_utc;
use chrono::{Duration, NaiveDateTime};
use salesops_domain::account::OwnerChangeReason;
use salesops_domain::account_pool::{start_of_day, ClaimFacts, ClaimRefusal, RecallFacts};
use salesops_domain::ids::{AccountId, PoolId};
use salesops_persistence::account_owner_changes::{self, OwnerChangeRow};
use salesops_persistence::account_pools::{self, PoolRow};
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, departments, opportunities, users, DbConnection};
use validator::Validate;

impl From<ClaimRefusal> for AppError {
    fn from(e: ClaimRefusal) -> Self {
        let errors = vec![FieldError::new(e.limit.as_str(), "limit_reached", e.detail.clone())];
        AppError::InvalidTransition { detail: e.detail, errors }
    }
}

/// Why a pool name is refused: deleted pools keep theirs, so it may be taken by none visible.
const NAME_TAKEN: &str = "another pool has this name (deleted pools keep theirs)";

/// The pool's unique columns, for [`taken`].
const UNIQUE: &[(&str, &str)] = &[("name", NAME_TAKEN)];

/// A live pool, or 404.
pub fn load(conn: &mut DbConnection, id: &str) -> AppResult<PoolRow> {
    account_pools::find(conn, id)?.ok_or(AppError::NotFound)
}

/// A live pool. Pools carry no data scope: every signed-in user reads them all.
pub fn get(conn: &mut DbConnection, id: &PoolId) -> AppResult<AccountPool> {
    Ok(AccountPool::from(load(conn, id)?))
}

/// Check what a pool write needs from other rows: a free name and an existing department.
fn check_references(conn: &mut DbConnection, input: &CreateAccountPool, id: Option<&str>) -> AppResult<()> {
    if account_pools::name_taken(conn, &input.name, id)? {
        return Err(AppError::invalid_field("name", "taken", NAME_TAKEN));
    }
    if let Some(department) = &input.department_id {
        require_department(conn, "department_id", department)?;
    }
    Ok(())
}

/// When `pool` became the default, the previous default stops being it.
fn demote_other_defaults(conn: &mut DbConnection, actor: &Actor, pool: &PoolRow) -> AppResult<()> {
    if !pool.is_default {
        return Ok(());
    }
    for other in account_pools::other_defaults(conn, &pool.id)? {
        let mut after = other.clone();
        after.is_default = false;
        audit::save_versioned::<_, AccountPool>(conn, actor, ENTITY, "update", &other, after, taken(UNIQUE))?;
    }
    Ok(())
}

/// Create a pool; with `is_default` it becomes the default and the previous default stops being it.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateAccountPool) -> AppResult<AccountPool> {
    // Every pool write holds the table, so two pools cannot both become the default.
    account_pools::lock_all(conn)?;
    check_references(conn, &input, None)?;
    let mut row = PoolRow::new(&input.name, Some(actor.id()));
    input.write_to(&mut row);
    account_pools::insert(conn, &row).map_err(taken(UNIQUE))?;
    demote_other_defaults(conn, actor, &row)?;
    let pool = AccountPool::from(row);
    audit::record(conn, actor, "create", ENTITY, &pool.id, &serde_json::Value::Null, &snapshot(&pool))?;
    Ok(pool)
}

/// Apply a merge patch: the patched pool is validated as a create body would
/// be. The default pool stays the default until another pool takes over.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &PoolId,
    if_match: IfMatch,
    patch: AccountPoolPatch,
) -> AppResult<AccountPool> {
    account_pools::lock_all(conn)?;
    account_pools::lock(conn, id)?;
    let row = load(conn, id)?;
    if_match.check(row.version)?;
    let input = patch.apply(CreateAccountPool::from_row(&row))?;
    input.validate()?;
    if row.is_default && !input.is_default {
        return Err(AppError::invalid_field(
            "is_default",
            "invalid_value",
            "there must be a default pool; make another pool the default instead",
        ));
    }
    check_references(conn, &input, Some(&row.id))?;
    let mut after = row.clone();
    input.write_to(&mut after);
    demote_other_defaults(conn, actor, &after)?;
    audit::save_versioned::<_, AccountPool>(conn, actor, ENTITY, "update", &row, after, taken(UNIQUE))
}

/// Soft-delete a pool. The default pool, and a pool still the home of any
/// account (owned or not), are refused with 409 `invalid_transition`.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &PoolId, if_match: IfMatch) -> AppResult<()> {
    account_pools::lock_all(conn)?;
    account_pools::lock(conn, id)?;
    let row = load(conn, id)?;
    if_match.check(row.version)?;
    if row.is_default {
        return Err(AppError::transition("the default pool cannot be deleted; make another pool the default first"));
    }
    let held = account_pools::account_count(conn, &row.id)?;
    if held > 0 {
        return Err(AppError::transition(format!(
            "the pool is the home of {held} account(s); move them to another pool first"
        )));
    }
    let mut after = row.clone();
    after.deleted_at = Some(clock::now());
    audit::save_versioned::<_, AccountPool>(conn, actor, ENTITY, "delete", &row, after, taken(UNIQUE)).map(|_| ())
}

/// A command that changes who owns an account, through its pool.
#[derive(Debug, Clone)]
pub enum Command {
    /// Owner → pool: into `pool_id`, else the account's home pool.
    Release {
        /// The pool to release into; it becomes the account's home.
        pool_id: Option<String>,
    },
    /// Pool → the actor, within the pool's limits and department.
    Claim,
    /// Pool → `owner_id`, by a manager or admin; the claim limits do not apply.
    Assign {
        /// An active user within the actor's scope and the pool's department.
        owner_id: String,
    },
}

impl Command {
    fn reason(&self) -> OwnerChangeReason {
        match self {
            Command::Release { .. } => OwnerChangeReason::Release,
            Command::Claim => OwnerChangeReason::Claim,
            Command::Assign { .. } => OwnerChangeReason::Assign,
        }
    }
}

/// Run `command` on account `id`: the owner change, its owner-history row
/// (with the pool) and its audit event, all in the given transaction.
pub fn run(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &AccountId,
    if_match: IfMatch,
    command: Command,
) -> AppResult<Account> {
    accounts::lock(conn, id)?;
    if matches!(command, Command::Claim) {
        // One claim at a time per user, so two claims cannot both pass the daily and owned limits.
        users::lock(conn, actor.id())?;
    }
    let visibility = actor.visibility();
    // An account owned outside the actor's scope is not found, even by a
    // claim that lost a race to it: its existence is not theirs to learn.
    let row = accounts::find_visible(conn, id, visibility)?.ok_or(AppError::NotFound)?;
    if_match.check(row.version)?;
    let now = clock::now();
    let mut after = row.clone();
    let pool = match &command {
        Command::Release { pool_id } => {
            let Some(owner) = row.owner_id.as_deref() else {
                return Err(AppError::transition("the account is already in a pool"));
            };
            if owner != actor.id() {
                actor.require::<AssignRecords>("release an account someone else owns")?;
            }
            let home = home_pool(conn, &row)?;
            let pool_id = pool_id.as_deref().unwrap_or(&home.id);
            // Locked so a concurrent delete cannot leave the account homed in a deleted pool.
            let pool = account_pools::lock_live(conn, pool_id)?
                .ok_or_else(|| AppError::invalid_field("pool_id", "unknown", "no customer pool with this id"))?;
            if pool.id != home.id {
                actor.require::<AssignRecords>("release an account into a pool other than its home pool")?;
            }
            refuse_open_opportunities(conn, visibility, &row.id)?;
            after.owner_id = None;
            after.owned_since = None;
            pool
        }
        Command::Claim => {
            if row.owner_id.is_some() {
                return Err(AppError::transition("the account already has an owner"));
            }
            let pool = home_pool(conn, &row)?;
            if !actor.holds::<Administer>() && !in_pool_department(conn, &pool, actor.department_id.as_deref())? {
                return Err(AppError::Forbidden(
                    "only members of the pool's department (or a department under it) may claim from it".into(),
                ));
            }
            check_limits(conn, &pool, &row.id, actor.id())?;
            after.owner_id = Some(actor.id().to_owned());
            after.owned_since = Some(now);
            pool
        }
        Command::Assign { owner_id } => {
            if row.owner_id.is_some() {
                return Err(AppError::transition("the account already has an owner; transfer it instead"));
            }
            let pool = home_pool(conn, &row)?;
            check_assignable(conn, visibility, owner_id)?;
            let department = users::find(conn, owner_id)?.and_then(|u| u.department_id);
            if !in_pool_department(conn, &pool, department.as_deref())? {
                return Err(AppError::invalid_field(
                    "owner_id",
                    "outside_pool_department",
                    "the user is not in the pool's department or a department under it",
                ));
            }
            after.owner_id = Some(owner_id.clone());
            after.owned_since = Some(now);
            pool
        }
    };
    after.pool_id = Some(pool.id.clone());
    let reason = command.reason();
    let account: Account =
        audit::save_versioned(conn, actor, ACCOUNT_ENTITY, reason.as_str(), &row, after.clone(), AppError::from)?;
    let mut history =
        OwnerChangeRow::new(&row.id, row.owner_id.as_deref(), after.owner_id.as_deref(), reason, Some(actor.id()));
    history.pool_id = Some(pool.id);
    history.occurred_at = now;
    account_owner_changes::insert(conn, &history)?;
    Ok(account)
}

/// Whether `department_id` lies in the subtree of the pool's department (always, for a pool without one).
fn in_pool_department(conn: &mut DbConnection, pool: &PoolRow, department_id: Option<&str>) -> AppResult<bool> {
    let Some(root) = &pool.department_id else { return Ok(true) };
    let Some(department) = department_id else { return Ok(false) };
    Ok(departments::subtree_ids(conn, root)?.iter().any(|d| d == department))
}

/// The account's home pool; every account has one (the default when `pool_id` is unset).
fn home_pool(conn: &mut DbConnection, account: &AccountRow) -> AppResult<PoolRow> {
    account_pools::home_of(conn, account)?.ok_or_else(|| AppError::Internal("no default account pool".into()))
}

/// Refuse a claim that breaks one of the pool's limits, naming it.
fn check_limits(conn: &mut DbConnection, pool: &PoolRow, account_id: &str, claimant_id: &str) -> AppResult<()> {
    let rules = pool.rules();
    let now = clock::now();
    let claims_today = match rules.max_claims_per_rep_per_day {
        Some(_) => account_pools::claims_since(conn, claimant_id, start_of_day(now))?,
        None => 0,
    };
    let owned_accounts = match rules.max_owned_accounts_per_rep {
        Some(_) => account_pools::owned_count(conn, claimant_id)?,
        None => 0,
    };
    let last_left_caller_at = match rules.cooldown_since(now) {
        Some(since) => account_pools::last_left_owner(conn, account_id, claimant_id, since)?,
        None => None,
    };
    rules.check_claim(&ClaimFacts { now, claims_today, owned_accounts, last_left_caller_at })?;
    Ok(())
}

/// Refuse to release an account that open opportunities still hang on,
/// naming only those the actor may see.
fn refuse_open_opportunities(conn: &mut DbConnection, visibility: &Visibility, account_id: &str) -> AppResult<()> {
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

/// The facts the recall rules read off an owned account. Candidates come from SQL
/// that already left out accounts exempt for an open opportunity.
fn facts_of(row: &AccountRow) -> RecallFacts {
    RecallFacts {
        owned_since: row.owned_since.unwrap_or(row.created_at),
        last_activity_at: row.last_activity_at,
        last_won_at: row.last_won_at,
        has_open_opportunity: false,
    }
}

/// Run the recall job over pool `pool_id` now, for an admin who asked: [`recall_as_of`].
pub fn recall(conn: &mut DbConnection, actor: &Actor, pool_id: &PoolId) -> AppResult<Vec<RecalledAccount>> {
    recall_as_of(conn, Author::from(actor), pool_id, clock::now())
}

/// Recall into pool `pool_id`, as of `now`, every owned account it governs that
/// broke one of its rules, inside the given transaction; `by` is the admin who
/// asked, or [`Author::SYSTEM`] for the scheduler. Each recall writes an
/// owner-history row naming the rule and the numbers, and an audit event.
///
/// Empty when nothing was due, or when another runner holds the pool's recall
/// lock right now: the job is idempotent and safe with several replicas.
pub fn recall_as_of(
    conn: &mut DbConnection,
    by: Author<'_>,
    pool_id: &str,
    now: NaiveDateTime,
) -> AppResult<Vec<RecalledAccount>> {
    if !account_pools::try_lock_recall(conn, pool_id)? {
        log::info!("recall of pool {pool_id} skipped: another runner has it");
        return Ok(Vec::new());
    }
    let pool = load(conn, pool_id)?;
    let rules = pool.rules();
    let mut recalled = Vec::new();
    for candidate in account_pools::recall_candidates(conn, &pool, now, &Visibility::All)? {
        // Lock the account and ask again for it alone: an activity, a won deal, an
        // open opportunity or an owner change committed since the selection counts.
        accounts::lock(conn, &candidate.id)?;
        let Some(row) = account_pools::recall_candidate(conn, &pool, now, &candidate.id)? else {
            continue;
        };
        let (Some(owner), Some(due)) = (row.owner_id.clone(), rules.recall_at(&facts_of(&row), now)) else {
            continue;
        };
        if !account_pools::recall_one(conn, &row.id, &owner, &pool.id, now)? {
            continue;
        }
        let reason = due.describe(now);
        let mut history = OwnerChangeRow::new(&row.id, Some(&owner), None, OwnerChangeReason::Recall, by.id);
        history.pool_id = Some(pool.id.clone());
        history.detail = Some(reason.clone());
        history.occurred_at = now;
        account_owner_changes::insert(conn, &history)?;
        let after =
            accounts::find_visible_including_deleted(conn, &row.id, &Visibility::All)?.ok_or(AppError::NotFound)?;
        let before = snapshot(&Account::try_from(row.clone())?);
        let after = snapshot(&Account::try_from(after)?);
        audit::record(conn, by, OwnerChangeReason::Recall.as_str(), ACCOUNT_ENTITY, &row.id, &before, &after)?;
        recalled.push(RecalledAccount { account_id: row.id, previous_owner_id: owner, rule: due.rule, reason });
    }
    Ok(recalled)
}

/// One page (up to `limit`, after `after`) of the owned accounts within the
/// actor's data scope that pool `pool_id` will recall within its warning
/// window (overdue ones included), soonest first.
pub fn upcoming_recalls(
    conn: &mut DbConnection,
    actor: &Actor,
    pool_id: &PoolId,
    after: Option<DueCursor>,
    limit: i64,
) -> AppResult<Page<UpcomingRecall>> {
    let pool = load(conn, pool_id)?;
    let rules = pool.rules();
    let now = clock::now();
    let horizon = now + Duration::days(i64::from(rules.warn_days_before_recall.max(0)));
    let visibility = actor.visibility();
    // The due time comes from the domain's rules, not from a column, so the
    // candidates are ordered and paged here rather than in SQL.
    let mut upcoming: Vec<UpcomingRecall> = account_pools::recall_candidates(conn, &pool, horizon, visibility)?
        .into_iter()
        .filter_map(|row| {
            let due = rules.recall_within_warning(&facts_of(&row), now)?;
            Some(UpcomingRecall {
                owner_id: row.owner_id?,
                account_id: row.id,
                account_name: row.name,
                due_at: to_utc(due.due_at),
                rule: due.rule,
                limit_days: due.limit_days,
                days_without: due.days_at(now),
            })
        })
        .collect();
    upcoming.sort_by(|a, b| (a.due_at, &a.account_id).cmp(&(b.due_at, &b.account_id)));
    if let Some(after) = &after {
        upcoming.retain(|u| (u.due_at, &u.account_id) > (after.due_at, &after.id));
    }
    upcoming.truncate(limit as usize + 1);
    pagination::page(
        upcoming,
        limit,
        |u| pagination::encode_cursor(&DueCursor { due_at: u.due_at, id: u.account_id.clone() }),
        Ok,
    )
}
