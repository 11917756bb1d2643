//! Typed settings from `SALESOPS_*` environment variables, with secrets kept out of logs.

use chrono_tz::Tz;
use salesops_persistence::SqliteSynchronous;
use std::fmt;
use std::time::Duration;

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Everything the server can be configured with. See the README for each variable.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `SALESOPS_DATABASE_URL`: `postgres://…`, `sqlite://path` or a path.
    pub database_url: String,
    /// `SALESOPS_BIND`: the listening address.
    pub bind: String,
    /// `SALESOPS_WORKERS`: HTTP worker threads; defaults to the number of cores.
    pub workers: Option<usize>,
    /// `SALESOPS_DB_POOL_SIZE`: the most database connections.
    pub pool_size: u32,
    /// `SALESOPS_DB_TIMEOUT_SECONDS`: how long to wait for a connection before answering 503.
    pub db_timeout: Duration,
    /// `SALESOPS_DB_STARTUP_WAIT_SECONDS`: how long start-up retries an unreachable database.
    pub db_startup_wait: Duration,
    /// `SALESOPS_DB_FAIL_FAST_SECONDS`: after a failed connection attempt, how long requests get 503 at once.
    pub db_fail_fast: Duration,
    /// `SALESOPS_SQLITE_SYNCHRONOUS`: `full` (the default: an acknowledged write survives an OS
    /// crash) or `normal` (faster commits; the last ones may be lost to an OS crash or power loss).
    pub sqlite_synchronous: SqliteSynchronous,
    /// `SALESOPS_AUTH_CACHE_SECONDS`: how long this replica trusts what it read about a caller
    /// (user, role, scope, token revocation) when the change was made on another replica: the
    /// revocation window. Changes made through this replica take effect at once. 0 disables the cache.
    pub auth_cache_ttl: Duration,
    /// `SALESOPS_JWT_SECRET`: the HS256 key. When unset, one is generated and stored in the database.
    pub jwt_secret: Option<Secret>,
    /// `SALESOPS_JWT_ISSUER`: the `iss` claim.
    pub jwt_issuer: String,
    /// `SALESOPS_JWT_AUDIENCE`: the `aud` claim.
    pub jwt_audience: String,
    /// `SALESOPS_ACCESS_TOKEN_TTL_SECONDS`: access-token lifetime.
    pub access_token_ttl: Duration,
    /// `SALESOPS_REFRESH_TOKEN_TTL_SECONDS`: refresh-token lifetime.
    pub refresh_token_ttl: Duration,
    /// `SALESOPS_BOOTSTRAP_ADMIN_EMAIL`: the first admin's email on an empty database.
    pub bootstrap_admin_email: Option<String>,
    /// `SALESOPS_BOOTSTRAP_ADMIN_PASSWORD`: the first admin's password.
    pub bootstrap_admin_password: Option<Secret>,
    /// `SALESOPS_MAX_BODY_BYTES`: the largest accepted request body.
    pub max_body_bytes: usize,
    /// `SALESOPS_BODY_TIMEOUT_SECONDS`: how long a client may take to send a request body before 408.
    pub body_timeout: Duration,
    /// `SALESOPS_LOGIN_MAX_FAILURES`: login attempts per (email, client address) within 15 minutes
    /// before that pair is locked; the per-email and per-address ceilings are multiples of it.
    pub login_max_failures: i32,
    /// `SALESOPS_LOGIN_LOCKOUT_SECONDS`: how long a locked email waits.
    pub login_lockout: Duration,
    /// `SALESOPS_TRUSTED_PROXIES`: proxies whose `X-Forwarded-For` names the client (comma-separated).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `SALESOPS_BASE_CURRENCY`: the ISO 4217 currency money defaults to, and reports are computed in.
    pub base_currency: String,
    /// `SALESOPS_ORDER_APPROVAL_THRESHOLD`: an order in the base currency whose total is above
    /// this many minor units needs an admin's approval; `None` sets no threshold.
    pub order_approval_threshold: Option<i64>,
    /// `SALESOPS_RECALL_INTERVAL_SECONDS`: how often the customer-pool recall job runs; 0 switches it off.
    pub recall_interval: Duration,
    /// `SALESOPS_BUSINESS_TIME_ZONE`: the IANA time zone whose calendar days are business days
    /// (document numbers count per business day; due dates fall on them).
    pub business_time_zone: Tz,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://data/salesops.db".to_owned(),
            bind: "127.0.0.1:8080".to_owned(),
            workers: None,
            pool_size: 10,
            db_timeout: Duration::from_secs(5),
            db_startup_wait: Duration::from_secs(60),
            db_fail_fast: Duration::from_secs(2),
            sqlite_synchronous: SqliteSynchronous::Full,
            auth_cache_ttl: Duration::from_secs(5),
            jwt_secret: None,
            jwt_issuer: "salesops".to_owned(),
            jwt_audience: "salesops-api".to_owned(),
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(14 * 24 * 3600),
            bootstrap_admin_email: None,
            bootstrap_admin_password: None,
            max_body_bytes: 256 * 1024,
            body_timeout: Duration::from_secs(30),
            login_max_failures: 5,
            login_lockout: Duration::from_secs(300),
            trusted_proxies: Vec::new(),
            base_currency: "CNY".to_owned(),
            order_approval_threshold: None,
            recall_interval: Duration::from_secs(3600),
            business_time_zone: chrono_tz::Asia::Shanghai,
        }
    }
}

/// A variable that is set but cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    /// The variable.
    pub name: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

/// `SALESOPS_*` values from one source, read the way the environment always has been:
/// a blank value counts as unset, and numbers are trimmed before they are parsed.
struct Vars<F>(F);

impl<F: Fn(&str) -> Option<String>> Vars<F> {
    fn text(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    fn parsed<T: std::str::FromStr>(&self, name: &'static str) -> Result<Option<T>, ConfigError>
    where
        T::Err: fmt::Display,
    {
        self.text(name)
            .map(|v| v.trim().parse::<T>().map_err(|e| ConfigError { name, problem: format!("`{v}`: {e}") }))
            .transpose()
    }

    /// An amount of minor units from 0 to the amount cap, if set.
    fn threshold(&self, name: &'static str) -> Result<Option<i64>, ConfigError> {
        let amount = self.parsed::<i64>(name)?;
        match amount {
            Some(a) if !(0..=salesops_domain::money::MAX_AMOUNT).contains(&a) => Err(ConfigError {
                name,
                problem: format!(
                    "`{a}` is not an amount of minor units from 0 to {}",
                    salesops_domain::money::MAX_AMOUNT
                ),
            }),
            _ => Ok(amount),
        }
    }

    fn secs(&self, name: &'static str, default: Duration) -> Result<Duration, ConfigError> {
        Ok(self.parsed::<u64>(name)?.map(Duration::from_secs).unwrap_or(default))
    }

    fn addresses(&self, name: &'static str) -> Result<Vec<std::net::IpAddr>, ConfigError> {
        let Some(list) = self.text(name) else { return Ok(Vec::new()) };
        list.split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| a.parse().map_err(|e| ConfigError { name, problem: format!("`{a}` is not an IP address: {e}") }))
            .collect()
    }
}

impl Settings {
    /// Read the environment over the defaults.
    pub fn from_env() -> Result<Settings, ConfigError> {
        Settings::from_vars(|name| std::env::var(name).ok())
    }

    /// Read `SALESOPS_*` values over the defaults, with `lookup` giving the raw text of a variable
    /// by name. The command line uses this, so a flag means exactly what its variable means.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let vars = Vars(lookup);
        let d = Settings::default();
        let jwt_secret = vars.text("SALESOPS_JWT_SECRET").map(Secret);
        if let Some(s) = &jwt_secret {
            if s.expose().len() < 32 {
                return Err(ConfigError {
                    name: "SALESOPS_JWT_SECRET",
                    problem: "must be at least 32 characters".into(),
                });
            }
        }
        let base_currency = vars.text("SALESOPS_BASE_CURRENCY").map(|c| c.trim().to_owned()).unwrap_or(d.base_currency);
        if !salesops_domain::money::is_currency_code(&base_currency) {
            return Err(ConfigError {
                name: "SALESOPS_BASE_CURRENCY",
                problem: format!("`{base_currency}` is not a three-letter ISO 4217 code such as CNY"),
            });
        }
        Ok(Settings {
            database_url: vars.text("SALESOPS_DATABASE_URL").unwrap_or(d.database_url),
            bind: vars.text("SALESOPS_BIND").unwrap_or(d.bind),
            workers: vars.parsed("SALESOPS_WORKERS")?,
            pool_size: vars.parsed("SALESOPS_DB_POOL_SIZE")?.unwrap_or(d.pool_size),
            db_timeout: vars.secs("SALESOPS_DB_TIMEOUT_SECONDS", d.db_timeout)?,
            db_startup_wait: vars.secs("SALESOPS_DB_STARTUP_WAIT_SECONDS", d.db_startup_wait)?,
            db_fail_fast: vars.secs("SALESOPS_DB_FAIL_FAST_SECONDS", d.db_fail_fast)?,
            sqlite_synchronous: vars.parsed("SALESOPS_SQLITE_SYNCHRONOUS")?.unwrap_or(d.sqlite_synchronous),
            auth_cache_ttl: vars.secs("SALESOPS_AUTH_CACHE_SECONDS", d.auth_cache_ttl)?,
            jwt_secret,
            jwt_issuer: vars.text("SALESOPS_JWT_ISSUER").unwrap_or(d.jwt_issuer),
            jwt_audience: vars.text("SALESOPS_JWT_AUDIENCE").unwrap_or(d.jwt_audience),
            access_token_ttl: vars.secs("SALESOPS_ACCESS_TOKEN_TTL_SECONDS", d.access_token_ttl)?,
            refresh_token_ttl: vars.secs("SALESOPS_REFRESH_TOKEN_TTL_SECONDS", d.refresh_token_ttl)?,
            bootstrap_admin_email: vars.text("SALESOPS_BOOTSTRAP_ADMIN_EMAIL"),
            bootstrap_admin_password: vars.text("SALESOPS_BOOTSTRAP_ADMIN_PASSWORD").map(Secret),
            max_body_bytes: vars.parsed("SALESOPS_MAX_BODY_BYTES")?.unwrap_or(d.max_body_bytes),
            body_timeout: vars.secs("SALESOPS_BODY_TIMEOUT_SECONDS", d.body_timeout)?,
            login_max_failures: vars.parsed("SALESOPS_LOGIN_MAX_FAILURES")?.unwrap_or(d.login_max_failures),
            login_lockout: vars.secs("SALESOPS_LOGIN_LOCKOUT_SECONDS", d.login_lockout)?,
            trusted_proxies: vars.addresses("SALESOPS_TRUSTED_PROXIES")?,
            base_currency,
            order_approval_threshold: vars.threshold("SALESOPS_ORDER_APPROVAL_THRESHOLD")?,
            recall_interval: vars.secs("SALESOPS_RECALL_INTERVAL_SECONDS", d.recall_interval)?,
            business_time_zone: vars.parsed("SALESOPS_BUSINESS_TIME_ZONE")?.unwrap_or(d.business_time_zone),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Secret, Settings};
    use std::time::Duration;

    fn from(vars: &[(&str, &str)]) -> Result<Settings, super::ConfigError> {
        Settings::from_vars(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn no_values_give_the_defaults() {
        assert_eq!(format!("{:?}", from(&[]).unwrap()), format!("{:?}", Settings::default()));
    }

    #[test]
    fn blank_values_count_as_unset_and_numbers_are_trimmed() {
        let s =
            from(&[("SALESOPS_BIND", "  "), ("SALESOPS_WORKERS", ""), ("SALESOPS_DB_TIMEOUT_SECONDS", " 7 ")]).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.workers, None);
        assert_eq!(s.db_timeout, Duration::from_secs(7));
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let e = from(&[("SALESOPS_DB_POOL_SIZE", "many")]).unwrap_err();
        assert_eq!(e.name, "SALESOPS_DB_POOL_SIZE");
        let e = from(&[("SALESOPS_JWT_SECRET", "short")]).unwrap_err();
        assert_eq!(e.name, "SALESOPS_JWT_SECRET");
        let e = from(&[("SALESOPS_BASE_CURRENCY", "euro")]).unwrap_err();
        assert_eq!(e.name, "SALESOPS_BASE_CURRENCY");
        let e = from(&[("SALESOPS_SQLITE_SYNCHRONOUS", "fast")]).unwrap_err();
        assert_eq!(e.name, "SALESOPS_SQLITE_SYNCHRONOUS");
        assert!(e.problem.contains("`full` or `normal`"), "{}", e.problem);
        let e = from(&[("SALESOPS_AUTH_CACHE_SECONDS", "-1")]).unwrap_err();
        assert_eq!(e.name, "SALESOPS_AUTH_CACHE_SECONDS");
        let e = from(&[("SALESOPS_BUSINESS_TIME_ZONE", "Mars/Olympus_Mons")]).unwrap_err();
        assert_eq!(e.name, "SALESOPS_BUSINESS_TIME_ZONE");
        assert!(e.problem.contains("Mars/Olympus_Mons"), "{}", e.problem);
    }

    #[test]
    fn the_order_approval_threshold_is_an_amount_within_the_cap_and_unset_by_default() {
        assert_eq!(Settings::default().order_approval_threshold, None);
        assert_eq!(
            from(&[("SALESOPS_ORDER_APPROVAL_THRESHOLD", " 1000000 ")]).unwrap().order_approval_threshold,
            Some(1_000_000)
        );
        for bad in ["-1", "ten", "10000000000001"] {
            let e = from(&[("SALESOPS_ORDER_APPROVAL_THRESHOLD", bad)]).unwrap_err();
            assert_eq!(e.name, "SALESOPS_ORDER_APPROVAL_THRESHOLD", "{bad}");
        }
    }

    #[test]
    fn the_business_time_zone_is_an_iana_name_shanghai_by_default() {
        assert_eq!(Settings::default().business_time_zone, chrono_tz::Asia::Shanghai);
        let s = from(&[("SALESOPS_BUSINESS_TIME_ZONE", " Europe/Berlin ")]).unwrap();
        assert_eq!(s.business_time_zone, chrono_tz::Europe::Berlin);
    }

    #[test]
    fn durability_and_the_revocation_window_are_read() {
        use salesops_persistence::SqliteSynchronous;
        assert_eq!(Settings::default().sqlite_synchronous, SqliteSynchronous::Full);
        assert_eq!(Settings::default().auth_cache_ttl, Duration::from_secs(5));
        let s = from(&[("SALESOPS_SQLITE_SYNCHRONOUS", " Normal "), ("SALESOPS_AUTH_CACHE_SECONDS", "0")]).unwrap();
        assert_eq!(s.sqlite_synchronous, SqliteSynchronous::Normal);
        assert_eq!(s.auth_cache_ttl, Duration::ZERO);
    }
}
