//! Contacts: the people at an account.

use crate::schema::contacts;
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
