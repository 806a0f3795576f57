//! The integration-test harness: the real server on port 0 against a fresh
//! database, SQLite always and PostgreSQL when `TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used)] // a test fails by panicking

mod backend;

use std::net::SocketAddr;

use instacrush::{
    app::Server,
    config::{DatabaseConfig, HttpConfig, ServeConfig},
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
    shutdown: CancellationToken,
}

impl TestApp {
    /// Starts the server on port 0 against a fresh database of `backend`.
    pub async fn spawn(backend: Backend) -> Self {
        init_logs();
        let database = TestDatabase::create(backend).await;
        let config = ServeConfig {
            database: DatabaseConfig::new(database.url.clone()),
            http: HttpConfig::ephemeral(),
            no_migrate: false,
        };
        let server = Server::build(config).await.expect("server builds");
        let addr = server.local_addr().expect("bound");
        let db = server.state().db.clone();
        let shutdown = CancellationToken::new();
        tokio::spawn(server.run(shutdown.clone()));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client builds");
        Self { addr, base_url: format!("http://{addr}"), client, database, db, shutdown }
    }

    /// An absolute URL for a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
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
