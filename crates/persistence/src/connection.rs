//! One connection type over SQLite and PostgreSQL, and the r2d2 pool that hands it out.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use std::time::Duration;

mod multi {
    // The derive generates undocumented public helper types (`MultiBackend`, …).
    #![allow(missing_docs)]
    use diesel::{PgConnection, SqliteConnection};

    /// A connection to whichever database the URL named.
    #[derive(diesel::MultiConnection)]
    pub enum DbConnection {
        /// PostgreSQL, for production and scale-out.
        Postgresql(PgConnection),
        /// SQLite, the embedded default.
        Sqlite(SqliteConnection),
    }
}
pub use multi::{DbConnection, MultiBackend};

/// A pool of [`DbConnection`]s.
pub type DbPool = r2d2::Pool<ConnectionManager>;
/// A connection checked out of a [`DbPool`].
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Which database a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// A `postgres://` or `postgresql://` URL, passed to libpq as is.
    Postgres(String),
    /// A SQLite file: a `sqlite://path` URL, or a plain path.
    Sqlite(String),
}

impl DatabaseTarget {
    /// Read a database URL: `postgres://…` means PostgreSQL, `sqlite://path` or a plain path means SQLite.
    pub fn parse(url: &str) -> DatabaseTarget {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseTarget::Postgres(url.to_owned())
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            DatabaseTarget::Sqlite(path.to_owned())
        }
    }

    /// A short name of the backend, for logs.
    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseTarget::Postgres(_) => "postgresql",
            DatabaseTarget::Sqlite(_) => "sqlite",
        }
    }
}

/// How hard SQLite makes each commit durable (`PRAGMA synchronous`, in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSynchronous {
    /// Every commit is synced to disk before it is acknowledged: an acknowledged
    /// write survives an OS crash or power loss. The default.
    #[default]
    Full,
    /// The WAL is synced only at checkpoints: the database never corrupts, but
    /// the last commits before an OS crash or power loss may be lost although
    /// they were acknowledged. A crash of the process alone loses nothing.
    Normal,
}

impl SqliteSynchronous {
    /// The pragma's word.
    pub fn as_str(self) -> &'static str {
        match self {
            SqliteSynchronous::Full => "full",
            SqliteSynchronous::Normal => "normal",
        }
    }
}

impl std::str::FromStr for SqliteSynchronous {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Ok(SqliteSynchronous::Full),
            "normal" => Ok(SqliteSynchronous::Normal),
            _ => Err("expected `full` or `normal`".to_owned()),
        }
    }
}

/// Opens connections for the pool, choosing the backend by URL so that a
/// failure reports the backend's own error rather than diesel's generic one.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
    synchronous: SqliteSynchronous,
}

/// Why a connection could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The database refused or could not be reached.
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    /// The connection opened but its set-up statements failed.
    #[error(transparent)]
    Setup(#[from] diesel::result::Error),
}

/// The set-up of every SQLite connection (the bench's SQLite reference opens its
/// connections with it too). Order matters: busy_timeout before WAL, or
/// concurrent opens log "database is locked".
pub fn sqlite_pragmas(synchronous: SqliteSynchronous) -> String {
    format!(
        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
         PRAGMA synchronous = {}; PRAGMA foreign_keys = ON;",
        synchronous.as_str().to_ascii_uppercase()
    )
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        match &self.target {
            DatabaseTarget::Postgres(url) => Ok(DbConnection::Postgresql(PgConnection::establish(url)?)),
            DatabaseTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(&sqlite_pragmas(self.synchronous))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        Ok(ping(conn)?)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        // A connection handed back mid-transaction (after a panic, say) must not be reused.
        let status = <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn);
        !matches!(status.transaction_depth(), Ok(None))
    }
}

/// Check that the connection answers a trivial query.
pub fn ping(conn: &mut DbConnection) -> Result<(), diesel::result::Error> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// The most connections open at once.
    pub max_size: u32,
    /// How long a request waits for a free connection before the API answers 503.
    pub connection_timeout: Duration,
    /// SQLite's durability of a commit; PostgreSQL ignores it.
    pub sqlite_synchronous: SqliteSynchronous,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_size: 10,
            connection_timeout: Duration::from_secs(5),
            sqlite_synchronous: SqliteSynchronous::default(),
        }
    }
}

/// Build a pool for `url` without connecting yet, creating a SQLite file's folder if needed.
pub fn build_pool(url: &str, settings: &PoolSettings) -> Result<DbPool, std::io::Error> {
    let target = DatabaseTarget::parse(url);
    if let DatabaseTarget::Sqlite(path) = &target {
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
    }
    Ok(r2d2::Pool::builder()
        .max_size(settings.max_size)
        .connection_timeout(settings.connection_timeout)
        // No `SELECT 1` per checkout, which would cost every request a round trip: a
        // connection the server dropped fails its next query, diesel then marks its
        // transaction state broken, and `has_broken` keeps the pool from lending it again.
        .test_on_check_out(false)
        .build_unchecked(ConnectionManager { target, synchronous: settings.sqlite_synchronous }))
}

/// Run `f` in a transaction that holds the write lock from its first statement.
///
/// On SQLite the transaction begins `IMMEDIATE`, so a read-then-write never
/// fails on lock upgrade; other writers wait on `busy_timeout` instead. On
/// PostgreSQL it is an ordinary transaction; row locks come from
/// the queries' own `lock_*` helpers.
pub fn write_transaction<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?,
        DbConnection::Postgresql(inner) => AnsiTransactionManager::begin_transaction(inner)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn) {
                log::error!("rollback failed: {rollback}");
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(DatabaseTarget::parse("postgres://u@h/db"), DatabaseTarget::Postgres("postgres://u@h/db".into()));
        assert_eq!(DatabaseTarget::parse("sqlite://data/x.db"), DatabaseTarget::Sqlite("data/x.db".into()));
        assert_eq!(DatabaseTarget::parse("./x.db"), DatabaseTarget::Sqlite("./x.db".into()));
    }

    #[derive(diesel::QueryableByName)]
    struct Synchronous {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }

    #[test]
    fn sqlite_connections_sync_commits_as_configured() {
        let dir = std::env::temp_dir().join(format!("salesops-sync-{}", salesops_domain::new_id()));
        // PRAGMA synchronous answers 2 for FULL and 1 for NORMAL.
        for (setting, level) in [(SqliteSynchronous::Full, 2), (SqliteSynchronous::Normal, 1)] {
            let url = format!("sqlite://{}/{}.db", dir.display(), setting.as_str());
            let settings = PoolSettings { max_size: 1, sqlite_synchronous: setting, ..PoolSettings::default() };
            let mut conn = build_pool(&url, &settings).expect("pool").get().expect("a connection");
            let row: Synchronous = diesel::sql_query("PRAGMA synchronous").get_result(&mut *conn).expect("pragma");
            assert_eq!(row.synchronous, level, "{setting:?}");
        }
        std::fs::remove_dir_all(&dir).expect("remove the temp dir");
        assert_eq!("FULL".parse(), Ok(SqliteSynchronous::Full));
        assert!("fast".parse::<SqliteSynchronous>().is_err());
    }
}
