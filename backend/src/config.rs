//! Command-line and environment configuration: every option is a flag and an env var.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::db::DatabaseConfig;
pub use crate::rate_limit::RateLimitConfig;
pub use crate::{
    auth::AuthConfig, instagram::InstagramConfig, jobs::WorkerConfig, sync::SyncSettings,
    webhooks::WebhookSettings,
};
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
    Worker(Box<ProcessConfig>),
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
        /// This installation's sandbox app secret, used when `SANDBOX_APP_SECRET` is not set:
        /// the file `serve` keeps it in (created when missing), so Meta's callbacks that this
        /// sandbox signs verify with the server's secret.
        #[arg(long = "sandbox-app-secret-file", env = "SANDBOX_APP_SECRET_FILE", default_value = AuthConfig::DEFAULT_SANDBOX_SECRET_FILE)]
        secret_file: PathBuf,
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

/// What every long-running process needs (`serve` and `worker` alike): the database, the
/// worker, Instagram, the auth keys and how syncs run.
#[derive(Debug, Clone, Args)]
pub struct ProcessConfig {
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
    #[command(flatten)]
    pub webhooks: WebhookSettings,
}

impl ProcessConfig {
    /// The defaults, on `database`.
    pub fn new(database: DatabaseConfig) -> Self {
        Self {
            database,
            worker: WorkerConfig::default(),
            instagram: InstagramSetup::default(),
            auth: AuthConfig::default(),
            sync: SyncSettings::default(),
            webhooks: WebhookSettings::default(),
        }
    }
}

/// The API server.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    #[command(flatten)]
    pub process: ProcessConfig,
    #[command(flatten)]
    pub http: HttpConfig,
    /// Do not apply pending migrations on start (for deployments that run `migrate` first).
    /// `NO_MIGRATE` takes 1/0, true/false, yes/no or on/off.
    #[arg(long, env = "NO_MIGRATE", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    pub no_migrate: bool,
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
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = HttpConfig::DEFAULT_REQUEST_TIMEOUT_SECS)]
    pub request_timeout_secs: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "BODY_LIMIT_BYTES", default_value_t = HttpConfig::DEFAULT_BODY_LIMIT_BYTES)]
    pub body_limit_bytes: usize,
    /// How long in-flight requests get to finish on shutdown, in seconds.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// The built SPA (`frontend/dist`), served at `/` when the folder exists.
    #[arg(long, env = "STATIC_DIR", default_value = HttpConfig::DEFAULT_STATIC_DIR)]
    pub static_dir: PathBuf,
    /// How long the hottest reads (public crush pages, a fresh user's crush, whether a session
    /// still stands) are kept in memory, in milliseconds; 0 turns the caches off. Changes made
    /// by another process show after at most this long, but revocations at once (announced on
    /// PostgreSQL).
    #[arg(long, env = "READ_CACHE_MS", default_value_t = HttpConfig::DEFAULT_READ_CACHE_MS)]
    pub read_cache_ms: u64,
    /// Longest a client may take to send a request's headers, in seconds (and to start the next
    /// request on a kept-alive connection); then the connection is closed.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = HttpConfig::DEFAULT_HEADER_READ_TIMEOUT_SECS)]
    pub header_read_timeout_secs: u64,
    /// Connections open at once, at most; more wait until one closes.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = HttpConfig::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Serve `/metrics` on this address only (e.g. `127.0.0.1:9090`, reachable by the scraper
    /// alone) instead of beside the API.
    #[arg(long, env = "METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Require `Authorization: Bearer <this token>` on `/metrics`.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    #[command(flatten)]
    pub rate_limits: RateLimitConfig,
}

impl HttpConfig {
    /// The default of `READ_CACHE_MS`.
    pub const DEFAULT_READ_CACHE_MS: u64 = 1000;
    const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
    const DEFAULT_HEADER_READ_TIMEOUT_SECS: u64 = 10;
    const DEFAULT_MAX_CONNECTIONS: usize = 4096;
    const DEFAULT_BODY_LIMIT_BYTES: usize = 64 * 1024;
    const DEFAULT_STATIC_DIR: &str = "frontend/dist";

    /// Defaults suited to tests and embedding: port 0 on loopback, no read caches (tests see
    /// every write at once, including their own direct writes to the database) and no rate
    /// limits (a test signs in as often as it needs; the tests of the limits set them).
    pub fn ephemeral() -> Self {
        Self {
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            request_timeout_secs: Self::DEFAULT_REQUEST_TIMEOUT_SECS,
            body_limit_bytes: Self::DEFAULT_BODY_LIMIT_BYTES,
            shutdown_grace_secs: 5,
            static_dir: PathBuf::from(Self::DEFAULT_STATIC_DIR),
            read_cache_ms: 0,
            header_read_timeout_secs: Self::DEFAULT_HEADER_READ_TIMEOUT_SECS,
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            metrics_addr: None,
            metrics_token: None,
            rate_limits: RateLimitConfig::off(),
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

    /// Longest a client may take to send a request's headers.
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs.max(1))
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
        assert!(matches!(serve.process.database.database_url, crate::db::DatabaseUrl::Sqlite(_)));
        assert_eq!(serve.http.listen_addr.port(), 3000);
        let limits = &serve.http.rate_limits;
        assert_eq!(
            (limits.rate_limit_auth_per_minute, limits.rate_limit_writes_per_minute),
            (30, 10),
            "limits on"
        );
        assert!(limits.trusted_proxies.is_empty(), "X-Forwarded-For is trusted from nobody");
    }

    #[test]
    fn trusted_proxies_are_a_comma_separated_list() {
        let cli = Cli::try_parse_from(["instacrush", "serve", "--trusted-proxies", "10.0.0.0/8,::1"])
            .expect("parses");
        let Command::Serve(serve) = cli.command else {
            panic!("expected serve");
        };
        assert_eq!(serve.http.rate_limits.trusted_proxies.len(), 2);
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
