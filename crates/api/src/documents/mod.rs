//! What quotes and orders share: their priced lines and totals (the money formula of
//! [`salesops_domain::pricing`]), and the approval of a discount beyond the
//! submitter's authority (see `crate::approvals`).

pub mod lines;

use crate::app::{AppError, AppResult};

/// 422 on `currency` unless it is an ISO 4217 code: a document's one currency.
pub fn check_currency(currency: &str) -> AppResult<()> {
    if salesops_domain::money::is_currency_code(currency) {
        Ok(())
    } else {
        Err(AppError::invalid_field(
            "currency",
            "currency",
            "not an ISO 4217 code (three upper-case letters, such as CNY)",
        ))
    }
}
