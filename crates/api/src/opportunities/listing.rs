//! `GET /opportunities` (filters, id-ordered keyset pages) and `GET /opportunities/{id}/history`.

use crate::app::scoped::load_visible;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::opportunities::dto::{Opportunity, StageChange};
use crate::opportunities::service::views;
use crate::pagination::{self, Page};
use crate::state::AppState;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use salesops_domain::ids::OpportunityId;
use salesops_domain::ids::{AccountId, UserId};
use salesops_domain::opportunity::{is_code_key, ForecastCategory, OpportunityStatus};
use salesops_persistence::opportunities::{self, OpportunityFilter, OpportunityRow};
use salesops_persistence::pipeline;
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /opportunities`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpportunityListQuery {
    /// Comma-separated stage keys, e.g. `proposal,negotiation`.
    #[param(example = "proposal,negotiation")]
    pub stage: Option<String>,
    /// Comma-separated statuses, e.g. `open,won`.
    #[param(example = "open")]
    pub status: Option<String>,
    /// Only opportunities owned by this user.
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// Only opportunities of this account.
    #[param(value_type = Option<String>)]
    pub account_id: Option<AccountId>,
    /// Comma-separated forecast categories, e.g. `commit,best_case`.
    #[param(example = "commit,best_case")]
    pub forecast_category: Option<String>,
    /// Expected to close on or after this date (`YYYY-MM-DD`, inclusive).
    pub expected_close_from: Option<NaiveDate>,
    /// Expected to close on or before this date (`YYYY-MM-DD`, inclusive).
    pub expected_close_to: Option<NaiveDate>,
    /// Case-insensitive search in the name.
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of matching opportunities.
    #[serde(default)]
    pub count: bool,
}

/// List opportunities in the caller's data scope, oldest first.
///
/// Every filter is applied in SQL. An unknown stage key, status or forecast
/// category is a 400.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "list_opportunities",
    params(OpportunityListQuery),
    responses((status = 200, description = "One page of opportunities", body = Page<Opportunity>)),
    security(("bearer" = []))
)]
#[get("/opportunities")]
pub async fn list_opportunities(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<OpportunityListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after_id = pagination::after_id(q.cursor.as_deref())?;
    if let (Some(from), Some(to)) = (q.expected_close_from, q.expected_close_to) {
        if from > to {
            return Err(ApiError::BadRequest("expected_close_from is after expected_close_to".into()));
        }
    }
    let stages = pagination::comma_list("stage", q.stage.as_deref(), |w| {
        if is_code_key(w) {
            Ok(())
        } else {
            Err(format!("`{w}` is not a stage key"))
        }
    })?;
    let filter = OpportunityFilter {
        statuses: pagination::enum_list::<OpportunityStatus>("status", q.status.as_deref())?,
        forecast_categories: pagination::enum_list::<ForecastCategory>(
            "forecast_category",
            q.forecast_category.as_deref(),
        )?,
        stages,
        owner_id: q.owner_id.map(String::from),
        account_id: q.account_id.map(String::from),
        expected_close_from: q.expected_close_from,
        expected_close_to: q.expected_close_to,
        q: crate::validation::tidy(q.q),
    };
    let with_count = q.count;
    let page = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        for key in &filter.stages {
            if pipeline::find_stage(conn, key)?.is_none() {
                return Err(ApiError::BadRequest(format!("stage: no stage `{key}`")));
            }
        }
        let visibility = caller.visibility();
        let rows = opportunities::list(conn, &filter, visibility, after_id.as_deref(), limit + 1)?;
        let page = pagination::page_by_id(rows, limit, |r| r.id.clone(), Ok)?;
        let total = if with_count { Some(opportunities::count(conn, &filter, visibility)?) } else { None };
        Ok(Page { data: views(conn, page.data)?, next_cursor: page.next_cursor, total })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Paging of the stage history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// An opportunity's stage history, oldest first: its creation and every move, win, loss,
/// abandonment and reopening, with the amount and probability at that moment.
///
/// Each entry also names the stage and status before and after, and who acted.
/// The opportunity must be within the caller's data scope (404 otherwise).
/// Pages follow `next_cursor`.
#[utoipa::path(
    tag = "opportunities",
    operation_id = "list_opportunity_history",
    params(("id" = String, Path, description = "Opportunity id"), HistoryQuery),
    responses((status = 200, description = "Stage changes, oldest first", body = Page<StageChange>)),
    security(("bearer" = []))
)]
#[get("/opportunities/{id}/history")]
pub async fn list_opportunity_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<OpportunityId>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after_id = pagination::after_id(q.cursor.as_deref())?;
    let page = db::read(&state, move |conn| {
        let (row, _) = load_visible::<OpportunityRow>(conn, &caller, &id, false)?;
        let rows = pipeline::stage_changes(conn, &row.id, after_id.as_deref(), limit + 1)?;
        pagination::page_by_id(rows, limit, |r| r.id.clone(), StageChange::try_from)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
