//! Running the recall job inside the server, every `SALESOPS_RECALL_INTERVAL_SECONDS`.
//!
//! Only `salesops serve` starts it; the tests drive the job directly. Several
//! replicas may run it at once (see [`crate::account_pools::recall`]).

use crate::account_pools::recall::recall_all;
use crate::state::AppState;
use actix_web::rt::task::JoinHandle;

/// Start the recall job on the current actix runtime: a first run straight away,
/// then one `settings.recall_interval` after each run ends (runs never overlap or pile up). `None` when the interval is 0 (off).
/// Abort the handle on shutdown; a run stopped midway has committed whole pools only.
pub fn spawn(state: AppState) -> Option<JoinHandle<()>> {
    let period = state.settings.recall_interval;
    if period.is_zero() {
        log::info!("the customer-pool recall job is off (SALESOPS_RECALL_INTERVAL_SECONDS=0)");
        return None;
    }
    log::info!("the customer-pool recall job runs every {}s", period.as_secs());
    Some(actix_web::rt::spawn(async move {
        loop {
            match recall_all(&state).await {
                Ok(0) => log::debug!("recall job: nothing to recall"),
                Ok(n) => log::info!("recall job: recalled {n} account(s)"),
                Err(e) => log::error!("recall job failed: {e:?}"),
            }
            actix_web::rt::time::sleep(period).await;
        }
    }))
}
