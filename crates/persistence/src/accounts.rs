//! Accounts (customers): storage and lookups.

use crate::connection::MultiBackend;
use crate::schema::accounts;
use crate::scope::Visibility;
use crate::sql_functions::lower;
use crate::{clock, like_contains, raw_sql, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::account::{AccountLifecycle, AccountTier};
use salesops_domain::contact_info::normalize_company;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = accounts, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct AccountRow {
    /// UUIDv7.
    pub id: String,
    /// The company's name.
    pub name: String,
    /// `name`, normalised for duplicate matching.
    pub name_normalized: String,
    /// Unified Social Credit Code (统一社会信用代码); unique among live accounts.
    pub uscc: Option<String>,
    /// Industry, free text.
    pub industry: Option<String>,
    /// Region, free text.
    pub region: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// The group this account belongs to.
    pub parent_account_id: Option<String>,
    /// Its value tier.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub tier: AccountTier,
    /// Where it is in its life as a customer.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub lifecycle: AccountLifecycle,
    /// The owner; `None` while the account sits in its pool.
    pub owner_id: Option<String>,
    /// The pool whose rules govern this account, and where it goes when released or recalled.
    pub pool_id: Option<String>,
    /// When the current owner got it.
    pub owned_since: Option<NaiveDateTime>,
    /// Last recorded activity, UTC.
    pub last_activity_at: Option<NaiveDateTime>,
    /// When its first opportunity was won.
    pub first_won_at: Option<NaiveDateTime>,
    /// When its latest opportunity was won.
    pub last_won_at: Option<NaiveDateTime>,
    /// The id in the integrator's system; unique.
    pub external_id: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
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

impl AccountRow {
    /// Set the name and the normalised form duplicates are matched on.
    pub fn set_name(&mut self, name: &str) {
        self.name = name.to_owned();
        self.name_normalized = normalized_name(name);
    }

    /// A new `standard` `prospect` account at version 1, created now, owned by
    /// `owner_id` since now (`None`: in `pool_id`).
    pub fn new(name: &str, owner_id: Option<&str>, pool_id: Option<&str>, created_by: Option<&str>) -> AccountRow {
        let now = clock::now();
        AccountRow {
            id: salesops_domain::new_id(),
            name: name.to_owned(),
            name_normalized: normalized_name(name),
            uscc: None,
            industry: None,
            region: None,
            address: None,
            parent_account_id: None,
            tier: AccountTier::Standard,
            lifecycle: AccountLifecycle::Prospect,
            owner_id: owner_id.map(str::to_owned),
            pool_id: pool_id.map(str::to_owned),
            owned_since: owner_id.map(|_| now),
            last_activity_at: None,
            first_won_at: None,
            last_won_at: None,
            external_id: None,
            notes: None,
            version: 1,
            created_at: now,
            updated_at: now,
            created_by: created_by.map(str::to_owned),
            deleted_at: None,
        }
    }
}

fn normalized_name(name: &str) -> String {
    normalize_company(name).unwrap_or_else(|| name.to_lowercase())
}

/// Insert a new account.
pub fn insert(conn: &mut DbConnection, row: &AccountRow) -> StoreResult<()> {
    diesel::insert_into(accounts::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// Every account, deleted ones included, that `visibility` lets the caller see:
/// their owners' accounts and every account sitting in a pool.
pub fn scoped<'a>(visibility: &Visibility) -> accounts::BoxedQuery<'a, MultiBackend> {
    let query = accounts::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => {
            query.filter(accounts::owner_id.is_null().or(accounts::owner_id.eq_any(owners.clone())))
        }
    }
}

crate::visible::scoped_lookups!(accounts, AccountRow, "account");

crate::versioned::row_writes!(accounts, AccountRow, "account");

/// Filters for listing accounts; every one is applied in SQL.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Any of these tiers.
    pub tiers: Vec<AccountTier>,
    /// Any of these lifecycle stages.
    pub lifecycles: Vec<AccountLifecycle>,
    /// Exact industry.
    pub industry: Option<String>,
    /// Exact region.
    pub region: Option<String>,
    /// Only this owner.
    pub owner_id: Option<String>,
    /// Only accounts governed by this pool.
    pub pool_id: Option<String>,
    /// Only accounts sitting in a pool (true) or only owned ones (false).
    pub in_pool: Option<bool>,
    /// Only the direct subsidiaries of this account.
    pub parent_account_id: Option<String>,
    /// No activity since: last activity before this time, or none at all.
    pub last_activity_before: Option<NaiveDateTime>,
    /// Case-insensitive substring of the name, or substring of the USCC.
    pub q: Option<String>,
}

fn filtered<'a>(filter: &AccountFilter, visibility: &Visibility) -> accounts::BoxedQuery<'a, MultiBackend> {
    let mut query = scoped(visibility).filter(accounts::deleted_at.is_null());
    if !filter.tiers.is_empty() {
        query = query.filter(accounts::tier.eq_any(filter.tiers.iter().map(|t| t.as_str()).collect::<Vec<_>>()));
    }
    if !filter.lifecycles.is_empty() {
        query =
            query.filter(accounts::lifecycle.eq_any(filter.lifecycles.iter().map(|l| l.as_str()).collect::<Vec<_>>()));
    }
    if let Some(industry) = &filter.industry {
        query = query.filter(accounts::industry.eq(industry.clone()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(accounts::region.eq(region.clone()));
    }
    if let Some(owner) = &filter.owner_id {
        query = query.filter(accounts::owner_id.eq(owner.clone()));
    }
    if let Some(pool) = &filter.pool_id {
        query = query.filter(accounts::pool_id.eq(pool.clone()));
    }
    match filter.in_pool {
        Some(true) => query = query.filter(accounts::owner_id.is_null()),
        Some(false) => query = query.filter(accounts::owner_id.is_not_null()),
        None => {}
    }
    if let Some(parent) = &filter.parent_account_id {
        query = query.filter(accounts::parent_account_id.eq(parent.clone()));
    }
    if let Some(before) = filter.last_activity_before {
        query = query.filter(accounts::last_activity_at.is_null().or(accounts::last_activity_at.lt(before)));
    }
    if let Some(q) = &filter.q {
        let name_pattern = like_contains(&q.to_lowercase());
        let uscc_pattern = like_contains(&q.to_uppercase());
        query = query.filter(
            lower(accounts::name.nullable())
                .like(name_pattern)
                .escape('\\')
                .or(accounts::uscc.like(uscc_pattern).escape('\\')),
        );
    }
    query
}

crate::visible::id_ordered_list!(accounts, AccountRow, AccountFilter, "accounts");

/// Hold off every other writer of accounts until the transaction ends, so two
/// concurrent re-parentings cannot each pass the cycle check and together make a
/// loop. Take it before any other account lock in the transaction.
pub fn lock_hierarchy(conn: &mut DbConnection) -> StoreResult<()> {
    raw_sql::lock_table(conn, "accounts")
}

/// `id` and every account above it through `parent_account_id`, nearest first.
pub fn ancestors_and_self(conn: &mut DbConnection, id: &str) -> StoreResult<Vec<String>> {
    raw_sql::load_ids(
        conn,
        "WITH RECURSIVE up(id, parent_account_id, depth) AS ( \
           SELECT id, parent_account_id, 0 FROM accounts WHERE id = $1 \
           UNION ALL \
           SELECT a.id, a.parent_account_id, up.depth + 1 FROM accounts a JOIN up ON a.id = up.parent_account_id \
           WHERE up.depth < 1000 \
         ) SELECT id FROM up ORDER BY depth",
        id,
    )
}

/// The ids and owners of the live direct subsidiaries of an account, oldest first.
pub fn live_children(conn: &mut DbConnection, id: &str) -> StoreResult<Vec<(String, Option<String>)>> {
    Ok(accounts::table
        .filter(accounts::parent_account_id.eq(id.to_owned()))
        .filter(accounts::deleted_at.is_null())
        .order(accounts::id)
        .select((accounts::id, accounts::owner_id))
        .load(conn)?)
}
