//! Contacts: the people at an account.

use crate::connection::MultiBackend;
use crate::schema::{accounts, contacts};
use crate::scope::Visibility;
use crate::{clock, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::contact_info::normalize_company;

/// A contact as stored. The `*_normalized` columns hold the forms duplicates are matched on.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true)]
pub struct ContactRow {
    /// UUIDv7.
    pub id: String,
    /// The account they work for.
    pub account_id: String,
    /// Their name.
    pub name: String,
    /// `name`, normalised.
    pub name_normalized: String,
    /// Job title.
    pub title: Option<String>,
    /// Email, as entered.
    pub email: Option<String>,
    /// `email`, normalised.
    pub email_normalized: Option<String>,
    /// Phone, as entered.
    pub phone: Option<String>,
    /// `phone`, normalised.
    pub phone_normalized: Option<String>,
    /// The account's primary contact; at most one per account.
    pub is_primary: bool,
    /// Last recorded activity, UTC.
    pub last_activity_at: Option<NaiveDateTime>,
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

impl ContactRow {
    /// A new, non-primary contact at `account_id`, version 1, created now.
    pub fn new(account_id: &str, name: &str, created_by: Option<&str>) -> ContactRow {
        let now = clock::now();
        ContactRow {
            id: salesops_domain::new_id(),
            account_id: account_id.to_owned(),
            name: name.to_owned(),
            name_normalized: normalize_company(name).unwrap_or_else(|| name.to_lowercase()),
            title: None,
            email: None,
            email_normalized: None,
            phone: None,
            phone_normalized: None,
            is_primary: false,
            last_activity_at: None,
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

/// Insert a new contact.
pub fn insert(conn: &mut DbConnection, row: &ContactRow) -> StoreResult<()> {
    diesel::insert_into(contacts::table).values(row).execute(conn)?;
    Ok(())
}

/// Every contact, deleted ones included, at an account `visibility` lets the caller see.
pub fn scoped<'a>(visibility: &Visibility) -> contacts::BoxedQuery<'a, MultiBackend> {
    let query = contacts::table.into_boxed();
    match visibility {
        Visibility::All => query,
        Visibility::Owners(owners) => {
            // The same rule as `accounts::scoped`, unboxed: a boxed subquery cannot be used on the MultiBackend.
            let visible_accounts = accounts::table
                .filter(accounts::deleted_at.is_null())
                .filter(accounts::owner_id.is_null().or(accounts::owner_id.eq_any(owners.clone())))
                .select(accounts::id);
            query.filter(contacts::account_id.eq_any(visible_accounts))
        }
    }
}

/// A live contact the caller may see.
pub fn find_visible(conn: &mut DbConnection, id: &str, visibility: &Visibility) -> StoreResult<Option<ContactRow>> {
    Ok(scoped(visibility)
        .filter(contacts::id.eq(id.to_owned()))
        .filter(contacts::deleted_at.is_null())
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?)
}

/// Take the row lock on a contact for the rest of the transaction.
pub fn lock(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::update(contacts::table.find(id)).set(contacts::version.eq(contacts::version)).execute(conn)?;
    Ok(())
}

/// Write a changed contact if its version is still `expected_version`; false when it moved on.
pub fn update(conn: &mut DbConnection, row: &ContactRow, expected_version: i64) -> StoreResult<bool> {
    let n = diesel::update(contacts::table.find(&row.id).filter(contacts::version.eq(expected_version)))
        .set(row)
        .execute(conn)?;
    Ok(n == 1)
}
