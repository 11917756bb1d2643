//! The recall job: owned accounts that broke their pool's rules go back into it.
//!
//! [`recall_pool`] is the job for one pool. The scheduler ([`crate::account_pools::schedule`]),
//! the admin endpoint and the tests all run it. It is:
//! - **idempotent**: a recalled account has no owner, so a second run finds nothing;
//! - **safe with several replicas**: each pool is recalled in one transaction that
//!   first takes the pool's recall lock (a PostgreSQL advisory lock; SQLite write
//!   transactions are serial anyway), so a second runner skips the pool, and every
//!   account update is conditional on its owner being unchanged;
//! - **explained**: each recall writes an owner-history row whose `detail` names the
//!   rule and the numbers, and an audit event.

use crate::account_pools::dto::{DueCursor, RecallReport, RecalledAccount, UpcomingRecall};
use crate::account_pools::handlers::load;
use crate::accounts::dto::Account;
use crate::accounts::ENTITY as ACCOUNT_ENTITY;
use crate::app::permission::Administer;
use crate::app::AppError;
use crate::audit::{self, snapshot, Author};
use crate::auth::Authorized;
use crate::auth::Caller;
use crate::db;
use crate::error::ApiError;
use crate::pagination::{self, Page};
use crate::state::AppState;
use crate::time::to_utc;
use actix_web::{get, post, web, HttpResponse};
use chrono::{Duration, NaiveDateTime};
use salesops_domain::account::OwnerChangeReason;
use salesops_domain::account_pool::RecallFacts;
use salesops_persistence::account_owner_changes::{self, OwnerChangeRow};
use salesops_persistence::account_pools;
use salesops_persistence::accounts::{self, AccountRow};
use salesops_persistence::scope::Visibility;
use salesops_persistence::{clock, write_transaction, DbConnection};
use serde::Deserialize;
use utoipa::IntoParams;

/// The facts the recall rules read off an owned account. Candidates come from SQL
/// that already left out accounts exempt for an open opportunity.
fn facts_of(row: &AccountRow) -> RecallFacts {
    RecallFacts {
        owned_since: row.owned_since.unwrap_or(row.created_at),
        last_activity_at: row.last_activity_at,
        last_won_at: row.last_won_at,
        has_open_opportunity: false,
    }
}

/// Run the recall job over one pool as of `now`, in its own transaction, for
/// `actor` (no user: the scheduler). Returns what it recalled; empty when nothing
/// was due or another runner holds the pool right now.
pub fn recall_pool(
    conn: &mut DbConnection,
    pool_id: &str,
    now: NaiveDateTime,
    actor: Author<'_>,
) -> Result<Vec<RecalledAccount>, AppError> {
    write_transaction(conn, |conn| {
        if !account_pools::try_lock_recall(conn, pool_id)? {
            log::info!("recall of pool {pool_id} skipped: another runner has it");
            return Ok(Vec::new());
        }
        let pool = load(conn, pool_id)?;
        let rules = pool.rules();
        let mut recalled = Vec::new();
        for candidate in account_pools::recall_candidates(conn, &pool, now, &Visibility::All)? {
            // Lock the account and ask again for it alone: an activity, a won deal, an
            // open opportunity or an owner change committed since the selection counts.
            accounts::lock(conn, &candidate.id)?;
            let Some(row) = account_pools::recall_candidate(conn, &pool, now, &candidate.id)? else {
                continue;
            };
            let (Some(owner), Some(due)) = (row.owner_id.clone(), rules.recall_at(&facts_of(&row), now)) else {
                continue;
            };
            if !account_pools::recall_one(conn, &row.id, &owner, &pool.id, now)? {
                continue;
            }
            let reason = due.describe(now);
            let mut history = OwnerChangeRow::new(&row.id, Some(&owner), None, OwnerChangeReason::Recall, actor.id);
            history.pool_id = Some(pool.id.clone());
            history.detail = Some(reason.clone());
            history.occurred_at = now;
            account_owner_changes::insert(conn, &history)?;
            let after =
                accounts::find_visible_including_deleted(conn, &row.id, &Visibility::All)?.ok_or(AppError::NotFound)?;
            let before = snapshot(&Account::try_from(row.clone())?);
            let after = snapshot(&Account::try_from(after)?);
            audit::record(conn, actor, OwnerChangeReason::Recall.as_str(), ACCOUNT_ENTITY, &row.id, &before, &after)?;
            recalled.push(RecalledAccount { account_id: row.id, previous_owner_id: owner, rule: due.rule, reason });
        }
        Ok(recalled)
    })
}

/// Run the recall job over every live pool now, for the scheduler: the
/// accounts recalled, by pool. A failing pool is logged and the others still run.
pub async fn recall_all(state: &AppState) -> Result<usize, AppError> {
    let mut pool_ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page_after = after.clone();
        let page = db::read_for_job(state, move |conn| {
            Ok(account_pools::list(conn, page_after.as_deref(), pagination::MAX_LIMIT)?)
        })
        .await?;
        let done = (page.len() as i64) < pagination::MAX_LIMIT;
        after = page.last().map(|p| p.id.clone());
        pool_ids.extend(page.into_iter().map(|p| p.id));
        if done {
            break;
        }
    }
    let mut total = 0;
    for pool_id in pool_ids {
        let id = pool_id.clone();
        match db::read_for_job(state, move |conn| recall_pool(conn, &id, clock::now(), Author::SYSTEM)).await {
            Ok(recalled) => {
                for r in &recalled {
                    log::info!(
                        "recalled account {} from {} into pool {pool_id}: {}",
                        r.account_id,
                        r.previous_owner_id,
                        r.reason
                    );
                }
                total += recalled.len();
            }
            Err(e) => log::error!("recall of pool {pool_id} failed: {e:?}"),
        }
    }
    Ok(total)
}

/// Run the recall job over a pool now (admins).
///
/// The same job the server runs on its schedule (`SALESOPS_RECALL_INTERVAL_SECONDS`).
/// Safe to repeat: an account is recalled once. If another runner holds the pool at
/// this moment the answer is an empty list.
#[utoipa::path(
    tag = "account-pools",
    operation_id = "recall_account_pool",
    params(("id" = String, Path, description = "Pool id")),
    responses(
        (status = 200, description = "What was recalled", body = RecallReport),
        (status = 403, description = "Only admins run the job"),
        (status = 404, description = "No such pool"),
    ),
    security(("bearer" = []))
)]
#[post("/account-pools/{id}/recall")]
pub async fn recall_account_pool(
    state: web::Data<AppState>,
    caller: Authorized<Administer>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let recalled = db::read(&state, move |conn| recall_pool(conn, &id, clock::now(), Author::from(&caller))).await?;
    Ok(HttpResponse::Ok().json(RecallReport { recalled }))
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
    id: web::Path<String>,
    query: web::Query<UpcomingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = q.cursor.as_deref().map(pagination::decode_cursor::<DueCursor>).transpose()?;
    let id = id.into_inner();
    let page = db::read(&state, move |conn| {
        let pool = load(conn, &id)?;
        let rules = pool.rules();
        let now = clock::now();
        let horizon = now + Duration::days(i64::from(rules.warn_days_before_recall.max(0)));
        let visibility = caller.visibility(conn)?;
        let mut upcoming: Vec<UpcomingRecall> = account_pools::recall_candidates(conn, &pool, horizon, &visibility)?
            .into_iter()
            .filter_map(|row| {
                let due = rules.recall_within_warning(&facts_of(&row), now)?;
                Some(UpcomingRecall {
                    owner_id: row.owner_id?,
                    account_id: row.id,
                    account_name: row.name,
                    due_at: to_utc(due.due_at),
                    rule: due.rule,
                    limit_days: due.limit_days,
                    days_without: due.days_at(now),
                })
            })
            .collect();
        upcoming.sort_by(|a, b| (a.due_at, &a.account_id).cmp(&(b.due_at, &b.account_id)));
        if let Some(after) = &after {
            upcoming.retain(|u| (u.due_at, &u.account_id) > (after.due_at, &after.id));
        }
        upcoming.truncate(limit as usize + 1);
        pagination::page(
            upcoming,
            limit,
            |u| pagination::encode_cursor(&DueCursor { due_at: u.due_at, id: u.account_id.clone() }),
            Ok,
        )
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
