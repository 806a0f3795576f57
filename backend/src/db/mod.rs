//! The database: which backend a URL names, connecting with the right settings,
//! migrations, and readiness.

mod clock;
mod config;
mod url;

use std::{future::Future, pin::Pin, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    RuntimeErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

pub use self::{
    clock::{fixed_width, now},
    config::DatabaseConfig,
    url::{DatabaseUrl, UnsupportedDatabaseUrl},
};

/// A pooled PostgreSQL connection idle this long is pinged before use (one the server
/// dropped meanwhile is replaced); busy connections are not, which would cost a round trip
/// per statement.
const POSTGRES_PING_IF_IDLE: Duration = Duration::from_secs(10);

/// How long a SQLite writer waits for the lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opening the database failed; the message names the database without its password.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the database at {url}: {source}")]
pub struct ConnectError {
    url: String,
    #[source]
    source: DbErr,
}

/// Connects to the configured database.
///
/// SQLite gets WAL (readers never block the writer), a busy timeout (a writer
/// from another process queues instead of failing), enforced foreign keys, and
/// one connection: SQLite has a single writer, and a second connection that
/// read before it could write fails with "database is locked" instead of
/// waiting (`SQLITE_BUSY_SNAPSHOT`). Queries are short, so they queue for it.
/// That one in-process connection is not pinged before each use: there is no
/// network between it and the file, and the ping would double every query's
/// hand-offs to sqlx's SQLite thread. PostgreSQL connections idle for a while are
/// pinged before use, so a connection the server dropped is replaced instead of
/// failing a request, and start with a statement timeout and an idle-in-transaction
/// timeout ([`DatabaseConfig::postgres_session_settings`]).
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, ConnectError> {
    let url = &config.database_url;
    let mut options = ConnectOptions::new(url.as_str());
    options
        .max_connections(config.database_max_connections)
        .acquire_timeout(config.acquire_timeout())
        .sqlx_logging(false);
    if let DatabaseUrl::Postgres(_) = url {
        let settings = config.postgres_session_settings();
        options
            .map_sqlx_postgres_opts(move |opts| opts.options(settings.clone()))
            .test_before_acquire_if_idle_for(POSTGRES_PING_IF_IDLE);
    }
    if let DatabaseUrl::Sqlite(sqlite) = url {
        create_private_sqlite_file(sqlite).map_err(|err| ConnectError {
            url: url.redacted(),
            source: DbErr::Custom(format!("cannot create the database file: {err}")),
        })?;
        options.max_connections(1).min_connections(1).test_before_acquire(false).map_sqlx_sqlite_opts(
            |opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true)
            },
        );
    }
    Database::connect(options).await.map_err(|source| ConnectError { url: url.redacted(), source })
}

/// Creates the SQLite file that `url` would create (`mode=rwc`) before SQLite does, readable
/// and writable by its owner only (0600): it holds encrypted Instagram tokens and hashed
/// credentials, which no other account on the machine has any business reading. SQLite gives
/// its `-wal` and `-shm` files the database file's permissions.
fn create_private_sqlite_file(url: &str) -> std::io::Result<()> {
    use std::str::FromStr as _;
    let creates = ::url::Url::parse(url)
        .is_ok_and(|parsed| parsed.query_pairs().any(|(key, value)| key == "mode" && value == "rwc"));
    let Ok(options) = sea_orm::sqlx::sqlite::SqliteConnectOptions::from_str(url) else {
        return Ok(()); // sqlx reports a bad URL itself
    };
    let path = options.get_filename();
    if !creates || path.as_os_str().is_empty() || path.exists() {
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    match file.open(path) {
        Err(err) if err.kind() != std::io::ErrorKind::AlreadyExists => Err(err),
        _ => Ok(()),
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Why the database is not ready to serve.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// The database does not answer.
    #[error("database unreachable: {0}")]
    Unreachable(#[source] DbErr),
    /// The schema is behind the code.
    #[error("{0} migration(s) pending")]
    PendingMigrations(usize),
}

/// Checks that the database answers and that the schema is current.
pub async fn check_ready(db: &DatabaseConnection) -> Result<(), NotReady> {
    let backend = db.get_database_backend();
    db.query_one_raw(Statement::from_string(backend, "SELECT 1")).await.map_err(NotReady::Unreachable)?;
    let pending = Migrator::get_pending_migrations(db).await.map_err(NotReady::Unreachable)?;
    if pending.is_empty() { Ok(()) } else { Err(NotReady::PendingMigrations(pending.len())) }
}

/// A short name for the backend, for logs and metrics.
pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Postgres => "postgres",
        DbBackend::Sqlite => "sqlite",
        _ => "other",
    }
}

/// The work of one transaction, borrowing it.
pub type TransactionWork<'c, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>;

/// Runs `work` in a write transaction ([`begin_write`]), committing when it returns `Ok`
/// and rolling back when it returns `Err`, on a task of its own: if the caller is cancelled
/// (a request timeout, a job that lost its lease or ran out of time, a sibling future that
/// failed), the transaction still runs to its end instead of being dropped between `BEGIN`
/// and `COMMIT` with its connection and locks in an unknown state.
pub async fn transact<T, E, F>(db: &DatabaseConnection, work: F) -> Result<T, E>
where
    F: for<'c> FnOnce(&'c DatabaseTransaction) -> TransactionWork<'c, T, E> + Send + 'static,
    T: Send + 'static,
    E: From<DbErr> + Send + 'static,
{
    let db = db.clone();
    let task = tokio::spawn(async move {
        let txn = begin_write(&db).await?;
        match work(&txn).await {
            Ok(value) => {
                txn.commit().await?;
                Ok(value)
            }
            Err(err) => {
                // Dropping the transaction would roll back too; this waits for it.
                txn.rollback().await.ok();
                Err(err)
            }
        }
    });
    match task.await {
        Ok(result) => result,
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(_) => {
            Err(DbErr::Custom("the transaction's task was cancelled (runtime shutting down)".to_owned())
                .into())
        }
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock at
/// once (`BEGIN IMMEDIATE`): a deferred transaction that read first cannot
/// upgrade once another connection has committed, and fails with "database is
/// locked" instead of waiting. PostgreSQL ignores the mode.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Whether `err` means the database is not serving right now (no free connection, the
/// connection refused or dropped, the server shutting down or cancelling the statement, the
/// file locked): worth answering "try again later" and retrying, never a sign of a bug.
pub fn is_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err)) => {
            sqlx_unavailable(err)
        }
        _ => false,
    }
}

fn sqlx_unavailable(err: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match err {
        Error::Io(_)
        | Error::Tls(_)
        | Error::Protocol(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed
        | Error::BeginFailed => true,
        // PostgreSQL: connection exceptions (08…), operator intervention (57P…: shutdown,
        // terminated backend), too many connections, a cancelled statement. SQLite: busy, locked.
        Error::Database(err) => err.code().is_some_and(|code| {
            code.starts_with("08")
                || code.starts_with("57P")
                || matches!(&*code, "53300" | "57014" | "5" | "6")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_sqlite_database_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("new.db");
        let url: DatabaseUrl = format!("sqlite://{}?mode=rwc", path.display()).parse().expect("url");
        let db = connect(&DatabaseConfig::new(url)).await.expect("connects");
        db.execute_unprepared("CREATE TABLE t (x INTEGER)").await.expect("writes");
        for file in [path.clone(), path.with_extension("db-wal")] {
            let mode = std::fs::metadata(&file).expect("exists").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
        db.close().await.ok();
    }
}
