//! `GET /reports/forgotten-accounts`.

use super::owners;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::pagination;
use crate::state::AppState;
use crate::time::to_utc;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use salesops_domain::account::{AccountLifecycle, AccountTier};
use salesops_domain::ids::{DepartmentId, UserId};
use salesops_domain::reports::{whole_days_between, DEFAULT_FORGOTTEN_DAYS, FORGOTTEN_DAYS};
use salesops_persistence::clock;
use salesops_persistence::reports::{self as queries, QuietAccount, QuietKeyset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Query parameters of `GET /reports/forgotten-accounts`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForgottenAccountsQuery {
    /// Days without activity, 1–3650 (default 30).
    #[param(example = 30, minimum = 1, maximum = 3650)]
    pub days: Option<i64>,
    /// Only this owner's accounts (within the caller's scope).
    #[param(value_type = Option<String>)]
    pub owner_id: Option<UserId>,
    /// Only accounts owned by members of this department or any department below it
    /// (within the caller's scope). An unknown department is a 400.
    #[param(value_type = Option<String>)]
    pub department_id: Option<DepartmentId>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Also return `total`, the number of forgotten accounts.
    #[serde(default)]
    pub count: bool,
}

/// An account nobody has followed up for a while.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({ "id": "0190f0c2-6a00-7000-8000-0000000000d1", "name": "上海明远科技有限公司",
    "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1", "tier": "key", "lifecycle": "active",
    "last_activity_at": "2026-09-02T08:30:00Z", "quiet_since": "2026-09-02T08:30:00Z", "days_since_activity": 87 }))]
pub struct ForgottenAccount {
    /// The account.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its owner.
    pub owner_id: String,
    /// Its tier.
    pub tier: AccountTier,
    /// Its lifecycle.
    pub lifecycle: AccountLifecycle,
    /// Its last activity; `null` if it never had one.
    pub last_activity_at: Option<DateTime<Utc>>,
    /// Its last activity, or its creation when that is later or there was no activity.
    pub quiet_since: DateTime<Utc>,
    /// Whole days since `quiet_since`.
    pub days_since_activity: i64,
}

/// One page of forgotten accounts.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "days": 30, "quiet_before": "2026-10-29T09:00:00Z", "owner_id": null, "department_id": null,
    "data": [ { "id": "0190f0c2-6a00-7000-8000-0000000000d1", "name": "上海明远科技有限公司",
                "owner_id": "0190f0c2-6a00-7000-8000-0000000000a1", "tier": "key", "lifecycle": "active",
                "last_activity_at": "2026-09-02T08:30:00Z", "quiet_since": "2026-09-02T08:30:00Z",
                "days_since_activity": 87 } ],
    "next_cursor": null
}))]
pub struct ForgottenAccountsReport {
    /// The look-back used, in days.
    pub days: i64,
    /// Accounts quiet since before this instant are listed: now minus `days`.
    pub quiet_before: DateTime<Utc>,
    /// The owner filter, if any.
    pub owner_id: Option<String>,
    /// The department filter, if any.
    pub department_id: Option<String>,
    /// The accounts on this page, quietest first.
    pub data: Vec<ForgottenAccount>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// How many accounts match in all; only with `count=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// What a forgotten-accounts cursor carries: the last row's `quiet_since` (microseconds) and id.
#[derive(Debug, Serialize, Deserialize)]
struct QuietCursor {
    t: i64,
    id: String,
}

/// Forgotten accounts: owned accounts with no activity for `days` days, quietest first.
///
/// Listed are the live accounts owned by someone in the caller's data scope (narrowed by
/// `owner_id` / `department_id`) whose last sign of life, the later of their last activity
/// and their creation, is more than `days` days ago. Accounts in a pool are not listed.
/// Ordered by that time, oldest first, then by id; paged with an opaque cursor.
#[utoipa::path(
    tag = "reports",
    operation_id = "get_forgotten_accounts_report",
    params(ForgottenAccountsQuery),
    responses((status = 200, description = "One page of forgotten accounts", body = ForgottenAccountsReport)),
    security(("bearer" = []))
)]
#[get("/reports/forgotten-accounts")]
pub async fn get_forgotten_accounts_report(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ForgottenAccountsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let days = q.days.unwrap_or(DEFAULT_FORGOTTEN_DAYS);
    if !FORGOTTEN_DAYS.contains(&days) {
        return Err(ApiError::BadRequest(format!(
            "days must be between {} and {}, not {days}",
            FORGOTTEN_DAYS.start(),
            FORGOTTEN_DAYS.end()
        )));
    }
    let limit = pagination::limit(q.limit)?;
    let after = match q.cursor.as_deref() {
        None => None,
        Some(c) => {
            let cursor: QuietCursor = pagination::decode_cursor(c)?;
            let quiet_since = DateTime::from_timestamp_micros(cursor.t)
                .ok_or_else(|| ApiError::BadRequest("the cursor is not valid; start again without one".into()))?
                .naive_utc();
            Some(QuietKeyset { quiet_since, id: cursor.id })
        }
    };
    let now = clock::now();
    let quiet_before = now - Duration::days(days);
    let report = db::read_with(&state, move |conn| -> Result<_, ApiError> {
        let owners = owners(conn, &caller, q.owner_id.as_deref(), q.department_id.as_deref())?;
        let rows = queries::quiet_accounts(conn, owners.as_deref(), quiet_before, after.as_ref(), limit + 1)?;
        let cursor_after = |last: &QuietAccount| {
            pagination::encode_cursor(&QuietCursor {
                t: last.quiet_since.and_utc().timestamp_micros(),
                id: last.id.clone(),
            })
        };
        let page = pagination::page(rows, limit, cursor_after, |r| {
            Ok(ForgottenAccount {
                tier: r.tier,
                lifecycle: r.lifecycle,
                last_activity_at: r.last_activity_at.map(to_utc),
                quiet_since: to_utc(r.quiet_since),
                days_since_activity: whole_days_between(r.quiet_since, now),
                id: r.id,
                name: r.name,
                owner_id: r.owner_id,
            })
        })?;
        let total =
            if q.count { Some(queries::count_quiet_accounts(conn, owners.as_deref(), quiet_before)?) } else { None };
        Ok(ForgottenAccountsReport {
            days,
            quiet_before: to_utc(quiet_before),
            owner_id: q.owner_id.map(String::from),
            department_id: q.department_id.map(String::from),
            data: page.data,
            next_cursor: page.next_cursor,
            total,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
