//! Converting between stored UTC timestamps and the API's RFC 3339 ones, and
//! placing an instant on the business calendar.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use chrono_tz::Tz;

/// A stored timestamp as UTC.
pub fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// An API timestamp as stored: UTC, microsecond precision.
pub fn to_stored(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

/// The calendar day `at` falls on in `zone`: the business day of `SALESOPS_BUSINESS_TIME_ZONE`.
pub fn business_day(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_business_day_is_the_date_in_the_business_time_zone() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("a timestamp");
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("a date");
        // 00:30 in Shanghai is still the day before in UTC and in Berlin.
        assert_eq!(business_day(at("2026-12-05T16:30:00Z"), chrono_tz::Asia::Shanghai), day(6));
        assert_eq!(business_day(at("2026-12-05T16:30:00Z"), chrono_tz::UTC), day(5));
        assert_eq!(business_day(at("2026-12-05T16:30:00Z"), chrono_tz::Europe::Berlin), day(5));
        assert_eq!(business_day(at("2026-12-05T15:59:59Z"), chrono_tz::Asia::Shanghai), day(5));
    }
}
