//! The owner history of accounts: every create, transfer, release, claim, assign and recall.

use crate::schema::account_owner_changes;
use crate::{clock, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::account::OwnerChangeReason;

/// One change of an account's owner.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = account_owner_changes, treat_none_as_default_value = false)]
pub struct OwnerChangeRow {
    /// UUIDv7.
    pub id: String,
    /// The account.
    pub account_id: String,
    /// The owner before; `None` when it came from a pool.
    pub from_owner_id: Option<String>,
    /// The owner after; `None` when it went to a pool.
    pub to_owner_id: Option<String>,
    /// The pool it left or entered, if any.
    pub pool_id: Option<String>,
    /// Why the owner changed.
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub reason: OwnerChangeReason,
    /// Why, in words (for a recall: the rule that fired).
    pub detail: Option<String>,
    /// Who made the change; `None` for the recall job.
    pub actor_id: Option<String>,
    /// When, UTC.
    pub occurred_at: NaiveDateTime,
}

impl OwnerChangeRow {
    /// A change of `account_id` from `from` to `to` for `reason`, happening now.
    pub fn new(
        account_id: &str,
        from: Option<&str>,
        to: Option<&str>,
        reason: OwnerChangeReason,
        actor_id: Option<&str>,
    ) -> OwnerChangeRow {
        OwnerChangeRow {
            id: salesops_domain::new_id(),
            account_id: account_id.to_owned(),
            from_owner_id: from.map(str::to_owned),
            to_owner_id: to.map(str::to_owned),
            pool_id: None,
            reason,
            detail: None,
            actor_id: actor_id.map(str::to_owned),
            occurred_at: clock::now(),
        }
    }
}

/// Record an owner change.
pub fn insert(conn: &mut DbConnection, row: &OwnerChangeRow) -> StoreResult<()> {
    diesel::insert_into(account_owner_changes::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// One page of an account's owner history in id (creation) order, after `after_id`.
pub fn page_for_account(
    conn: &mut DbConnection,
    account_id: &str,
    after_id: Option<&str>,
    limit: i64,
) -> StoreResult<Vec<OwnerChangeRow>> {
    let mut query = account_owner_changes::table
        .filter(account_owner_changes::account_id.eq(account_id.to_owned()))
        .order(account_owner_changes::id)
        .select(OwnerChangeRow::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after_id {
        query = query.filter(account_owner_changes::id.gt(after.to_owned()));
    }
    Ok(query.load(conn)?)
}

/// An account's owner history, oldest first.
pub fn for_account(conn: &mut DbConnection, account_id: &str) -> StoreResult<Vec<OwnerChangeRow>> {
    Ok(account_owner_changes::table
        .filter(account_owner_changes::account_id.eq(account_id.to_owned()))
        .order((account_owner_changes::occurred_at, account_owner_changes::id))
        .select(OwnerChangeRow::as_select())
        .load(conn)?)
}
