//! Contacts: the people at an account.

use crate::connection::MultiBackend;
use crate::schema::{accounts, contacts};
use crate::scope::Visibility;
use crate::sql_functions::lower;
use crate::{clock, like_contains, DbConnection, StoreResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use salesops_domain::contact_info::normalize_company;

/// A contact as stored. The `*_normalized` columns hold the forms duplicates are matched on.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true, treat_none_as_default_value = false)]
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
    /// Set the name and the normalised form duplicates are matched on.
    pub fn set_name(&mut self, name: &str) {
        self.name = name.to_owned();
        self.name_normalized = normalized_name(name);
    }

    /// A new, non-primary contact at `account_id`, version 1, created now.
    pub fn new(account_id: &str, name: &str, created_by: Option<&str>) -> ContactRow {
        let now = clock::now();
        ContactRow {
            id: salesops_domain::new_id(),
            account_id: account_id.to_owned(),
            name: name.to_owned(),
            name_normalized: normalized_name(name),
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

fn normalized_name(name: &str) -> String {
    normalize_company(name).unwrap_or_else(|| name.to_lowercase())
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

crate::visible::scoped_lookups!(contacts, ContactRow, "contact");

crate::versioned::row_writes!(contacts, ContactRow, "contact");

/// Filters for listing contacts; every one is applied in SQL.
#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Only the contacts of this account.
    pub account_id: Option<String>,
    /// Only primary (true) or only non-primary (false) contacts.
    pub is_primary: Option<bool>,
    /// Case-insensitive substring of the name, title, email or phone.
    pub q: Option<String>,
}

fn filtered<'a>(filter: &ContactFilter, visibility: &Visibility) -> contacts::BoxedQuery<'a, MultiBackend> {
    let mut query = scoped(visibility).filter(contacts::deleted_at.is_null());
    if let Some(account) = &filter.account_id {
        query = query.filter(contacts::account_id.eq(account.clone()));
    }
    if let Some(primary) = filter.is_primary {
        query = query.filter(contacts::is_primary.eq(primary));
    }
    if let Some(q) = &filter.q {
        let pattern = like_contains(&q.to_lowercase());
        query = query.filter(
            lower(contacts::name.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(contacts::title).like(pattern.clone()).escape('\\'))
                .or(contacts::email_normalized.like(pattern.clone()).escape('\\'))
                .or(contacts::phone.like(pattern.clone()).escape('\\'))
                .or(contacts::phone_normalized.like(pattern).escape('\\')),
        );
    }
    query
}

crate::visible::id_ordered_list!(contacts, ContactRow, ContactFilter, "contacts");

/// The account's live primary contact, if it has one (the partial unique index allows at most one).
pub fn live_primary(conn: &mut DbConnection, account_id: &str) -> StoreResult<Option<ContactRow>> {
    Ok(contacts::table
        .filter(contacts::account_id.eq(account_id.to_owned()))
        .filter(contacts::deleted_at.is_null())
        .filter(contacts::is_primary.eq(true))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the account has any live contact.
pub fn has_live(conn: &mut DbConnection, account_id: &str) -> StoreResult<bool> {
    let n: i64 = contacts::table
        .filter(contacts::account_id.eq(account_id.to_owned()))
        .filter(contacts::deleted_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The live contacts of an account, oldest first, whoever may see them.
pub fn live_for_account(conn: &mut DbConnection, account_id: &str) -> StoreResult<Vec<ContactRow>> {
    Ok(contacts::table
        .filter(contacts::account_id.eq(account_id.to_owned()))
        .filter(contacts::deleted_at.is_null())
        .order(contacts::id)
        .select(ContactRow::as_select())
        .load(conn)?)
}
