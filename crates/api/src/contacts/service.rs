//! Contact use cases: create, update and delete, keeping one primary contact per account.

use super::ENTITY;
use crate::app::Actor;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit::{self, snapshot};
use crate::contacts::dto::{Contact, CreateContact};
use salesops_persistence::contacts::{self, ContactRow};
use salesops_persistence::{accounts, DbConnection, StoreError};

/// Load a live contact the caller can see. For an update, take the row locks
/// of its account and then of the contact first, and read it again under them.
pub fn load_visible(
    conn: &mut DbConnection,
    caller: &Actor,
    id: &str,
    for_update: bool,
) -> Result<ContactRow, AppError> {
    let visibility = caller.visibility(conn)?;
    let row = contacts::find_visible(conn, id, &visibility)?.ok_or(AppError::NotFound)?;
    if !for_update {
        return Ok(row);
    }
    accounts::lock(conn, &row.account_id)?;
    contacts::lock(conn, id)?;
    contacts::find_visible(conn, id, &visibility)?.ok_or(AppError::NotFound)
}

/// Report a taken `external_id` as a field error; other storage errors as usual.
pub fn map_unique(e: StoreError) -> AppError {
    if e.is_unique_violation_on("external_id") {
        AppError::Validation(vec![FieldError::new("external_id", "taken", "another contact has this external_id")])
    } else {
        e.into()
    }
}

/// Make the account's current primary contact, other than `except_id`, no
/// longer primary (audited), so another can take its place. The caller holds the account's row lock.
pub fn demote_primary(
    conn: &mut DbConnection,
    caller: &Actor,
    account_id: &str,
    except_id: &str,
) -> Result<(), AppError> {
    let current = contacts::live_primary(conn, account_id)?.filter(|c| c.id != except_id);
    if let Some(current) = current {
        contacts::lock(conn, &current.id)?;
        let mut after = current.clone();
        after.is_primary = false;
        audit::save_versioned::<_, Contact>(conn, caller, ENTITY, "update", &current, after, map_unique)?;
    }
    Ok(())
}

/// Create a contact inside the caller's write transaction: check the account
/// is visible, settle who is primary (under the account's row lock), insert
/// it and write its audit event. `POST /contacts` runs it; so can lead conversion.
pub fn insert_contact(conn: &mut DbConnection, caller: &Actor, input: &CreateContact) -> Result<Contact, AppError> {
    accounts::lock(conn, &input.account_id)?;
    let visibility = caller.visibility(conn)?;
    if accounts::find_visible(conn, &input.account_id, &visibility)?.is_none() {
        return Err(FieldError::unknown("account_id", "live account").into());
    }
    let mut row = ContactRow::new(&input.account_id, &input.name, Some(caller.id()));
    input.write_to(&mut row);
    let has_primary = contacts::live_primary(conn, &input.account_id)?.is_some();
    row.is_primary = input.is_primary.unwrap_or(!has_primary);
    if row.is_primary && has_primary {
        demote_primary(conn, caller, &input.account_id, &row.id)?;
    }
    contacts::insert(conn, &row).map_err(map_unique)?;
    let contact = Contact::from(row);
    audit::record(conn, caller, "create", ENTITY, &contact.id, &serde_json::Value::Null, &snapshot(&contact))?;
    Ok(contact)
}
