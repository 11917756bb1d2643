//! The recall job: owned accounts that broke their pool's rules go back into it.
//!
//! [`service::recall_as_of`] is the job's work on one pool, in the transaction it
//! is given; [`recall_pool`] runs it in a transaction of its own, for the scheduler
//! ([`crate::account_pools::schedule`]) and the tests, and the admin endpoint
//! runs it in the request's. It is:
//! - **idempotent**: a recalled account has no owner, so a second run finds nothing;
//! - **safe with several replicas**: each pool is recalled in one transaction that
//!   first takes the pool's recall lock (a PostgreSQL advisory lock; SQLite write
//!   transactions are serial anyway), so a second runner skips the pool, and every
//!   account update is conditional on its owner being unchanged;
//! - **explained**: each recall writes an owner-history row whose `detail` names the
//!   rule and the numbers, and an audit event.

use crate::account_pools::dto::RecalledAccount;
use crate::account_pools::service;
use crate::app::AppResult;
use crate::audit::Author;
use crate::db;
use crate::pagination;
use crate::state::AppState;
use chrono::NaiveDateTime;
use salesops_persistence::account_pools;
use salesops_persistence::{clock, write_transaction, DbConnection};

/// Run the recall job over one pool as of `now`, in its own transaction, for
/// `actor` (no user: the scheduler): [`service::recall_as_of`]. Returns what it
/// recalled; empty when nothing was due or another runner holds the pool right now.
pub fn recall_pool(
    conn: &mut DbConnection,
    pool_id: &str,
    now: NaiveDateTime,
    actor: Author<'_>,
) -> AppResult<Vec<RecalledAccount>> {
    write_transaction(conn, |conn| service::recall_as_of(conn, actor, pool_id, now))
}

/// Run the recall job over every live pool now, for the scheduler: the
/// accounts recalled, by pool. A failing pool is logged and the others still run.
pub async fn recall_all(state: &AppState) -> AppResult<usize> {
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
