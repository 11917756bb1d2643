//! Money: integer minor units of an ISO 4217 currency, and basis-point arithmetic.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest magnitude of a submitted amount, in minor units: 10^13 (¥100 billion in fen).
///
/// The cap keeps report arithmetic inside `i64`, on both databases: an amount
/// times a probability of up to 10000 basis points stays below 10^17, and the
/// sum of 100,000 capped deals below 10^18 (`i64::MAX` is about 9.2 × 10^18).
pub const MAX_AMOUNT: i64 = 10_000_000_000_000;

/// Whether `amount` is within [`MAX_AMOUNT`] of zero.
pub fn is_amount_in_range(amount: i64) -> bool {
    amount.checked_abs().is_some_and(|a| a <= MAX_AMOUNT)
}

/// The active ISO 4217 currency codes (the List One of the maintenance agency,
/// without the fund, precious-metal and testing codes such as `XAU` and `XTS`).
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Whether `code` is an active ISO 4217 currency code, such as `CNY` or `USD`
/// (three upper-case letters that are not on the list, such as `ZZZ`, are not).
pub fn is_currency_code(code: &str) -> bool {
    ISO_4217.binary_search(&code).is_ok()
}

/// `amount × bps / 10000`, rounded half away from zero to the minor unit.
///
/// Computed in 128 bits, so it cannot overflow for any `i64` amount and any
/// rate up to 100% (the result then fits in `i64` again).
pub fn apply_bps(amount: i64, bps: i32) -> i64 {
    let rounded = bps_of(amount, bps);
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// `amount × bps / 10000`, rounded half away from zero, in 128 bits, where it cannot overflow.
fn bps_of(amount: i64, bps: i32) -> i128 {
    div_round(i128::from(amount) * i128::from(bps), 10_000)
}

/// `numerator / denominator` rounded half away from zero, in 128 bits: the one rounding
/// rule of every money computation (prices, rates, commissions, DSO). `denominator` is
/// above zero.
pub fn div_round(numerator: i128, denominator: i128) -> i128 {
    let half = denominator / 2;
    if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    }
}

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

/// The part of a [`Money`] that a [`MoneyError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyPart {
    /// The minor units.
    Amount,
    /// The currency code.
    Currency,
}

impl MoneyPart {
    /// The part's field name, as in the JSON of [`Money`].
    pub fn as_str(self) -> &'static str {
        match self {
            MoneyPart::Amount => "amount",
            MoneyPart::Currency => "currency",
        }
    }
}

/// Why money was refused, or two amounts could not be combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The currency is not an active ISO 4217 code ([`ISO_4217`]).
    #[error("not an ISO 4217 code (three upper-case letters, such as CNY)")]
    NotACurrencyCode,
    /// The amount is further than [`MAX_AMOUNT`] from zero.
    #[error("must be at most {} minor units either way", MAX_AMOUNT)]
    AmountOutOfRange,
    /// The amount is below zero where it may not be.
    #[error("must not be negative")]
    NegativeAmount,
    /// Two amounts of different currencies were added or subtracted.
    #[error("cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// The currency of the left-hand amount.
        left: String,
        /// The currency of the right-hand amount.
        right: String,
    },
    /// The result does not fit in 64-bit minor units.
    #[error("the result overflows 64-bit minor units")]
    Overflow,
}

impl MoneyError {
    /// The part of the money at fault.
    pub fn part(&self) -> MoneyPart {
        match self {
            MoneyError::NotACurrencyCode | MoneyError::CurrencyMismatch { .. } => MoneyPart::Currency,
            MoneyError::AmountOutOfRange | MoneyError::NegativeAmount | MoneyError::Overflow => MoneyPart::Amount,
        }
    }
}

impl Money {
    /// Money from its parts, unchecked (stored money, or totals of it).
    pub fn new(amount: i64, currency: impl Into<String>) -> Money {
        Money { amount, currency: currency.into() }
    }

    /// Check submitted money: the currency must be an ISO 4217 code, the
    /// amount at most [`MAX_AMOUNT`] minor units either way (so reports never
    /// overflow) and, unless `allow_negative`, at least zero.
    pub fn validate(&self, allow_negative: bool) -> Result<(), MoneyError> {
        if !is_currency_code(&self.currency) {
            return Err(MoneyError::NotACurrencyCode);
        }
        if !is_amount_in_range(self.amount) {
            return Err(MoneyError::AmountOutOfRange);
        }
        if !allow_negative && self.amount < 0 {
            return Err(MoneyError::NegativeAmount);
        }
        Ok(())
    }

    /// `self + other`, in the same currency.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self.amount.checked_add(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency.clone()))
    }

    /// `self − other`, in the same currency.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount = self.amount.checked_sub(other.amount).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency.clone()))
    }

    /// `self × bps / 10000` in the same currency, rounded half away from zero
    /// to the minor unit, as the free [`apply_bps`]; a result beyond `i64`
    /// (only possible above 100%) is an error rather than a clamped amount.
    pub fn apply_bps(&self, bps: i32) -> Result<Money, MoneyError> {
        let amount = i64::try_from(bps_of(self.amount, bps)).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency.clone()))
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch { left: self.currency.clone(), right: other.currency.clone() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_currency_list_is_sorted_for_binary_search_and_refuses_made_up_codes() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]), "ISO_4217 must stay sorted and unique");
        assert!(ISO_4217.iter().all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(!is_currency_code("ZZZ"));
        assert!(!is_currency_code("XTS"));
        assert!(is_currency_code("HKD") && is_currency_code("JPY") && is_currency_code("EUR"));
    }

    #[test]
    fn currency_codes_are_three_upper_case_letters() {
        assert!(is_currency_code("CNY"));
        assert!(is_currency_code("USD"));
        assert!(!is_currency_code("cny"));
        assert!(!is_currency_code("CN"));
        assert!(!is_currency_code("CNY1"));
        assert!(!is_currency_code("人民币"));
    }

    #[test]
    fn amounts_are_capped_at_ten_to_the_thirteen_either_way() {
        assert!(is_amount_in_range(0));
        assert!(is_amount_in_range(MAX_AMOUNT));
        assert!(is_amount_in_range(-MAX_AMOUNT));
        assert!(!is_amount_in_range(MAX_AMOUNT + 1));
        assert!(!is_amount_in_range(-MAX_AMOUNT - 1));
        assert!(!is_amount_in_range(i64::MIN));
        assert!(MAX_AMOUNT.checked_mul(10_000).and_then(|p| p.checked_mul(9)).is_some());
        assert!(MAX_AMOUNT.checked_mul(100_000).is_some());
    }

    #[test]
    fn basis_points_round_half_away_from_zero() {
        assert_eq!(apply_bps(100_000, 2_500), 25_000);
        assert_eq!(apply_bps(1, 5_000), 1); // 0.5 rounds up
        assert_eq!(apply_bps(-1, 5_000), -1); // -0.5 rounds away from zero
        assert_eq!(apply_bps(3, 3_333), 1); // 0.9999
        assert_eq!(apply_bps(1, 4_999), 0);
        assert_eq!(apply_bps(i64::MAX, 10_000), i64::MAX);
        assert_eq!(apply_bps(123_456, 0), 0);
    }

    fn cny(amount: i64) -> Money {
        Money::new(amount, "CNY")
    }

    #[test]
    fn submitted_money_is_checked() {
        assert_eq!(cny(100).validate(false), Ok(()));
        assert_eq!(cny(-1).validate(false), Err(MoneyError::NegativeAmount));
        assert_eq!(cny(-1).validate(true), Ok(()));
        assert_eq!(Money::new(1, "rmb").validate(false), Err(MoneyError::NotACurrencyCode));
        assert_eq!(cny(MAX_AMOUNT).validate(false), Ok(()));
        assert_eq!(cny(MAX_AMOUNT + 1).validate(false), Err(MoneyError::AmountOutOfRange));
        assert_eq!(cny(-MAX_AMOUNT - 1).validate(true), Err(MoneyError::AmountOutOfRange));
        // The currency is checked first, as a request fixes one thing at a time.
        assert_eq!(Money::new(-MAX_AMOUNT - 1, "rmb").validate(false), Err(MoneyError::NotACurrencyCode));
    }

    #[test]
    fn a_refusal_names_its_part_and_why() {
        assert_eq!(MoneyError::NotACurrencyCode.part(), MoneyPart::Currency);
        assert_eq!(MoneyError::AmountOutOfRange.part().as_str(), "amount");
        assert_eq!(MoneyError::NegativeAmount.part(), MoneyPart::Amount);
        assert_eq!(MoneyError::AmountOutOfRange.to_string(), "must be at most 10000000000000 minor units either way");
        assert_eq!(
            MoneyError::NotACurrencyCode.to_string(),
            "not an ISO 4217 code (three upper-case letters, such as CNY)"
        );
        assert_eq!(MoneyError::NegativeAmount.to_string(), "must not be negative");
    }

    #[test]
    fn adding_and_subtracting_keep_the_currency() {
        assert_eq!(cny(150).checked_add(&cny(-50)), Ok(cny(100)));
        assert_eq!(cny(150).checked_sub(&cny(200)), Ok(cny(-50)));
        assert_eq!(cny(i64::MAX).checked_sub(&cny(i64::MAX)), Ok(cny(0)));
    }

    #[test]
    fn adding_or_subtracting_another_currency_is_refused() {
        let mismatch = Err(MoneyError::CurrencyMismatch { left: "CNY".into(), right: "USD".into() });
        assert_eq!(cny(1).checked_add(&Money::new(1, "USD")), mismatch);
        assert_eq!(cny(1).checked_sub(&Money::new(1, "USD")), mismatch);
        assert_eq!(cny(1).checked_add(&Money::new(1, "USD")).map_err(|e| e.part()), Err(MoneyPart::Currency));
    }

    #[test]
    fn adding_or_subtracting_past_64_bits_is_an_overflow() {
        assert_eq!(cny(i64::MAX).checked_add(&cny(1)), Err(MoneyError::Overflow));
        assert_eq!(cny(i64::MIN).checked_add(&cny(-1)), Err(MoneyError::Overflow));
        assert_eq!(cny(i64::MIN).checked_sub(&cny(1)), Err(MoneyError::Overflow));
        assert_eq!(cny(0).checked_sub(&cny(i64::MIN)), Err(MoneyError::Overflow));
        assert_eq!(MoneyError::Overflow.part(), MoneyPart::Amount);
    }

    #[test]
    fn money_times_basis_points_rounds_half_away_from_zero() {
        assert_eq!(cny(100_000).apply_bps(2_500), Ok(cny(25_000)));
        assert_eq!(cny(1).apply_bps(5_000), Ok(cny(1))); // 0.5 rounds up
        assert_eq!(cny(-1).apply_bps(5_000), Ok(cny(-1))); // -0.5 rounds away from zero
        assert_eq!(cny(15).apply_bps(5_000), Ok(cny(8))); // 7.5
        assert_eq!(cny(-15).apply_bps(5_000), Ok(cny(-8)));
        assert_eq!(cny(3).apply_bps(3_333), Ok(cny(1))); // 0.9999
        assert_eq!(cny(1).apply_bps(4_999), Ok(cny(0)));
        assert_eq!(cny(i64::MAX).apply_bps(10_000), Ok(cny(i64::MAX)));
        assert_eq!(Money::new(333, "USD").apply_bps(1_000), Ok(Money::new(33, "USD")));
        for (amount, bps) in [(15, 5_000), (-7, 2_500), (123_456_789, 3_333), (i64::MIN, 10_000)] {
            assert_eq!(cny(amount).apply_bps(bps).map(|m| m.amount), Ok(apply_bps(amount, bps)));
        }
    }

    #[test]
    fn basis_points_past_64_bits_are_an_overflow_not_a_clamp() {
        assert_eq!(cny(i64::MAX).apply_bps(10_001), Err(MoneyError::Overflow));
        assert_eq!(cny(i64::MIN).apply_bps(20_000), Err(MoneyError::Overflow));
        assert_eq!(cny(i64::MAX).apply_bps(-20_000), Err(MoneyError::Overflow));
    }

    #[test]
    fn money_keeps_its_json_shape() {
        let m: Money = serde_json::from_str(r#"{"amount": 12000000, "currency": "CNY"}"#).expect("money");
        assert_eq!(m, cny(12_000_000));
        assert_eq!(
            serde_json::to_value(&m).expect("json"),
            serde_json::json!({"amount": 12_000_000, "currency": "CNY"})
        );
        assert!(serde_json::from_str::<Money>(r#"{"amount": 1, "currency": "CNY", "extra": 1}"#).is_err());
    }
}
