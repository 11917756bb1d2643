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
}
