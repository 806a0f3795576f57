//! The real server for the benchmarks that drive it over HTTP: `instacrush::app::Server` on
//! port 0 with its in-process Instagram sandbox and worker, a client that follows no
//! redirects, and the sign-in, sync and sandbox steps the benchmarks share.

use std::{
    collections::BTreeMap,
    sync::LazyLock,
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use instacrush::{
    app::Server,
    auth::{AuthConfig, KeySet},
    config::{DatabaseConfig, HttpConfig, ProcessConfig, ServeConfig, WorkerConfig},
    http::{AppState, CSRF_HEADER},
};
use reqwest::{StatusCode, header};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::BenchDatabase;

/// The auth keys of every server a benchmark starts: a session stays valid across them.
static KEYS: LazyLock<KeySet> = LazyLock::new(KeySet::generate);

/// A running server with its sandbox.
pub struct App {
    base_url: String,
    /// The in-process sandbox's origin.
    pub sandbox_url: String,
    /// A client that follows no redirects.
    pub client: reqwest::Client,
    /// The server's shared state (its database, its Instagram client).
    pub state: AppState,
    shutdown: CancellationToken,
    server: JoinHandle<anyhow::Result<()>>,
}

impl App {
    /// Builds and runs the server on `database` with its worker (4 jobs at once), the default
    /// `READ_CACHE_MS`, no rate limits and short shutdown graces, after `configure` adjusts
    /// that configuration.
    pub async fn start(
        database: &BenchDatabase,
        configure: impl FnOnce(&mut ServeConfig),
    ) -> anyhow::Result<Self> {
        let process = ProcessConfig {
            worker: WorkerConfig { concurrency: 4, grace_secs: 1, ..WorkerConfig::default() },
            auth: AuthConfig::with_keys(KEYS.clone()),
            ..ProcessConfig::new(DatabaseConfig::new(database.url()?))
        };
        let http = HttpConfig {
            shutdown_grace_secs: 1,
            read_cache_ms: HttpConfig::DEFAULT_READ_CACHE_MS,
            ..HttpConfig::ephemeral()
        };
        let mut config = ServeConfig { process, http, no_migrate: false };
        configure(&mut config);
        let server = Server::build(config).await?;
        let base_url = format!("http://{}", server.local_addr()?);
        let sandbox_url = server.sandbox_url().context("no in-process sandbox")?;
        let state = server.state().clone();
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(server.run(shutdown.clone()));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        Ok(Self { base_url, sandbox_url, client, state, shutdown, server })
    }

    /// Signs the session out (`POST /api/auth/logout`).
    pub async fn sign_out(&self, session: &str) -> anyhow::Result<()> {
        let response = self
            .client
            .post(self.url("/api/auth/logout"))
            .header(header::COOKIE, session)
            .header(CSRF_HEADER, "1")
            .send()
            .await?;
        anyhow::ensure!(
            response.status() == StatusCode::NO_CONTENT,
            "signing out answered {}",
            response.status()
        );
        Ok(())
    }

    /// An absolute URL of the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Signs in as the sandbox account `username` through the OAuth flow; returns the
    /// session's `Cookie` header value.
    pub async fn sign_in(&self, username: &str) -> anyhow::Result<String> {
        let mut jar = BTreeMap::new();
        let start = self.client.get(self.url("/api/auth/instagram?return_to=%2F")).send().await?;
        absorb_cookies(&start, &mut jar);
        let authorize = location(&start)?;
        let approved = self.client.get(format!("{authorize}&login_hint={username}")).send().await?;
        let callback = location(&approved)?;
        let finished = self.client.get(callback).header(header::COOKIE, cookie_header(&jar)).send().await?;
        absorb_cookies(&finished, &mut jar);
        if location(&finished)? != "/" || !jar.contains_key("ic_access") {
            bail!("signing in as {username} failed");
        }
        Ok(cookie_header(&jar))
    }

    /// `GET path` of the server as the session `cookie`.
    pub async fn get_as(&self, path: &str, cookie: &str) -> anyhow::Result<reqwest::Response> {
        Ok(self.client.get(self.url(path)).header(header::COOKIE, cookie).send().await?)
    }

    /// Calls an admin path of the sandbox (`/_sandbox/…`), with a JSON body when given;
    /// returns its JSON answer (`null` when it has none) and fails on an error status.
    pub async fn sandbox(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<serde_json::Value> {
        let mut request = self.client.request(method, format!("{}{path}", self.sandbox_url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("the sandbox answered {status} to {path}: {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    /// Changes some of the sandbox's knobs (`PUT /_sandbox/knobs`).
    pub async fn set_knobs(&self, knobs: serde_json::Value) -> anyhow::Result<()> {
        self.sandbox(reqwest::Method::PUT, "/_sandbox/knobs", Some(knobs)).await.map(drop)
    }

    /// Starts the session's sync and polls until it ends; returns the crush's slug.
    pub async fn sync_and_wait(&self, session: &str) -> anyhow::Result<String> {
        let started = self.get_as("/api/crush", session).await?;
        if started.status() != StatusCode::ACCEPTED {
            bail!("GET /api/crush of a stale user answered {}", started.status());
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let response = self.get_as("/api/crush/loading", session).await?;
            if response.status() == StatusCode::OK {
                let status: serde_json::Value = response.json().await?;
                let slug = status["result"]["crush"]["slug"].as_str();
                return slug.map(str::to_owned).with_context(|| format!("the sync found no crush: {status}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the sync did not finish within 60 s")
    }

    /// Stops the server (its worker releases running jobs after its grace).
    pub async fn stop(self) {
        self.shutdown.cancel();
        drop(self.client);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.server).await;
    }
}

/// The `Location` of a redirect.
fn location(response: &reqwest::Response) -> anyhow::Result<String> {
    if !response.status().is_redirection() {
        bail!("expected a redirect from {}, got {}", response.url(), response.status());
    }
    let value = response.headers().get(header::LOCATION).context("a redirect without Location")?;
    Ok(value.to_str()?.to_owned())
}

/// Keeps the cookies a response sets (all the flow's cookies are under `/api`).
fn absorb_cookies(response: &reqwest::Response, jar: &mut BTreeMap<String, String>) {
    for value in response.headers().get_all(header::SET_COOKIE) {
        let Some((name, value)) =
            value.to_str().ok().and_then(|set| set.split(';').next()).and_then(|pair| pair.split_once('='))
        else {
            continue;
        };
        if value.is_empty() {
            jar.remove(name.trim());
        } else {
            jar.insert(name.trim().to_owned(), value.to_owned());
        }
    }
}

fn cookie_header(jar: &BTreeMap<String, String>) -> String {
    jar.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
}
