//! Pricing of quote and order lines (capability 3): quantities in thousandths,
//! each line's gross, discount, net, tax and total, the document's totals, and
//! the discount authority of a role.
//!
//! Per line, in integer minor units, each step rounded half away from zero:
//!
//! ```text
//! gross    = unit_price × quantity
//! discount = gross × discount_bps / 10000
//! net      = gross − discount
//! tax      = net × tax_rate_bps / 10000
//! total    = net + tax
//! ```
//!
//! The document's `subtotal`, `discount`, `tax` and `total` are the sums of its
//! lines' gross, discount, tax and total, so they always add up exactly. Every
//! amount, of a line or a document, stays within [`MAX_AMOUNT`] of zero (the cap
//! that keeps reports inside `i64`); a larger one is refused, never wrapped.

use crate::money::{div_round, is_amount_in_range, MAX_AMOUNT};
use crate::org::Role;

/// Thousandths of a unit in one unit: quantities carry three decimals.
pub const QUANTITY_SCALE: i64 = 1000;

/// The largest quantity, in thousandths: one billion units.
pub const MAX_QUANTITY: i64 = 1_000_000_000 * QUANTITY_SCALE;

/// A quantity of a product, in thousandths of its unit: `"2.5"` person-days is 2500.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(i64);

/// Why a quantity was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Not a plain decimal number such as `3` or `2.5`.
    #[error("must be a decimal number such as \"3\" or \"2.5\"")]
    NotADecimal,
    /// More than three digits after the point.
    #[error("must have at most 3 decimals")]
    TooManyDecimals,
    /// Zero or below.
    #[error("must be above zero")]
    NotPositive,
    /// Above [`MAX_QUANTITY`].
    #[error("must be at most 1000000000")]
    TooLarge,
}

impl Quantity {
    /// A quantity from thousandths of a unit.
    pub fn from_thousandths(thousandths: i64) -> Result<Quantity, QuantityError> {
        match thousandths {
            t if t <= 0 => Err(QuantityError::NotPositive),
            t if t > MAX_QUANTITY => Err(QuantityError::TooLarge),
            t => Ok(Quantity(t)),
        }
    }

    /// The quantity in thousandths of a unit.
    pub fn thousandths(self) -> i64 {
        self.0
    }
}

impl std::str::FromStr for Quantity {
    type Err = QuantityError;

    /// Parse `"3"`, `"2.5"` or `"0.125"`: ASCII digits, at most one point, at most three
    /// decimals, no sign, no exponent, no spaces.
    fn from_str(s: &str) -> Result<Quantity, QuantityError> {
        let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
        let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || (s.contains('.') && fraction.is_empty()) {
            return Err(QuantityError::NotADecimal);
        }
        if fraction.len() > 3 {
            return Err(QuantityError::TooManyDecimals);
        }
        // More whole digits than MAX_QUANTITY has cannot fit, whatever they are.
        let whole = whole.trim_start_matches('0');
        if whole.len() > 10 {
            return Err(QuantityError::TooLarge);
        }
        let units: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| QuantityError::TooLarge)? };
        let padded = format!("{fraction:0<3}");
        let thousandths: i64 = padded.parse().map_err(|_| QuantityError::NotADecimal)?;
        Quantity::from_thousandths(units * QUANTITY_SCALE + thousandths)
    }
}

impl std::fmt::Display for Quantity {
    /// The shortest decimal: 2500 is `2.5`, 3000 is `3`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&decimal(self.0))
    }
}

/// Thousandths of a unit as the shortest decimal, zero included (a delivered or open
/// amount): 0 is `0`, 2500 is `2.5`, 3000 is `3`.
pub fn decimal(thousandths: i64) -> String {
    let sign = if thousandths < 0 { "-" } else { "" };
    let (units, rest) = (thousandths.unsigned_abs() / 1000, thousandths.unsigned_abs() % 1000);
    if rest == 0 {
        format!("{sign}{units}")
    } else {
        let fraction = format!("{rest:03}");
        format!("{sign}{units}.{}", fraction.trim_end_matches('0'))
    }
}

/// What a line is priced from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInput {
    /// The price of one unit, in minor units (the product's list price unless overridden).
    pub unit_price: i64,
    /// How many units.
    pub quantity: Quantity,
    /// The discount, 0–10000 basis points.
    pub discount_bps: i32,
    /// The tax rate, 0–10000 basis points (1300 for 13% VAT).
    pub tax_rate_bps: i32,
}

/// A line's amounts, in minor units (see the module docs for the formula).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineAmounts {
    /// `unit_price × quantity`.
    pub gross: i64,
    /// `gross × discount_bps / 10000`.
    pub discount: i64,
    /// `gross − discount`.
    pub net: i64,
    /// `net × tax_rate_bps / 10000`.
    pub tax: i64,
    /// `net + tax`.
    pub total: i64,
}

/// Why a line or a document could not be priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// The unit price is below zero or beyond [`MAX_AMOUNT`].
    #[error("the unit price must be from 0 to {} minor units", MAX_AMOUNT)]
    UnitPriceOutOfRange,
    /// The discount is not from 0 to 10000 basis points.
    #[error("the discount must be from 0 to 10000 basis points")]
    DiscountOutOfRange,
    /// The tax rate is not from 0 to 10000 basis points.
    #[error("the tax rate must be from 0 to 10000 basis points")]
    TaxRateOutOfRange,
    /// An amount of the line or of the document would exceed [`MAX_AMOUNT`].
    #[error("the amount would exceed {} minor units", MAX_AMOUNT)]
    AmountTooLarge,
}

/// Whether `bps` is a rate from 0% to 100%.
fn is_rate(bps: i32) -> bool {
    (0..=10_000).contains(&bps)
}

/// `value` as an amount within the cap.
fn capped(value: i128) -> Result<i64, PricingError> {
    i64::try_from(value).ok().filter(|v| is_amount_in_range(*v)).ok_or(PricingError::AmountTooLarge)
}

impl LineInput {
    /// Price the line: gross, discount, net, tax and total, each rounded half away from zero.
    pub fn amounts(&self) -> Result<LineAmounts, PricingError> {
        if !(0..=MAX_AMOUNT).contains(&self.unit_price) {
            return Err(PricingError::UnitPriceOutOfRange);
        }
        if !is_rate(self.discount_bps) {
            return Err(PricingError::DiscountOutOfRange);
        }
        if !is_rate(self.tax_rate_bps) {
            return Err(PricingError::TaxRateOutOfRange);
        }
        let gross = i128::from(self.unit_price) * i128::from(self.quantity.thousandths());
        let gross = capped(div_round(gross, i128::from(QUANTITY_SCALE)))?;
        let discount = capped(div_round(i128::from(gross) * i128::from(self.discount_bps), 10_000))?;
        let net = gross - discount;
        let tax = capped(div_round(i128::from(net) * i128::from(self.tax_rate_bps), 10_000))?;
        let total = capped(i128::from(net) + i128::from(tax))?;
        Ok(LineAmounts { gross, discount, net, tax, total })
    }
}

/// A document's totals: the sums of its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DocumentTotals {
    /// Σ line gross.
    pub subtotal: i64,
    /// Σ line discount.
    pub discount: i64,
    /// Σ line tax.
    pub tax: i64,
    /// Σ line total (= subtotal − discount + tax).
    pub total: i64,
}

impl DocumentTotals {
    /// Sum priced lines; [`PricingError::AmountTooLarge`] when a sum exceeds the cap.
    pub fn of(lines: &[LineAmounts]) -> Result<DocumentTotals, PricingError> {
        let sum = |part: fn(&LineAmounts) -> i64| capped(lines.iter().map(|l| i128::from(part(l))).sum());
        Ok(DocumentTotals {
            subtotal: sum(|l| l.gross)?,
            discount: sum(|l| l.discount)?,
            tax: sum(|l| l.tax)?,
            total: sum(|l| l.total)?,
        })
    }
}

/// The largest line discount a role may give without approval (折扣权限), in basis points;
/// `None` is unlimited.
pub type DiscountAuthority = Option<i32>;

/// A role's discount authority when none is configured: rep 10%, manager 20%,
/// finance none, admin unlimited.
pub fn default_discount_authority(role: Role) -> DiscountAuthority {
    match role {
        Role::Rep => Some(1000),
        Role::Manager => Some(2000),
        Role::Finance => Some(0),
        Role::Admin => None,
    }
}

/// Whether `authority` covers a document whose largest line discount is `largest_discount_bps`.
pub fn covers(authority: DiscountAuthority, largest_discount_bps: i32) -> bool {
    authority.is_none_or(|limit| largest_discount_bps <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn qty(s: &str) -> Quantity {
        s.parse().expect("a quantity")
    }

    #[test]
    fn quantities_are_decimals_with_at_most_three_places() {
        assert_eq!(qty("3").thousandths(), 3000);
        assert_eq!(qty("2.5").thousandths(), 2500);
        assert_eq!(qty("0.125").thousandths(), 125);
        assert_eq!(qty("007.50").thousandths(), 7500);
        assert_eq!(qty("1000000000").thousandths(), MAX_QUANTITY);
        for (text, error) in [
            ("", QuantityError::NotADecimal),
            ("abc", QuantityError::NotADecimal),
            ("-1", QuantityError::NotADecimal),
            ("+1", QuantityError::NotADecimal),
            ("1e3", QuantityError::NotADecimal),
            (" 1", QuantityError::NotADecimal),
            (".5", QuantityError::NotADecimal),
            ("5.", QuantityError::NotADecimal),
            ("1.2.3", QuantityError::NotADecimal),
            ("１", QuantityError::NotADecimal),
            ("1.0001", QuantityError::TooManyDecimals),
            ("0", QuantityError::NotPositive),
            ("0.000", QuantityError::NotPositive),
            ("1000000000.001", QuantityError::TooLarge),
            ("99999999999999999999999", QuantityError::TooLarge),
        ] {
            assert_eq!(text.parse::<Quantity>(), Err(error), "{text:?}");
        }
        assert_eq!(qty("2.500").to_string(), "2.5");
        assert_eq!(qty("3").to_string(), "3");
        assert_eq!(qty("0.125").to_string(), "0.125");
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(1500), "1.5");
        assert_eq!(decimal(-20), "-0.02");
    }

    #[test]
    fn a_line_rounds_each_step_half_away_from_zero() {
        // 3.5 × ¥0.99 = 346.5 fen → 347; 15% off = 52.05 → 52; net 295; 13% tax = 38.35 → 38.
        let line = LineInput { unit_price: 99, quantity: qty("3.5"), discount_bps: 1500, tax_rate_bps: 1300 };
        assert_eq!(line.amounts(), Ok(LineAmounts { gross: 347, discount: 52, net: 295, tax: 38, total: 333 }));
        // A half rounds up: 0.5 × 1 fen = 0.5 → 1.
        let half = LineInput { unit_price: 1, quantity: qty("0.5"), discount_bps: 0, tax_rate_bps: 0 };
        assert_eq!(half.amounts().map(|a| a.gross), Ok(1));
    }

    #[test]
    fn lines_out_of_range_are_refused() {
        let base = LineInput { unit_price: 100, quantity: qty("1"), discount_bps: 0, tax_rate_bps: 0 };
        assert_eq!(LineInput { unit_price: -1, ..base }.amounts(), Err(PricingError::UnitPriceOutOfRange));
        assert_eq!(LineInput { discount_bps: 10_001, ..base }.amounts(), Err(PricingError::DiscountOutOfRange));
        assert_eq!(LineInput { discount_bps: -1, ..base }.amounts(), Err(PricingError::DiscountOutOfRange));
        assert_eq!(LineInput { tax_rate_bps: 10_001, ..base }.amounts(), Err(PricingError::TaxRateOutOfRange));
        let huge = LineInput { unit_price: MAX_AMOUNT, quantity: qty("2"), ..base };
        assert_eq!(huge.amounts(), Err(PricingError::AmountTooLarge));
        let at_cap = LineInput { unit_price: MAX_AMOUNT, quantity: qty("1"), ..base };
        assert_eq!(at_cap.amounts().map(|a| a.total), Ok(MAX_AMOUNT));
    }

    #[test]
    fn discount_authority_defaults_and_covers() {
        assert_eq!(default_discount_authority(Role::Rep), Some(1000));
        assert_eq!(default_discount_authority(Role::Manager), Some(2000));
        assert_eq!(default_discount_authority(Role::Finance), Some(0));
        assert_eq!(default_discount_authority(Role::Admin), None);
        assert!(covers(Some(1000), 1000));
        assert!(!covers(Some(1000), 1001));
        assert!(!covers(Some(0), 1));
        assert!(covers(None, 10_000));
    }

    /// A line of any rates, with a price and a quantity that are mostly everyday ones (up to
    /// ¥1,000,000 and 10,000 units, so that most lines price) and otherwise anything up to the caps.
    fn any_line() -> impl Strategy<Value = LineInput> {
        let price = prop_oneof![4 => 0..=100_000_000i64, 1 => 0..=MAX_AMOUNT];
        let quantity = prop_oneof![4 => 1..=10_000_000i64, 1 => 1..=MAX_QUANTITY];
        (price, quantity, 0..=10_000i32, 0..=10_000i32).prop_map(|(price, q, d, t)| LineInput {
            unit_price: price,
            quantity: Quantity::from_thousandths(q).expect("in range"),
            discount_bps: d,
            tax_rate_bps: t,
        })
    }

    /// `n / d` rounded half away from zero, the slow and obvious way.
    fn reference_round(n: i128, d: i128) -> i128 {
        let (q, r) = (n / d, n % d);
        if 2 * r.abs() >= d {
            q + n.signum()
        } else {
            q
        }
    }

    proptest! {
        #[test]
        fn a_line_is_priced_as_the_formula_says_or_refused_beyond_the_cap(line in any_line()) {
            // The formula, step by step in 128 bits, with the slow rounding.
            let gross = reference_round(i128::from(line.unit_price) * i128::from(line.quantity.thousandths()), 1000);
            let discount = reference_round(gross * i128::from(line.discount_bps), 10_000);
            let net = gross - discount;
            let tax = reference_round(net * i128::from(line.tax_rate_bps), 10_000);
            let total = net + tax;
            let within = [gross, discount, net, tax, total].iter().all(|v| *v <= i128::from(MAX_AMOUNT));
            match line.amounts() {
                Ok(a) => {
                    prop_assert!(within);
                    let got = [a.gross, a.discount, a.net, a.tax, a.total].map(i128::from);
                    prop_assert_eq!(got, [gross, discount, net, tax, total]);
                    prop_assert!(0 <= a.discount && a.discount <= a.gross && a.tax <= a.net);
                }
                Err(e) => {
                    prop_assert_eq!(e, PricingError::AmountTooLarge);
                    prop_assert!(!within);
                }
            }
        }

        #[test]
        fn document_totals_are_the_sums_of_the_lines(lines in prop::collection::vec(any_line(), 0..20)) {
            let priced: Vec<LineAmounts> = lines.iter().filter_map(|l| l.amounts().ok()).collect();
            let sum = |f: fn(&LineAmounts) -> i64| priced.iter().map(|l| i128::from(f(l))).sum::<i128>();
            match DocumentTotals::of(&priced) {
                Ok(t) => {
                    prop_assert_eq!(i128::from(t.subtotal), sum(|l| l.gross));
                    prop_assert_eq!(i128::from(t.discount), sum(|l| l.discount));
                    prop_assert_eq!(i128::from(t.tax), sum(|l| l.tax));
                    prop_assert_eq!(i128::from(t.total), sum(|l| l.total));
                    prop_assert_eq!(t.total, t.subtotal - t.discount + t.tax);
                }
                Err(e) => {
                    prop_assert_eq!(e, PricingError::AmountTooLarge);
                    let largest = [sum(|l| l.gross), sum(|l| l.discount), sum(|l| l.tax), sum(|l| l.total)];
                    prop_assert!(largest.iter().any(|s| *s > i128::from(MAX_AMOUNT)));
                }
            }
        }

        #[test]
        fn quantities_print_as_they_parse(thousandths in 1..=MAX_QUANTITY) {
            let q = Quantity::from_thousandths(thousandths).expect("in range");
            prop_assert_eq!(q.to_string().parse::<Quantity>(), Ok(q));
        }
    }
}
