//! The time as stored: UTC, without zone, truncated to microseconds so both databases hold the same value.

use chrono::{NaiveDateTime, SubsecRound, Utc};

/// Now, in UTC, at microsecond precision.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}
