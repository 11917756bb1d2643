//! The API's money type: integer minor units and an ISO 4217 code.

use crate::app::AppError;
use salesops_domain::money::{is_amount_in_range, is_currency_code, MAX_AMOUNT};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An amount of money: integer minor units (fen, cents) of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "amount": 12_000_000, "currency": "CNY" }))]
pub struct Money {
    /// Minor units: 12000000 CNY fen is ¥120,000.00. Submitted amounts are at most 10^13 either way.
    pub amount: i64,
    /// ISO 4217 code, three upper-case letters.
    #[schema(example = "CNY")]
    pub currency: String,
}

impl Money {
    /// Money from stored parts.
    pub fn new(amount: i64, currency: impl Into<String>) -> Money {
        Money { amount, currency: currency.into() }
    }

    /// Check a submitted amount: the currency must be an ISO 4217 code, the
    /// amount at most [`MAX_AMOUNT`] minor units either way (so reports never
    /// overflow) and, unless `allow_negative`, at least zero. Errors name `field`.
    pub fn validate(&self, field: &str, allow_negative: bool) -> Result<(), AppError> {
        if !is_currency_code(&self.currency) {
            return Err(AppError::invalid_field(
                &format!("{field}.currency"),
                "currency",
                "not an ISO 4217 code (three upper-case letters, such as CNY)",
            ));
        }
        if !is_amount_in_range(self.amount) {
            return Err(AppError::invalid_field(
                &format!("{field}.amount"),
                "range",
                format!("must be at most {MAX_AMOUNT} minor units either way"),
            ));
        }
        if !allow_negative && self.amount < 0 {
            return Err(AppError::invalid_field(&format!("{field}.amount"), "range", "must not be negative"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submitted_money_is_checked() {
        assert!(Money::new(100, "CNY").validate("amount", false).is_ok());
        assert!(Money::new(-1, "CNY").validate("amount", false).is_err());
        assert!(Money::new(-1, "CNY").validate("amount", true).is_ok());
        assert!(Money::new(1, "rmb").validate("amount", false).is_err());
        assert!(Money::new(MAX_AMOUNT, "CNY").validate("amount", false).is_ok());
        assert!(Money::new(MAX_AMOUNT + 1, "CNY").validate("amount", false).is_err());
        assert!(Money::new(-MAX_AMOUNT - 1, "CNY").validate("amount", true).is_err());
    }
}
