//! Activity use cases: log, get, patch and delete a follow-up, and what
//! logging one does to the records it links to.
//!
//! Everyone but finance logs activities (the endpoints demand
//! [`EditPipeline`](crate::app::permission::EditPipeline)); finance reads
//! them. An activity is changed or deleted only by its owner, or by a manager
//! or admin whose scope covers the owner.
//!
//! # Links
//! Links are checked against the actor's scope with the scoped finders of
//! each resource. Logging an activity then, in the same transaction:
//! - moves `last_activity_at` forward (never back) on every linked record —
//!   the lead, the account, the contact and the opportunity — bumping each
//!   changed record's version and auditing it as `log_activity`;
//! - moves a linked lead in `new` to `working` (audited as `start`), as the
//!   lead's own `start` command would, when the actor may work the lead;
//! - copies `next_follow_up_at`, when given, onto the linked lead, likewise.
//!
//! An activity on a contact or an opportunity also links the account they
//! belong to, when the actor may see it, so the account's timeline and
//! `last_activity_at` include it.

use super::ENTITY;
use crate::activities::dto::{Activity, ActivityPatch, CreateActivity};
use crate::app::permission::AssignRecords;
use crate::app::precondition::IfMatch;
use crate::app::scoped::load_visible;
use crate::app::{Actor, AppError, AppResult, FieldError};
use crate::audit::{self, snapshot};
use crate::org::users::check_assignable;
use crate::time::to_utc;
use chrono::NaiveDateTime;
use salesops_domain::activity::{self, Links};
use salesops_domain::ids::ActivityId;
use salesops_persistence::activities::{self, ActivityRow, Touched};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{accounts, clock, contacts, leads, opportunities, DbConnection};
use serde_json::json;

/// Only the owner, or a manager or admin whose scope covers the owner, changes an activity.
/// Seeing it through a linked record is not enough.
fn require_editor(actor: &Actor, visibility: &Visibility, row: &ActivityRow) -> AppResult<()> {
    if row.owner_id == actor.id() || (actor.holds::<AssignRecords>() && visibility.allows(Some(&row.owner_id))) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only the activity's owner, or a manager over them, may change it".into()))
    }
}

/// Log an activity for the actor, or (managers and admins) for a user in
/// their scope. Its links are checked and completed (see the module docs),
/// then it is stored, audited, and applied to the linked records.
pub fn create(conn: &mut DbConnection, actor: &Actor, input: CreateActivity) -> AppResult<Activity> {
    let now = clock::now();
    input.check(now, true)?;
    let owner = input.owner_id.clone().unwrap_or_else(|| actor.id().to_owned());
    if owner != actor.id() {
        actor.require::<AssignRecords>("log activities for others")?;
    }
    let visibility = actor.visibility();
    if owner != actor.id() {
        check_assignable(conn, visibility, &owner)?;
    }
    let linked = resolve_links(conn, visibility, RequestedLinks::of(&input))?;
    let mut row = ActivityRow::new(input.kind, &input.subject, input.occurred_at_or(now), &owner, Some(actor.id()));
    input.write_to(&mut row);
    row.lead_id = linked.lead_id;
    row.account_id = linked.account_id;
    row.contact_id = linked.contact_id;
    row.opportunity_id = linked.opportunity_id;
    activities::insert(conn, &row)?;
    let activity = Activity::try_from(row.clone())?;
    audit::record(conn, actor, "create", ENTITY, &activity.id, &serde_json::Value::Null, &snapshot(&activity))?;
    propagate(conn, actor, visibility, &row, row.next_follow_up_at)?;
    Ok(activity)
}

/// A live activity the actor can see.
pub fn get(conn: &mut DbConnection, actor: &Actor, id: &ActivityId) -> AppResult<Activity> {
    let (row, _) = load_visible::<ActivityRow>(conn, actor, id, false)?;
    Activity::try_from(row)
}

/// Apply a merge patch to an activity, checked by the same rules as a new
/// one. A later `occurred_at` moves the linked records' `last_activity_at`
/// forward; a new `next_follow_up_at` is copied onto the linked lead.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &ActivityId,
    if_match: IfMatch,
    patch: ActivityPatch,
) -> AppResult<Activity> {
    let (row, visibility) = load_visible::<ActivityRow>(conn, actor, id, true)?;
    require_editor(actor, visibility, &row)?;
    if_match.check(row.version)?;
    let input = patch.apply(CreateActivity::from_row(&row))?.tidied();
    let now = clock::now();
    input.check(now, input.occurred_at_or(now) != row.occurred_at)?;
    let mut after = row.clone();
    input.write_to(&mut after);
    let moved_later = after.occurred_at > row.occurred_at;
    let new_follow_up = after.next_follow_up_at.filter(|_| after.next_follow_up_at != row.next_follow_up_at);
    let activity: Activity = audit::save_versioned(conn, actor, ENTITY, "update", &row, after.clone(), AppError::from)?;
    if moved_later || new_follow_up.is_some() {
        propagate(conn, actor, visibility, &after, new_follow_up)?;
    }
    Ok(activity)
}

/// Soft-delete an activity. Linked records keep their `last_activity_at`.
pub fn delete(conn: &mut DbConnection, actor: &Actor, id: &ActivityId, if_match: IfMatch) -> AppResult<()> {
    let (row, visibility) = load_visible::<ActivityRow>(conn, actor, id, true)?;
    require_editor(actor, visibility, &row)?;
    if_match.check(row.version)?;
    let mut after = row.clone();
    after.deleted_at = Some(clock::now());
    audit::save_versioned::<_, Activity>(conn, actor, ENTITY, "delete", &row, after, AppError::from).map(|_| ())
}

/// The ids an activity links to: as asked, then as resolved.
#[derive(Debug, Clone, Default)]
struct RequestedLinks {
    lead_id: Option<String>,
    account_id: Option<String>,
    contact_id: Option<String>,
    opportunity_id: Option<String>,
}

impl RequestedLinks {
    /// The links a new activity asks for.
    fn of(input: &CreateActivity) -> RequestedLinks {
        RequestedLinks {
            lead_id: input.lead_id.clone(),
            account_id: input.account_id.clone(),
            contact_id: input.contact_id.clone(),
            opportunity_id: input.opportunity_id.clone(),
        }
    }

    /// Which links are present, for the domain rule that one is needed.
    fn present(&self) -> Links {
        Links {
            lead: self.lead_id.is_some(),
            account: self.account_id.is_some(),
            contact: self.contact_id.is_some(),
            opportunity: self.opportunity_id.is_some(),
        }
    }
}

/// Check every requested link exists, is live and is visible to the actor,
/// and that the contact and the opportunity belong to the account. Returns the
/// links to store, with the account filled in from the contact or the
/// opportunity when it was not given. All broken links are reported at once (422).
fn resolve_links(
    conn: &mut DbConnection,
    visibility: &Visibility,
    requested: RequestedLinks,
) -> AppResult<RequestedLinks> {
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
                // Only an account the actor may see is linked for them:
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
/// re-read within `visibility` (the actor's scope now): records the actor
/// can no longer see, or that were deleted, are skipped. The lead's status and
/// follow-up change only when the actor may work the lead (the lead's own
/// use case, [`crate::leads::service::record_activity`], decides).
fn propagate(
    conn: &mut DbConnection,
    actor: &Actor,
    visibility: &Visibility,
    row: &ActivityRow,
    follow_up: Option<NaiveDateTime>,
) -> AppResult<()> {
    // Lock order: lead, account, contact, opportunity, as lead conversion takes them.
    if let Some(lead_id) = &row.lead_id {
        crate::leads::service::record_activity(conn, actor, visibility, lead_id, row.occurred_at, follow_up)?;
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
                actor,
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
