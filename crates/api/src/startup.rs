//! Start-up: pool, migrations, the signing key, and the first admin.

use crate::auth::jwt::JwtKeys;
use crate::auth::{password, random_token};
use crate::config::Settings;
use crate::state::AppState;
use salesops_domain::org::Role;
use salesops_persistence::users::UserRow;
use salesops_persistence::{build_pool, migrations, settings as stored, users, DbConnection, DbPool, PoolSettings};
use std::time::{Duration, Instant};

/// Why the server could not start.
pub type StartupError = Box<dyn std::error::Error + Send + Sync>;

const JWT_SECRET_KEY: &str = "jwt_secret";

/// Open the pool for the configured database.
pub fn open_pool(settings: &Settings) -> Result<DbPool, StartupError> {
    let pool_settings = PoolSettings {
        max_size: settings.pool_size,
        connection_timeout: settings.db_timeout,
        sqlite_synchronous: settings.sqlite_synchronous,
    };
    Ok(build_pool(&settings.database_url, &pool_settings)?)
}

/// Apply pending migrations; returns how many ran.
pub fn migrate(pool: &DbPool) -> Result<usize, StartupError> {
    let mut conn = pool.get()?;
    migrations::run_pending(&mut conn)
}

/// Wait until the database answers, retrying with backoff (a quarter second,
/// doubling up to 5 s) for up to `wait` and logging each failed try, so that a
/// server started before its database (`docker compose up`, Kubernetes) comes
/// up on its own. An error once `wait` has passed.
pub fn wait_for_database(pool: &DbPool, wait: Duration) -> Result<(), StartupError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(250);
    let mut attempt = 1u32;
    loop {
        match pool.get_timeout(Duration::from_secs(1)) {
            Ok(_) if attempt > 1 => {
                log::info!("the database answered after {attempt} attempts");
                return Ok(());
            }
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() + pause < wait => {
                log::warn!("the database is not reachable yet (attempt {attempt}): {e}; retrying in {pause:?}");
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(5));
                attempt += 1;
            }
            Err(e) => {
                let waited = started.elapsed().as_secs();
                return Err(format!("the database is not reachable after {attempt} attempts in {waited} s: {e}").into());
            }
        }
    }
}

/// Everything the server needs before it accepts requests: a reachable
/// database (see [`wait_for_database`]), migrated schema, signing key, and an
/// admin when the database has no users.
pub fn prepare(settings: Settings) -> Result<AppState, StartupError> {
    let pool = open_pool(&settings)?;
    wait_for_database(&pool, settings.db_startup_wait)?;
    let applied = migrate(&pool)?;
    if applied > 0 {
        log::info!("applied {applied} migration(s)");
    }
    let mut conn = pool.get()?;
    let secret = match &settings.jwt_secret {
        Some(s) => s.expose().as_bytes().to_vec(),
        None => stored_jwt_secret(&mut conn)?.into_bytes(),
    };
    bootstrap_admin(&mut conn, &settings)?;
    drop(conn);
    let jwt = JwtKeys::new(&secret, &settings);
    Ok(AppState::new(pool, jwt, settings))
}

/// The generated signing key kept in the database, so that every replica shares it.
fn stored_jwt_secret(conn: &mut DbConnection) -> Result<String, StartupError> {
    let secret = stored::get_or_insert(conn, JWT_SECRET_KEY, &random_token(48))?;
    Ok(secret)
}

/// Create the first admin on an empty database, from the bootstrap settings or
/// as `admin@localhost` with a generated password printed once to the log.
fn bootstrap_admin(conn: &mut DbConnection, settings: &Settings) -> Result<(), StartupError> {
    if users::count(conn)? > 0 {
        return Ok(());
    }
    let email = settings.bootstrap_admin_email.clone().unwrap_or_else(|| "admin@localhost".to_owned()).to_lowercase();
    let (secret, generated) = match &settings.bootstrap_admin_password {
        Some(p) => (p.expose().to_owned(), false),
        None => (random_token(18), true),
    };
    let password_hash = password::hash(&secret).map_err(|e| e.to_string())?;
    let admin = UserRow::new(&email, "Administrator", Role::Admin, &password_hash, None);
    users::insert(conn, &admin)?;
    if generated {
        log::warn!("created the first admin: email {email}, password {secret} (shown once; change it)");
    } else {
        log::info!("created the first admin: {email}");
    }
    Ok(())
}
