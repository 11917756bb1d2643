//! Contact use cases: get, create, update and delete, keeping one primary
//! contact per account, and the creation step lead conversion shares.
//!
//! A contact is visible exactly when its account is. Writes that may change
//! who is primary take the account's row lock first, then the contact's, so
//! two of them on one account run one after the other.

use super::ENTITY;
use crate::app::error::taken;
use crate::app::precondition::IfMatch;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use crate::contacts::dto::{Contact, ContactPatch, CreateContact};
use salesops_domain::ids::ContactId;
use salesops_persistence::contacts::{self, ContactRow};
use salesops_persistence::{accounts, clock, DbConnection};
use validator::Validate;

/// The contact's unique columns, and what a taken one answers (422 `taken`).
const UNIQUE: &[(&str, &str)] = &[("external_id", "another contact has this external_id")];

/// Load a live contact the actor can see. For an update, take the row locks
/// of its account and then of the contact first, and read it again under them.
fn load_visible(conn: &mut DbConnection, actor: &Actor, id: &str, for_update: bool) -> AppResult<ContactRow> {
    let visibility = actor.visibility();
    let row = contacts::find_visible(conn, id, visibility)?.ok_or(AppError::NotFound)?;
    if !for_update {
        return Ok(row);
    }
    accounts::lock(conn, &row.account_id)?;
    contacts::lock(conn, id)?;
    contacts::find_visible(conn, id, visibility)?.ok_or(AppError::NotFound)
}

/// Make the account's current primary contact, other than `except_id`, no
/// longer primary (audited), so another can take its place. The caller holds the account's row lock.
fn demote_primary(conn: &mut DbConnection, actor: &Actor, account_id: &str, except_id: &str) -> AppResult<()> {
    let current = contacts::live_primary(conn, account_id)?.filter(|c| c.id != except_id);
    if let Some(current) = current {
        contacts::lock(conn, &current.id)?;
        let mut after = current.clone();
        after.is_primary = false;
        audit::save_versioned::<_, Contact>(conn, actor, ENTITY, "update", &current, after, taken(UNIQUE))?;
    }
    Ok(())
}

/// A live contact the actor can see.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &ContactId) -> AppResult<Contact> {
    load_visible(conn, actor, id, false).map(Contact::from)
}

/// Create a contact at an account (`POST /contacts`); see [`insert_contact`].
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateContact) -> AppResult<Contact> {
    insert_contact(conn, actor, &input)
}

/// Create a contact inside the actor's write transaction: check the account
/// is visible (else 422 `unknown` on `account_id`), settle who is primary
/// (under the account's row lock), insert it and write its audit event.
/// [`create`] runs it for `POST /contacts`; lead conversion runs it for the
/// contact it makes, so both are audited alike.
pub fn insert_contact(conn: &mut DbConnection, actor: &Actor, input: &CreateContact) -> AppResult<Contact> {
    accounts::lock(conn, &input.account_id)?;
    let visibility = actor.visibility();
    if accounts::find_visible(conn, &input.account_id, visibility)?.is_none() {
        return Err(FieldError::unknown("account_id", "live account").into());
    }
    let mut row = ContactRow::new(&input.account_id, &input.name, Some(actor.id()));
    input.write_to(&mut row);
    let has_primary = contacts::live_primary(conn, &input.account_id)?.is_some();
    row.is_primary = input.is_primary.unwrap_or(!has_primary);
    if row.is_primary && has_primary {
        demote_primary(conn, actor, &input.account_id, &row.id)?;
    }
    contacts::insert(conn, &row).map_err(taken(UNIQUE))?;
    let contact = Contact::from(row);
    audit::record(conn, actor, "create", ENTITY, &contact.id, &serde_json::Value::Null, &snapshot(&contact))?;
    Ok(contact)
}

/// Apply a merge patch to a contact, checked by the create body's rules.
/// `is_primary: true` demotes the account's current primary contact in the
/// same transaction; the account never changes.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &ContactId,
    if_match: IfMatch,
    patch: ContactPatch,
) -> AppResult<Contact> {
    let row = load_visible(conn, actor, id, true)?;
    if_match.check(row.version)?;
    let input = patch.apply(CreateContact::from_row(&row))?.tidied();
    input.validate()?;
    let mut after = row.clone();
    input.write_to(&mut after);
    after.is_primary = input.is_primary.unwrap_or(row.is_primary);
    if after.is_primary && !row.is_primary {
        demote_primary(conn, actor, &row.account_id, &row.id)?;
    }
    audit::save_versioned::<_, Contact>(conn, actor, ENTITY, "update", &row, after, taken(UNIQUE))
}

/// Soft-delete a contact. A deleted primary contact leaves its account
/// without one until the next contact is created there.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &ContactId, if_match: IfMatch) -> AppResult<()> {
    let row = load_visible(conn, actor, id, true)?;
    if_match.check(row.version)?;
    let mut after = row.clone();
    after.deleted_at = Some(clock::now());
    audit::save_versioned::<_, Contact>(conn, actor, ENTITY, "delete", &row, after, taken(UNIQUE)).map(|_| ())
}
