//! Where the database is and how many connections to hold (flags and environment).

use std::time::Duration;

use clap::Args;

use super::{DatabaseUrl, UnsupportedDatabaseUrl};

/// Where the database is and how many connections to hold.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// `sqlite://path?mode=rwc` (embedded, the default) or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = DatabaseUrl::DEFAULT, value_parser = DatabaseUrlParser)]
    pub database_url: DatabaseUrl,
    /// Most connections in the pool.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = Self::DEFAULT_MAX_CONNECTIONS)]
    pub database_max_connections: u32,
    /// How long to wait for a free connection, in seconds.
    #[arg(long, env = "DATABASE_ACQUIRE_TIMEOUT_SECS", default_value_t = Self::DEFAULT_ACQUIRE_TIMEOUT_SECS)]
    pub database_acquire_timeout_secs: u64,
    /// PostgreSQL: longest a statement may run before the server cancels it, in seconds
    /// (`statement_timeout`; 0 for no limit).
    #[arg(long, env = "DATABASE_STATEMENT_TIMEOUT_SECS", default_value_t = Self::DEFAULT_STATEMENT_TIMEOUT_SECS)]
    pub database_statement_timeout_secs: u64,
    /// PostgreSQL: longest a connection may sit idle inside an open transaction before the
    /// server ends its session, releasing its locks (`idle_in_transaction_session_timeout`; 0 for
    /// no limit).
    #[arg(
        long,
        env = "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECS",
        default_value_t = Self::DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_SECS
    )]
    pub database_idle_in_transaction_timeout_secs: u64,
}

impl DatabaseConfig {
    /// The default of `DATABASE_MAX_CONNECTIONS`.
    pub const DEFAULT_MAX_CONNECTIONS: u32 = 10;
    /// The default of `DATABASE_ACQUIRE_TIMEOUT_SECS`.
    pub const DEFAULT_ACQUIRE_TIMEOUT_SECS: u64 = 10;
    const DEFAULT_STATEMENT_TIMEOUT_SECS: u64 = 30;
    const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_SECS: u64 = 30;

    /// The configuration for a database URL, with default pool settings.
    pub fn new(database_url: DatabaseUrl) -> Self {
        Self {
            database_url,
            database_max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            database_acquire_timeout_secs: Self::DEFAULT_ACQUIRE_TIMEOUT_SECS,
            database_statement_timeout_secs: Self::DEFAULT_STATEMENT_TIMEOUT_SECS,
            database_idle_in_transaction_timeout_secs: Self::DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_SECS,
        }
    }

    /// How long to wait for a free connection.
    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.database_acquire_timeout_secs)
    }

    /// The session settings every PostgreSQL connection starts with: server-side bounds on a
    /// statement and on an idle open transaction, so a connection a client abandoned mid-
    /// transaction cannot hold its locks (and freeze the queue) for long.
    pub fn postgres_session_settings(&self) -> Vec<(&'static str, String)> {
        let mut settings = Vec::new();
        if self.database_statement_timeout_secs > 0 {
            settings.push(("statement_timeout", format!("{}s", self.database_statement_timeout_secs)));
        }
        if self.database_idle_in_transaction_timeout_secs > 0 {
            let value = format!("{}s", self.database_idle_in_transaction_timeout_secs);
            settings.push(("idle_in_transaction_session_timeout", value));
        }
        settings
    }
}

/// Parses `--database-url` without echoing the value back: it may hold a password.
#[derive(Debug, Clone, Copy)]
struct DatabaseUrlParser;

impl clap::builder::TypedValueParser for DatabaseUrlParser {
    type Value = DatabaseUrl;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<DatabaseUrl, clap::Error> {
        let name = arg.map_or_else(|| "--database-url".to_owned(), ToString::to_string);
        let invalid = |detail: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid value for {name}: {detail}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value.to_str().ok_or_else(|| invalid("not valid UTF-8".to_owned()))?;
        text.parse().map_err(|err: UnsupportedDatabaseUrl| invalid(err.to_string()))
    }
}
