//! `GET /accounts`: filters, in id (creation) order with id cursors.

use crate::accounts::dto::Account;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::time::to_stored;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use salesops_domain::account::{AccountLifecycle, AccountTier};
use salesops_domain::ids::{AccountId, PoolId, UserId};
use salesops_persistence::accounts::{self, AccountFilter};
use serde::Deserialize;
use utoipa::IntoParams;

/// Query parameters of `GET /accounts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountListQuery {
    /// Comma-separated tiers, e.g. `strategic,key`.
    #[param(example = "strategic,key")]
    pub tier: Option<String>,
    /// Comma-separated lifecycle stages, e.g. `prospect,active`.
    #[param(example = "active")]
    pub lifecycle: Option<String>,
    /// Exact industry.
    pub industry: Option<String>,
    /// Exact region.
    pub region: Option<String>,
    /// Only accounts owned by this user.
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// Only accounts governed by this pool.
    #[param(value_type = Option<String>)]
    pub pool_id: Option<PoolId>,
    /// `true`: only accounts sitting in a pool; `false`: only owned accounts.
    pub in_pool: Option<bool>,
    /// Only the direct subsidiaries of this account.
    #[param(value_type = Option<String>)]
    pub parent_account_id: Option<AccountId>,
    /// No activity since (RFC 3339): last activity before this time, or none at all.
    pub last_activity_before: Option<DateTime<Utc>>,
    /// Text search: a case-insensitive substring of the name (works for Chinese) or a substring of the USCC.
    #[param(example = "明远")]
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of matching accounts.
    #[serde(default)]
    pub count: bool,
}

/// List accounts in the caller's data scope, plus every account sitting in a pool.
///
/// Every filter is applied in SQL. Accounts come in creation order; the
/// cursor remembers where the last page ended, so pages are stable under inserts.
#[utoipa::path(
    tag = "accounts",
    operation_id = "list_accounts",
    params(AccountListQuery),
    responses((status = 200, description = "One page of accounts", body = Page<Account>)),
    security(("bearer" = []))
)]
#[get("/accounts")]
pub async fn list_accounts(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AccountListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after_id(q.cursor.as_deref())?;
    let filter = AccountFilter {
        tiers: pagination::enum_list::<AccountTier>("tier", q.tier.as_deref())?,
        lifecycles: pagination::enum_list::<AccountLifecycle>("lifecycle", q.lifecycle.as_deref())?,
        industry: q.industry,
        region: q.region,
        owner_id: q.owner_id.map(String::from),
        pool_id: q.pool_id.map(String::from),
        in_pool: q.in_pool,
        parent_account_id: q.parent_account_id.map(String::from),
        last_activity_before: q.last_activity_before.map(to_stored),
        q: crate::validation::tidy(q.q),
    };
    let with_count = q.count;
    let page = db::read(&state, move |conn| {
        let visibility = caller.visibility();
        let rows = accounts::list(conn, &filter, visibility, after.as_deref(), limit + 1)?;
        let mut page = pagination::page_by_id(rows, limit, |r| r.id.clone(), Account::try_from)?;
        if with_count {
            page.total = Some(accounts::count(conn, &filter, visibility)?);
        }
        Ok(page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
