//! Commissions (capability 4): plan tiers, credit splits, the earnings of a period's
//! credits, and clawbacks, following DOMAIN.md's determinism rules. Pure arithmetic:
//! the app gathers the credits, targets and plans, and stores what this computes.
//!
//! A plan pays by attainment within its period: the credits to date ÷ the period's
//! target. Its tiers are bands of attainment in basis points, contiguous from 0; the
//! last may be open-ended, and a closed last band extends past its end:
//!
//! ```text
//! tier 0: [0, 8000)      rate 300   (3%)
//! tier 1: [8000, 10000)  rate 500
//! tier 2: [10000, ∞)     rate 800
//! ```
//!
//! A band's edges in money are `target × bps / 10000`, rounded half away from zero.
//!
//! - **Marginal** pays each band at its own rate: a credit that crosses band edges
//!   becomes one line per band it touches.
//! - **Flat** pays every credit at the rate of the tier the period's attainment
//!   reached with all its credits, one line per credit.
//!
//! Credits are applied in the order given (the caller sorts them by credit date, then
//! source document number). Each line earns its amount × rate_bps / 10000, rounded half
//! away from zero. Once the period's cap is reached the rest earns 0: the line that
//! reaches it is `capped`, the lines after it `cap_reached`.

use crate::money::div_round;
use crate::text_enum;

text_enum! {
    /// How a plan's tiers pay.
    TierMode {
        /// Each band of attainment at its own rate.
        Marginal => "marginal",
        /// Everything at the rate of the tier reached.
        Flat => "flat",
    }
}

text_enum! {
    /// Why a statement line earns other than amount × rate.
    LineReason {
        /// The line reached the period's cap and earns only up to it.
        Capped => "capped",
        /// The cap was reached before this line: it earns 0.
        CapReached => "cap_reached",
        /// It takes back what a paid period earned on a cancelled or refunded source.
        Clawback => "clawback",
    }
}

/// One band of attainment and what it pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tier {
    /// Where the band starts, basis points of the target.
    pub from_bps: i32,
    /// Where it ends (exclusive); `None` for an open-ended last band.
    pub to_bps: Option<i32>,
    /// What it pays, basis points of the credited amount.
    pub rate_bps: i32,
}

/// Why a plan's tiers were refused; each names the tier at fault (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TierProblem {
    /// There is no tier at all.
    #[error("a plan needs at least one tier")]
    NoTiers,
    /// A tier does not start where the one before it ends (the first at 0): a gap or an overlap.
    #[error("tier {index} must start at {expected} bps, where the tier before it ends")]
    NotContiguous {
        /// The tier.
        index: usize,
        /// Where it should start.
        expected: i32,
    },
    /// A tier ends at or before its start.
    #[error("tier {index} must end after it starts")]
    EmptyBand {
        /// The tier.
        index: usize,
    },
    /// A tier other than the last is open-ended.
    #[error("only the last tier may be open-ended")]
    OpenBeforeLast {
        /// The tier.
        index: usize,
    },
    /// A rate below 0 or above 10000 basis points.
    #[error("the rate must be from 0 to 10000 basis points")]
    RateOutOfRange {
        /// The tier.
        index: usize,
    },
}

impl TierProblem {
    /// The tier at fault, if one is.
    pub fn index(&self) -> Option<usize> {
        match *self {
            TierProblem::NoTiers => None,
            TierProblem::NotContiguous { index, .. }
            | TierProblem::EmptyBand { index }
            | TierProblem::OpenBeforeLast { index }
            | TierProblem::RateOutOfRange { index } => Some(index),
        }
    }
}

/// Check that `tiers` are contiguous from 0, each non-empty, only the last open-ended,
/// with rates of 0–10000 bps; every problem found, in tier order.
pub fn check_tiers(tiers: &[Tier]) -> Result<(), Vec<TierProblem>> {
    if tiers.is_empty() {
        return Err(vec![TierProblem::NoTiers]);
    }
    let mut problems = Vec::new();
    let mut expected = 0;
    for (index, tier) in tiers.iter().enumerate() {
        if tier.from_bps != expected {
            problems.push(TierProblem::NotContiguous { index, expected });
        }
        match tier.to_bps {
            Some(to) if to <= tier.from_bps => problems.push(TierProblem::EmptyBand { index }),
            None if index + 1 < tiers.len() => problems.push(TierProblem::OpenBeforeLast { index }),
            _ => {}
        }
        if !(0..=10_000).contains(&tier.rate_bps) {
            problems.push(TierProblem::RateOutOfRange { index });
        }
        expected = tier.to_bps.unwrap_or(expected);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Shares that do not make a whole (422 on the splits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// There is no share.
    #[error("a split needs at least one share")]
    NoShares,
    /// A share is not from 1 to 10000 basis points.
    #[error("each share must be from 1 to 10000 basis points")]
    ShareOutOfRange,
    /// The shares do not add up to 10000 basis points.
    #[error("the shares add up to {0} basis points, not 10000")]
    NotWhole(i64),
}

/// Split `amount` by `shares` (basis points adding up to 10000) with the largest
/// remainder method: each takes its share rounded down, and the minor units left go one
/// each to the largest remainders (ties to the earlier share), so the parts sum to
/// `amount` exactly. A negative amount splits as its opposite, negated.
pub fn split<Id: Clone>(amount: i64, shares: &[(Id, i32)]) -> Result<Vec<(Id, i64)>, SplitError> {
    if shares.is_empty() {
        return Err(SplitError::NoShares);
    }
    if shares.iter().any(|(_, bps)| !(1..=10_000).contains(bps)) {
        return Err(SplitError::ShareOutOfRange);
    }
    let whole: i64 = shares.iter().map(|(_, bps)| i64::from(*bps)).sum();
    if whole != 10_000 {
        return Err(SplitError::NotWhole(whole));
    }
    let magnitude = i128::from(amount).abs();
    let exact: Vec<(i128, i128)> = shares
        .iter()
        .map(|(_, bps)| {
            let product = magnitude * i128::from(*bps);
            (product / 10_000, product % 10_000)
        })
        .collect();
    let mut left = magnitude - exact.iter().map(|(base, _)| base).sum::<i128>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    let mut parts: Vec<i128> = exact.iter().map(|(base, _)| *base).collect();
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    let sign = if amount < 0 { -1 } else { 1 };
    Ok(shares
        .iter()
        .zip(parts)
        .map(|((id, _), part)| (id.clone(), i64::try_from(part * sign).unwrap_or(i64::MAX)))
        .collect())
}

/// A plan's paying rules for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules<'a> {
    /// Checked tiers (see [`check_tiers`]).
    pub tiers: &'a [Tier],
    /// Marginal or flat.
    pub mode: TierMode,
    /// The most the period may earn, in minor units.
    pub cap: Option<i64>,
}

/// A credit to pay on: its source and its amount in minor units (already split, net of refunds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit<S> {
    /// What the credit comes from (the app's source reference).
    pub source: S,
    /// Minor units, 0 or more.
    pub amount: i64,
}

/// A statement line: the part of a credit in one band, and what it earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<S> {
    /// The credit's source.
    pub source: S,
    /// The credited amount on this line.
    pub amount: i64,
    /// The tier (0-based).
    pub tier: usize,
    /// The tier's rate.
    pub rate_bps: i32,
    /// amount × rate_bps / 10000, rounded half away from zero, or less when capped.
    pub earning: i64,
    /// Why it earns other than amount × rate.
    pub reason: Option<LineReason>,
}

/// Why a period's earnings could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EarnError {
    /// The period's target is not above 0 (422 `missing_target` in the app).
    #[error("the period has no target to measure attainment against")]
    NoTarget,
    /// A credit below 0.
    #[error("a credit must not be negative")]
    NegativeCredit,
    /// The tiers are not valid (see [`check_tiers`]).
    #[error("the plan's tiers are not valid")]
    BadTiers,
}

/// Where each band starts and ends in money for `target` (the last band's end is open).
fn edges(tiers: &[Tier], target: i64) -> Vec<(i128, Option<i128>)> {
    let at = |bps: i32| div_round(i128::from(target) * i128::from(bps), 10_000);
    let last = tiers.len() - 1;
    tiers.iter().enumerate().map(|(i, t)| (at(t.from_bps), if i == last { None } else { t.to_bps.map(at) })).collect()
}

/// The tier a cumulative credited amount of `reached` falls in.
fn tier_at(edges: &[(i128, Option<i128>)], reached: i128) -> usize {
    edges.iter().position(|(_, end)| end.is_none_or(|end| reached < end)).unwrap_or(edges.len() - 1)
}

/// The statement lines of a period: `credits` in order, against `target`, under `rules`
/// (see the module docs for marginal, flat and the cap).
pub fn earn<S: Clone>(rules: Rules<'_>, target: i64, credits: &[Credit<S>]) -> Result<Vec<Line<S>>, EarnError> {
    if target <= 0 {
        return Err(EarnError::NoTarget);
    }
    if credits.iter().any(|c| c.amount < 0) {
        return Err(EarnError::NegativeCredit);
    }
    check_tiers(rules.tiers).map_err(|_| EarnError::BadTiers)?;
    let edges = edges(rules.tiers, target);
    let mut pieces: Vec<(S, i128, usize)> = Vec::new();
    match rules.mode {
        TierMode::Marginal => {
            let mut done: i128 = 0;
            for credit in credits {
                let (start, end) = (done, done + i128::from(credit.amount));
                let first = tier_at(&edges, start);
                if start == end {
                    pieces.push((credit.source.clone(), 0, first));
                }
                for (tier, (lo, hi)) in edges.iter().enumerate().skip(first) {
                    let lo = (*lo).max(start);
                    let hi = hi.map_or(end, |hi| hi.min(end));
                    if hi > lo {
                        pieces.push((credit.source.clone(), hi - lo, tier));
                    }
                    if hi >= end {
                        break;
                    }
                }
                done = end;
            }
        }
        TierMode::Flat => {
            let total: i128 = credits.iter().map(|c| i128::from(c.amount)).sum();
            let tier = tier_at(&edges, total);
            pieces.extend(credits.iter().map(|c| (c.source.clone(), i128::from(c.amount), tier)));
        }
    }
    let mut earned: i128 = 0;
    let cap = rules.cap.map(i128::from);
    Ok(pieces
        .into_iter()
        .map(|(source, amount, tier)| {
            let rate_bps = rules.tiers[tier].rate_bps;
            let full = div_round(amount * i128::from(rate_bps), 10_000);
            let (earning, reason) = match cap {
                Some(cap) if earned >= cap && full > 0 => (0, Some(LineReason::CapReached)),
                Some(cap) if earned + full > cap => (cap - earned, Some(LineReason::Capped)),
                _ => (full, None),
            };
            earned += earning;
            Line {
                source,
                amount: i64::try_from(amount).unwrap_or(i64::MAX),
                tier,
                rate_bps,
                earning: i64::try_from(earning).unwrap_or(i64::MAX),
                reason,
            }
        })
        .collect())
}

/// What a statement's lines earn in all.
pub fn total<S>(lines: &[Line<S>]) -> i64 {
    lines.iter().map(|l| l.earning).sum()
}

/// What each correction of a paid period takes back, in order. `paid` is what the
/// period's credits earned when it was paid; `corrected[i]` is the period's credits with
/// corrections `0..=i` applied (a cancelled order's credit gone, a refunded payment's
/// reduced). Each amount is what the period earns before the correction less what it
/// earns after, so together they are `paid` less what the fully corrected period earns.
/// A positive amount is taken back (its clawback line earns the opposite); a negative one
/// is owed. It is nearly always positive, but a cut can raise what a period earns: each
/// line rounds on its own (target 51: 29 + 150 earns 12, 21 + 150 earns 13), and a plan's
/// rates may fall with attainment.
pub fn clawbacks<S: Clone>(
    rules: Rules<'_>,
    target: i64,
    paid: i64,
    corrected: &[Vec<Credit<S>>],
) -> Result<Vec<i64>, EarnError> {
    let mut before = paid;
    corrected
        .iter()
        .map(|credits| {
            let after = total(&earn(rules, target, credits)?);
            let amount = before - after;
            before = after;
            Ok(amount)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TIERS: [Tier; 3] = [
        Tier { from_bps: 0, to_bps: Some(8000), rate_bps: 300 },
        Tier { from_bps: 8000, to_bps: Some(10_000), rate_bps: 500 },
        Tier { from_bps: 10_000, to_bps: None, rate_bps: 800 },
    ];

    fn credit(source: &'static str, amount: i64) -> Credit<&'static str> {
        Credit { source, amount }
    }

    fn marginal(cap: Option<i64>) -> Rules<'static> {
        Rules { tiers: &TIERS, mode: TierMode::Marginal, cap }
    }

    #[test]
    fn tiers_are_contiguous_from_zero_with_only_the_last_open() {
        assert_eq!(check_tiers(&TIERS), Ok(()));
        assert_eq!(check_tiers(&[]), Err(vec![TierProblem::NoTiers]));
        let gap = [TIERS[0], Tier { from_bps: 9000, ..TIERS[1] }, TIERS[2]];
        assert_eq!(check_tiers(&gap), Err(vec![TierProblem::NotContiguous { index: 1, expected: 8000 }]));
        let late_start = [Tier { from_bps: 100, ..TIERS[0] }];
        assert_eq!(check_tiers(&late_start), Err(vec![TierProblem::NotContiguous { index: 0, expected: 0 }]));
        let open_early = [Tier { to_bps: None, ..TIERS[0] }, TIERS[1]];
        assert_eq!(check_tiers(&open_early).unwrap_err()[0], TierProblem::OpenBeforeLast { index: 0 });
        let empty = [Tier { from_bps: 0, to_bps: Some(0), rate_bps: 1 }];
        assert_eq!(check_tiers(&empty), Err(vec![TierProblem::EmptyBand { index: 0 }]));
        let rate = [Tier { rate_bps: 10_001, ..TIERS[0] }];
        assert_eq!(check_tiers(&rate), Err(vec![TierProblem::RateOutOfRange { index: 0 }]));
        assert_eq!(TierProblem::NotContiguous { index: 1, expected: 8000 }.index(), Some(1));
        assert_eq!(TierProblem::NoTiers.index(), None);
    }

    #[test]
    fn a_credit_crossing_two_tier_edges_gives_three_lines() {
        // Target 100,000.00: edges at 80,000.00 and 100,000.00. 70,000 already credited;
        // 50,000 more runs 10,000 in tier 0, 20,000 in tier 1 and 20,000 in tier 2.
        let lines = earn(marginal(None), 10_000_000, &[credit("SO-1", 7_000_000), credit("SO-2", 5_000_000)]).unwrap();
        let second: Vec<(i64, usize, i64)> =
            lines.iter().filter(|l| l.source == "SO-2").map(|l| (l.amount, l.tier, l.earning)).collect();
        assert_eq!(second, vec![(1_000_000, 0, 30_000), (2_000_000, 1, 100_000), (2_000_000, 2, 160_000)]);
        assert_eq!(total(&lines), 210_000 + 290_000);
    }

    #[test]
    fn earnings_round_half_away_from_zero_per_line() {
        // 15 × 3% = 0.45 → 0; 17 × 3% = 0.51 → 1; 50 × 1% = 0.5 → 1.
        let one = [Tier { from_bps: 0, to_bps: None, rate_bps: 300 }];
        let rules = Rules { tiers: &one, mode: TierMode::Marginal, cap: None };
        let lines = earn(rules, 1_000, &[credit("a", 15), credit("b", 17)]).unwrap();
        assert_eq!(lines.iter().map(|l| l.earning).collect::<Vec<_>>(), vec![0, 1]);
        let one_pct = [Tier { from_bps: 0, to_bps: None, rate_bps: 100 }];
        let rules = Rules { tiers: &one_pct, mode: TierMode::Marginal, cap: None };
        assert_eq!(earn(rules, 1_000, &[credit("c", 50)]).unwrap()[0].earning, 1);
    }

    #[test]
    fn a_flat_plan_pays_everything_at_the_tier_reached() {
        let rules = Rules { tiers: &TIERS, mode: TierMode::Flat, cap: None };
        // 85% of the target: every credit at tier 1's 5%, one line each.
        let lines = earn(rules, 10_000_000, &[credit("SO-1", 7_000_000), credit("SO-2", 1_500_000)]).unwrap();
        assert_eq!(lines.iter().map(|l| (l.tier, l.earning)).collect::<Vec<_>>(), vec![(1, 350_000), (1, 75_000)]);
    }

    #[test]
    fn the_cap_is_reached_mid_credit() {
        // Tier 0 at 3% on 10,000.00 earns 300.00; a cap of 200.00 cuts it, and the next credit earns 0.
        let lines =
            earn(marginal(Some(20_000)), 10_000_000, &[credit("SO-1", 1_000_000), credit("SO-2", 10_000)]).unwrap();
        assert_eq!(lines[0].earning, 20_000);
        assert_eq!(lines[0].reason, Some(LineReason::Capped));
        assert_eq!((lines[1].earning, lines[1].reason), (0, Some(LineReason::CapReached)));
    }

    #[test]
    fn a_three_way_split_of_an_odd_amount_sums_exactly() {
        // 100,001 × 33.34% = 33,340.33; × 33.33% = 33,330.33 twice: floors sum to 100,000, and the
        // one minor unit left goes to the largest remainder.
        let parts = split(100_001, &[("a", 3334), ("b", 3333), ("c", 3333)]).unwrap();
        assert_eq!(parts, vec![("a", 33_341), ("b", 33_330), ("c", 33_330)]);
        // Equal remainders: the earlier share takes the unit.
        assert_eq!(split(1, &[("a", 5000), ("b", 5000)]).unwrap(), vec![("a", 1), ("b", 0)]);
        let negative = split(-100, &[("a", 5000), ("b", 5000)]).unwrap();
        assert_eq!(negative, vec![("a", -50), ("b", -50)]);
        assert_eq!(split::<&str>(1, &[]), Err(SplitError::NoShares));
        assert_eq!(split(1, &[("a", 5000), ("b", 4000)]), Err(SplitError::NotWhole(9000)));
        assert_eq!(split(1, &[("a", 0), ("b", 10_000)]), Err(SplitError::ShareOutOfRange));
    }

    #[test]
    fn refusals_without_a_target_or_with_a_negative_credit() {
        assert_eq!(earn(marginal(None), 0, &[credit("a", 1)]), Err(EarnError::NoTarget));
        assert_eq!(earn(marginal(None), 100, &[credit("a", -1)]), Err(EarnError::NegativeCredit));
        let bad = [Tier { from_bps: 5, to_bps: None, rate_bps: 1 }];
        let rules = Rules { tiers: &bad, mode: TierMode::Flat, cap: None };
        assert_eq!(earn(rules, 100, &[credit("a", 1)]), Err(EarnError::BadTiers));
    }

    #[test]
    fn a_clawback_after_a_cancellation_takes_back_the_difference() {
        // Paid on two orders; SO-2 is cancelled after the period was paid.
        let paid =
            total(&earn(marginal(None), 10_000_000, &[credit("SO-1", 7_000_000), credit("SO-2", 5_000_000)]).unwrap());
        let recomputed = total(&earn(marginal(None), 10_000_000, &[credit("SO-1", 7_000_000)]).unwrap());
        assert_eq!((paid, recomputed), (500_000, 210_000));
        assert_eq!(clawbacks(marginal(None), 10_000_000, paid, &[vec![credit("SO-1", 7_000_000)]]), Ok(vec![290_000]));
    }

    #[test]
    fn two_corrections_take_back_one_step_each() {
        // Paid 500,000 on 70,000.00 + 50,000.00; SO-2 is refunded by half (120,000 → 95,000
        // credited: 80,000 × 3% + 15,000 × 5% = 3,150.00), then SO-1 is cancelled (25,000 at 3%).
        let after_refund = vec![credit("SO-1", 7_000_000), credit("SO-2", 2_500_000)];
        let after_cancel = vec![credit("SO-2", 2_500_000)];
        let amounts = clawbacks(marginal(None), 10_000_000, 500_000, &[after_refund, after_cancel]).unwrap();
        assert_eq!(amounts, vec![500_000 - 315_000, 315_000 - 75_000]);
    }

    fn any_credits() -> impl Strategy<Value = Vec<i64>> {
        prop::collection::vec(0..=5_000_000i64, 0..12)
    }

    fn as_credits(amounts: &[i64]) -> Vec<Credit<usize>> {
        amounts.iter().enumerate().map(|(source, amount)| Credit { source, amount: *amount }).collect()
    }

    proptest! {
        #[test]
        fn splits_sum_exactly(amount in -1_000_000_000i64..=1_000_000_000, cuts in prop::collection::vec(1..=9_999i32, 0..5)) {
            let mut edges: Vec<i32> = cuts;
            edges.sort_unstable();
            edges.dedup();
            let mut shares = Vec::new();
            let mut from = 0;
            for (i, edge) in edges.iter().chain(std::iter::once(&10_000)).enumerate() {
                shares.push((i, edge - from));
                from = *edge;
            }
            let parts = split(amount, &shares).expect("whole shares");
            prop_assert_eq!(parts.iter().map(|(_, p)| p).sum::<i64>(), amount);
            for ((_, part), (_, bps)) in parts.iter().zip(&shares) {
                let exact = i128::from(amount) * i128::from(*bps);
                prop_assert!((i128::from(*part) * 10_000 - exact).abs() < 10_000);
            }
        }

        #[test]
        fn marginal_earnings_grow_with_credits(amounts in any_credits(), more in 0..=5_000_000i64, target in 1..=20_000_000i64) {
            let before = total(&earn(marginal(None), target, &as_credits(&amounts)).unwrap());
            let mut grown = amounts.clone();
            grown.push(more);
            let after = total(&earn(marginal(None), target, &as_credits(&grown)).unwrap());
            prop_assert!(after >= before);
        }

        #[test]
        fn flat_and_marginal_agree_with_one_tier(amounts in any_credits(), rate in 0..=10_000i32, target in 1..=20_000_000i64) {
            let one = [Tier { from_bps: 0, to_bps: None, rate_bps: rate }];
            let flat = earn(Rules { tiers: &one, mode: TierMode::Flat, cap: None }, target, &as_credits(&amounts)).unwrap();
            let marginal = earn(Rules { tiers: &one, mode: TierMode::Marginal, cap: None }, target, &as_credits(&amounts)).unwrap();
            prop_assert_eq!(flat, marginal);
        }

        #[test]
        fn the_cap_is_never_exceeded(amounts in any_credits(), cap in 0..=500_000i64, target in 1..=20_000_000i64, flat in any::<bool>()) {
            let mode = if flat { TierMode::Flat } else { TierMode::Marginal };
            let lines = earn(Rules { tiers: &TIERS, mode, cap: Some(cap) }, target, &as_credits(&amounts)).unwrap();
            prop_assert!(total(&lines) <= cap);
            let uncapped = total(&earn(Rules { tiers: &TIERS, mode, cap: None }, target, &as_credits(&amounts)).unwrap());
            prop_assert_eq!(total(&lines), uncapped.min(cap));
        }

        #[test]
        fn marginal_lines_cover_each_credit_exactly(amounts in any_credits(), target in 1..=20_000_000i64) {
            let lines = earn(marginal(None), target, &as_credits(&amounts)).unwrap();
            for (source, amount) in amounts.iter().enumerate() {
                let covered: i64 = lines.iter().filter(|l| l.source == source).map(|l| l.amount).sum();
                prop_assert_eq!(covered, *amount);
            }
        }

        #[test]
        fn clawbacks_plus_the_recomputed_earnings_are_what_was_paid(amounts in any_credits(), cuts in prop::collection::vec((0usize..12, 0..=100i64), 1..4), target in 1..=20_000_000i64) {
            let rules = marginal(Some(400_000));
            let paid = total(&earn(rules, target, &as_credits(&amounts)).unwrap());
            // Each correction cuts one credit to a percentage of what is left of it.
            let mut current = amounts.clone();
            let mut corrected = Vec::new();
            for (index, percent) in cuts {
                if let Some(amount) = current.get_mut(index) {
                    *amount = *amount * percent / 100;
                }
                corrected.push(as_credits(&current));
            }
            let amounts_back = clawbacks(rules, target, paid, &corrected).unwrap();
            let recomputed = total(&earn(rules, target, corrected.last().unwrap()).unwrap());
            prop_assert_eq!(amounts_back.iter().sum::<i64>() + recomputed, paid);
        }
    }
}
