//! The HTTP edge of `/commission-statements`.

use super::dto::{Statement, StatementLine};
use super::service;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use salesops_domain::ids::{CommissionRunId, StatementId, UserId};
use salesops_persistence::commission_runs::StatementFilter;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /commission-statements`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementListQuery {
    /// Only this run's statements.
    #[param(value_type = Option<String>)]
    pub run_id: Option<CommissionRunId>,
    /// Only this user's statements.
    #[param(value_type = Option<String>)]
    pub user_id: Option<UserId>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List commission statements.
///
/// Only statements of users in the caller's data scope: a rep sees their own. Filter by
/// `run_id` and `user_id`; pages follow `next_cursor`. Each carries its `line_count`; the
/// lines are at `GET /commission-statements/{id}/lines`.
#[utoipa::path(
    tag = "commission-statements",
    operation_id = "list_commission_statements",
    params(StatementListQuery),
    responses(
        (status = 200, description = "One page of statements", body = Page<Statement>),
        (status = 400, description = "A malformed id, cursor or limit"),
    ),
    security(("bearer" = []))
)]
#[get("/commission-statements")]
pub async fn list_commission_statements(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<StatementListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let filter = StatementFilter {
        run_id: q.run_id.map(String::from),
        user_id: q.user_id.map(String::from),
        after_id: pagination::after_id(q.cursor.as_deref())?,
    };
    let page = db::read(&state, move |conn| service::list(conn, &caller, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get a commission statement.
///
/// Readable by whoever sees its user; 404 otherwise. Its lines are at
/// `GET /commission-statements/{id}/lines`.
#[utoipa::path(
    tag = "commission-statements",
    operation_id = "get_commission_statement",
    params(("id" = String, Path, description = "Statement id")),
    responses((status = 200, description = "The statement", body = Statement)),
    security(("bearer" = []))
)]
#[get("/commission-statements/{id}")]
pub async fn get_commission_statement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<StatementId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let statement = db::read(&state, move |conn| service::get(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(statement))
}

/// Query parameters of `GET /commission-statements/{id}/lines`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LineListQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List a commission statement's lines, in position order.
///
/// The credits in order of credit date then document number, each split at the tier edges
/// it crosses, then the clawbacks. Readable by whoever sees the statement's user; 404
/// otherwise. Pages follow `next_cursor`; a draft run recomputed between two pages
/// replaces its lines, so read a draft's pages again from the first after a recompute.
#[utoipa::path(
    tag = "commission-statements",
    operation_id = "list_commission_statement_lines",
    params(("id" = String, Path, description = "Statement id"), LineListQuery),
    responses(
        (status = 200, description = "One page of lines", body = Page<StatementLine>),
        (status = 400, description = "A malformed cursor or limit"),
    ),
    security(("bearer" = []))
)]
#[get("/commission-statements/{id}/lines")]
pub async fn list_commission_statement_lines(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<StatementId>,
    query: web::Query<LineListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, q) = (id.into_inner(), query.into_inner());
    let limit = pagination::limit(q.limit)?;
    let after = q.cursor.as_deref().map(pagination::decode_cursor::<service::LineCursor>).transpose()?.map(|c| c.after);
    let page = db::read(&state, move |conn| service::lines(conn, &caller, &id, after, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}
