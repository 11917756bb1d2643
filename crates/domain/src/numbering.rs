//! Document numbers (单据编号): each numbered document type has a rule, a
//! prefix and a counter width, and numbers count per business day, e.g.
//! `SO-20261201-0001`.

use crate::text_enum;
use chrono::NaiveDate;

text_enum! {
    /// A kind of document that gets a number.
    DocumentType {
        /// A quote (报价单).
        Quote => "quote",
        /// An order or contract (订单/合同).
        Order => "order",
    }
}

/// The counter width when no rule says otherwise.
pub const DEFAULT_COUNTER_WIDTH: i32 = 4;

/// The widest counter a rule may ask for.
pub const MAX_COUNTER_WIDTH: i32 = 9;

/// The longest prefix a rule may set.
pub const MAX_PREFIX_LENGTH: usize = 16;

/// Whether `prefix` can start document numbers: 1 to [`MAX_PREFIX_LENGTH`] ASCII
/// uppercase letters and digits, so that numbers read the same in every system they
/// are keyed into and the `-` before the day stays the first separator.
pub fn is_prefix(prefix: &str) -> bool {
    (1..=MAX_PREFIX_LENGTH).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether a rule may pad the day's counter to `width` digits: 1 to [`MAX_COUNTER_WIDTH`].
pub fn is_counter_width(width: i32) -> bool {
    (1..=MAX_COUNTER_WIDTH).contains(&width)
}

impl DocumentType {
    /// The prefix when no rule says otherwise: `QT` for quotes, `SO` for orders.
    pub fn default_prefix(self) -> &'static str {
        match self {
            DocumentType::Quote => "QT",
            DocumentType::Order => "SO",
        }
    }
}

/// A document number: the prefix, the business day, and the day's counter padded to
/// `width` digits, e.g. `SO-20261201-0001`. A counter wider than `width` is written in
/// full, so numbers stay unique past 9999 a day.
pub fn document_number(prefix: &str, day: NaiveDate, counter: u32, width: usize) -> String {
    format!("{prefix}-{}-{counter:0width$}", day.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_carry_the_prefix_the_day_and_a_padded_counter() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("a date");
        assert_eq!(document_number("SO", day(1), 1, 4), "SO-20261201-0001");
        assert_eq!(document_number("QT", day(31), 42, 4), "QT-20261231-0042");
        assert_eq!(document_number("SO", day(1), 12345, 4), "SO-20261201-12345");
        assert_eq!(DocumentType::Order.default_prefix(), "SO");
        assert_eq!(DocumentType::Quote.default_prefix(), "QT");
    }

    #[test]
    fn prefixes_are_uppercase_letters_and_digits_and_widths_stay_in_bounds() {
        for good in ["SO", "QT", "Q", "HT2026", "ABCDEFGHIJKLMNOP"] {
            assert!(is_prefix(good), "{good}");
        }
        for bad in ["", "so", "S-O", "S_O", "S O", " SO", "报价", "ABCDEFGHIJKLMNOPQ", "ÄB"] {
            assert!(!is_prefix(bad), "{bad}");
        }
        assert!(DocumentType::ALL.iter().all(|t| is_prefix(t.default_prefix())));
        assert!(is_counter_width(1) && is_counter_width(MAX_COUNTER_WIDTH) && is_counter_width(DEFAULT_COUNTER_WIDTH));
        assert!(!is_counter_width(0) && !is_counter_width(MAX_COUNTER_WIDTH + 1) && !is_counter_width(-1));
    }
}
