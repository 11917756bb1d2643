//! Failed-login throttling per email: after too many failures in a window, refuse with 429 for a while.

use crate::error::ApiError;
use chrono::{Duration, NaiveDateTime};
use salesops_persistence::tokens::{self, LoginThrottleRow};
use salesops_persistence::DbConnection;

/// Failures count within this window.
const WINDOW_MINUTES: i64 = 15;

/// The policy in force.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures allowed in a window before locking.
    pub max_failures: i32,
    /// How long a lock lasts.
    pub lockout: Duration,
}

/// Refuse with 429 while the email is locked.
pub fn ensure_not_locked(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    if let Some(row) = tokens::find_throttle(conn, email)? {
        if let Some(until) = row.locked_until.filter(|u| *u > now) {
            let secs = (until - now).num_seconds().max(1);
            return Err(ApiError::RateLimited(u64::try_from(secs).unwrap_or(1)));
        }
    }
    Ok(())
}

/// Count a failure; lock the email once the window's failures reach the limit.
pub fn record_failure(
    conn: &mut DbConnection,
    email: &str,
    now: NaiveDateTime,
    policy: ThrottlePolicy,
) -> Result<(), ApiError> {
    let previous = tokens::find_throttle(conn, email)?;
    let row = next_state(previous, email, now, policy);
    tokens::save_throttle(conn, &row)?;
    Ok(())
}

fn next_state(
    previous: Option<LoginThrottleRow>,
    email: &str,
    now: NaiveDateTime,
    policy: ThrottlePolicy,
) -> LoginThrottleRow {
    let fresh = LoginThrottleRow { email: email.to_owned(), failures: 0, window_started_at: now, locked_until: None };
    let mut row = match previous {
        Some(r)
            if now - r.window_started_at < Duration::minutes(WINDOW_MINUTES)
                && r.locked_until.is_none_or(|u| u > now) =>
        {
            r
        }
        _ => fresh,
    };
    row.failures += 1;
    if row.failures >= policy.max_failures {
        row.locked_until = Some(now + policy.lockout);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_th_failure_locks_and_an_expired_lock_starts_over() {
        let policy = ThrottlePolicy { max_failures: 3, lockout: Duration::seconds(60) };
        let t0 = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("time").naive_utc();
        let mut state = None;
        for i in 1..=3 {
            let row = next_state(state, "a@b.c", t0, policy);
            assert_eq!(row.failures, i);
            assert_eq!(row.locked_until.is_some(), i == 3);
            state = Some(row);
        }
        let later = t0 + Duration::seconds(120);
        let row = next_state(state, "a@b.c", later, policy);
        assert_eq!(row.failures, 1);
        assert!(row.locked_until.is_none());
    }
}
