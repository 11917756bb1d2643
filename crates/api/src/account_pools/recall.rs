//! The recall job: owned accounts that broke their pool's rules go back into it.
//!
//! [`service::recall_as_of`] is the job's work on one pool, in the transaction it
//! is given; [`recall_all`] runs it for each pool in a transaction of its own
//! (through [`db::write_for_job`], so a full disk is noted for readiness), for
//! the scheduler ([`crate::account_pools::schedule`]), and the admin endpoint
//! runs it in the request's. It is:
//! - **idempotent**: a recalled account has no owner, so a second run finds nothing;
//! - **safe with several replicas**: each pool is recalled in one transaction that
//!   first takes the pool's recall lock (a PostgreSQL advisory lock; SQLite write
//!   transactions are serial anyway), so a second runner skips the pool, and every
//!   account update is conditional on its owner being unchanged;
//! - **explained**: each recall writes an owner-history row whose `detail` names the
//!   rule and the numbers, and an audit event.

use crate::account_pools::service;
use crate::app::AppResult;
use crate::audit::Author;
use crate::db;
use crate::pagination;
use crate::state::AppState;
use salesops_persistence::account_pools;
use salesops_persistence::{clock, DbConnection};

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
        let recall = move |conn: &mut DbConnection| service::recall_as_of(conn, Author::SYSTEM, &id, clock::now());
        match db::write_for_job(state, recall).await {
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
