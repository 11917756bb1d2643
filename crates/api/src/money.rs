//! Money the domain refused, as the API's field errors. [`Money`] itself lives in the domain.

use crate::app::{AppError, FieldError};
use salesops_domain::money::{Money, MoneyError};

/// The field error for money the domain refused, on the part at fault of
/// the money in `field`: `amount.currency` or `amount.amount`.
pub fn field_error(field: &str, e: &MoneyError) -> FieldError {
    let code = match e {
        MoneyError::NotACurrencyCode | MoneyError::CurrencyMismatch { .. } => "currency",
        MoneyError::AmountOutOfRange | MoneyError::NegativeAmount | MoneyError::Overflow => "range",
    };
    FieldError::new(format!("{field}.{}", e.part().as_str()), code, e.to_string())
}

/// Check submitted money (see [`Money::validate`]); a refusal is a 422 naming `field`.
pub fn validate(money: &Money, field: &str, allow_negative: bool) -> Result<(), AppError> {
    money.validate(allow_negative).map_err(|e| field_error(field, &e).into())
}

/// 422 `currency` on `{field}.currency` unless `money` is in `currency`, the currency of
/// the record it goes with (`whose`: "the order's", "the payment's").
pub fn require_currency(money: &Money, field: &str, currency: &str, whose: &str) -> Result<(), FieldError> {
    if money.currency == currency {
        Ok(())
    } else {
        Err(FieldError::new(format!("{field}.currency"), "currency", format!("must be {whose} currency, {currency}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use salesops_domain::money::MAX_AMOUNT;

    fn refusal(amount: i64, currency: &str, allow_negative: bool) -> Option<FieldError> {
        match validate(&Money::new(amount, currency), "opportunity.amount", allow_negative) {
            Ok(()) => None,
            Err(AppError::Validation(mut errors)) if errors.len() == 1 => errors.pop(),
            Err(other) => panic!("not one field error: {other:?}"),
        }
    }

    #[test]
    fn refused_money_is_the_same_field_error_as_ever() {
        assert_eq!(refusal(100, "CNY", false), None);
        assert_eq!(refusal(-1, "CNY", true), None);
        assert_eq!(
            refusal(1, "rmb", false),
            Some(FieldError::new(
                "opportunity.amount.currency",
                "currency",
                "not an ISO 4217 code (three upper-case letters, such as CNY)"
            ))
        );
        assert_eq!(
            refusal(MAX_AMOUNT + 1, "CNY", false),
            Some(FieldError::new(
                "opportunity.amount.amount",
                "range",
                "must be at most 10000000000000 minor units either way"
            ))
        );
        assert_eq!(
            refusal(-1, "CNY", false),
            Some(FieldError::new("opportunity.amount.amount", "range", "must not be negative"))
        );
    }

    #[test]
    fn money_in_another_currency_is_refused_on_its_currency() {
        let money = Money::new(100, "USD");
        assert_eq!(require_currency(&money, "amount", "USD", "the order's"), Ok(()));
        assert_eq!(
            require_currency(&money, "instalments[1].amount", "CNY", "the order's"),
            Err(FieldError::new("instalments[1].amount.currency", "currency", "must be the order's currency, CNY"))
        );
    }

    #[test]
    fn arithmetic_refusals_name_their_part_too() {
        let mismatch = MoneyError::CurrencyMismatch { left: "CNY".into(), right: "USD".into() };
        assert_eq!(field_error("total", &mismatch).field, "total.currency");
        assert_eq!(field_error("total", &MoneyError::Overflow).field, "total.amount");
    }
}
