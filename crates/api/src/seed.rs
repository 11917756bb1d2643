//! Demo data for `salesops seed-demo`.

use crate::state::AppState;

/// Load the demo data set; returns a one-line summary.
pub fn load_demo(_state: &AppState) -> Result<String, crate::startup::StartupError> {
    Err("seed-demo is not implemented yet".into())
}
