//! Accounts (customers): storage and lookups.

use crate::connection::MultiBackend;
use crate::schema::accounts;
use crate::scope::Visibility;
use crate::{clock, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::account::{AccountLifecycle, AccountTier};
use salesops_domain::contact_info::normalize_company;

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
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
    /// Tier word.
    pub tier: String,
    /// Lifecycle word.
    pub lifecycle: String,
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
    /// A new `standard` `prospect` account at version 1, created now, owned by
    /// `owner_id` since now (`None`: in `pool_id`).
    pub fn new(name: &str, owner_id: Option<&str>, pool_id: Option<&str>, created_by: Option<&str>) -> AccountRow {
        let now = clock::now();
        AccountRow {
            id: salesops_domain::new_id(),
            name: name.to_owned(),
            name_normalized: normalize_company(name).unwrap_or_else(|| name.to_lowercase()),
            uscc: None,
            industry: None,
            region: None,
            address: None,
            parent_account_id: None,
            tier: AccountTier::Standard.as_str().to_owned(),
            lifecycle: AccountLifecycle::Prospect.as_str().to_owned(),
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

/// Insert a new account.
pub fn insert(conn: &mut DbConnection, row: &AccountRow) -> StoreResult<()> {
    diesel::insert_into(accounts::table).values(row).execute(conn)?;
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

/// A live account the caller may see.
pub fn find_visible(conn: &mut DbConnection, id: &str, visibility: &Visibility) -> StoreResult<Option<AccountRow>> {
    Ok(scoped(visibility)
        .filter(accounts::id.eq(id.to_owned()))
        .filter(accounts::deleted_at.is_null())
        .select(AccountRow::as_select())
        .first(conn)
        .optional()?)
}

/// Take the row lock on an account for the rest of the transaction.
pub fn lock(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::update(accounts::table.find(id)).set(accounts::version.eq(accounts::version)).execute(conn)?;
    Ok(())
}

/// Write a changed account if its version is still `expected_version`; false when it moved on.
pub fn update(conn: &mut DbConnection, row: &AccountRow, expected_version: i64) -> StoreResult<bool> {
    let n = diesel::update(accounts::table.find(&row.id).filter(accounts::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    Ok(n == 1)
}
