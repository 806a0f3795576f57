//! Command-line and environment configuration: every option is a flag and an env var.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::db::DatabaseUrl;
pub use crate::{auth::AuthConfig, instagram::InstagramConfig, jobs::WorkerConfig, sync::SyncSettings};
pub use instagram_sandbox::SandboxConfig;

/// Instacrush: who interacts most with your Instagram posts.
#[derive(Debug, Parser)]
#[command(name = "instacrush", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub log: LogConfig,
    #[command(subcommand)]
    pub command: Command,
}

/// What to run.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (and the SPA, if built), migrating the database first.
    Serve(Box<ServeConfig>),
    /// Run background jobs (scale-out: as many worker processes as you like).
    Worker(Box<WorkerCommandConfig>),
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseConfig,
    },
    /// Print the OpenAPI document as YAML.
    Openapi,
    /// Run the Instagram sandbox on its own (a local stand-in for Instagram's API).
    Sandbox {
        /// Port to listen on (loopback).
        #[arg(long, env = "SANDBOX_PORT", default_value_t = 4010)]
        port: u16,
        #[command(flatten)]
        config: SandboxConfig,
    },
}

/// Logging.
#[derive(Debug, Clone, Args)]
pub struct LogConfig {
    /// Log line format.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Where the database is and how many connections to hold.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// `sqlite://path?mode=rwc` (embedded, the default) or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = DatabaseUrl::DEFAULT, value_parser = DatabaseUrlParser)]
    pub database_url: DatabaseUrl,
    /// Most connections in the pool.
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 10)]
    pub database_max_connections: u32,
    /// How long to wait for a free connection, in seconds.
    #[arg(long, env = "DATABASE_ACQUIRE_TIMEOUT_SECS", default_value_t = 10)]
    pub database_acquire_timeout_secs: u64,
}

impl DatabaseConfig {
    /// The configuration for a database URL, with default pool settings.
    pub fn new(database_url: DatabaseUrl) -> Self {
        Self { database_url, database_max_connections: 10, database_acquire_timeout_secs: 10 }
    }

    /// How long to wait for a free connection.
    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.database_acquire_timeout_secs)
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
        text.parse().map_err(|err: crate::db::UnsupportedDatabaseUrl| invalid(err.to_string()))
    }
}

/// The API server.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub http: HttpConfig,
    #[command(flatten)]
    pub worker: WorkerConfig,
    #[command(flatten)]
    pub instagram: InstagramSetup,
    #[command(flatten)]
    pub auth: AuthConfig,
    #[command(flatten)]
    pub sync: SyncSettings,
    /// Do not apply pending migrations on start (for deployments that run `migrate` first).
    #[arg(long, env = "NO_MIGRATE")]
    pub no_migrate: bool,
}

/// A worker process.
#[derive(Debug, Clone, Args)]
pub struct WorkerCommandConfig {
    #[command(flatten)]
    pub database: DatabaseConfig,
    #[command(flatten)]
    pub worker: WorkerConfig,
    #[command(flatten)]
    pub instagram: InstagramSetup,
    #[command(flatten)]
    pub auth: AuthConfig,
    #[command(flatten)]
    pub sync: SyncSettings,
}

/// Where Instagram is: a real Meta app when its credentials are set, else the
/// sandbox, started in-process.
#[derive(Debug, Clone, Default, Args)]
pub struct InstagramSetup {
    #[command(flatten)]
    pub client: InstagramConfig,
    #[command(flatten)]
    pub sandbox: SandboxConfig,
    /// Port of the in-process sandbox (used when no Meta app is configured); 0 picks a free one.
    #[arg(long = "sandbox-port", env = "SANDBOX_PORT", default_value_t = 0)]
    pub sandbox_port: u16,
}

/// The HTTP listener and its limits.
#[derive(Debug, Clone, Args)]
pub struct HttpConfig {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:3000")]
    pub listen_addr: SocketAddr,
    /// The URL people reach this server at (links, redirects, cookies).
    /// Defaults to `http://<listen_addr>`.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    /// Longest a request may take before it is answered with 408, in seconds.
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "BODY_LIMIT_BYTES", default_value_t = 64 * 1024)]
    pub body_limit_bytes: usize,
    /// How long in-flight requests get to finish on shutdown, in seconds.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// The built SPA (`frontend/dist`), served at `/` when the folder exists.
    #[arg(long, env = "STATIC_DIR", default_value = "frontend/dist")]
    pub static_dir: PathBuf,
    /// How long the hottest reads (public crush pages, a fresh user's crush, whether a session
    /// still stands) are kept in memory, in milliseconds; 0 turns the caches off. Changes made
    /// by another process show after at most this long.
    #[arg(long, env = "READ_CACHE_MS", default_value_t = HttpConfig::DEFAULT_READ_CACHE_MS)]
    pub read_cache_ms: u64,
}

impl HttpConfig {
    /// The default of `READ_CACHE_MS`.
    pub const DEFAULT_READ_CACHE_MS: u64 = 1000;

    /// Defaults suited to tests and embedding: port 0 on loopback, no read caches (tests see
    /// every write at once, including their own direct writes to the database).
    pub fn ephemeral() -> Self {
        Self {
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            request_timeout_secs: 30,
            body_limit_bytes: 64 * 1024,
            shutdown_grace_secs: 5,
            static_dir: PathBuf::from("frontend/dist"),
            read_cache_ms: 0,
        }
    }

    /// The public URL, or `http://<listen_addr>` when none is configured.
    pub fn public_base_url(&self) -> Result<url::Url, url::ParseError> {
        match &self.public_url {
            Some(url) => Ok(url.clone()),
            None => url::Url::parse(&format!("http://{}", self.listen_addr)),
        }
    }

    /// The longest a request may take.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }

    /// How long in-flight requests get on shutdown.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults_to_embedded_sqlite() {
        let cli = Cli::try_parse_from(["instacrush", "serve"]).expect("parses");
        let Command::Serve(serve) = cli.command else {
            panic!("expected serve");
        };
        assert!(matches!(serve.database.database_url, DatabaseUrl::Sqlite(_)));
        assert_eq!(serve.http.listen_addr.port(), 3000);
    }

    #[test]
    fn a_bad_database_url_is_a_clear_cli_error() {
        let err = Cli::try_parse_from(["instacrush", "migrate", "--database-url", "mysql://x"])
            .expect_err("mysql is not supported");
        let text = err.to_string();
        assert!(text.contains("--database-url"), "{text}");
        assert!(text.contains("sqlite:// or postgres://"), "{text}");
    }
}
