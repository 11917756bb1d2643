//! Sales targets (业绩目标) and the periods that targets, attainment and commission plans
//! are measured over: a month, a quarter or a year, named `2027-01`, `2027-Q1` or `2027`.
//!
//! A target holds twelve monthly amounts; a quarter's or the year's target is the sum of
//! its months. Attainment is actual ÷ target in basis points.

use crate::text_enum;
use chrono::NaiveDate;
use std::ops::RangeInclusive;

text_enum! {
    /// What a target (and a commission plan's basis) measures.
    Metric {
        /// Active orders, by booking date (`booked_at`), at their total.
        Booking => "booking",
        /// Confirmed payments, by confirmation day (`confirmed_on`), net of refunds.
        Collection => "collection",
    }
}

text_enum! {
    /// Whom a target is for.
    SubjectType {
        /// The whole company (no id).
        Company => "company",
        /// A department and its whole subtree.
        Department => "department",
        /// One user.
        User => "user",
    }
}

text_enum! {
    /// The length of a measuring period.
    PeriodKind {
        /// A calendar month: `2027-01`.
        Month => "month",
        /// A calendar quarter: `2027-Q1`.
        Quarter => "quarter",
        /// A calendar year: `2027`.
        Year => "year",
    }
}

/// The years a target may be set for.
pub const YEARS: RangeInclusive<i32> = 2000..=2999;

/// A month, quarter or year of one calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlanPeriod {
    /// The calendar year.
    pub year: i32,
    /// The first month in it (1–12).
    pub first_month: u32,
    /// The last month in it (1–12).
    pub last_month: u32,
}

/// Why a period name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodNameError {
    /// Not `YYYY-MM`, `YYYY-Qn` or `YYYY`.
    #[error("`{0}` is not a period: write 2027-01, 2027-Q1 or 2027")]
    Malformed(String),
    /// A well-formed period of another length than the plan's.
    #[error("`{given}` is not a {expected} period")]
    WrongKind {
        /// What was given.
        given: String,
        /// The plan's period length.
        expected: PeriodKind,
    },
}

impl PlanPeriod {
    /// Parse `2027-01`, `2027-Q1` or `2027`.
    pub fn parse(name: &str) -> Result<PlanPeriod, PeriodNameError> {
        let malformed = || PeriodNameError::Malformed(name.to_owned());
        let (year, rest) = match name.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (name, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let year: i32 = year.parse().map_err(|_| malformed())?;
        if !YEARS.contains(&year) {
            return Err(malformed());
        }
        let (first_month, last_month) = match rest {
            None => (1, 12),
            Some(q) if q.len() == 2 && q.starts_with('Q') => match q[1..].parse::<u32>() {
                Ok(n @ 1..=4) => (n * 3 - 2, n * 3),
                _ => return Err(malformed()),
            },
            Some(m) if m.len() == 2 && m.bytes().all(|b| b.is_ascii_digit()) => match m.parse::<u32>() {
                Ok(n @ 1..=12) => (n, n),
                _ => return Err(malformed()),
            },
            Some(_) => return Err(malformed()),
        };
        Ok(PlanPeriod { year, first_month, last_month })
    }

    /// Parse `name` and require it to be a period of length `kind`.
    pub fn parse_as(name: &str, kind: PeriodKind) -> Result<PlanPeriod, PeriodNameError> {
        let period = PlanPeriod::parse(name)?;
        if period.kind() == kind {
            Ok(period)
        } else {
            Err(PeriodNameError::WrongKind { given: name.to_owned(), expected: kind })
        }
    }

    /// The period of length `kind` that `day` falls in.
    pub fn containing(day: NaiveDate, kind: PeriodKind) -> PlanPeriod {
        use chrono::Datelike;
        let (year, month) = (day.year(), day.month());
        let (first_month, last_month) = match kind {
            PeriodKind::Month => (month, month),
            PeriodKind::Quarter => ((month - 1) / 3 * 3 + 1, (month - 1) / 3 * 3 + 3),
            PeriodKind::Year => (1, 12),
        };
        PlanPeriod { year, first_month, last_month }
    }

    /// Whether it is a month, a quarter or a year.
    pub fn kind(&self) -> PeriodKind {
        match self.last_month - self.first_month {
            0 => PeriodKind::Month,
            2 => PeriodKind::Quarter,
            _ => PeriodKind::Year,
        }
    }

    /// Its months, 1–12.
    pub fn months(&self) -> RangeInclusive<u32> {
        self.first_month..=self.last_month
    }

    /// Its first day.
    pub fn start(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.first_month, 1).expect("a period's first day exists")
    }

    /// Its last day.
    pub fn end(&self) -> NaiveDate {
        let (year, month) = if self.last_month == 12 { (self.year + 1, 1) } else { (self.year, self.last_month + 1) };
        NaiveDate::from_ymd_opt(year, month, 1).and_then(|d| d.pred_opt()).expect("a period's last day exists")
    }

    /// The period of the same length just before it (possibly in the year before).
    pub fn previous(&self) -> PlanPeriod {
        PlanPeriod::containing(self.start().pred_opt().expect("a period has a day before it"), self.kind())
    }

    /// The same period a year earlier.
    pub fn year_before(&self) -> PlanPeriod {
        PlanPeriod { year: self.year - 1, ..*self }
    }
}

impl std::fmt::Display for PlanPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind() {
            PeriodKind::Month => write!(f, "{}-{:02}", self.year, self.first_month),
            PeriodKind::Quarter => write!(f, "{}-Q{}", self.year, self.last_month / 3),
            PeriodKind::Year => write!(f, "{}", self.year),
        }
    }
}

/// The sum of `months` (twelve amounts, January first) over `period`'s months.
pub fn period_amount(months: &[i64; 12], period: &PlanPeriod) -> i64 {
    period.months().map(|m| months[(m - 1) as usize]).sum()
}

/// `actual` ÷ `target` in basis points, rounded half away from zero; `None` when the
/// target is not above 0.
pub fn attainment_bps(actual: i64, target: i64) -> Option<i64> {
    (target > 0).then(|| {
        let bps = crate::money::div_round(i128::from(actual) * 10_000, i128::from(target));
        i64::try_from(bps).unwrap_or(i64::MAX)
    })
}

/// How many monthly amounts a target has: January to December.
pub const MONTHS: usize = 12;

/// A target's twelve monthly amounts (January first), with the quarters and the year
/// that are their sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthlyAmounts(pub [i64; MONTHS]);

impl MonthlyAmounts {
    /// The twelve amounts of `amounts`; `None` unless there are exactly twelve.
    pub fn from_slice(amounts: &[i64]) -> Option<MonthlyAmounts> {
        amounts.try_into().ok().map(MonthlyAmounts)
    }

    /// The sum over `period`'s months (see [`period_amount`]).
    pub fn over(&self, period: &PlanPeriod) -> i64 {
        period_amount(&self.0, period)
    }

    /// The four quarters' sums, Q1 first.
    pub fn quarters(&self) -> [i64; 4] {
        std::array::from_fn(|q| self.0[q * 3..q * 3 + 3].iter().sum())
    }

    /// The year's sum.
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }

    /// Month by month, these amounts less `allocated` (what the children were given): the
    /// unallocated part, negative where the children were given more.
    pub fn unallocated(&self, allocated: &MonthlyAmounts) -> MonthlyAmounts {
        MonthlyAmounts(std::array::from_fn(|m| self.0[m] - allocated.0[m]))
    }

    /// These amounts and `other`'s, month by month.
    pub fn plus(&self, other: &MonthlyAmounts) -> MonthlyAmounts {
        MonthlyAmounts(std::array::from_fn(|m| self.0[m] + other.0[m]))
    }
}

/// The growth from `before` to `now` in basis points of `before`, rounded half away from
/// zero: 12000 actual against 10000 a year earlier is +2000 (20%). `None` when `before`
/// is 0, where growth has no ratio; a negative `before` (more refunded than collected)
/// is measured by its size, so that a rise is still positive.
pub fn growth_bps(now: i64, before: i64) -> Option<i64> {
    (before != 0).then(|| {
        let bps = crate::money::div_round((i128::from(now) - i128::from(before)) * 10_000, i128::from(before).abs());
        i64::try_from(bps).unwrap_or(if bps > 0 { i64::MAX } else { i64::MIN })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_parse_and_print_back() {
        for name in ["2027-01", "2027-12", "2027-Q1", "2027-Q4", "2027"] {
            assert_eq!(PlanPeriod::parse(name).unwrap().to_string(), name);
        }
        let q2 = PlanPeriod::parse("2027-Q2").unwrap();
        assert_eq!((q2.start(), q2.end(), q2.kind()), (day(2027, 4, 1), day(2027, 6, 30), PeriodKind::Quarter));
        assert_eq!(PlanPeriod::parse("2028-02").unwrap().end(), day(2028, 2, 29));
        assert_eq!(PlanPeriod::parse("2027").unwrap().end(), day(2027, 12, 31));
    }

    #[test]
    fn malformed_periods_are_refused() {
        for name in
            ["", "27", "2027-1", "2027-13", "2027-00", "2027-Q0", "2027-Q5", "2027-q1", "2027-01-01", "１２３４"]
        {
            assert!(matches!(PlanPeriod::parse(name), Err(PeriodNameError::Malformed(_))), "{name}");
        }
        assert_eq!(
            PlanPeriod::parse_as("2027-01", PeriodKind::Quarter),
            Err(PeriodNameError::WrongKind { given: "2027-01".into(), expected: PeriodKind::Quarter })
        );
    }

    #[test]
    fn previous_and_year_before_cross_year_ends() {
        let p = |s| PlanPeriod::parse(s).unwrap();
        assert_eq!(p("2027-01").previous(), p("2026-12"));
        assert_eq!(p("2027-Q1").previous(), p("2026-Q4"));
        assert_eq!(p("2027").previous(), p("2026"));
        assert_eq!(p("2027-Q3").year_before(), p("2026-Q3"));
        assert_eq!(PlanPeriod::containing(day(2027, 8, 15), PeriodKind::Quarter), p("2027-Q3"));
    }

    #[test]
    fn quarters_and_years_sum_their_months() {
        let months = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        assert_eq!(period_amount(&months, &PlanPeriod::parse("2027-Q2").unwrap()), 15);
        assert_eq!(period_amount(&months, &PlanPeriod::parse("2027").unwrap()), 78);
        assert_eq!(period_amount(&months, &PlanPeriod::parse("2027-12").unwrap()), 12);
    }

    #[test]
    fn attainment_rounds_half_away_from_zero_and_needs_a_target() {
        assert_eq!(attainment_bps(1, 3), Some(3333));
        assert_eq!(attainment_bps(2, 3), Some(6667));
        assert_eq!(attainment_bps(150, 100), Some(15_000));
        assert_eq!(attainment_bps(5, 0), None);
    }

    #[test]
    fn monthly_amounts_sum_into_quarters_and_a_year() {
        let months = MonthlyAmounts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(months.quarters(), [6, 15, 24, 33]);
        assert_eq!(months.total(), 78);
        assert_eq!(months.over(&PlanPeriod::parse("2027-Q4").unwrap()), 33);
        assert_eq!(MonthlyAmounts::from_slice(&[1; 11]), None);
        assert_eq!(MonthlyAmounts::from_slice(&[1; 12]), Some(MonthlyAmounts([1; 12])));
    }

    #[test]
    fn unallocated_goes_negative_when_children_are_given_more() {
        let parent = MonthlyAmounts([100; 12]);
        let children = MonthlyAmounts([60; 12]).plus(&MonthlyAmounts([0, 70, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40]));
        let left = parent.unallocated(&children);
        assert_eq!(left.0[0], 40);
        assert_eq!(left.0[1], -30);
        assert_eq!(left.0[11], 0);
    }

    #[test]
    fn growth_is_relative_to_the_earlier_figure_and_needs_one() {
        assert_eq!(growth_bps(12_000, 10_000), Some(2_000));
        assert_eq!(growth_bps(5_000, 10_000), Some(-5_000));
        assert_eq!(growth_bps(1, 3), Some(-6_667));
        assert_eq!(growth_bps(0, -100), Some(10_000));
        assert_eq!(growth_bps(100, 0), None);
    }
}
