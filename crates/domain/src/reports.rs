//! Report arithmetic: reporting periods and the months or quarters in them, rates in
//! basis points, the aging buckets' boundary dates, and the funnel's "reached" counts.
//! The sums themselves are done by the database; what is here works on the handful
//! of rows it returns.

use crate::receivables::AgingBucket;
use crate::text_enum;
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use std::ops::RangeInclusive;

/// The default look-back of the forgotten-accounts report, in days.
pub const DEFAULT_FORGOTTEN_DAYS: i64 = 30;
/// The look-backs the forgotten-accounts report accepts, in days.
pub const FORGOTTEN_DAYS: RangeInclusive<i64> = 1..=3650;

/// The rank of every stage of kind `won` in the funnel: above every open stage.
pub const WON_RANK: i32 = i32::MAX;

/// An inclusive range of calendar days, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (inclusive).
    pub to: NaiveDate,
}

/// Why a period was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// `from` is after `to`.
    #[error("from ({from}) is after to ({to})")]
    Reversed {
        /// The first day asked for.
        from: NaiveDate,
        /// The last day asked for.
        to: NaiveDate,
    },
    /// A bound so far out that the day after it does not exist.
    #[error("the period is out of range")]
    OutOfRange,
}

/// The first and last day of the calendar quarter `date` falls in.
pub fn quarter_of(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_month = (date.month0() / 3) * 3 + 1;
    let start = NaiveDate::from_ymd_opt(date.year(), first_month, 1).unwrap_or(date);
    let end = start.checked_add_months(Months::new(3)).and_then(|d| d.pred_opt()).unwrap_or(date);
    (start, end)
}

impl Period {
    /// The period a report covers.
    ///
    /// With neither bound, the calendar quarter of `today`. With only `from`,
    /// up to the end of `from`'s quarter; with only `to`, from the start of
    /// `to`'s quarter. A `from` after `to` is refused.
    pub fn resolve(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> Result<Period, PeriodError> {
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) => (f, t),
            (Some(f), None) => (f, quarter_of(f).1),
            (None, Some(t)) => (quarter_of(t).0, t),
            (None, None) => quarter_of(today),
        };
        if from > to {
            return Err(PeriodError::Reversed { from, to });
        }
        if to.succ_opt().is_none() {
            return Err(PeriodError::OutOfRange);
        }
        Ok(Period { from, to })
    }

    /// The first instant of the period: `from` at midnight UTC.
    pub fn starts_at(&self) -> NaiveDateTime {
        self.from.and_time(NaiveTime::MIN)
    }

    /// The first instant after the period: the day after `to`, at midnight UTC.
    pub fn ends_before(&self) -> NaiveDateTime {
        self.to.succ_opt().unwrap_or(self.to).and_time(NaiveTime::MIN)
    }

    /// How many days the period has, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

text_enum! {
    /// How a report cuts its period into rows.
    ReportInterval {
        /// Calendar months.
        Month => "month",
        /// Calendar quarters.
        Quarter => "quarter",
    }
}

/// The most months or quarters a report cuts its period into: ten years by month.
pub const MAX_REPORT_INTERVALS: usize = 120;

impl ReportInterval {
    /// The first day of the month or quarter `day` falls in.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            ReportInterval::Month => day.with_day(1).unwrap_or(day),
            ReportInterval::Quarter => quarter_of(day).0,
        }
    }

    /// The first day of every month or quarter `period` touches, in order; `None`
    /// when there are more than [`MAX_REPORT_INTERVALS`].
    pub fn starts(self, period: &Period) -> Option<Vec<NaiveDate>> {
        let step = Months::new(match self {
            ReportInterval::Month => 1,
            ReportInterval::Quarter => 3,
        });
        let mut starts = Vec::new();
        let mut start = Some(self.start_of(period.from));
        while let Some(s) = start.filter(|s| *s <= period.to) {
            if starts.len() == MAX_REPORT_INTERVALS {
                return None;
            }
            starts.push(s);
            start = s.checked_add_months(step);
        }
        Some(starts)
    }
}

/// The earliest due date of `bucket` on `today`: an amount due on or after it, and
/// before the floor of the bucket above, is in `bucket` (see
/// [`crate::receivables::bucket`]). `None` for `over_90`, which has no floor. The
/// aging report's SQL compares due dates with these, from `current` down.
pub fn aging_floor(bucket: AgingBucket, today: NaiveDate) -> Option<NaiveDate> {
    let days_back = match bucket {
        AgingBucket::Current => 0,
        AgingBucket::Days1To30 => 30,
        AgingBucket::Days31To60 => 60,
        AgingBucket::Days61To90 => 90,
        AgingBucket::Over90 => return None,
    };
    today.checked_sub_signed(TimeDelta::days(days_back))
}

/// `part / whole` in basis points, rounded half up (as [`crate::target::attainment_bps`]); `None` when `whole` is 0.
///
/// Both counts are non-negative, so half up is also half away from zero.
pub fn rate_bps(part: i64, whole: i64) -> Option<i32> {
    crate::target::attainment_bps(part, whole).map(|bps| i32::try_from(bps).unwrap_or(i32::MAX))
}

/// Whole days from `since` to `now`, rounded down; 0 when `since` is in the future.
pub fn whole_days_between(since: NaiveDateTime, now: NaiveDateTime) -> i64 {
    (now - since).num_days().max(0)
}

/// A stage of the pipeline as the funnel sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelStageKind {
    /// An open stage, ranked by its position.
    Open {
        /// The stage's position in the pipeline.
        position: i32,
    },
    /// A stage that wins the deal: ranked above every open stage.
    Won,
    /// A stage that loses the deal: off the progression.
    Lost,
}

/// How far the funnel's cohort got, as counted by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// `(rank, opportunities)`: how many opportunities have this highest rank,
    /// where an open stage ranks by its position and a won stage by [`WON_RANK`].
    pub highest_rank: Vec<(i32, i64)>,
    /// `(stage key, opportunities)`: how many entered each lost stage (each once, at the last one it entered).
    pub entered_lost: Vec<(String, i64)>,
}

/// How many of the cohort reached each stage, in the order given.
///
/// An open stage is reached by every opportunity whose highest rank is at
/// least its position (it entered that stage or a later one; a won deal
/// reached every open stage). A won stage is reached by the won ones, and a
/// lost stage by those that entered it (each opportunity at the last lost stage it entered).
pub fn reached(stages: &[(&str, FunnelStageKind)], reach: &Reach) -> Vec<i64> {
    let at_least = |rank: i32| reach.highest_rank.iter().filter(|(r, _)| *r >= rank).map(|(_, n)| n).sum::<i64>();
    stages
        .iter()
        .map(|(key, kind)| match kind {
            FunnelStageKind::Open { position } => at_least(*position),
            FunnelStageKind::Won => at_least(WON_RANK),
            FunnelStageKind::Lost => reach.entered_lost.iter().filter(|(k, _)| k == key).map(|(_, n)| n).sum(),
        })
        .collect()
}

/// Conversion from each stage to the next one on the way to a win, in basis
/// points: reached(next) / reached(this), `None` when nothing reached this
/// stage. The next stage of an open stage is the following open stage, or
/// the first won stage after the last open one. Won and lost stages have none.
///
/// `stages` must be in pipeline order and `reached` as [`reached`] returns it.
pub fn conversions(stages: &[(&str, FunnelStageKind)], reached: &[i64]) -> Vec<Option<i32>> {
    let next_on_path = |i: usize| -> Option<usize> {
        let later = stages.iter().enumerate().skip(i + 1);
        let mut open = later.clone().filter(|(_, (_, k))| matches!(k, FunnelStageKind::Open { .. }));
        open.next().or_else(|| later.clone().find(|(_, (_, k))| *k == FunnelStageKind::Won)).map(|(j, _)| j)
    };
    stages
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| match kind {
            FunnelStageKind::Open { .. } => {
                let next = next_on_path(i)?;
                rate_bps(reached.get(next).copied().unwrap_or(0), reached.get(i).copied().unwrap_or(0))
            }
            FunnelStageKind::Won | FunnelStageKind::Lost => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn quarters_cover_whole_months() {
        assert_eq!(quarter_of(day(2026, 11, 28)), (day(2026, 10, 1), day(2026, 12, 31)));
        assert_eq!(quarter_of(day(2026, 1, 1)), (day(2026, 1, 1), day(2026, 3, 31)));
        assert_eq!(quarter_of(day(2028, 2, 29)), (day(2028, 1, 1), day(2028, 3, 31)));
        assert_eq!(quarter_of(day(2026, 6, 30)), (day(2026, 4, 1), day(2026, 6, 30)));
        assert_eq!(quarter_of(day(2026, 9, 1)), (day(2026, 7, 1), day(2026, 9, 30)));
    }

    #[test]
    fn a_period_defaults_to_the_quarter() {
        let today = day(2026, 11, 28);
        let p = Period::resolve(None, None, today).expect("valid");
        assert_eq!((p.from, p.to), (day(2026, 10, 1), day(2026, 12, 31)));
        let p = Period::resolve(Some(day(2026, 5, 3)), None, today).expect("valid");
        assert_eq!((p.from, p.to), (day(2026, 5, 3), day(2026, 6, 30)));
        let p = Period::resolve(None, Some(day(2027, 2, 1)), today).expect("valid");
        assert_eq!((p.from, p.to), (day(2027, 1, 1), day(2027, 2, 1)));
        let p = Period::resolve(Some(day(2026, 3, 3)), Some(day(2026, 3, 3)), today).expect("one day");
        assert_eq!(p.starts_at().to_string(), "2026-03-03 00:00:00");
        assert_eq!(p.ends_before().to_string(), "2026-03-04 00:00:00");
    }

    #[test]
    fn a_reversed_period_is_refused() {
        let err = Period::resolve(Some(day(2026, 3, 4)), Some(day(2026, 3, 3)), day(2026, 1, 1));
        assert!(matches!(err, Err(PeriodError::Reversed { .. })));
        assert_eq!(Period::resolve(Some(NaiveDate::MAX), None, day(2026, 1, 1)), Err(PeriodError::OutOfRange));
    }

    #[test]
    fn a_period_counts_both_of_its_ends() {
        let p = |from, to| Period { from, to };
        assert_eq!(p(day(2026, 3, 3), day(2026, 3, 3)).days(), 1);
        assert_eq!(p(day(2026, 10, 1), day(2026, 12, 31)).days(), 92);
        assert_eq!(p(day(2028, 1, 1), day(2028, 12, 31)).days(), 366);
    }

    #[test]
    fn a_period_is_cut_into_the_months_or_quarters_it_touches() {
        let period = Period { from: day(2026, 2, 15), to: day(2026, 7, 1) };
        let months = ReportInterval::Month.starts(&period).expect("a few months");
        let firsts: Vec<_> = (2..=7).map(|m| day(2026, m, 1)).collect();
        assert_eq!(months, firsts);
        let quarters = ReportInterval::Quarter.starts(&period).expect("a few quarters");
        assert_eq!(quarters, vec![day(2026, 1, 1), day(2026, 4, 1), day(2026, 7, 1)]);
        let one_day = Period { from: day(2026, 12, 31), to: day(2026, 12, 31) };
        assert_eq!(ReportInterval::Month.starts(&one_day), Some(vec![day(2026, 12, 1)]));
        assert_eq!(ReportInterval::Quarter.starts(&one_day), Some(vec![day(2026, 10, 1)]));
        assert_eq!(ReportInterval::Month.start_of(day(2028, 2, 29)), day(2028, 2, 1));
        assert_eq!(ReportInterval::Quarter.start_of(day(2026, 6, 30)), day(2026, 4, 1));
    }

    #[test]
    fn a_period_of_more_than_ten_years_of_months_is_too_long() {
        let ten_years = Period { from: day(2020, 1, 31), to: day(2029, 12, 1) };
        assert_eq!(ReportInterval::Month.starts(&ten_years).map(|s| s.len()), Some(MAX_REPORT_INTERVALS));
        let longer = Period { from: day(2020, 1, 31), to: day(2030, 1, 1) };
        assert_eq!(ReportInterval::Month.starts(&longer), None);
        assert_eq!(ReportInterval::Quarter.starts(&longer).map(|s| s.len()), Some(41));
        let everything = Period { from: NaiveDate::MIN, to: NaiveDate::MAX };
        assert_eq!(ReportInterval::Quarter.starts(&everything), None);
    }

    #[test]
    fn the_aging_floors_put_every_due_date_in_its_bucket() {
        let today = day(2026, 12, 6);
        for days_past_due in -10..=200 {
            let due = today - TimeDelta::days(days_past_due);
            let by_floor = AgingBucket::ALL
                .iter()
                .copied()
                .find(|b| aging_floor(*b, today).is_none_or(|floor| due >= floor))
                .expect("over_90 takes the rest");
            assert_eq!(by_floor, crate::receivables::bucket(due, today), "{days_past_due} days past due");
        }
        assert_eq!(aging_floor(AgingBucket::Days1To30, today), Some(day(2026, 11, 6)));
        assert_eq!(aging_floor(AgingBucket::Over90, today), None);
    }

    #[test]
    fn rates_round_half_up_and_need_a_whole() {
        assert_eq!(rate_bps(1, 3), Some(3333));
        assert_eq!(rate_bps(2, 3), Some(6667));
        assert_eq!(rate_bps(1, 8), Some(1250));
        assert_eq!(rate_bps(1, 20_000), Some(1)); // 0.5 bps rounds up
        assert_eq!(rate_bps(1, 20_001), Some(0));
        assert_eq!(rate_bps(5, 5), Some(10_000));
        assert_eq!(rate_bps(0, 5), Some(0));
        assert_eq!(rate_bps(0, 0), None);
    }

    #[test]
    fn days_since_round_down() {
        let then = day(2026, 11, 1).and_hms_opt(12, 0, 0).expect("time");
        assert_eq!(whole_days_between(then, day(2026, 11, 3).and_hms_opt(11, 59, 0).expect("time")), 1);
        assert_eq!(whole_days_between(then, day(2026, 11, 3).and_hms_opt(12, 0, 0).expect("time")), 2);
        assert_eq!(whole_days_between(then, day(2026, 10, 3).and_hms_opt(12, 0, 0).expect("time")), 0);
    }

    fn pipeline() -> Vec<(&'static str, FunnelStageKind)> {
        vec![
            ("qualification", FunnelStageKind::Open { position: 10 }),
            ("needs_analysis", FunnelStageKind::Open { position: 20 }),
            ("proposal", FunnelStageKind::Open { position: 30 }),
            ("negotiation", FunnelStageKind::Open { position: 40 }),
            ("closed_won", FunnelStageKind::Won),
            ("closed_lost", FunnelStageKind::Lost),
        ]
    }

    #[test]
    fn reaching_a_stage_means_reaching_it_or_a_later_one() {
        let reach = Reach {
            // 4 stopped in qualification, 3 got to proposal, 1 to negotiation, 2 were won.
            highest_rank: vec![(10, 4), (30, 3), (40, 1), (WON_RANK, 2)],
            entered_lost: vec![("closed_lost".into(), 3)],
        };
        let reached = reached(&pipeline(), &reach);
        assert_eq!(reached, vec![10, 6, 6, 3, 2, 3]);
        let conv = conversions(&pipeline(), &reached);
        assert_eq!(conv, vec![Some(6000), Some(10_000), Some(5000), Some(6667), None, None]);
    }

    #[test]
    fn conversion_from_an_unreached_stage_is_null() {
        let reached = reached(&pipeline(), &Reach::default());
        assert_eq!(reached, vec![0; 6]);
        assert_eq!(conversions(&pipeline(), &reached), vec![None; 6]);
    }

    #[test]
    fn the_last_open_stage_converts_to_the_first_won_stage() {
        let stages = [
            ("a", FunnelStageKind::Open { position: 1 }),
            ("lost", FunnelStageKind::Lost),
            ("won", FunnelStageKind::Won),
        ];
        let reach = Reach { highest_rank: vec![(1, 3), (WON_RANK, 1)], entered_lost: vec![] };
        let reached = reached(&stages, &reach);
        assert_eq!(reached, vec![4, 0, 1]);
        assert_eq!(conversions(&stages, &reached), vec![Some(2500), None, None]);
    }
}
