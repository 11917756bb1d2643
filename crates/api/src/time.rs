//! Converting between stored UTC timestamps and the API's RFC 3339 ones.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// A stored timestamp as UTC.
pub fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// An API timestamp as stored: UTC, microsecond precision.
pub fn to_stored(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}
