//! Lead use cases: capture, edit, delete, the status and ownership commands,
//! conversion, the duplicate check, and what a logged activity does to its lead.

use super::ENTITY;
use crate::app::{Actor, AppError, AppResult};
use crate::audit;
use crate::leads::dto::Lead;
use chrono::NaiveDateTime;
use salesops_domain::activity;
use salesops_domain::lead::{self, LeadCommand, LeadStatus, QualificationFacts};
use salesops_persistence::leads;
use salesops_persistence::scope::Visibility;
use salesops_persistence::DbConnection;

/// A taken `external_id` is a 422 `taken` on that field; other storage errors as usual.
pub fn map_unique(e: salesops_persistence::StoreError) -> AppError {
    crate::app::error::taken(&[("external_id", "another lead has this external_id")])(e)
}

/// What logging an activity at `occurred_at` does to lead `lead_id`, inside
/// the activity's transaction: `last_activity_at` moves forward; and when
/// `actor` may work the lead (as its `start` command: not a pool lead, not a
/// rep on someone else's lead) the follow-up is copied and a `new` lead
/// becomes `working`. A lead outside `visibility`, or deleted, is left alone.
pub fn record_activity(
    conn: &mut DbConnection,
    actor: &Actor,
    visibility: &Visibility,
    lead_id: &str,
    occurred_at: NaiveDateTime,
    follow_up: Option<NaiveDateTime>,
) -> AppResult<()> {
    leads::lock(conn, lead_id)?;
    let Some(before) = leads::find_visible(conn, lead_id, visibility)? else {
        return Ok(());
    };
    let mut after = before.clone();
    after.last_activity_at = Some(activity::last_activity_after(before.last_activity_at, occurred_at));
    let may_work = lead::check_worker(before.owner_id.as_deref(), actor.id(), actor.role.can_assign()).is_ok();
    if may_work && follow_up.is_some() {
        after.next_follow_up_at = follow_up;
    }
    let mut action = "log_activity";
    if may_work && before.status == LeadStatus::New {
        after.status = lead::next_status(before.status, LeadCommand::Start, QualificationFacts::default())?;
        action = LeadCommand::Start.as_str();
    }
    if after != before {
        audit::save_versioned::<_, Lead>(conn, actor, ENTITY, action, &before, after, map_unique)?;
    }
    Ok(())
}
