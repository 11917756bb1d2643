//! The HTTP edge of `/targets`: each handler extracts, authorises, runs one use case
//! from [`super::service`] and answers.

use super::dto::{CreateTarget, Target, TargetBreakdown, TargetPatch};
use super::service;
use crate::app::permission::AssignRecords;
use crate::auth::{Authorized, Caller};
use crate::db;
use crate::error::ApiError;
use crate::etag::{self, with_etag, IfMatch};
use crate::extract::ValidJson;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use salesops_domain::ids::{SubjectId, TargetId};
use salesops_domain::target::{Metric, SubjectType};
use salesops_persistence::targets::TargetFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /targets`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetListQuery {
    /// Only this calendar year.
    #[param(example = 2027)]
    pub year: Option<i32>,
    /// Comma-separated metrics: `booking`, `collection`.
    #[param(example = "booking")]
    pub metric: Option<String>,
    /// Comma-separated kinds of subject: `company`, `department`, `user`.
    #[param(example = "department,user")]
    pub subject_type: Option<String>,
    /// Only the targets of this department or user.
    #[param(value_type = Option<String>)]
    pub subject_id: Option<SubjectId>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List the targets the caller reads, oldest first.
///
/// Everyone reads the company's targets, those of the users in their data scope, and
/// those of the departments whose subtree holds such a user. `year`, `metric`,
/// `subject_type` and `subject_id` narrow the list, in SQL. Pages follow `next_cursor`.
#[utoipa::path(
    tag = "targets",
    operation_id = "list_targets",
    params(TargetListQuery),
    responses(
        (status = 200, description = "One page of targets", body = Page<Target>),
        (status = 400, description = "An unknown metric or subject type, or a bad cursor or limit"),
    ),
    security(("bearer" = []))
)]
#[get("/targets")]
pub async fn list_targets(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TargetListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = TargetFilter {
        year: q.year,
        metrics: pagination::enum_list::<Metric>("metric", q.metric.as_deref())?,
        subject_types: pagination::enum_list::<SubjectType>("subject_type", q.subject_type.as_deref())?,
        subject_id: q.subject_id.map(String::from),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| service::list(conn, &caller, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a target, with its months, quarters and year total.
///
/// Readable by everyone for the company's targets; otherwise by those whose data scope
/// holds the user, or a user in the department's subtree; 404 for anyone else.
#[utoipa::path(
    tag = "targets",
    operation_id = "get_target",
    params(("id" = String, Path, description = "Target id")),
    responses((status = 200, description = "The target", body = Target, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/targets/{id}")]
pub async fn get_target(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<TargetId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let target = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &target))
}

/// Break a target down: per month, the target, its direct children's targets summed, and what is unallocated.
///
/// The direct children are the targets of the same year and metric of: for the company,
/// the root departments and the users without a department; for a department, its
/// sub-departments and its own members. A user's target has no children: its children
/// sum is 0 and all of it is unallocated. `unallocated` = target − children, negative
/// when the children were given more. Children's targets in another currency are not
/// converted: they are left out of the sums and counted in `children_excluded`. The sums
/// cover every child, whether or not the caller reads its target.
#[utoipa::path(
    tag = "targets",
    operation_id = "get_target_breakdown",
    params(("id" = String, Path, description = "Target id")),
    responses((status = 200, description = "The target's breakdown", body = TargetBreakdown)),
    security(("bearer" = []))
)]
#[get("/targets/{id}/breakdown")]
pub async fn get_target_breakdown(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<TargetId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let breakdown = db::read(&state, move |conn| service::breakdown(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(breakdown))
}

/// Set a target (业绩目标) for the company, a department or a user (managers and admins).
///
/// One target per subject, year and metric: another live one is 409 `duplicate`, naming
/// it. `months` are exactly twelve amounts, January first, each at least 0 and all in one
/// currency (422 on `months` or `months[i]`); quarters and the year are their sums. The
/// company takes no `subject.id` (422 `not_allowed`); a department must be live and a
/// user active (422 `unknown` on `subject.id`). Admins set any target; managers those of
/// the departments in their own department's subtree that hold a user they see, and of the
/// users they see (403 otherwise, and for the company's).
#[utoipa::path(
    tag = "targets",
    operation_id = "create_target",
    request_body = CreateTarget,
    responses(
        (status = 201, description = "Created", body = Target,
         headers(("Location" = String, description = "The new target's URL"), ("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "Only admins and, within their scope, managers set targets"),
        (status = 409, description = "`duplicate`: the subject has a target for this year and metric"),
    ),
    security(("bearer" = []))
)]
#[post("/targets")]
pub async fn create_target(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    body: ValidJson<CreateTarget>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let target = db::write(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(etag::created(format!("/api/v1/targets/{}", target.id), &target))
}

/// Change a target's monthly amounts (managers within their scope, and admins).
///
/// The twelve months are replaced, checked as on creation; their currency becomes the
/// target's. The subject, year and metric never change: delete the target and set a new
/// one instead. Who may set a target may change it (403 otherwise).
#[utoipa::path(
    tag = "targets",
    operation_id = "update_target",
    params(
        ("id" = String, Path, description = "Target id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    request_body(content = TargetPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed target", body = Target, headers(("ETag" = String, description = "W/\"<version>\""))),
        (status = 403, description = "The caller may not set this subject's targets"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[patch("/targets/{id}")]
pub async fn update_target(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<TargetId>,
    if_match: IfMatch,
    body: ValidJson<TargetPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let patch = body.0;
    let target = db::write(&state, move |conn| service::update(conn, &caller, &id, if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), &target))
}

/// Delete a target (managers within their scope, and admins).
///
/// The target is soft-deleted: hidden from lists and reads, kept in the audit log, and
/// its subject, year and metric are free for a new target.
#[utoipa::path(
    tag = "targets",
    operation_id = "delete_target",
    params(
        ("id" = String, Path, description = "Target id"),
        ("If-Match" = Option<String>, Header, description = "W/\"<version>\" the change is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The caller may not set this subject's targets"),
        (status = 412, description = "`If-Match` is stale"),
    ),
    security(("bearer" = []))
)]
#[delete("/targets/{id}")]
pub async fn delete_target(
    state: web::Data<AppState>,
    caller: Authorized<AssignRecords>,
    id: web::Path<TargetId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    db::write(&state, move |conn| service::delete(conn, &caller, &id, if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
