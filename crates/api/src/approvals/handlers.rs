//! The HTTP edge of `/approval-requests`: read-only; decisions are the documents' commands.

use super::service;
use crate::approvals::dto::ApprovalRequest;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::etag::with_etag;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use salesops_domain::approval::ApprovalStatus;
use salesops_domain::ids::ApprovalRequestId;
use salesops_persistence::approvals::ApprovalFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /approval-requests`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApprovalListQuery {
    /// Only requests waiting on this user's decision now: a user id, or `me` for the caller.
    #[param(example = "me")]
    pub approver_id: Option<String>,
    /// Comma-separated statuses, e.g. `pending`.
    #[param(example = "pending")]
    pub status: Option<String>,
    /// Only the requests of this document (a quote's id).
    #[param(value_type = Option<String>)]
    pub document_id: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List the approval requests the caller may read, oldest first.
///
/// The caller reads the requests of the documents in their data scope, and every
/// request they are an approver on. `approver_id=me&status=pending` is the caller's
/// inbox: the requests waiting on their decision now.
#[utoipa::path(
    tag = "approval-requests",
    operation_id = "list_approval_requests",
    params(ApprovalListQuery),
    responses(
        (status = 200, description = "One page of approval requests", body = Page<ApprovalRequest>),
        (status = 400, description = "An unknown status, or an `approver_id` that is neither `me` nor an id"),
    ),
    security(("bearer" = []))
)]
#[get("/approval-requests")]
pub async fn list_approval_requests(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ApprovalListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let approver_id = match q.approver_id.as_deref() {
        None => None,
        Some("me") => Some(caller.id().to_owned()),
        Some(id) if uuid::Uuid::parse_str(id).is_ok() => Some(id.to_owned()),
        Some(_) => return Err(ApiError::BadRequest("approver_id: must be `me` or a user id".into())),
    };
    if q.document_id.as_deref().is_some_and(|id| uuid::Uuid::parse_str(id).is_err()) {
        return Err(ApiError::BadRequest("document_id: must be a document's id".into()));
    }
    let filter = ApprovalFilter {
        approver_id,
        statuses: pagination::enum_list::<ApprovalStatus>("status", q.status.as_deref())?,
        document_id: q.document_id,
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| service::list(conn, &caller, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an approval request with its steps and decisions.
///
/// Readable by whoever may see its document, and by its approvers; 404 otherwise.
#[utoipa::path(
    tag = "approval-requests",
    operation_id = "get_approval_request",
    params(("id" = String, Path, description = "Approval request id")),
    responses((status = 200, description = "The request", body = ApprovalRequest, headers(("ETag" = String, description = "W/\"<version>\"")))),
    security(("bearer" = []))
)]
#[get("/approval-requests/{id}")]
pub async fn get_approval_request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ApprovalRequestId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let request = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &request))
}
