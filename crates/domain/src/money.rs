//! Money: integer minor units of an ISO 4217 currency, and basis-point arithmetic.

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

/// Whether `code` has the shape of an ISO 4217 code: three upper-case ASCII letters.
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// `amount × bps / 10000`, rounded half away from zero to the minor unit.
///
/// Computed in 128 bits, so it cannot overflow for any `i64` amount and any
/// rate up to 100% (the result then fits in `i64` again).
pub fn apply_bps(amount: i64, bps: i32) -> i64 {
    let product = i128::from(amount) * i128::from(bps);
    let half = 5_000i128;
    let rounded = if product >= 0 { (product + half) / 10_000 } else { (product - half) / 10_000 };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
