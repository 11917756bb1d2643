//! Receivables (应收): payment plans (回款计划), payments (回款), refunds, aging and
//! days sales outstanding (capability 5; the orders they belong to are in
//! [`crate::order`]).
//!
//! An order's total is split into instalments, each due on its own day. A payment is
//! recorded as pending and counts once confirmed: its money settles the instalment it
//! names first, then the others, oldest due first ([`allocate`]). A refund of (part
//! of) a payment reopens the instalments that payment settled, latest due first
//! ([`release`]). An instalment's status is read from its amounts on the day:
//!
//! ```text
//! pending ──part paid──▶ partially_paid ──rest paid──▶ paid
//!    │                         │                         │
//!    └───────past due──────────┴──▶ overdue ──paid──▶ paid   (a refund reopens paid)
//!
//! payment:  pending ──confirm──▶ confirmed        (only confirmed money settles instalments)
//! balance:  outstanding = total − (collected − refunded)
//! ```
//!
//! Amounts are integer minor units within [`MAX_AMOUNT`]; the checks here work in
//! 128 bits, so they are exact whatever the stored sums are.

use crate::money::MAX_AMOUNT;
use crate::text_enum;
use chrono::NaiveDate;
use std::cmp::Reverse;
use std::collections::hash_map::{Entry, HashMap};

/// `value` in `i64`, saturated at its bounds (which sums of capped amounts never reach).
fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value > 0 { i64::MAX } else { i64::MIN })
}

text_enum! {
    /// Where an instalment of a payment plan is, read on a given day (see [`instalment_status`]).
    InstalmentStatus {
        /// Not yet due, and nothing paid on it.
        Pending => "pending",
        /// Not yet due, and partly paid.
        PartiallyPaid => "partially_paid",
        /// Paid in full.
        Paid => "paid",
        /// Past due and not paid in full, whether partly paid or not.
        Overdue => "overdue",
    }
}

/// The status of an instalment of `amount` with `paid` settled on it, due on `due_date`,
/// read on `today`: paid when `paid >= amount`; otherwise overdue once `today` is past
/// `due_date` — overdue wins over partially paid, so a partly paid instalment past its
/// due date is overdue; otherwise partially paid when something is paid, else pending.
pub fn instalment_status(amount: i64, paid: i64, due_date: NaiveDate, today: NaiveDate) -> InstalmentStatus {
    if paid >= amount {
        InstalmentStatus::Paid
    } else if today > due_date {
        InstalmentStatus::Overdue
    } else if paid > 0 {
        InstalmentStatus::PartiallyPaid
    } else {
        InstalmentStatus::Pending
    }
}

/// The most instalments a payment plan may have: ten years of monthly payments.
pub const MAX_INSTALMENTS: usize = 120;

/// An instalment of a submitted payment plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedInstalment {
    /// The day it is due.
    pub due_date: NaiveDate,
    /// How much is due, in minor units: above zero, at most [`MAX_AMOUNT`].
    pub amount: i64,
}

/// What is wrong with a submitted payment plan (422, one field error each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanProblem {
    /// No instalments, or more than [`MAX_INSTALMENTS`].
    #[error("a payment plan has from 1 to {} instalments, not {count}", MAX_INSTALMENTS)]
    Length {
        /// How many were given.
        count: usize,
    },
    /// An instalment's amount is not above zero, or above [`MAX_AMOUNT`].
    #[error("must be above zero and at most {} minor units", MAX_AMOUNT)]
    AmountOutOfRange {
        /// The instalment's 0-based index.
        index: usize,
        /// The amount given.
        amount: i64,
    },
    /// An instalment is due on the same day as an earlier one.
    #[error("{due_date} is already the due date of instalments[{first}]")]
    DuplicateDate {
        /// The later instalment's 0-based index.
        index: usize,
        /// The index of the first instalment due that day.
        first: usize,
        /// The shared due date.
        due_date: NaiveDate,
    },
    /// The instalments do not add up to the order's total.
    #[error("the instalments add up to {sum}, not the order's total of {total}")]
    SumMismatch {
        /// What the instalments add up to.
        sum: i64,
        /// The order's total.
        total: i64,
    },
}

impl PlanProblem {
    /// The JSON path of the field at fault: `instalments` for the length and the sum,
    /// `instalments[2].amount` for an amount, `instalments[3].due_date` for a repeated date.
    pub fn field(&self) -> String {
        match self {
            PlanProblem::Length { .. } | PlanProblem::SumMismatch { .. } => "instalments".to_owned(),
            PlanProblem::AmountOutOfRange { index, .. } => format!("instalments[{index}].amount"),
            PlanProblem::DuplicateDate { index, .. } => format!("instalments[{index}].due_date"),
        }
    }

    /// A stable error code for the field: `length`, `range`, `duplicate_date` or `sum_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            PlanProblem::Length { .. } => "length",
            PlanProblem::AmountOutOfRange { .. } => "range",
            PlanProblem::DuplicateDate { .. } => "duplicate_date",
            PlanProblem::SumMismatch { .. } => "sum_mismatch",
        }
    }
}

/// Check a payment plan for an order of `order_total`: from 1 to [`MAX_INSTALMENTS`]
/// instalments, each above zero and at most [`MAX_AMOUNT`], no two due the same day,
/// adding up to the total exactly. Every problem is returned: the length first, then
/// each instalment's in index order, then the sum. The sum is only checked when the
/// length and every amount are right, so a mismatch is never the echo of another problem.
pub fn check_plan(instalments: &[PlannedInstalment], order_total: i64) -> Result<(), Vec<PlanProblem>> {
    let mut problems = Vec::new();
    let count = instalments.len();
    let length_in_range = (1..=MAX_INSTALMENTS).contains(&count);
    if !length_in_range {
        problems.push(PlanProblem::Length { count });
    }
    let mut amounts_in_range = true;
    let mut first_due_on = HashMap::new();
    for (index, instalment) in instalments.iter().enumerate() {
        if !(1..=MAX_AMOUNT).contains(&instalment.amount) {
            amounts_in_range = false;
            problems.push(PlanProblem::AmountOutOfRange { index, amount: instalment.amount });
        }
        match first_due_on.entry(instalment.due_date) {
            Entry::Occupied(first) => {
                problems.push(PlanProblem::DuplicateDate { index, first: *first.get(), due_date: instalment.due_date });
            }
            Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
    }
    if length_in_range && amounts_in_range {
        // At most MAX_INSTALMENTS × MAX_AMOUNT = 1.2 × 10^15: well inside i64.
        let sum = saturate(instalments.iter().map(|i| i128::from(i.amount)).sum());
        if sum != order_total {
            problems.push(PlanProblem::SumMismatch { sum, total: order_total });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

text_enum! {
    /// Where a payment is.
    PaymentStatus {
        /// Recorded, waiting for finance to confirm the money arrived; settles nothing yet.
        Pending => "pending",
        /// The money arrived; it settles instalments and counts as collected.
        Confirmed => "confirmed",
        /// Never confirmed: its order was cancelled while it waited. Final.
        Voided => "voided",
    }
}

text_enum! {
    /// How a payment was made.
    PaymentMethod {
        /// A bank transfer (银行转账).
        BankTransfer => "bank_transfer",
        /// Cash.
        Cash => "cash",
        /// A cheque (支票).
        Check => "check",
        /// A bank card.
        Card => "card",
        /// Alipay (支付宝).
        Alipay => "alipay",
        /// WeChat Pay (微信支付).
        WechatPay => "wechat_pay",
        /// Anything else.
        Other => "other",
    }
}

/// Why a payment was refused (422 on `amount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// Zero or below.
    #[error("must be above zero")]
    NotPositive,
    /// More than the order's outstanding balance.
    #[error("must be at most {outstanding}, the order's outstanding balance")]
    ExceedsOutstanding {
        /// The order's outstanding balance, counting confirmed money only.
        outstanding: i64,
    },
    /// More than the order's outstanding balance less its payments awaiting confirmation.
    #[error("must be at most {available}: the order's outstanding balance less {pending} awaiting confirmation")]
    ExceedsAvailable {
        /// The outstanding balance less `pending`.
        available: i64,
        /// The payments recorded on the order and not yet confirmed.
        pending: i64,
    },
}

/// An order's money: its total, and the confirmed payments and refunds on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderBalance {
    /// The order's total, in minor units.
    pub total: i64,
    /// Σ confirmed payments.
    pub collected: i64,
    /// Σ refunds of those payments.
    pub refunded: i64,
}

impl OrderBalance {
    /// `collected − refunded`, exact in 128 bits.
    fn net_collected_wide(&self) -> i128 {
        i128::from(self.collected) - i128::from(self.refunded)
    }

    /// `total − (collected − refunded)`, exact in 128 bits.
    fn outstanding_wide(&self) -> i128 {
        i128::from(self.total) - self.net_collected_wide()
    }

    /// The money kept: `collected − refunded`.
    pub fn net_collected(&self) -> i64 {
        saturate(self.net_collected_wide())
    }

    /// What is still to collect: `total − net_collected`. Counts confirmed money only;
    /// see [`OrderBalance::check_payment_with_pending`] for payments awaiting confirmation.
    pub fn outstanding(&self) -> i64 {
        saturate(self.outstanding_wide())
    }

    /// A payment of `amount` must be above zero and at most [`OrderBalance::outstanding`].
    pub fn check_payment(&self, amount: i64) -> Result<(), PaymentError> {
        if amount <= 0 {
            return Err(PaymentError::NotPositive);
        }
        if i128::from(amount) > self.outstanding_wide() {
            return Err(PaymentError::ExceedsOutstanding { outstanding: self.outstanding() });
        }
        Ok(())
    }

    /// As [`OrderBalance::check_payment`], but also counting the `pending` payments
    /// (recorded, not yet confirmed) as if they were collected, as the app does when
    /// recording a payment: `amount` must be at most `outstanding − pending`
    /// ([`PaymentError::ExceedsAvailable`]; with nothing pending, this is
    /// [`OrderBalance::check_payment`] and its [`PaymentError::ExceedsOutstanding`]).
    pub fn check_payment_with_pending(&self, pending: i64, amount: i64) -> Result<(), PaymentError> {
        if pending == 0 {
            return self.check_payment(amount);
        }
        if amount <= 0 {
            return Err(PaymentError::NotPositive);
        }
        let available = self.outstanding_wide() - i128::from(pending);
        if i128::from(amount) > available {
            return Err(PaymentError::ExceedsAvailable { available: saturate(available), pending });
        }
        Ok(())
    }
}

/// Why a refund was refused (422 on `amount`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    /// Zero or below.
    #[error("must be above zero")]
    NotPositive,
    /// More than what remains of the payment after its earlier refunds.
    #[error("must be at most {remaining}, what remains of the payment after its refunds")]
    ExceedsRemaining {
        /// The payment's amount less its earlier refunds.
        remaining: i64,
    },
}

/// A refund of `amount` from a payment of `payment_amount` that already had
/// `already_refunded` refunded must be above zero and at most `payment_amount − already_refunded`.
pub fn check_refund(amount: i64, payment_amount: i64, already_refunded: i64) -> Result<(), RefundError> {
    if amount <= 0 {
        return Err(RefundError::NotPositive);
    }
    let remaining = i128::from(payment_amount) - i128::from(already_refunded);
    if i128::from(amount) > remaining {
        return Err(RefundError::ExceedsRemaining { remaining: saturate(remaining) });
    }
    Ok(())
}

/// An instalment as it stands: what is due and what confirmed money has settled on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalmentBalance<Id> {
    /// The instalment's id.
    pub id: Id,
    /// The day it is due.
    pub due_date: NaiveDate,
    /// How much is due.
    pub amount: i64,
    /// How much confirmed money (less refunds) is settled on it.
    pub paid: i64,
}

impl<Id> InstalmentBalance<Id> {
    /// What it still owes: `amount − paid`, and zero when paid in full or more.
    pub fn owed(&self) -> i64 {
        saturate((i128::from(self.amount) - i128::from(self.paid)).max(0))
    }
}

/// Spread a confirmed payment of `amount` over an order's instalments: the `named`
/// instalment first, up to what it owes, then the others oldest due first (ties in
/// input order), each up to what it owes. Returns how much goes to each instalment,
/// in that order, leaving out those that get nothing.
///
/// Whatever exceeds what all the instalments owe is left unallocated (the app prevents
/// it with [`OrderBalance::check_payment`]); a `named` id that is not among `instalments`
/// is ignored, and an `amount` of zero or below allocates nothing.
pub fn allocate<Id: Clone + PartialEq>(
    instalments: &[InstalmentBalance<Id>],
    named: Option<&Id>,
    amount: i64,
) -> Vec<(Id, i64)> {
    let first = named.and_then(|id| instalments.iter().position(|i| &i.id == id));
    let mut rest: Vec<usize> = (0..instalments.len()).filter(|index| Some(*index) != first).collect();
    rest.sort_by_key(|index| instalments[*index].due_date); // stable: ties keep input order
    let mut left = amount.max(0);
    let mut shares = Vec::new();
    for index in first.into_iter().chain(rest) {
        let share = instalments[index].owed().min(left);
        if share > 0 {
            shares.push((instalments[index].id.clone(), share));
            left -= share;
        }
    }
    shares
}

/// Take a refund of `amount` back from the instalments a payment settled, given as
/// `(instalment id, allocated, due date)`: latest due first (ties: later in the list
/// first, so allocations listed in the order they were made are undone last-made first),
/// never more than was allocated to each. Returns how much to take back from each, in
/// that order, leaving out those that give nothing back.
///
/// A refund beyond everything allocated takes back only what was allocated; an `amount`
/// of zero or below takes back nothing.
pub fn release<Id: Clone>(allocations: &[(Id, i64, NaiveDate)], amount: i64) -> Vec<(Id, i64)> {
    let mut order: Vec<usize> = (0..allocations.len()).collect();
    order.sort_by_key(|index| (Reverse(allocations[*index].2), Reverse(*index)));
    let mut left = amount.max(0);
    let mut shares = Vec::new();
    for index in order {
        let (id, allocated, _) = &allocations[index];
        let share = (*allocated).max(0).min(left);
        if share > 0 {
            shares.push((id.clone(), share));
            left -= share;
        }
    }
    shares
}

text_enum! {
    /// How long past due an unpaid amount is (账龄), for the aging report.
    AgingBucket {
        /// Not past due.
        Current => "current",
        /// 1 to 30 days past due.
        Days1To30 => "1_30",
        /// 31 to 60 days past due.
        Days31To60 => "31_60",
        /// 61 to 90 days past due.
        Days61To90 => "61_90",
        /// More than 90 days past due.
        Over90 => "over_90",
    }
}

/// The aging bucket of an amount due on `due_date`, on `today`: current while not past
/// due, else by the days past due, `today − due_date` (a day after the due date is 1).
pub fn bucket(due_date: NaiveDate, today: NaiveDate) -> AgingBucket {
    match (today - due_date).num_days() {
        ..=0 => AgingBucket::Current,
        1..=30 => AgingBucket::Days1To30,
        31..=60 => AgingBucket::Days31To60,
        61..=90 => AgingBucket::Days61To90,
        _ => AgingBucket::Over90,
    }
}

/// Days sales outstanding (应收账款周转天数) over a period of `days`: `receivables × days /
/// sales`, rounded half away from zero, in 128 bits. `None` when `sales` is zero or below
/// (nothing sold, so no turnover to measure), or when the result does not fit in `i64`.
pub fn dso(receivables: i64, sales: i64, days: i64) -> Option<i64> {
    if sales <= 0 {
        return None;
    }
    i64::try_from(crate::money::div_round(i128::from(receivables) * i128::from(days), i128::from(sales))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("a date")
    }

    fn days_after(base: NaiveDate, n: i64) -> NaiveDate {
        base + chrono::TimeDelta::days(n)
    }

    fn planned(d: u32, amount: i64) -> PlannedInstalment {
        PlannedInstalment { due_date: day(d), amount }
    }

    fn owing(id: u32, due: u32, amount: i64, paid: i64) -> InstalmentBalance<u32> {
        InstalmentBalance { id, due_date: day(due), amount, paid }
    }

    #[test]
    fn an_instalment_reads_paid_overdue_partially_paid_or_pending() {
        use InstalmentStatus as S;
        assert_eq!(instalment_status(100, 0, day(10), day(10)), S::Pending);
        assert_eq!(instalment_status(100, 40, day(10), day(10)), S::PartiallyPaid);
        assert_eq!(instalment_status(100, 100, day(10), day(10)), S::Paid);
        assert_eq!(instalment_status(100, 0, day(10), day(11)), S::Overdue);
        // Overdue wins over partially paid.
        assert_eq!(instalment_status(100, 99, day(10), day(11)), S::Overdue);
        assert_eq!(instalment_status(100, 100, day(10), day(31)), S::Paid);
        assert_eq!(instalment_status(100, 150, day(10), day(31)), S::Paid);
    }

    #[test]
    fn a_plan_that_adds_up_with_distinct_dates_is_accepted() {
        assert_eq!(check_plan(&[planned(1, 300), planned(15, 700)], 1000), Ok(()));
        assert_eq!(check_plan(&[planned(1, MAX_AMOUNT)], MAX_AMOUNT), Ok(()));
        let longest: Vec<_> = (0..MAX_INSTALMENTS as i64)
            .map(|n| PlannedInstalment { due_date: days_after(day(1), 30 * n), amount: MAX_AMOUNT })
            .collect();
        assert_eq!(check_plan(&longest, MAX_AMOUNT * MAX_INSTALMENTS as i64), Ok(()));
    }

    #[test]
    fn a_plan_with_no_instalments_or_too_many_is_refused() {
        assert_eq!(check_plan(&[], 0), Err(vec![PlanProblem::Length { count: 0 }]));
        assert_eq!(check_plan(&[], 1000), Err(vec![PlanProblem::Length { count: 0 }]));
        let too_many: Vec<_> = (0..=MAX_INSTALMENTS as i64)
            .map(|n| PlannedInstalment { due_date: days_after(day(1), n), amount: 1 })
            .collect();
        // Only the length is wrong: the sum is not checked on top of it.
        assert_eq!(check_plan(&too_many, 1), Err(vec![PlanProblem::Length { count: 121 }]));
        let problem = PlanProblem::Length { count: 121 };
        assert_eq!((problem.field(), problem.code()), ("instalments".to_owned(), "length"));
        assert_eq!(problem.to_string(), "a payment plan has from 1 to 120 instalments, not 121");
    }

    #[test]
    fn every_amount_must_be_above_zero_and_within_the_cap() {
        for amount in [0, -1, MAX_AMOUNT + 1, i64::MIN, i64::MAX] {
            let plan = [planned(1, 100), planned(2, amount), planned(3, 100)];
            let problem = PlanProblem::AmountOutOfRange { index: 1, amount };
            // The sum is not checked while an amount is wrong.
            assert_eq!(check_plan(&plan, 200), Err(vec![problem]), "{amount}");
            assert_eq!((problem.field(), problem.code()), ("instalments[1].amount".to_owned(), "range"));
            assert_eq!(problem.to_string(), "must be above zero and at most 10000000000000 minor units");
        }
    }

    #[test]
    fn two_instalments_may_not_share_a_due_date() {
        let plan = [planned(1, 100), planned(5, 100), planned(1, 100), planned(5, 100), planned(1, 100)];
        let duplicates = vec![
            PlanProblem::DuplicateDate { index: 2, first: 0, due_date: day(1) },
            PlanProblem::DuplicateDate { index: 3, first: 1, due_date: day(5) },
            PlanProblem::DuplicateDate { index: 4, first: 0, due_date: day(1) },
        ];
        assert_eq!(check_plan(&plan, 500), Err(duplicates.clone()));
        assert_eq!(duplicates[1].field(), "instalments[3].due_date");
        assert_eq!(duplicates[1].code(), "duplicate_date");
        assert_eq!(duplicates[1].to_string(), "2026-12-05 is already the due date of instalments[1]");
    }

    #[test]
    fn the_instalments_must_add_up_to_the_total() {
        let plan = [planned(1, 300), planned(15, 700)];
        for total in [999, 1001, 0, -1000] {
            assert_eq!(check_plan(&plan, total), Err(vec![PlanProblem::SumMismatch { sum: 1000, total }]));
        }
        let problem = PlanProblem::SumMismatch { sum: 1000, total: 999 };
        assert_eq!((problem.field(), problem.code()), ("instalments".to_owned(), "sum_mismatch"));
        assert_eq!(problem.to_string(), "the instalments add up to 1000, not the order's total of 999");
    }

    #[test]
    fn every_problem_is_reported_in_order() {
        let plan = [planned(1, 0), planned(1, 100)];
        assert_eq!(
            check_plan(&plan, 100),
            Err(vec![
                PlanProblem::AmountOutOfRange { index: 0, amount: 0 },
                PlanProblem::DuplicateDate { index: 1, first: 0, due_date: day(1) },
            ])
        );
        let plan = [planned(1, 100), planned(1, 100)];
        assert_eq!(
            check_plan(&plan, 100),
            Err(vec![
                PlanProblem::DuplicateDate { index: 1, first: 0, due_date: day(1) },
                PlanProblem::SumMismatch { sum: 200, total: 100 },
            ])
        );
    }

    #[test]
    fn payments_and_refunds_words() {
        assert_eq!(
            PaymentStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ["pending", "confirmed", "voided"]
        );
        assert_eq!("wechat_pay".parse(), Ok(PaymentMethod::WechatPay));
        assert_eq!("bank_transfer".parse(), Ok(PaymentMethod::BankTransfer));
        assert_eq!(PaymentMethod::ALL.len(), 7);
        assert_eq!(serde_json::to_value(AgingBucket::Days1To30).expect("json"), serde_json::json!("1_30"));
        assert_eq!("over_90".parse(), Ok(AgingBucket::Over90));
        assert_eq!(
            serde_json::from_value::<InstalmentStatus>(serde_json::json!("partially_paid")).expect("json"),
            InstalmentStatus::PartiallyPaid
        );
    }

    #[test]
    fn the_balance_is_what_was_kept_and_what_is_left() {
        let balance = OrderBalance { total: 10_000, collected: 7_000, refunded: 2_000 };
        assert_eq!(balance.net_collected(), 5_000);
        assert_eq!(balance.outstanding(), 5_000);
        assert_eq!(OrderBalance { total: 10_000, ..OrderBalance::default() }.outstanding(), 10_000);
        assert_eq!(OrderBalance { total: 100, collected: 100, refunded: 0 }.outstanding(), 0);
        let extreme = OrderBalance { total: i64::MAX, collected: i64::MIN, refunded: i64::MAX };
        assert_eq!((extreme.net_collected(), extreme.outstanding()), (i64::MIN, i64::MAX));
    }

    #[test]
    fn a_payment_is_above_zero_and_at_most_the_outstanding_balance() {
        let balance = OrderBalance { total: 10_000, collected: 7_000, refunded: 2_000 };
        assert_eq!(balance.check_payment(1), Ok(()));
        assert_eq!(balance.check_payment(5_000), Ok(()));
        assert_eq!(balance.check_payment(5_001), Err(PaymentError::ExceedsOutstanding { outstanding: 5_000 }));
        assert_eq!(balance.check_payment(i64::MAX), Err(PaymentError::ExceedsOutstanding { outstanding: 5_000 }));
        assert_eq!(balance.check_payment(0), Err(PaymentError::NotPositive));
        assert_eq!(balance.check_payment(-1), Err(PaymentError::NotPositive));
        let settled = OrderBalance { total: 100, collected: 100, refunded: 0 };
        assert_eq!(settled.check_payment(1), Err(PaymentError::ExceedsOutstanding { outstanding: 0 }));
        assert_eq!(PaymentError::NotPositive.to_string(), "must be above zero");
        assert_eq!(
            PaymentError::ExceedsOutstanding { outstanding: 5_000 }.to_string(),
            "must be at most 5000, the order's outstanding balance"
        );
    }

    #[test]
    fn a_payment_also_leaves_room_for_those_awaiting_confirmation() {
        let balance = OrderBalance { total: 10_000, collected: 7_000, refunded: 2_000 };
        assert_eq!(balance.check_payment_with_pending(3_000, 2_000), Ok(()));
        assert_eq!(
            balance.check_payment_with_pending(3_000, 2_001),
            Err(PaymentError::ExceedsAvailable { available: 2_000, pending: 3_000 })
        );
        assert_eq!(balance.check_payment_with_pending(0, 5_000), Ok(()));
        assert_eq!(
            balance.check_payment_with_pending(0, 5_001),
            Err(PaymentError::ExceedsOutstanding { outstanding: 5_000 }),
            "with nothing pending, the plain outstanding balance"
        );
        assert_eq!(
            balance.check_payment_with_pending(5_000, 1),
            Err(PaymentError::ExceedsAvailable { available: 0, pending: 5_000 })
        );
        assert_eq!(balance.check_payment_with_pending(5_000, 0), Err(PaymentError::NotPositive));
        assert_eq!(
            PaymentError::ExceedsAvailable { available: 2_000, pending: 3_000 }.to_string(),
            "must be at most 2000: the order's outstanding balance less 3000 awaiting confirmation"
        );
    }

    #[test]
    fn a_refund_is_above_zero_and_at_most_what_remains_of_the_payment() {
        assert_eq!(check_refund(400, 1_000, 600), Ok(()));
        assert_eq!(check_refund(1_000, 1_000, 0), Ok(()));
        assert_eq!(check_refund(401, 1_000, 600), Err(RefundError::ExceedsRemaining { remaining: 400 }));
        assert_eq!(check_refund(1, 1_000, 1_000), Err(RefundError::ExceedsRemaining { remaining: 0 }));
        assert_eq!(check_refund(0, 1_000, 0), Err(RefundError::NotPositive));
        assert_eq!(check_refund(-5, 1_000, 0), Err(RefundError::NotPositive));
        assert_eq!(check_refund(i64::MAX, i64::MAX, i64::MIN), Ok(()));
        assert_eq!(
            RefundError::ExceedsRemaining { remaining: 400 }.to_string(),
            "must be at most 400, what remains of the payment after its refunds"
        );
    }

    #[test]
    fn a_payment_settles_the_named_instalment_first_then_the_oldest() {
        let plan = [owing(1, 20, 1_000, 0), owing(2, 10, 1_000, 400), owing(3, 30, 1_000, 0), owing(4, 10, 500, 0)];
        // Unnamed: oldest due first, ties (2 and 4, both on the 10th) in input order.
        assert_eq!(allocate(&plan, None, 1_000), vec![(2, 600), (4, 400)]);
        assert_eq!(allocate(&plan, None, 2_500), vec![(2, 600), (4, 500), (1, 1_000), (3, 400)]);
        // Named: that one first, up to what it owes.
        assert_eq!(allocate(&plan, Some(&3), 1_500), vec![(3, 1_000), (2, 500)]);
        assert_eq!(allocate(&plan, Some(&3), 700), vec![(3, 700)]);
        // A named instalment that owes nothing gets nothing; an unknown one is ignored.
        let settled = [owing(1, 10, 1_000, 1_000), owing(2, 20, 1_000, 0)];
        assert_eq!(allocate(&settled, Some(&1), 300), vec![(2, 300)]);
        assert_eq!(allocate(&settled, Some(&9), 300), vec![(2, 300)]);
        // More than is owed: the excess is left unallocated.
        assert_eq!(allocate(&plan, None, 1_000_000), vec![(2, 600), (4, 500), (1, 1_000), (3, 1_000)]);
        assert_eq!(allocate(&plan, None, 0), vec![]);
        assert_eq!(allocate(&plan, None, -5), vec![]);
        assert_eq!(allocate::<u32>(&[], None, 100), vec![]);
        // Overpaid instalments owe nothing.
        assert_eq!(owing(1, 1, 100, 150).owed(), 0);
        assert_eq!(owing(1, 1, 100, 30).owed(), 70);
    }

    #[test]
    fn a_refund_reopens_the_latest_due_instalments_first() {
        let allocations = [(2, 600, day(10)), (4, 400, day(10)), (1, 1_000, day(20))];
        assert_eq!(release(&allocations, 300), vec![(1, 300)]);
        // By due date, not by position: the named instalment may have been settled first.
        assert_eq!(release(&[(5, 500, day(20)), (6, 500, day(10))], 700), vec![(5, 500), (6, 200)]);
        assert_eq!(release(&allocations, 1_200), vec![(1, 1_000), (4, 200)]);
        // Ties: later in the list first.
        assert_eq!(release(&allocations, 1_500), vec![(1, 1_000), (4, 400), (2, 100)]);
        // Never more than was allocated.
        assert_eq!(release(&allocations, 9_999), vec![(1, 1_000), (4, 400), (2, 600)]);
        assert_eq!(release(&allocations, 0), vec![]);
        assert_eq!(release(&allocations, -1), vec![]);
        assert_eq!(release(&[(7, 0, day(1)), (8, -5, day(2))], 100), vec![]);
    }

    #[test]
    fn aging_buckets_by_days_past_due() {
        use AgingBucket as B;
        let due = day(1);
        for (days, expected) in [
            (-30, B::Current),
            (0, B::Current),
            (1, B::Days1To30),
            (30, B::Days1To30),
            (31, B::Days31To60),
            (60, B::Days31To60),
            (61, B::Days61To90),
            (90, B::Days61To90),
            (91, B::Over90),
            (3_650, B::Over90),
        ] {
            assert_eq!(bucket(due, days_after(due, days)), expected, "{days} days");
        }
    }

    #[test]
    fn dso_rounds_half_away_from_zero_and_needs_sales() {
        assert_eq!(dso(50_000, 100_000, 90), Some(45));
        assert_eq!(dso(1, 2, 1), Some(1)); // 0.5 rounds up
        assert_eq!(dso(-1, 2, 1), Some(-1)); // -0.5 rounds away from zero
        assert_eq!(dso(1, 3, 1), Some(0));
        assert_eq!(dso(2, 3, 1), Some(1));
        assert_eq!(dso(0, 100, 365), Some(0));
        assert_eq!(dso(MAX_AMOUNT, 1, 366), Some(MAX_AMOUNT * 366));
        assert_eq!(dso(i64::MAX, 1, 2), None);
        assert_eq!(dso(100, 0, 30), None);
        assert_eq!(dso(100, -1, 30), None);
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

    /// Instalments with ids 0.., due within three months, some paid in part, in full or more.
    fn any_instalments() -> impl Strategy<Value = Vec<InstalmentBalance<usize>>> {
        prop::collection::vec((0..90i64, 1..=1_000_000i64, 0..=1_200_000i64), 0..12).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(id, (offset, amount, paid))| InstalmentBalance {
                    id,
                    due_date: days_after(day(1), offset),
                    amount,
                    paid: if paid % 3 == 0 { 0 } else { paid },
                })
                .collect()
        })
    }

    /// A split of a total into 1 to [`MAX_INSTALMENTS`] positive parts on distinct days.
    fn any_plan() -> impl Strategy<Value = Vec<PlannedInstalment>> {
        (1..=MAX_INSTALMENTS).prop_flat_map(|n| {
            let parts = prop::collection::vec(1..=MAX_AMOUNT / MAX_INSTALMENTS as i64, n);
            let days = prop::collection::hash_set(0..3_650i64, n);
            (parts, days).prop_map(|(parts, days)| {
                parts
                    .into_iter()
                    .zip(days)
                    .map(|(amount, offset)| PlannedInstalment { due_date: days_after(day(1), offset), amount })
                    .collect()
            })
        })
    }

    proptest! {
        #[test]
        fn allocation_settles_at_most_what_is_owed_and_exactly_what_it_can(
            instalments in any_instalments(),
            named in prop::option::of(0..15usize),
            amount in -10..=15_000_000i64,
        ) {
            let shares = allocate(&instalments, named.as_ref(), amount);
            let owed: i64 = instalments.iter().map(InstalmentBalance::owed).sum();
            let given: i64 = shares.iter().map(|(_, share)| share).sum();
            for (id, share) in &shares {
                prop_assert!(*share > 0 && *share <= instalments[*id].owed());
                prop_assert_eq!(shares.iter().filter(|(other, _)| other == id).count(), 1);
            }
            prop_assert!(given <= amount.max(0));
            prop_assert_eq!(given, amount.max(0).min(owed));
            let share_of = |id: usize| shares.iter().find(|(i, _)| *i == id).map_or(0, |(_, s)| *s);
            if let Some(named) = named.filter(|n| *n < instalments.len()) {
                prop_assert_eq!(share_of(named), instalments[named].owed().min(amount.max(0)));
            }
            // Oldest first: an instalment left owing means no later-due one got anything
            // (the named one aside).
            for short in instalments.iter().filter(|i| Some(i.id) != named && share_of(i.id) < i.owed()) {
                for later in instalments.iter().filter(|i| Some(i.id) != named && i.due_date > short.due_date) {
                    prop_assert_eq!(share_of(later.id), 0);
                }
            }
        }

        #[test]
        fn release_takes_back_at_most_what_was_allocated(
            allocated in prop::collection::vec((0..=1_000_000i64, 0..90i64), 0..12),
            amount in -10..=15_000_000i64,
        ) {
            let allocations: Vec<(usize, i64, NaiveDate)> = allocated
                .iter()
                .enumerate()
                .map(|(id, (a, offset))| (id, *a, days_after(day(1), *offset)))
                .collect();
            let shares = release(&allocations, amount);
            let total: i64 = allocations.iter().map(|(_, a, _)| a).sum();
            let taken: i64 = shares.iter().map(|(_, share)| share).sum();
            for (id, share) in &shares {
                prop_assert!(*share > 0 && *share <= allocations[*id].1);
                prop_assert_eq!(shares.iter().filter(|(other, _)| other == id).count(), 1);
            }
            prop_assert_eq!(taken, amount.max(0).min(total));
            // Latest first: an allocation not wholly taken back means no earlier-due one gave anything.
            let share_of = |id: usize| shares.iter().find(|(i, _)| *i == id).map_or(0, |(_, s)| *s);
            for (id, a, due) in &allocations {
                if share_of(*id) < *a {
                    for (earlier, _, _) in allocations.iter().filter(|(_, _, d)| d < due) {
                        prop_assert_eq!(share_of(*earlier), 0);
                    }
                }
            }
        }

        #[test]
        fn an_instalment_is_paid_exactly_when_its_amount_is(
            amount in -10..=MAX_AMOUNT,
            paid in -10..=MAX_AMOUNT,
            due in 0..60i64,
            today in 0..60i64,
        ) {
            let (due, today) = (days_after(day(1), due), days_after(day(1), today));
            let status = instalment_status(amount, paid, due, today);
            prop_assert_eq!(status == InstalmentStatus::Paid, paid >= amount);
            prop_assert_eq!(status == InstalmentStatus::Overdue, paid < amount && today > due);
        }

        #[test]
        fn a_plan_that_splits_the_total_is_accepted_and_one_off_by_one_is_not(
            plan in any_plan(),
            which in any::<prop::sample::Index>(),
            up in any::<bool>(),
        ) {
            let total: i64 = plan.iter().map(|i| i.amount).sum();
            prop_assert_eq!(check_plan(&plan, total), Ok(()));
            let mut changed = plan.clone();
            let index = which.index(changed.len());
            changed[index].amount += if up { 1 } else { -1 };
            let problems = check_plan(&changed, total).expect_err("refused");
            let expected = if changed[index].amount == 0 {
                PlanProblem::AmountOutOfRange { index, amount: 0 }
            } else {
                PlanProblem::SumMismatch { sum: total + if up { 1 } else { -1 }, total }
            };
            prop_assert_eq!(problems, vec![expected]);
        }

        #[test]
        fn dso_is_the_formula_rounded_half_away_from_zero(
            receivables in -MAX_AMOUNT..=MAX_AMOUNT,
            sales in 1..=MAX_AMOUNT,
            days in 1..=366i64,
        ) {
            let expected = reference_round(i128::from(receivables) * i128::from(days), i128::from(sales));
            prop_assert_eq!(dso(receivables, sales, days).map(i128::from), Some(expected));
        }
    }
}
