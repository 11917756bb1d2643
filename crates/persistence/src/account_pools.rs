//! Customer pools (公海): their rules, the counts the claim limits need, and the
//! queries and locks of the recall job.

use crate::accounts::{self, AccountRow};
use crate::connection::MultiBackend;
use crate::schema::{account_owner_changes, account_pools, accounts as accounts_table, opportunities};
use crate::scope::Visibility;
use crate::{clock, raw_sql, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::dsl::not;
use diesel::prelude::*;
use salesops_domain::account::OwnerChangeReason;
use salesops_domain::account_pool::{recall_cutoff, PoolRules};
use salesops_domain::opportunity::OpportunityStatus;

/// A pool as stored. A `None` rule is switched off.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = account_pools, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PoolRow {
    /// UUIDv7 (the seeded default pool has a fixed id).
    pub id: String,
    /// Unique name.
    pub name: String,
    /// When set, only users of this department's subtree claim from the pool.
    pub department_id: Option<String>,
    /// The pool accounts go to when no other is named; exactly one pool is.
    pub is_default: bool,
    /// Recall after more than this many days without activity.
    pub recall_after_days_without_activity: Option<i32>,
    /// Recall after more than this many days without a won deal.
    pub recall_after_days_without_won_deal: Option<i32>,
    /// Accounts with an open opportunity are never recalled.
    pub exempt_with_open_opportunity: bool,
    /// Days ahead that upcoming recalls are listed.
    pub warn_days_before_recall: i32,
    /// Claims per user per UTC day.
    pub max_claims_per_rep_per_day: Option<i32>,
    /// Accounts one user may own before claiming more is refused.
    pub max_owned_accounts_per_rep: Option<i32>,
    /// Days a previous owner waits before claiming an account back.
    pub previous_owner_cooldown_days: Option<i32>,
    /// Bumped on every change.
    pub version: i64,
    /// Creation time, UTC.
    pub created_at: NaiveDateTime,
    /// Last change, UTC.
    pub updated_at: NaiveDateTime,
    /// Who created it.
    pub created_by: Option<String>,
    /// Set when soft-deleted.
    pub deleted_at: Option<NaiveDateTime>,
}

impl PoolRow {
    /// A new pool at version 1, created now, with every rule off, open opportunities
    /// exempting, and a warning 3 days ahead (as the seeded default pool).
    pub fn new(name: &str, created_by: Option<&str>) -> PoolRow {
        let now = clock::now();
        PoolRow {
            id: salesops_domain::new_id(),
            name: name.to_owned(),
            department_id: None,
            is_default: false,
            recall_after_days_without_activity: None,
            recall_after_days_without_won_deal: None,
            exempt_with_open_opportunity: true,
            warn_days_before_recall: 3,
            max_claims_per_rep_per_day: None,
            max_owned_accounts_per_rep: None,
            previous_owner_cooldown_days: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
            deleted_at: None,
        }
    }

    /// The pool's rules, for the domain.
    pub fn rules(&self) -> PoolRules {
        PoolRules {
            recall_after_days_without_activity: self.recall_after_days_without_activity,
            recall_after_days_without_won_deal: self.recall_after_days_without_won_deal,
            exempt_with_open_opportunity: self.exempt_with_open_opportunity,
            warn_days_before_recall: self.warn_days_before_recall,
            max_claims_per_rep_per_day: self.max_claims_per_rep_per_day,
            max_owned_accounts_per_rep: self.max_owned_accounts_per_rep,
            previous_owner_cooldown_days: self.previous_owner_cooldown_days,
        }
    }
}

/// Insert a new pool.
pub fn insert(conn: &mut DbConnection, row: &PoolRow) -> StoreResult<()> {
    diesel::insert_into(account_pools::table).values(row).execute(conn)?;
    Ok(())
}

/// A live pool.
pub fn find(conn: &mut DbConnection, id: &str) -> StoreResult<Option<PoolRow>> {
    Ok(account_pools::table
        .find(id)
        .filter(account_pools::deleted_at.is_null())
        .select(PoolRow::as_select())
        .first(conn)
        .optional()?)
}

/// The default pool.
pub fn find_default(conn: &mut DbConnection) -> StoreResult<Option<PoolRow>> {
    Ok(account_pools::table
        .filter(account_pools::is_default.eq(true))
        .filter(account_pools::deleted_at.is_null())
        .order(account_pools::id)
        .select(PoolRow::as_select())
        .first(conn)
        .optional()?)
}

/// The pool whose rules govern an account: its `pool_id`, or the default pool when it has none.
pub fn home_of(conn: &mut DbConnection, account: &AccountRow) -> StoreResult<Option<PoolRow>> {
    match &account.pool_id {
        Some(id) => find(conn, id),
        None => find_default(conn),
    }
}

/// Whether a live pool other than `except_id` has this name.
pub fn name_taken(conn: &mut DbConnection, name: &str, except_id: Option<&str>) -> StoreResult<bool> {
    let mut query = account_pools::table.filter(account_pools::name.eq(name.to_owned())).into_boxed();
    if let Some(id) = except_id {
        query = query.filter(account_pools::id.ne(id.to_owned()));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

/// Live pools in id order after `after_id`, `limit` at most.
pub fn list(conn: &mut DbConnection, after_id: Option<&str>, limit: i64) -> StoreResult<Vec<PoolRow>> {
    let mut query = account_pools::table
        .filter(account_pools::deleted_at.is_null())
        .select(PoolRow::as_select())
        .order(account_pools::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(account_pools::id.gt(after.to_owned()));
    }
    Ok(query.load(conn)?)
}

/// How many live pools there are.
pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(account_pools::table.filter(account_pools::deleted_at.is_null()).count().get_result(conn)?)
}

/// Take the row lock on a pool and read it, `None` if it is gone (or never
/// was). Taken before an account is homed in the pool, so a concurrent delete
/// of the pool (which locks it too) either runs first, and the pool is gone
/// here, or waits and then counts the account.
pub fn lock_live(conn: &mut DbConnection, id: &str) -> StoreResult<Option<PoolRow>> {
    lock(conn, id)?;
    find(conn, id)
}

/// The default pool, locked as [`lock_live`] does.
pub fn lock_default(conn: &mut DbConnection) -> StoreResult<Option<PoolRow>> {
    match find_default(conn)? {
        Some(pool) => lock_live(conn, &pool.id),
        None => Ok(None),
    }
}

/// Hold off every other pool write until the transaction ends, so two pools
/// cannot both become the default. Take it before any pool row lock.
/// SQLite write transactions are already serial, so there it does nothing.
pub fn lock_all(conn: &mut DbConnection) -> StoreResult<()> {
    raw_sql::lock_table(conn, "account_pools")
}

crate::versioned::row_writes!(account_pools, PoolRow, "pool");

/// Live pools other than `except_id` flagged default (the one to demote when another becomes it).
pub fn other_defaults(conn: &mut DbConnection, except_id: &str) -> StoreResult<Vec<PoolRow>> {
    Ok(account_pools::table
        .filter(account_pools::is_default.eq(true))
        .filter(account_pools::deleted_at.is_null())
        .filter(account_pools::id.ne(except_id.to_owned()))
        .select(PoolRow::as_select())
        .load(conn)?)
}

/// How many live accounts, owned or not, have this pool as their home.
pub fn account_count(conn: &mut DbConnection, pool_id: &str) -> StoreResult<i64> {
    Ok(accounts_table::table
        .filter(accounts_table::pool_id.eq(pool_id.to_owned()))
        .filter(accounts_table::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Accounts `user_id` claimed at or after `since`, from any pool.
pub fn claims_since(conn: &mut DbConnection, user_id: &str, since: NaiveDateTime) -> StoreResult<i64> {
    Ok(account_owner_changes::table
        .filter(account_owner_changes::to_owner_id.eq(user_id.to_owned()))
        .filter(account_owner_changes::reason.eq(OwnerChangeReason::Claim.as_str()))
        .filter(account_owner_changes::occurred_at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Live accounts `user_id` owns, in any pool.
pub fn owned_count(conn: &mut DbConnection, user_id: &str) -> StoreResult<i64> {
    Ok(accounts_table::table
        .filter(accounts_table::owner_id.eq(user_id.to_owned()))
        .filter(accounts_table::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

/// The last time, at or after `since`, that `account_id` left `user_id` by release or recall.
pub fn last_left_owner(
    conn: &mut DbConnection,
    account_id: &str,
    user_id: &str,
    since: NaiveDateTime,
) -> StoreResult<Option<NaiveDateTime>> {
    let reasons = [OwnerChangeReason::Release.as_str(), OwnerChangeReason::Recall.as_str()];
    Ok(account_owner_changes::table
        .filter(account_owner_changes::account_id.eq(account_id.to_owned()))
        .filter(account_owner_changes::from_owner_id.eq(user_id.to_owned()))
        .filter(account_owner_changes::reason.eq_any(reasons))
        .filter(account_owner_changes::occurred_at.ge(since))
        .order(account_owner_changes::occurred_at.desc())
        .select(account_owner_changes::occurred_at)
        .first(conn)
        .optional()?)
}

/// One recall rule's condition on an account row.
type RuleExpression = Box<
    dyn BoxableExpression<
        accounts_table::table,
        MultiBackend,
        SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
    >,
>;

/// Live, owned accounts governed by `pool` (its `pool_id`, or none for the default
/// pool) on which a recall rule fires at `as_of`, leaving out accounts with an open
/// opportunity when the pool exempts them, and accounts `visibility` hides. The
/// rules' day counts become cutoff timestamps here, so the SQL is portable.
/// Ordered by id.
pub fn recall_candidates(
    conn: &mut DbConnection,
    pool: &PoolRow,
    as_of: NaiveDateTime,
    visibility: &Visibility,
) -> StoreResult<Vec<AccountRow>> {
    let Some(query) = candidate_query(pool, as_of, visibility) else { return Ok(Vec::new()) };
    Ok(query.order(accounts_table::id).select(AccountRow::as_select()).load(conn)?)
}

/// The account `account_id` if it is still a recall candidate of `pool` at
/// `as_of` (the predicate of [`recall_candidates`], open-opportunity exemption
/// included). Take the account's row lock first, so the answer holds until the
/// recall is written: an activity logged or an owner change committed since the
/// candidates were selected is seen here.
pub fn recall_candidate(
    conn: &mut DbConnection,
    pool: &PoolRow,
    as_of: NaiveDateTime,
    account_id: &str,
) -> StoreResult<Option<AccountRow>> {
    let Some(query) = candidate_query(pool, as_of, &Visibility::All) else { return Ok(None) };
    Ok(query
        .filter(accounts_table::id.eq(account_id.to_owned()))
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// The filter of [`recall_candidates`]; `None` when the pool has no recall rule.
fn candidate_query<'a>(
    pool: &PoolRow,
    as_of: NaiveDateTime,
    visibility: &Visibility,
) -> Option<accounts_table::BoxedQuery<'a, MultiBackend>> {
    use accounts_table::dsl as a;
    let rules = pool.rules();
    let cutoffs = [(rules.recall_after_days_without_activity, true), (rules.recall_after_days_without_won_deal, false)];
    let mut any_rule: Option<RuleExpression> = None;
    for (limit, activity) in cutoffs {
        let Some(limit) = limit else { continue };
        let cutoff = recall_cutoff(limit, as_of);
        // The later of the event and when the owner got it is at or before the cutoff.
        let owned_early = a::owned_since.le(cutoff).or(a::owned_since.is_null().and(a::created_at.le(cutoff)));
        let fires: RuleExpression = if activity {
            Box::new(owned_early.and(a::last_activity_at.is_null().or(a::last_activity_at.le(cutoff))))
        } else {
            Box::new(owned_early.and(a::last_won_at.is_null().or(a::last_won_at.le(cutoff))))
        };
        any_rule = Some(match any_rule {
            None => fires,
            Some(prev) => Box::new(prev.or(fires)),
        });
    }
    let any_rule = any_rule?;
    let mut query =
        accounts::scoped(visibility).filter(a::owner_id.is_not_null()).filter(a::deleted_at.is_null()).filter(any_rule);
    query = if pool.is_default {
        query.filter(a::pool_id.eq(pool.id.clone()).or(a::pool_id.is_null()))
    } else {
        query.filter(a::pool_id.eq(pool.id.clone()))
    };
    if rules.exempt_with_open_opportunity {
        let with_open_opportunity = opportunities::table
            .filter(opportunities::account_id.is_not_null())
            .filter(opportunities::status.eq(OpportunityStatus::Open.as_str()))
            .filter(opportunities::deleted_at.is_null())
            .select(opportunities::account_id.assume_not_null());
        query = query.filter(not(a::id.eq_any(with_open_opportunity)));
    }
    Some(query)
}

/// Try to become the only recall runner of `pool_id` until the transaction ends.
///
/// On PostgreSQL this is a transaction-scoped advisory lock keyed by the pool id, so
/// replicas running the job at once each take a pool or skip it, never both; false
/// when another runner holds it. SQLite write transactions are serial already, so
/// there it is always true.
pub fn try_lock_recall(conn: &mut DbConnection, pool_id: &str) -> StoreResult<bool> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    if !matches!(conn, DbConnection::Postgresql(_)) {
        return Ok(true);
    }
    // The first key names the purpose, so other advisory locks cannot collide with it.
    let row: Locked =
        diesel::sql_query(format!("SELECT pg_try_advisory_xact_lock({RECALL_LOCK_CLASS}, hashtext($1)) AS locked"))
            .bind::<diesel::sql_types::Text, _>(pool_id)
            .get_result(conn)?;
    Ok(row.locked)
}

/// The first advisory-lock key of the recall job.
const RECALL_LOCK_CLASS: i32 = 0x5A4C;

/// Put an owned account back into `pool_id` if `owner_id` still owns it: owner and
/// `owned_since` cleared, version bumped. False when someone else got there first.
pub fn recall_one(
    conn: &mut DbConnection,
    account_id: &str,
    owner_id: &str,
    pool_id: &str,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    use accounts_table::dsl as a;
    let n = diesel::update(
        accounts_table::table
            .find(account_id)
            .filter(a::owner_id.eq(owner_id.to_owned()))
            .filter(a::deleted_at.is_null()),
    )
    .set((
        a::owner_id.eq(None::<String>),
        a::owned_since.eq(None::<NaiveDateTime>),
        a::pool_id.eq(Some(pool_id.to_owned())),
        a::version.eq(a::version + 1),
        a::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
