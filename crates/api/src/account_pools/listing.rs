//! `GET /account-pools` and `GET /account-pools/{id}/upcoming-recalls`.

use crate::account_pools::dto::{AccountPool, DueCursor, UpcomingRecall};
use crate::account_pools::service;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use salesops_domain::ids::PoolId;
use salesops_persistence::account_pools;
use serde::Deserialize;
use utoipa::IntoParams;

/// Paging of the pool list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PoolListQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Include `total`.
    #[serde(default)]
    pub count: bool,
}

/// List customer pools.
///
/// Every signed-in user may read the pools, in id order (oldest first).
#[utoipa::path(
    tag = "account-pools",
    operation_id = "list_account_pools",
    params(PoolListQuery),
    responses((status = 200, description = "One page of pools", body = Page<AccountPool>)),
    security(("bearer" = []))
)]
#[get("/account-pools")]
pub async fn list_account_pools(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<PoolListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after_id(q.cursor.as_deref())?;
    let page = db::read(&state, move |conn| {
        let rows = account_pools::list(conn, after.as_deref(), limit + 1)?;
        let mut page = pagination::page_by_id(rows, limit, |r| r.id.clone(), |r| Ok(AccountPool::from(r)))?;
        if q.count {
            page.total = Some(account_pools::count(conn)?);
        }
        Ok(page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Paging of upcoming recalls.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpcomingQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// List accounts the recall job will take back into a pool soon.
///
/// Owned accounts governed by the pool whose recall falls within the pool's
/// `warn_days_before_recall` from now (overdue ones included), with the due time
/// and the rule that will fire, ordered by due time. Only accounts in the caller's
/// data scope are listed: a rep sees their own.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "list_upcoming_recalls",
    params(("id" = String, Path, description = "Pool id"), UpcomingQuery),
    responses(
        (status = 200, description = "One page of upcoming recalls, soonest first", body = Page<UpcomingRecall>),
        (status = 404, description = "No such pool"),
    ),
    security(("bearer" = []))
)]
#[get("/account-pools/{id}/upcoming-recalls")]
pub async fn list_upcoming_recalls(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<PoolId>,
    query: web::Query<UpcomingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = q.cursor.as_deref().map(pagination::decode_cursor::<DueCursor>).transpose()?;
    let id = id.into_inner();
    let page = db::read(&state, move |conn| service::upcoming_recalls(conn, &caller, &id, after, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}
