//! The command line: one subcommand per task, and options that mirror the `SALESOPS_*` variables.
//!
//! Each option is named after its variable (`--db-pool-size` for `SALESOPS_DB_POOL_SIZE`) and reads
//! it through clap's `env`, so a flag wins over its variable and the variable over the default. The
//! options are kept as text and handed to [`Settings::from_vars`], so a flag is read exactly as its
//! variable always has been: blank means unset, numbers are trimmed, and the same checks apply.

use clap::{Args, Parser, Subcommand};
use salesops_api::config::{ConfigError, Secret, Settings};
use std::convert::Infallible;
use std::fmt::Display;
use std::str::FromStr;
use std::time::Duration;

/// The salesops sales-management API, and its maintenance tasks.
///
/// Every option can also be set with the `SALESOPS_*` variable shown next to it; a flag wins over its
/// variable, and the variable over the default. `RUST_LOG` sets the log level (default `info`).
/// Without a subcommand, salesops prints this help and exits with status 2.
#[derive(Debug, Parser)]
#[command(name = "salesops", version, arg_required_else_help = true)]
pub struct Cli {
    /// The task to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API until SIGTERM or Ctrl-C
    ///
    /// Before listening, `serve` applies pending migrations, generates and stores a signing key when no
    /// JWT secret is set, and creates the first admin when the database has no users. It runs the
    /// customer-pool recall job. On SIGTERM it stops accepting requests and drains those in flight (10
    /// seconds at most).
    Serve(ServeArgs),
    /// Apply pending database migrations, then exit
    ///
    /// Creates the database (a SQLite file) when it does not exist yet, and prints how many migrations ran.
    Migrate(MigrateArgs),
    /// Print the OpenAPI document, as JSON, on standard output
    ///
    /// Reads no settings and opens no database. `make openapi` writes it to openapi/openapi.json.
    Openapi,
    /// Load the demo data set, then exit
    ///
    /// Prepares the database as `serve` does (migrations, signing key, first admin), then loads demo
    /// departments and users, leads, accounts with contacts, opportunities with their history, and
    /// activities. Each part is loaded only once, so running it again is harmless. Every demo user's
    /// password is `demo-password-1`.
    SeedDemo(SeedDemoArgs),
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    database: DatabaseOptions,
    #[command(flatten)]
    server: ServerOptions,
    #[command(flatten)]
    auth: AuthOptions,
    #[command(flatten)]
    money: MoneyOptions,
    #[command(flatten)]
    calendar: CalendarOptions,
}

/// Options of `migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    database: DatabaseOptions,
}

/// Options of `seed-demo`: what preparing the database and the demo data read.
#[derive(Debug, Args)]
pub struct SeedDemoArgs {
    #[command(flatten)]
    database: DatabaseOptions,
    #[command(flatten)]
    auth: AuthOptions,
    #[command(flatten)]
    money: MoneyOptions,
}

/// A setting that cannot be used, named by its option and its variable, since either may have set it.
#[derive(Debug, thiserror::Error)]
#[error("{} ({}): {}", option_for(.0.name), .0.name, .0.problem)]
pub struct InvalidSetting(pub ConfigError);

/// `--db-pool-size` for `SALESOPS_DB_POOL_SIZE`: the naming rule every option follows.
fn option_for(var: &str) -> String {
    format!("--{}", var.trim_start_matches("SALESOPS_").to_lowercase().replace('_', "-"))
}

/// A variable's name and the text its option holds.
type Var<'a> = (&'static str, Option<&'a str>);

impl ServeArgs {
    /// The settings these options describe.
    pub fn settings(&self) -> Result<Settings, InvalidSetting> {
        settings_from(self.vars())
    }

    fn vars(&self) -> Vec<Var<'_>> {
        [self.database.vars(), self.server.vars(), self.auth.vars(), self.money.vars(), self.calendar.vars()].concat()
    }
}

impl MigrateArgs {
    /// The settings these options describe; those without an option keep their defaults.
    pub fn settings(&self) -> Result<Settings, InvalidSetting> {
        settings_from(self.vars())
    }

    fn vars(&self) -> Vec<Var<'_>> {
        self.database.vars()
    }
}

impl SeedDemoArgs {
    /// The settings these options describe; those without an option keep their defaults.
    pub fn settings(&self) -> Result<Settings, InvalidSetting> {
        settings_from(self.vars())
    }

    fn vars(&self) -> Vec<Var<'_>> {
        [self.database.vars(), self.auth.vars(), self.money.vars()].concat()
    }
}

fn settings_from(vars: Vec<Var<'_>>) -> Result<Settings, InvalidSetting> {
    Settings::from_vars(|name| vars.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.map(str::to_owned)))
        .map_err(InvalidSetting)
}

/// The defaults shown in `--help` are the settings' own, so the two cannot drift apart.
fn defaults() -> Settings {
    Settings::default()
}

fn seconds(d: Duration) -> String {
    d.as_secs().to_string()
}

/// Rejects a number that the settings would refuse, so that it is a usage error naming the option.
/// The text itself is kept: [`Settings::from_vars`] reads it, blank meaning unset, as for a variable.
fn number<T: FromStr>(text: &str) -> Result<String, String>
where
    T::Err: Display,
{
    let trimmed = text.trim();
    if !trimmed.is_empty() {
        trimmed.parse::<T>().map_err(|e| e.to_string())?;
    }
    Ok(text.to_owned())
}

/// Secrets are wrapped as soon as they are parsed, so that no `Debug` output shows them.
fn secret(text: &str) -> Result<Secret, Infallible> {
    Ok(Secret::new(text))
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Database")]
struct DatabaseOptions {
    /// `postgres://…` for PostgreSQL; `sqlite://path` or a plain path for SQLite
    #[arg(long, env = "SALESOPS_DATABASE_URL", value_name = "URL", hide_env_values = true,
          default_value_t = defaults().database_url)]
    database_url: String,
    /// The most database connections this process opens
    #[arg(long, env = "SALESOPS_DB_POOL_SIZE", value_name = "N", value_parser = number::<u32>,
          default_value_t = defaults().pool_size.to_string())]
    db_pool_size: String,
    /// How long a request waits for a database connection before it is answered 503
    #[arg(long, env = "SALESOPS_DB_TIMEOUT_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().db_timeout))]
    db_timeout_seconds: String,
    /// At start, how long to keep retrying a database that is not reachable yet (with backoff)
    #[arg(long, env = "SALESOPS_DB_STARTUP_WAIT_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().db_startup_wait))]
    db_startup_wait_seconds: String,
    /// After a failed connection attempt, how long requests are answered 503 at once instead of waiting
    #[arg(long, env = "SALESOPS_DB_FAIL_FAST_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().db_fail_fast))]
    db_fail_fast_seconds: String,
    /// SQLite only: `full` syncs every commit, so an acknowledged write survives an OS crash or
    /// power loss; `normal` commits faster but may lose the last commits to one
    #[arg(long, env = "SALESOPS_SQLITE_SYNCHRONOUS", value_name = "MODE",
          value_parser = clap::builder::PossibleValuesParser::new(["full", "normal"]),
          default_value_t = defaults().sqlite_synchronous.as_str().to_owned())]
    sqlite_synchronous: String,
}

impl DatabaseOptions {
    fn vars(&self) -> Vec<Var<'_>> {
        vec![
            ("SALESOPS_DATABASE_URL", Some(self.database_url.as_str())),
            ("SALESOPS_DB_POOL_SIZE", Some(self.db_pool_size.as_str())),
            ("SALESOPS_DB_TIMEOUT_SECONDS", Some(self.db_timeout_seconds.as_str())),
            ("SALESOPS_DB_STARTUP_WAIT_SECONDS", Some(self.db_startup_wait_seconds.as_str())),
            ("SALESOPS_DB_FAIL_FAST_SECONDS", Some(self.db_fail_fast_seconds.as_str())),
            ("SALESOPS_SQLITE_SYNCHRONOUS", Some(self.sqlite_synchronous.as_str())),
        ]
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "HTTP server")]
struct ServerOptions {
    /// The address to listen on
    #[arg(long, env = "SALESOPS_BIND", value_name = "ADDRESS", default_value_t = defaults().bind)]
    bind: String,
    /// HTTP worker threads; by default one per core
    #[arg(long, env = "SALESOPS_WORKERS", value_name = "N", value_parser = number::<usize>)]
    workers: Option<String>,
    /// The largest request body accepted; a larger one is answered 413
    #[arg(long, env = "SALESOPS_MAX_BODY_BYTES", value_name = "BYTES", value_parser = number::<usize>,
          default_value_t = defaults().max_body_bytes.to_string())]
    max_body_bytes: String,
    /// How long a client may take to send a request body; a slower one is answered 408
    #[arg(long, env = "SALESOPS_BODY_TIMEOUT_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().body_timeout))]
    body_timeout_seconds: String,
    /// How often the customer-pool recall job runs, the first time at start; 0 switches it off
    #[arg(long, env = "SALESOPS_RECALL_INTERVAL_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().recall_interval))]
    recall_interval_seconds: String,
    /// Proxies whose `X-Forwarded-For` names the client (comma-separated IP addresses)
    ///
    /// Login throttling keys on the client address: the peer address, unless the peer is one of these
    /// proxies, in which case the last address the proxy appended to `X-Forwarded-For`.
    #[arg(long, env = "SALESOPS_TRUSTED_PROXIES", value_name = "ADDRESSES")]
    trusted_proxies: Option<String>,
}

impl ServerOptions {
    fn vars(&self) -> Vec<Var<'_>> {
        vec![
            ("SALESOPS_BIND", Some(self.bind.as_str())),
            ("SALESOPS_WORKERS", self.workers.as_deref()),
            ("SALESOPS_MAX_BODY_BYTES", Some(self.max_body_bytes.as_str())),
            ("SALESOPS_BODY_TIMEOUT_SECONDS", Some(self.body_timeout_seconds.as_str())),
            ("SALESOPS_RECALL_INTERVAL_SECONDS", Some(self.recall_interval_seconds.as_str())),
            ("SALESOPS_TRUSTED_PROXIES", self.trusted_proxies.as_deref()),
        ]
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Authentication")]
struct AuthOptions {
    /// The HS256 signing key, at least 32 characters; set it in production
    ///
    /// When unset, a key is generated once and stored in the database, so that replicas share it. Prefer
    /// the variable to the flag, which other users can see in the process list.
    #[arg(long, env = "SALESOPS_JWT_SECRET", value_name = "SECRET", hide_env_values = true, value_parser = secret)]
    jwt_secret: Option<Secret>,
    /// The `iss` claim of access tokens
    #[arg(long, env = "SALESOPS_JWT_ISSUER", value_name = "NAME", default_value_t = defaults().jwt_issuer)]
    jwt_issuer: String,
    /// The `aud` claim of access tokens
    #[arg(long, env = "SALESOPS_JWT_AUDIENCE", value_name = "NAME", default_value_t = defaults().jwt_audience)]
    jwt_audience: String,
    /// How long an access token lives
    #[arg(long, env = "SALESOPS_ACCESS_TOKEN_TTL_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().access_token_ttl))]
    access_token_ttl_seconds: String,
    /// How long a refresh token lives (14 days)
    #[arg(long, env = "SALESOPS_REFRESH_TOKEN_TTL_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().refresh_token_ttl))]
    refresh_token_ttl_seconds: String,
    /// Login attempts per (email, client address) within 15 minutes before locking (4× per email, 10× per address)
    #[arg(long, env = "SALESOPS_LOGIN_MAX_FAILURES", value_name = "N", value_parser = number::<i32>,
          default_value_t = defaults().login_max_failures.to_string())]
    login_max_failures: String,
    /// How long a locked email waits
    #[arg(long, env = "SALESOPS_LOGIN_LOCKOUT_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().login_lockout))]
    login_lockout_seconds: String,
    /// How long this replica trusts what it read about a caller (user, role, scope, revoked token)
    /// when the change was made on another replica; changes made through this one apply at once.
    /// 0 reads them on every request
    #[arg(long, env = "SALESOPS_AUTH_CACHE_SECONDS", value_name = "SECONDS", value_parser = number::<u64>,
          default_value_t = seconds(defaults().auth_cache_ttl))]
    auth_cache_seconds: String,
    /// The first admin's email, used only on a database with no users; by default admin@localhost
    #[arg(long, env = "SALESOPS_BOOTSTRAP_ADMIN_EMAIL", value_name = "EMAIL")]
    bootstrap_admin_email: Option<String>,
    /// The first admin's password, used only on a database with no users
    ///
    /// When unset, a password is generated and logged once. Prefer the variable to the flag, which
    /// other users can see in the process list.
    #[arg(long, env = "SALESOPS_BOOTSTRAP_ADMIN_PASSWORD", value_name = "PASSWORD", hide_env_values = true,
          value_parser = secret)]
    bootstrap_admin_password: Option<Secret>,
}

impl AuthOptions {
    fn vars(&self) -> Vec<Var<'_>> {
        vec![
            ("SALESOPS_JWT_SECRET", self.jwt_secret.as_ref().map(Secret::expose)),
            ("SALESOPS_JWT_ISSUER", Some(self.jwt_issuer.as_str())),
            ("SALESOPS_JWT_AUDIENCE", Some(self.jwt_audience.as_str())),
            ("SALESOPS_ACCESS_TOKEN_TTL_SECONDS", Some(self.access_token_ttl_seconds.as_str())),
            ("SALESOPS_REFRESH_TOKEN_TTL_SECONDS", Some(self.refresh_token_ttl_seconds.as_str())),
            ("SALESOPS_LOGIN_MAX_FAILURES", Some(self.login_max_failures.as_str())),
            ("SALESOPS_LOGIN_LOCKOUT_SECONDS", Some(self.login_lockout_seconds.as_str())),
            ("SALESOPS_AUTH_CACHE_SECONDS", Some(self.auth_cache_seconds.as_str())),
            ("SALESOPS_BOOTSTRAP_ADMIN_EMAIL", self.bootstrap_admin_email.as_deref()),
            ("SALESOPS_BOOTSTRAP_ADMIN_PASSWORD", self.bootstrap_admin_password.as_ref().map(Secret::expose)),
        ]
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Money")]
struct MoneyOptions {
    /// The ISO 4217 currency that money defaults to and reports are computed in
    #[arg(long, env = "SALESOPS_BASE_CURRENCY", value_name = "CODE", default_value_t = defaults().base_currency)]
    base_currency: String,
    /// Orders in the base currency whose total is above this many minor units need an
    /// admin's approval (none when unset)
    #[arg(long, env = "SALESOPS_ORDER_APPROVAL_THRESHOLD", value_name = "MINOR_UNITS")]
    order_approval_threshold: Option<String>,
}

impl MoneyOptions {
    fn vars(&self) -> Vec<Var<'_>> {
        vec![
            ("SALESOPS_BASE_CURRENCY", Some(self.base_currency.as_str())),
            ("SALESOPS_ORDER_APPROVAL_THRESHOLD", self.order_approval_threshold.as_deref()),
        ]
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Business calendar")]
struct CalendarOptions {
    /// The IANA time zone whose calendar days are business days, such as Asia/Shanghai or
    /// Europe/Berlin: document numbers count per business day, and due dates fall on them
    #[arg(long, env = "SALESOPS_BUSINESS_TIME_ZONE", value_name = "ZONE",
          default_value_t = defaults().business_time_zone.name().to_owned())]
    business_time_zone: String,
}

impl CalendarOptions {
    fn vars(&self) -> Vec<Var<'_>> {
        vec![("SALESOPS_BUSINESS_TIME_ZONE", Some(self.business_time_zone.as_str()))]
    }
}

#[cfg(test)]
mod tests {
    use super::{Cli, Command};
    use clap::error::ErrorKind;
    use clap::{CommandFactory, Parser};
    use salesops_api::config::Settings;
    use std::sync::{Mutex, MutexGuard, PoisonError};
    use std::time::Duration;

    const SUBCOMMANDS: [&str; 4] = ["serve", "migrate", "openapi", "seed-demo"];
    const JWT_SECRET: &str = "a-jwt-secret-of-at-least-32-characters";

    /// clap reads the environment when it builds the command, and tests run on parallel threads, so
    /// every test that parses holds this lock, with no mirrored variable set but its own.
    static ENV: Mutex<()> = Mutex::new(());

    struct Env {
        _guard: MutexGuard<'static, ()>,
    }

    impl Env {
        fn with(vars: &[(&str, &str)]) -> Env {
            let guard = ENV.lock().unwrap_or_else(PoisonError::into_inner);
            clear_mirrored_vars();
            for (name, value) in vars {
                std::env::set_var(name, value);
            }
            Env { _guard: guard }
        }
    }

    impl Drop for Env {
        fn drop(&mut self) {
            clear_mirrored_vars();
        }
    }

    fn clear_mirrored_vars() {
        for name in declared_vars(None) {
            std::env::remove_var(name);
        }
    }

    /// The variables that the options of one subcommand (or of all) declare with `env`.
    fn declared_vars(subcommand: Option<&str>) -> Vec<String> {
        let cli = Cli::command();
        let mut names: Vec<String> = cli
            .get_subcommands()
            .filter(|sub| subcommand.is_none_or(|name| sub.get_name() == name))
            .flat_map(|sub| sub.get_arguments())
            .filter_map(|arg| arg.get_env())
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("salesops").chain(args.iter().copied()))
    }

    fn serve_settings(args: &[&str]) -> Settings {
        match parse(&[&["serve"], args].concat()).unwrap().command {
            Command::Serve(serve) => serve.settings().unwrap(),
            other => panic!("parsed {other:?}"),
        }
    }

    fn long_help(subcommand: &str) -> String {
        Cli::command().find_subcommand_mut(subcommand).unwrap().render_long_help().to_string()
    }

    #[test]
    fn the_command_line_is_well_formed() {
        let _env = Env::with(&[]);
        Cli::command().debug_assert();
    }

    #[test]
    fn help_on_a_subcommand_prints_help_instead_of_running_it() {
        let _env = Env::with(&[]);
        for subcommand in SUBCOMMANDS {
            for help in ["--help", "-h"] {
                let err = parse(&[subcommand, help]).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::DisplayHelp, "{subcommand} {help}");
                assert_eq!(err.exit_code(), 0);
            }
            assert_eq!(parse(&["help", subcommand]).unwrap_err().kind(), ErrorKind::DisplayHelp);
        }
    }

    #[test]
    fn no_subcommand_prints_help_and_fails_with_status_2() {
        let _env = Env::with(&[]);
        let err = parse(&[]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand);
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("serve"));
    }

    #[test]
    fn version_prints_the_package_version() {
        let _env = Env::with(&[]);
        let err = parse(&["--version"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DisplayVersion);
        assert!(err.to_string().contains(env!("CARGO_PKG_VERSION")));
    }

    #[test]
    fn every_subcommand_parses() {
        let _env = Env::with(&[]);
        assert!(matches!(parse(&["serve"]).unwrap().command, Command::Serve(_)));
        assert!(matches!(parse(&["migrate"]).unwrap().command, Command::Migrate(_)));
        assert!(matches!(parse(&["openapi"]).unwrap().command, Command::Openapi));
        assert!(matches!(parse(&["seed-demo"]).unwrap().command, Command::SeedDemo(_)));
    }

    #[test]
    fn every_option_is_named_after_the_variable_it_mirrors() {
        let _env = Env::with(&[]);
        for sub in Cli::command().get_subcommands() {
            for arg in sub.get_arguments().filter(|arg| arg.get_id() != "help") {
                let long = arg.get_long().unwrap();
                let env = arg.get_env().unwrap_or_else(|| panic!("--{long} mirrors no variable"));
                assert_eq!(env.to_str().unwrap(), format!("SALESOPS_{}", long.to_uppercase().replace('-', "_")));
                assert_eq!(super::option_for(env.to_str().unwrap()), format!("--{long}"));
            }
        }
    }

    #[test]
    fn every_option_reaches_the_settings_under_its_variable() {
        let _env = Env::with(&[]);
        let fed = |subcommand: &str| {
            let mut names: Vec<String> = match parse(&[subcommand]).unwrap().command {
                Command::Serve(args) => args.vars().iter().map(|(name, _)| (*name).to_owned()).collect(),
                Command::Migrate(args) => args.vars().iter().map(|(name, _)| (*name).to_owned()).collect(),
                Command::SeedDemo(args) => args.vars().iter().map(|(name, _)| (*name).to_owned()).collect(),
                Command::Openapi => Vec::new(),
            };
            names.sort();
            names
        };
        for subcommand in SUBCOMMANDS {
            assert_eq!(fed(subcommand), declared_vars(Some(subcommand)), "{subcommand}");
        }
        // A new setting needs its option too; `serve` reads them all.
        assert_eq!(fed("serve").len(), 25, "serve should offer one option per SALESOPS_* setting");
    }

    #[test]
    fn without_flags_or_variables_serve_uses_the_default_settings() {
        let _env = Env::with(&[]);
        assert_eq!(format!("{:?}", serve_settings(&[])), format!("{:?}", Settings::default()));
    }

    #[test]
    fn variables_feed_the_options() {
        let _env = Env::with(&[
            ("SALESOPS_DATABASE_URL", "postgres://u:p@db/sales"),
            ("SALESOPS_BIND", "0.0.0.0:9000"),
            ("SALESOPS_WORKERS", "3"),
            ("SALESOPS_DB_TIMEOUT_SECONDS", "7"),
            ("SALESOPS_JWT_SECRET", JWT_SECRET),
            ("SALESOPS_BOOTSTRAP_ADMIN_PASSWORD", "change-me-please-1"),
            ("SALESOPS_BASE_CURRENCY", "USD"),
            ("SALESOPS_TRUSTED_PROXIES", "10.0.0.9, ::1"),
            ("SALESOPS_BUSINESS_TIME_ZONE", "Europe/Berlin"),
        ]);
        let s = serve_settings(&[]);
        let proxies: Vec<std::net::IpAddr> = vec!["10.0.0.9".parse().unwrap(), "::1".parse().unwrap()];
        assert_eq!(s.trusted_proxies, proxies);
        assert_eq!(s.database_url, "postgres://u:p@db/sales");
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert_eq!(s.workers, Some(3));
        assert_eq!(s.db_timeout, Duration::from_secs(7));
        assert_eq!(s.jwt_secret.as_ref().map(|s| s.expose()), Some(JWT_SECRET));
        assert_eq!(s.bootstrap_admin_password.as_ref().map(|s| s.expose()), Some("change-me-please-1"));
        assert_eq!(s.base_currency, "USD");
        assert_eq!(s.business_time_zone, chrono_tz::Europe::Berlin);
        assert_eq!(s.pool_size, Settings::default().pool_size);
    }

    #[test]
    fn flags_override_variables() {
        let _env = Env::with(&[
            ("SALESOPS_BIND", "0.0.0.0:9000"),
            ("SALESOPS_DB_POOL_SIZE", "3"),
            ("SALESOPS_JWT_SECRET", "the-variable-secret-of-32-characters"),
        ]);
        let s = serve_settings(&["--bind", "127.0.0.1:9999", "--db-pool-size", "4", "--jwt-secret", JWT_SECRET]);
        assert_eq!(s.bind, "127.0.0.1:9999");
        assert_eq!(s.pool_size, 4);
        assert_eq!(s.jwt_secret.as_ref().map(|s| s.expose()), Some(JWT_SECRET));
    }

    #[test]
    fn a_blank_variable_still_means_the_default_and_numbers_are_trimmed() {
        let _env = Env::with(&[
            ("SALESOPS_BIND", ""),
            ("SALESOPS_WORKERS", "  "),
            ("SALESOPS_JWT_SECRET", ""),
            ("SALESOPS_DB_POOL_SIZE", " 12 "),
        ]);
        let s = serve_settings(&[]);
        assert_eq!(s.bind, Settings::default().bind);
        assert_eq!(s.workers, None);
        assert!(s.jwt_secret.is_none());
        assert_eq!(s.pool_size, 12);
    }

    #[test]
    fn a_number_that_does_not_parse_is_a_usage_error_naming_the_option() {
        let _env = Env::with(&[("SALESOPS_LOGIN_LOCKOUT_SECONDS", "soon")]);
        let err = parse(&["serve", "--workers", "many"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation);
        assert!(err.to_string().contains("--workers"), "{err}");
        let err = parse(&["serve"]).unwrap_err();
        assert!(err.to_string().contains("--login-lockout-seconds"), "{err}");
    }

    #[test]
    fn a_short_jwt_secret_is_refused_as_it_is_from_the_environment() {
        let _env = Env::with(&[]);
        let Command::Serve(args) = parse(&["serve", "--jwt-secret", "short"]).unwrap().command else {
            panic!("not serve");
        };
        let err = args.settings().unwrap_err();
        assert_eq!(err.0.name, "SALESOPS_JWT_SECRET");
        assert!(err.to_string().starts_with("--jwt-secret (SALESOPS_JWT_SECRET): "), "{err}");
    }

    #[test]
    fn an_unknown_time_zone_is_refused_as_it_is_from_the_environment() {
        let _env = Env::with(&[]);
        let Command::Serve(args) = parse(&["serve", "--business-time-zone", "Asia/Atlantis"]).unwrap().command else {
            panic!("not serve");
        };
        let err = args.settings().unwrap_err();
        assert_eq!(err.0.name, "SALESOPS_BUSINESS_TIME_ZONE");
        assert!(err.to_string().starts_with("--business-time-zone (SALESOPS_BUSINESS_TIME_ZONE): "), "{err}");
    }

    #[test]
    fn migrate_reads_only_the_database_options() {
        let _env = Env::with(&[("SALESOPS_WORKERS", "many"), ("SALESOPS_DATABASE_URL", "sqlite://elsewhere.db")]);
        let Command::Migrate(args) = parse(&["migrate"]).unwrap().command else {
            panic!("not migrate");
        };
        assert_eq!(args.settings().unwrap().database_url, "sqlite://elsewhere.db");
        assert_eq!(parse(&["migrate", "--bind", "0.0.0.0:1"]).unwrap_err().kind(), ErrorKind::UnknownArgument);
    }

    #[test]
    fn secret_values_show_neither_in_help_nor_in_debug_output() {
        let _env = Env::with(&[
            ("SALESOPS_JWT_SECRET", JWT_SECRET),
            ("SALESOPS_BOOTSTRAP_ADMIN_PASSWORD", "change-me-please-1"),
            ("SALESOPS_DATABASE_URL", "postgres://sales:db-password@db/sales"),
            ("SALESOPS_BIND", "0.0.0.0:9000"),
        ]);
        for subcommand in ["serve", "seed-demo"] {
            let help = long_help(subcommand);
            assert!(help.contains("SALESOPS_JWT_SECRET"), "{help}");
            for secret in [JWT_SECRET, "change-me-please-1", "db-password"] {
                assert!(!help.contains(secret), "{subcommand} --help shows {secret}");
            }
        }
        // Other values do show, so the check above is not vacuous.
        assert!(long_help("serve").contains("SALESOPS_BIND=0.0.0.0:9000"));
        let debug = format!("{:?}", parse(&["serve"]).unwrap());
        assert!(!debug.contains(JWT_SECRET) && !debug.contains("change-me-please-1"), "{debug}");
    }
}
