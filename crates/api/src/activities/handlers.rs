//! `/activities/{id}` and `POST /activities`: the HTTP edge of the activity
//! use cases in [`super::service`].

use super::service;
use crate::activities::dto::{Activity, ActivityPatch, CreateActivity};
use crate::app::permission::EditPipeline;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::ActivityId;

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
    let activity = db::write(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/activities/{}", activity.id), &activity))
}

/// Get an activity.
///
/// Answers 404 unless the activity is live and the caller can see it: it was
/// done by someone in their scope, or it links to an account, lead or
/// opportunity they can see. The ETag carries the version to send back in `If-Match`.
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
    id: web::Path<ActivityId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let activity = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
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
    id: web::Path<ActivityId>,
    if_match: IfMatch,
    body: ValidJson<ActivityPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let activity = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &activity))
}

/// Delete an activity (soft). Linked records keep their `last_activity_at`.
///
/// Only the activity's owner, or a manager or admin whose scope covers the
/// owner, may delete it; seeing it through a linked record is not enough.
/// The activity then disappears from lists and reads, and stays in the audit log.
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
    id: web::Path<ActivityId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
