//! The product as it runs at scale, in real processes: a standalone sandbox, API and worker
//! processes sharing one PostgreSQL database, reached through a proxy the drill can cut.

use std::{net::SocketAddr, process::Stdio, time::Duration};

use instacrush::auth::KeySet;
use instacrush_tests::{TestDatabase, auth::Browser, proxy::Proxy};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use tokio::process::{Child, Command};

/// A free loopback port (bound, then released for the process that will listen on it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Sends `signal` to `child` (SIGTERM or SIGKILL), through the system's `kill`.
pub fn signal(child: &Child, signal: &str) {
    let pid = child.id().expect("a running process").to_string();
    let status = std::process::Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap();
    assert!(status.success(), "kill -{signal} {pid}");
}

/// Every process of the product, on one database.
pub struct Cluster {
    /// The sandbox's origin.
    pub sandbox_url: String,
    /// The API processes' origins.
    pub api_urls: Vec<String>,
    /// A direct connection to the database (not through the proxy), for checks.
    pub db: DatabaseConnection,
    /// Between the processes and the database.
    pub proxy: Proxy,
    /// An HTTP client that does not follow redirects.
    pub client: reqwest::Client,
    keys: String,
    database_url: String,
    sandbox: Child,
    apis: Vec<Child>,
    /// The worker processes (the drill kills and restarts them).
    pub workers: Vec<Child>,
    _database: TestDatabase,
}

impl Cluster {
    /// Starts a sandbox, `apis` API processes and `workers` worker processes on a fresh
    /// database of the PostgreSQL server at `admin_url`.
    pub async fn start(admin_url: String, apis: usize, workers: usize) -> Self {
        let database = TestDatabase::create(instacrush_tests::Backend::Postgres(admin_url.clone())).await;
        let db = Database::connect(database.url.as_str()).await.unwrap();
        instacrush::db::migrate(&db).await.unwrap();
        let server = url::Url::parse(&admin_url).unwrap();
        let port = server.port().unwrap_or(5432);
        let target = SocketAddr::from(([127, 0, 0, 1], port));
        let proxy = Proxy::start(target).await;
        let sandbox_port = free_port();
        let mut sandbox = instacrush_tests::instacrush_command();
        sandbox.args(["sandbox", "--port", &sandbox_port.to_string()]).env("SANDBOX_LATENCY_MS", "40");
        let sandbox = spawn(sandbox);
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let sandbox_url = format!("http://127.0.0.1:{sandbox_port}");
        let keys = serde_json::to_string(&KeySet::generate()).unwrap();
        let mut cluster = Self {
            sandbox_url,
            api_urls: Vec::new(),
            db,
            database_url: proxy.url(database.url.as_str()),
            proxy,
            client,
            keys,
            sandbox,
            apis: Vec::new(),
            workers: Vec::new(),
            _database: database,
        };
        cluster.wait_ok(&format!("{}/_sandbox/accounts", cluster.sandbox_url)).await;
        for _ in 0..apis {
            let port = free_port();
            let child = spawn(cluster.command(&["serve", "--listen-addr", &format!("127.0.0.1:{port}")]));
            cluster.apis.push(child);
            let url = format!("http://127.0.0.1:{port}");
            cluster.wait_ok(&format!("{url}/readyz")).await;
            cluster.api_urls.push(url);
        }
        for _ in 0..workers {
            cluster.start_worker();
        }
        cluster
    }

    /// `instacrush <args>` as every process of the cluster runs it: the same keys and
    /// database, the sandbox as Instagram, short leases and backoffs.
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = instacrush_tests::instacrush_command();
        command
            .args(args)
            .env("AUTH_KEYS", &self.keys)
            .env("DATABASE_URL", &self.database_url)
            .env("DATABASE_MAX_CONNECTIONS", "4")
            .env("DATABASE_ACQUIRE_TIMEOUT_SECS", "2")
            .env("NO_MIGRATE", "1")
            .env("WORKER_CONCURRENCY", if args[0] == "worker" { "3" } else { "0" })
            .env("WORKER_POLL_MS", "200")
            .env("JOB_LEASE_MS", "3000")
            .env("WORKER_GRACE_SECS", "10")
            .env("JOB_BACKOFF_BASE_MS", "300")
            .env("JOB_BACKOFF_CAP_SECS", "3")
            .env("READ_CACHE_MS", "1000")
            // Every client of the drill is this one address: per-client limits would only slow it.
            .env("RATE_LIMIT_AUTH_PER_MINUTE", "0")
            .env("RATE_LIMIT_WRITES_PER_MINUTE", "0");
        for host in ["AUTHORIZE", "API", "GRAPH"] {
            command.env(format!("INSTAGRAM_{host}_BASE_URL"), &self.sandbox_url);
        }
        command
    }

    /// Starts one more worker process.
    pub fn start_worker(&mut self) {
        let worker = spawn(self.command(&["worker"]));
        self.workers.push(worker);
    }

    async fn wait_ok(&self, url: &str) {
        for _ in 0..200 {
            if let Ok(response) = self.client.get(url).send().await
                && response.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{url} never answered 200");
    }

    /// Signs in as the sandbox account `username` through the first API process; the
    /// browser's cookies work on every API process (they share the keys and the database).
    pub async fn sign_in(&self, username: &str) -> Browser {
        let browser = Browser::new(self.client.clone(), &self.api_urls[0]);
        let start = browser.get("/api/auth/instagram?return_to=%2F").await;
        let authorize = instacrush_tests::auth::location(&start);
        let approved = self.client.get(format!("{authorize}&login_hint={username}")).send().await.unwrap();
        let callback = instacrush_tests::auth::location(&approved);
        let done = browser.get(&callback).await;
        assert_eq!(instacrush_tests::auth::location(&done), "/", "{username} signed in");
        browser
    }

    /// Sets sandbox knobs.
    pub async fn knobs(&self, knobs: serde_json::Value) {
        let url = format!("{}/_sandbox/knobs", self.sandbox_url);
        assert!(self.client.put(url).json(&knobs).send().await.unwrap().status().is_success());
    }

    /// The calls Instagram (the sandbox) answered since the last look, and how many of them
    /// it refused or failed, as text; counting starts again.
    pub async fn instagram_failures(&self) -> String {
        let url = format!("{}/_sandbox/calls", self.sandbox_url);
        let log: serde_json::Value =
            self.client.get(format!("{url}/log")).send().await.unwrap().json().await.unwrap();
        self.client.delete(&url).send().await.unwrap();
        let calls = log["calls"].as_array().cloned().unwrap_or_default();
        let failed =
            calls.iter().filter(|call| call["status"].as_u64().is_none_or(|status| status >= 400)).count();
        format!("{} Instagram calls ({failed} failed)", calls.len())
    }

    /// One number from the database.
    pub async fn count(&self, sql: &str) -> i64 {
        let statement = Statement::from_string(self.db.get_database_backend(), sql.to_owned());
        let row = self.db.query_one_raw(statement).await.unwrap().unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.apis.iter_mut().chain(self.workers.iter_mut()).chain([&mut self.sandbox]) {
            child.start_kill().ok();
        }
    }
}

fn spawn(command: std::process::Command) -> Child {
    let mut command = Command::from(command);
    command.stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
    command.spawn().expect("an instacrush process starts")
}
