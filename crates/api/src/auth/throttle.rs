//! Login throttling: every attempt is counted, atomically, before its password
//! is checked, under three keys at once:
//! - the (email, client address) pair, at the configured limit: one client
//!   guessing one user's password;
//! - the email, at [`EMAIL_FACTOR`] times the limit: many clients guessing one
//!   user's password, with a ceiling high enough that one attacker cannot
//!   lock a user out cheaply;
//! - the client address, at [`ADDRESS_FACTOR`] times the limit: one client
//!   trying many emails (credential stuffing).
//!
//! A key that reaches its limit is locked for the lockout; its attempts count
//! within a [`WINDOW_MINUTES`] window. A successful login forgets the pair
//! and the email and gives the address its attempt back.

use crate::app::AppError;
use crate::auth::handlers::hash_token;
use crate::error::ApiError;
use chrono::{Duration, NaiveDateTime};
use salesops_persistence::tokens::{self, Attempt, ThrottleLimits};
use salesops_persistence::DbConnection;

/// Attempts count within this window.
const WINDOW_MINUTES: i64 = 15;
/// The per-email ceiling, as a multiple of the per-(email, address) limit.
pub const EMAIL_FACTOR: i32 = 4;
/// The per-address ceiling, as a multiple of the per-(email, address) limit.
pub const ADDRESS_FACTOR: i32 = 10;

/// The policy in force.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Attempts allowed per (email, client address) in a window before locking.
    pub max_failures: i32,
    /// How long a lock lasts.
    pub lockout: Duration,
}

/// The keys one login attempt counts under, each with its limit, the most
/// specific first. A key is its kind and the SHA-256 of what it names, so it
/// fits the column whatever the email's length.
fn keys(email: &str, address: &str, policy: ThrottlePolicy) -> [(String, i32); 3] {
    let max = policy.max_failures.max(1);
    let key = |kind: &str, named: &str| format!("{kind}:{}", hash_token(named));
    [
        (key("email+address", &format!("{email}|{address}")), max),
        (key("email", email), max.saturating_mul(EMAIL_FACTOR)),
        (key("address", address), max.saturating_mul(ADDRESS_FACTOR)),
    ]
}

/// Count this attempt under every key, most specific first, or refuse with 429
/// (and the seconds until the lock ends) at the first key that is locked,
/// counting it under no broader key: a client that has locked its own pair
/// cannot go on to use up the user's per-email ceiling. Each count commits
/// on its own, so a refused or failed login still counts.
pub fn reserve(
    conn: &mut DbConnection,
    email: &str,
    address: &str,
    now: NaiveDateTime,
    policy: ThrottlePolicy,
) -> Result<(), ApiError> {
    let limits = |max_attempts| ThrottleLimits {
        max_attempts,
        window_start: now - Duration::minutes(WINDOW_MINUTES),
        lock_until: now + policy.lockout,
    };
    for (key, max) in keys(email, address, policy) {
        if let Attempt::LockedUntil(until) =
            tokens::reserve_attempt(conn, &key, now, limits(max)).map_err(AppError::from)?
        {
            let secs = (until - now).num_seconds().max(1);
            return Err(ApiError::RateLimited(u64::try_from(secs).unwrap_or(1)));
        }
    }
    Ok(())
}

/// After a successful login: forget the pair and the email, and give the
/// address its attempt back (it is throttled on failures).
pub fn succeeded(conn: &mut DbConnection, email: &str, address: &str, policy: ThrottlePolicy) -> Result<(), AppError> {
    let [(pair_key, _), (email_key, _), (address_key, _)] = keys(email, address, policy);
    tokens::refund_attempt(conn, &address_key)?;
    tokens::clear_throttle(conn, &email_key)?;
    tokens::clear_throttle(conn, &pair_key)?;
    Ok(())
}

/// The client's address: the peer's, or, when the peer is one of the
/// `trusted` proxies, the last address it appended to `X-Forwarded-For`.
/// `unknown` when neither is known (as in in-process tests).
pub fn client_address(req: &actix_web::HttpRequest, trusted: &[std::net::IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let forwarded = || {
        req.headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .last()
            .and_then(|a| a.parse::<std::net::IpAddr>().ok())
    };
    match peer {
        Some(ip) if trusted.contains(&ip) => forwarded().unwrap_or(ip).to_string(),
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let proxy: std::net::IpAddr = "10.0.0.9".parse().expect("ip");
        let via_proxy = TestRequest::default()
            .peer_addr("10.0.0.9:4000".parse().expect("addr"))
            .insert_header(("x-forwarded-for", "203.0.113.7, 198.51.100.2"))
            .to_http_request();
        assert_eq!(client_address(&via_proxy, &[proxy]), "198.51.100.2", "the address the proxy appended");
        assert_eq!(client_address(&via_proxy, &[]), "10.0.0.9", "an untrusted peer's header is ignored");
        let direct = TestRequest::default()
            .peer_addr("192.0.2.1:5000".parse().expect("addr"))
            .insert_header(("x-forwarded-for", "203.0.113.7"))
            .to_http_request();
        assert_eq!(client_address(&direct, &[proxy]), "192.0.2.1");
        assert_eq!(client_address(&TestRequest::default().to_http_request(), &[proxy]), "unknown");
    }

    #[test]
    fn the_pair_has_the_limit_and_the_email_and_address_higher_ceilings() {
        let policy = ThrottlePolicy { max_failures: 5, lockout: Duration::seconds(300) };
        let keys = keys("a@b.c", "10.0.0.1", policy);
        assert_eq!(keys[0], (format!("email+address:{}", hash_token("a@b.c|10.0.0.1")), 5));
        assert_eq!(keys[1], (format!("email:{}", hash_token("a@b.c")), 20));
        assert_eq!(keys[2], (format!("address:{}", hash_token("10.0.0.1")), 50));
        let long = "x".repeat(254);
        assert!(super::keys(&long, &long, policy).iter().all(|(k, _)| k.len() <= 80), "keys fit the column");
    }
}
