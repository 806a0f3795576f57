//! The integration-test harness: the real server on port 0 against a fresh
//! database, SQLite always and PostgreSQL when `TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used)] // a test fails by panicking

pub mod auth;
mod backend;
pub mod jobs;
pub mod proxy;

use std::net::SocketAddr;

use instacrush::{
    app::Server,
    auth::{AuthConfig, KeySet},
    config::{DatabaseConfig, HttpConfig, ProcessConfig, ServeConfig, WorkerConfig},
    http::AppState,
};
use tokio_util::sync::CancellationToken;

pub use self::backend::{Backend, TestDatabase};

/// Runs each named `async fn(Backend)` as two tests: `sqlite` and `postgres`.
///
/// The PostgreSQL variant needs `TEST_POSTGRES_URL`; without it, it passes
/// vacuously on a developer machine but fails under CI (`CI` set), so the
/// suite can never silently skip there.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(backend) = $crate::Backend::postgres() {
                    super::$test(backend).await;
                }
            }
        }
    )*};
}

/// Installs a log subscriber when `TEST_LOG` is set; tests are quiet otherwise.
pub fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        instacrush::telemetry::init(instacrush::config::LogFormat::Text);
    }
}

/// The `instacrush` binary beside the test binary (`make test` builds it first), with its
/// own fresh auth keys in `AUTH_KEYS`.
pub fn instacrush_command() -> std::process::Command {
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target dir");
    let bin = dir.join("instacrush");
    assert!(bin.exists(), "{} is missing: run `cargo build -p instacrush`", bin.display());
    let mut command = std::process::Command::new(bin);
    // Fresh in-memory keys: no test may write a key file into the source tree.
    let keys = serde_json::to_string(&KeySet::generate()).unwrap();
    // One app secret for every server and sandbox this test binary starts (a cluster's
    // processes must agree on it), so no process keeps one in a file of the source tree either.
    static APP_SECRET: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| uuid::Uuid::new_v4().simple().to_string());
    let app_secret = APP_SECRET.as_str();
    command
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "off")
        .env("AUTH_KEYS", keys)
        .env("SANDBOX_APP_SECRET", app_secret)
        .env("INSTAGRAM_APP_SECRET", app_secret);
    command
}

/// Worker settings for tests: short leases, polls and backoffs.
pub fn test_worker_config() -> WorkerConfig {
    WorkerConfig {
        concurrency: 4,
        poll_ms: 50,
        lease_ms: 2_000,
        grace_secs: 2,
        backoff_base_ms: 200,
        backoff_cap_secs: 10,
        ..WorkerConfig::default()
    }
}

/// One call the sandbox answered, as its call log shows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InstagramCall {
    /// `GET /me`, `GET /{media-id}/comments`…
    pub endpoint: String,
    /// The path and query (with its cursor).
    pub path: String,
    /// The HTTP status it answered with.
    pub status: u64,
    /// The account whose token made it.
    pub account: Option<String>,
}

/// A running server on its own database.
pub struct TestApp {
    /// The server's address.
    pub addr: SocketAddr,
    /// `http://addr`.
    pub base_url: String,
    /// An HTTP client that keeps cookies and does not follow redirects.
    pub client: reqwest::Client,
    /// The database the server uses (dropped with the app).
    pub database: TestDatabase,
    /// A direct connection to that database, for setting up and checking data.
    pub db: sea_orm::DatabaseConnection,
    /// The in-process Instagram sandbox the server talks to.
    pub sandbox_url: String,
    /// The server's shared state (for running jobs in the test).
    pub state: AppState,
    /// The server's auth keys, generated for this test (for forging tokens in tests).
    pub keys: KeySet,
    shutdown: CancellationToken,
}

impl TestApp {
    /// Starts the server on port 0 against a fresh database of `backend`, with
    /// its own in-memory auth keys and no worker: tests drain the queue with [`TestApp::run_pending_jobs`].
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], with the configuration adjusted first.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        init_logs();
        let database = TestDatabase::create(backend).await;
        Self::spawn_on(database, KeySet::generate(), adjust).await
    }

    /// A second server on this one's database and keys, as another API server of the same
    /// deployment would be (it must be dropped before this one, which owns the database).
    pub async fn spawn_beside(&self, adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        Self::spawn_on(TestDatabase::borrow(&self.database), self.keys.clone(), adjust).await
    }

    async fn spawn_on(database: TestDatabase, keys: KeySet, adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        let process = ProcessConfig {
            worker: WorkerConfig { concurrency: 0, ..test_worker_config() },
            auth: AuthConfig::with_keys(keys.clone()),
            ..ProcessConfig::new(DatabaseConfig::new(database.url.clone()))
        };
        let mut config = ServeConfig { process, http: HttpConfig::ephemeral(), no_migrate: false };
        adjust(&mut config);
        let server = Server::build(config).await.expect("server builds");
        let addr = server.local_addr().expect("bound");
        let sandbox_url = server.sandbox_url().expect("tests run against the in-process sandbox");
        let state = server.state().clone();
        let db = state.db.clone();
        let shutdown = CancellationToken::new();
        tokio::spawn(server.run(shutdown.clone()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client builds");
        let base_url = format!("http://{addr}");
        Self { addr, base_url, client, database, db, sandbox_url, state, keys, shutdown }
    }

    /// An absolute URL for a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Every call the app's sandbox logged since its counts were last reset, oldest first.
    pub async fn instagram_calls(&self) -> Vec<InstagramCall> {
        let url = format!("{}/_sandbox/calls/log", self.sandbox_url);
        let log: serde_json::Value =
            self.client.get(url).send().await.expect("the sandbox answers").json().await.expect("a call log");
        let calls = log["calls"].as_array().cloned().unwrap_or_default();
        calls
            .iter()
            .map(|call| {
                let text = |key: &str| call[key].as_str().unwrap_or_default().to_owned();
                InstagramCall {
                    endpoint: text("endpoint"),
                    path: text("path"),
                    status: call["status"].as_u64().unwrap_or_default(),
                    account: call["account"].as_str().map(str::to_owned),
                }
            })
            .collect()
    }

    /// `instacrush worker` as another process of this app's deployment (its database, keys
    /// and sandbox), polling every 50 ms, with `env` on top; killed when dropped.
    pub fn worker_process(&self, env: &[(&str, &str)]) -> tokio::process::Child {
        let mut command = instacrush_command();
        command
            .arg("worker")
            .env("DATABASE_URL", self.database.url.as_str())
            .env("AUTH_KEYS", serde_json::to_string(&self.keys).expect("keys serialize"))
            .env("NO_MIGRATE", "1")
            .env("WORKER_POLL_MS", "50");
        for host in ["AUTHORIZE", "API", "GRAPH"] {
            command.env(format!("INSTAGRAM_{host}_BASE_URL"), &self.sandbox_url);
        }
        command.envs(env.iter().copied());
        let mut command = tokio::process::Command::from(command);
        command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).kill_on_drop(true);
        command.spawn().expect("a worker process starts")
    }

    /// Runs every runnable job to completion, one at a time, with the app's
    /// job kinds; returns how many attempts ran.
    pub async fn run_pending_jobs(&self) -> usize {
        instacrush::app::worker(&self.state, test_worker_config()).drain().await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
