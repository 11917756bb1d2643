//! Logging, reading, patching and deleting activities.
//!
//! Everyone but finance logs activities; finance reads them. An activity is
//! changed or deleted only by its owner, or by a manager or admin whose scope
//! covers the owner.

use super::ENTITY;
use crate::activities::dto::{rule_errors, stored_location, write_location, Activity, ActivityPatch, CreateActivity};
use crate::activities::links::{self, RequestedLinks};
use crate::app::permission::{AssignRecords, EditPipeline};
use crate::app::Actor;
use crate::app::AppError;
use crate::app::FieldError;
use crate::audit::{self, snapshot};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::etag::IfMatch;
use crate::extract::ValidJson;
use crate::org::users::check_assignable;
use crate::state::AppState;
use crate::time::to_stored;
use crate::validation::tidy;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::activity::ActivityKind;
use salesops_persistence::activities::{self, ActivityRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, DbConnection};

/// Load a live activity the caller can see, taking its row lock first when `for_update`.
fn load_visible(
    conn: &mut DbConnection,
    caller: &Actor,
    id: &str,
    for_update: bool,
) -> Result<(ActivityRow, Visibility), AppError> {
    if for_update {
        activities::lock(conn, id)?;
    }
    let visibility = caller.visibility(conn)?;
    let row = activities::find_visible(conn, id, &visibility)?.ok_or(AppError::NotFound)?;
    Ok((row, visibility))
}

/// Only the owner, or a manager or admin whose scope covers the owner, changes an activity.
/// Seeing it through a linked record is not enough.
fn require_editor(caller: &Actor, visibility: &Visibility, row: &ActivityRow) -> Result<(), AppError> {
    if row.owner_id == caller.id() || (caller.role.can_assign() && visibility.allows(Some(&row.owner_id))) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only the activity's owner, or a manager over them, may change it".into()))
    }
}

/// Log an activity.
///
/// It must link to at least one lead, account, contact or opportunity the
/// caller can see (422 `unknown` on the field otherwise). A contact must work
/// at the given account, an opportunity be on it; when no account is given,
/// the contact's (or else the opportunity's) account is linked. A check-in
/// needs a `location`; a visit may have one; other kinds may not. In the same
/// transaction, every linked record's `last_activity_at` moves forward to
/// `occurred_at` (never back), a linked lead in `new` moves to `working`, and
/// `next_follow_up_at` is copied onto the linked lead.
#[utoipa::path(
    tag = "activities",
    operation_id = "create_activity",
    request_body = CreateActivity,
    responses(
        (status = 201, description = "Logged", body = Activity,
         headers(("Location" = String, description = "The new activity's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Finance may not log activities; only managers and admins log them for others"),
        (status = 409, description = "`conflict`: a linked lead changed while the request ran"),
        (status = 422, description = "`validation`: no link, an unknown or invisible link, a mismatched contact or opportunity, a bad location or date"),
    ),
    security(("bearer" = []))
)]
#[post("/activities")]
pub async fn create_activity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    body: ValidJson<CreateActivity>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let now = clock::now();
    let occurred_at = input.occurred_at.map(to_stored).unwrap_or(now);
    let errors = rule_errors(input.kind, input.location.as_ref(), occurred_at, now);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    let owner = input.owner_id.clone().unwrap_or_else(|| caller.id().to_owned());
    if owner != caller.id() {
        caller.require::<AssignRecords>("log activities for others")?;
    }
    let requested = RequestedLinks {
        lead_id: input.lead_id.clone(),
        account_id: input.account_id.clone(),
        contact_id: input.contact_id.clone(),
        opportunity_id: input.opportunity_id.clone(),
    };
    let activity = db::write(&state, move |conn| {
        let visibility = caller.visibility(conn)?;
        if owner != caller.id() {
            check_assignable(conn, &visibility, &owner)?;
        }
        let linked = links::resolve(conn, &visibility, requested)?;
        let mut row = ActivityRow::new(input.kind, &input.subject, occurred_at, &owner, Some(caller.id()));
        row.body = input.body;
        row.next_follow_up_at = input.next_follow_up_at.map(to_stored);
        row.lead_id = linked.lead_id;
        row.account_id = linked.account_id;
        row.contact_id = linked.contact_id;
        row.opportunity_id = linked.opportunity_id;
        write_location(&mut row, input.location);
        activities::insert(conn, &row)?;
        let activity = Activity::try_from(row.clone())?;
        audit::record(conn, &caller, "create", ENTITY, &activity.id, &serde_json::Value::Null, &snapshot(&activity))?;
        links::propagate(conn, &caller, &visibility, &row, row.next_follow_up_at)?;
        Ok(activity)
    })
    .await?;
    let mut created = HttpResponse::Created();
    created.insert_header((header::LOCATION, format!("/api/v1/activities/{}", activity.id)));
    Ok(with_etag(created, &activity))
}

/// Get an activity.
#[utoipa::path(
    tag = "activities",
    operation_id = "get_activity",
    params(("id" = String, Path, description = "Activity id")),
    responses((status = 200, description = "The activity", body = Activity, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/activities/{id}")]
pub async fn get_activity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let activity = db::read(&state, move |conn| {
        let (row, _) = load_visible(conn, &caller, &id, false)?;
        Activity::try_from(row)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &activity))
}

/// Patch an activity (JSON Merge Patch of subject, body, occurred_at, next_follow_up_at, location).
///
/// Only the owner, or a manager or admin over them, may. Send
/// `If-Match: W/"<version>"` to refuse the change (412) if someone else changed
/// it first. A later `occurred_at` moves the linked records' `last_activity_at`
/// forward; a new `next_follow_up_at` is copied onto the linked lead.
#[utoipa::path(
    tag = "activities",
    operation_id = "update_activity",
    params(
        ("id" = String, Path, description = "Activity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" of the activity the change is based on"),
    ),
    request_body(content = ActivityPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed activity", body = Activity, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Not the owner nor a manager over them; or finance"),
        (status = 409, description = "`conflict`: a concurrent change"),
        (status = 412, description = "`If-Match` is stale"),
        (status = 422, description = "`validation`: a cleared subject or date, a bad location or date"),
    ),
    security(("bearer" = []))
)]
#[patch("/activities/{id}")]
pub async fn update_activity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
    body: ValidJson<ActivityPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let activity = db::write(&state, move |conn| {
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        require_editor(&caller, &visibility, &row)?;
        if_match.check(row.version)?;
        let after = apply_patch(&row, patch)?;
        let moved_later = after.occurred_at > row.occurred_at;
        let new_follow_up = after.next_follow_up_at.filter(|_| after.next_follow_up_at != row.next_follow_up_at);
        let activity: Activity =
            audit::save_versioned(conn, &caller, ENTITY, "update", &row, after.clone(), AppError::from)?;
        if moved_later || new_follow_up.is_some() {
            links::propagate(conn, &caller, &visibility, &after, new_follow_up)?;
        }
        Ok(activity)
    })
    .await?;
    Ok(with_etag(HttpResponse::Ok(), &activity))
}

/// The row after a patch, checked by the same rules as a new activity.
fn apply_patch(row: &ActivityRow, patch: ActivityPatch) -> Result<ActivityRow, AppError> {
    let kind: ActivityKind = row.kind;
    let mut errors = Vec::new();
    let mut after = row.clone();
    match patch.subject.map(|s| s.map(|s| s.trim().to_owned())) {
        Some(None) => errors.push(FieldError::new("subject", "required", "cannot be cleared")),
        Some(Some(s)) if s.is_empty() || s.chars().count() > 200 => {
            errors.push(FieldError::new("subject", "length", "must be 1 to 200 characters"))
        }
        Some(Some(s)) => after.subject = s,
        None => {}
    }
    if let Some(body) = patch.body {
        after.body = tidy(body);
        if after.body.as_ref().is_some_and(|b| b.chars().count() > 10000) {
            errors.push(FieldError::new("body", "length", "must be at most 10000 characters"));
        }
    }
    match patch.occurred_at {
        Some(None) => errors.push(FieldError::new("occurred_at", "required", "cannot be cleared")),
        Some(Some(t)) => after.occurred_at = to_stored(t),
        None => {}
    }
    if let Some(next) = patch.next_follow_up_at {
        after.next_follow_up_at = next.map(to_stored);
    }
    let location = match patch.location {
        Some(location) => location,
        None => stored_location(row),
    };
    // Only re-check the date when it changes, so an old activity stays editable.
    let check_date = if after.occurred_at != row.occurred_at { after.occurred_at } else { clock::now() };
    errors.extend(rule_errors(kind, location.as_ref(), check_date, clock::now()));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    write_location(&mut after, location);
    Ok(after)
}

/// Delete an activity (soft). Linked records keep their `last_activity_at`.
#[utoipa::path(
    tag = "activities",
    operation_id = "delete_activity",
    params(
        ("id" = String, Path, description = "Activity id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not the owner nor a manager over them; or finance"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/activities/{id}")]
pub async fn delete_activity(
    state: web::Data<AppState>,
    caller: Authorized<EditPipeline>,
    id: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| {
        let (row, visibility) = load_visible(conn, &caller, &id, true)?;
        require_editor(&caller, &visibility, &row)?;
        if_match.check(row.version)?;
        let mut after = row.clone();
        after.deleted_at = Some(clock::now());
        audit::save_versioned::<_, Activity>(conn, &caller, ENTITY, "delete", &row, after, AppError::from).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
