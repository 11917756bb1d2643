//! What an activity links to, and what logging it does to those records.
//!
//! Links are checked against the caller's scope with the scoped finders of
//! each resource. Logging an activity then, in the same transaction:
//! - moves `last_activity_at` forward (never back) on every linked record —
//!   the lead, the account, the contact and the opportunity — bumping each
//!   changed record's version and auditing it as `log_activity`;
//! - moves a linked lead in `new` to `working` (audited as `start`), as the
//!   lead's own `start` command would, when the caller may work the lead;
//! - copies `next_follow_up_at`, when given, onto the linked lead, likewise.
//!
//! An activity on a contact or an opportunity also links the account they
//! belong to, when the caller may see it, so the account's timeline and
//! `last_activity_at` include it.

use crate::app::Actor;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit;
use crate::time::to_utc;
use chrono::NaiveDateTime;
use salesops_domain::activity::{self, Links};
use salesops_persistence::activities::{self, ActivityRow, Touched};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{accounts, contacts, leads, opportunities, DbConnection};
use serde_json::json;

/// The ids an activity asks to link to.
#[derive(Debug, Clone, Default)]
pub struct RequestedLinks {
    /// A lead.
    pub lead_id: Option<String>,
    /// An account.
    pub account_id: Option<String>,
    /// A contact.
    pub contact_id: Option<String>,
    /// An opportunity.
    pub opportunity_id: Option<String>,
}

impl RequestedLinks {
    /// Which links are present, for the domain rule that one is needed.
    pub fn present(&self) -> Links {
        Links {
            lead: self.lead_id.is_some(),
            account: self.account_id.is_some(),
            contact: self.contact_id.is_some(),
            opportunity: self.opportunity_id.is_some(),
        }
    }
}

/// Check every requested link exists, is live and is visible to the caller,
/// and that the contact and the opportunity belong to the account. Returns the
/// links to store, with the account filled in from the contact or the
/// opportunity when it was not given. All broken links are reported at once (422).
pub fn resolve(
    conn: &mut DbConnection,
    visibility: &Visibility,
    requested: RequestedLinks,
) -> Result<RequestedLinks, AppError> {
    activity::check_links(requested.present())
        .map_err(|e| AppError::invalid_field(e.field(), e.code(), e.to_string()))?;
    let mut errors = Vec::new();
    if let Some(id) = &requested.lead_id {
        if leads::find_visible(conn, id, visibility)?.is_none() {
            errors.push(FieldError::unknown("lead_id", "lead"));
        }
    }
    let mut account_id = requested.account_id.clone();
    if let Some(id) = &requested.account_id {
        if accounts::find_visible(conn, id, visibility)?.is_none() {
            errors.push(FieldError::unknown("account_id", "account"));
        }
    }
    if let Some(id) = &requested.contact_id {
        match contacts::find_visible(conn, id, visibility)? {
            None => errors.push(FieldError::unknown("contact_id", "contact")),
            Some(contact) => match &account_id {
                Some(account) if *account != contact.account_id => {
                    errors.push(FieldError::mismatch("contact_id", "the contact does not work at the given account"))
                }
                Some(_) => {}
                None => account_id = Some(contact.account_id),
            },
        }
    }
    if let Some(id) = &requested.opportunity_id {
        match opportunities::find_visible(conn, id, visibility)? {
            None => errors.push(FieldError::unknown("opportunity_id", "opportunity")),
            Some(opportunity) => match (&account_id, opportunity.account_id) {
                (Some(account), Some(own)) if *account != own => {
                    errors.push(FieldError::mismatch("opportunity_id", "the opportunity is not on the given account"))
                }
                // Only an account the caller may see is linked for them:
                // linking touches its `last_activity_at` and version.
                (None, Some(own)) if accounts::find_visible(conn, &own, visibility)?.is_some() => {
                    account_id = Some(own)
                }
                _ => {}
            },
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(RequestedLinks { account_id, ..requested })
}

/// Apply a logged activity to the records it links to (see the module docs).
/// `follow_up` is copied onto the lead when set. Each linked record is
/// re-read within `visibility` (the caller's scope now): records the caller
/// can no longer see, or that were deleted, are skipped. The lead's status and
/// follow-up change only when the caller may work the lead
/// ([`lead::check_worker`], as its `start` command): not for a pool lead, nor
/// for a rep on someone else's lead.
pub fn propagate(
    conn: &mut DbConnection,
    caller: &Actor,
    visibility: &Visibility,
    row: &ActivityRow,
    follow_up: Option<NaiveDateTime>,
) -> Result<(), AppError> {
    // Lock order: lead, account, contact, opportunity, as lead conversion takes them.
    if let Some(lead_id) = &row.lead_id {
        crate::leads::service::record_activity(conn, caller, visibility, lead_id, row.occurred_at, follow_up)?;
    }
    let touched = [
        (Touched::Account, crate::accounts::ENTITY, &row.account_id),
        (Touched::Contact, crate::contacts::ENTITY, &row.contact_id),
        (Touched::Opportunity, crate::opportunities::ENTITY, &row.opportunity_id),
    ];
    for (kind, entity, id) in touched {
        let Some(id) = id else { continue };
        let visible = match kind {
            Touched::Account => {
                accounts::lock(conn, id)?;
                accounts::find_visible(conn, id, visibility)?.is_some()
            }
            Touched::Contact => {
                contacts::lock(conn, id)?;
                contacts::find_visible(conn, id, visibility)?.is_some()
            }
            Touched::Opportunity => {
                opportunities::lock(conn, id)?;
                opportunities::find_visible(conn, id, visibility)?.is_some()
            }
        };
        if !visible {
            continue;
        }
        if let Some(previous) = activities::touch_last_activity(conn, kind, id, row.occurred_at)? {
            audit::record(
                conn,
                caller,
                "log_activity",
                entity,
                id,
                &json!({ "last_activity_at": previous.map(to_utc) }),
                &json!({ "last_activity_at": to_utc(row.occurred_at) }),
            )?;
        }
    }
    Ok(())
}
