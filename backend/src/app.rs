//! The composition root: building a process's state from its configuration, the
//! job kinds it performs and the periodic work it schedules, and running the
//! processes: the API server (with its in-process worker and scheduler) and
//! standalone workers.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context as _;
use sea_orm::DatabaseConnection;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use instagram_sandbox::SandboxHandle;

use crate::{
    auth::{Auth, AuthConfig, PruneAuthRecords, ReencryptTokens, RefreshInstagramTokens, SubscribeWebhooks},
    cache::broadcast,
    config::{
        HttpConfig, InstagramConfig, InstagramSetup, ProcessConfig, SandboxConfig, ServeConfig, WorkerConfig,
    },
    db,
    http::{self, AppState, ConnectionLimits},
    instagram::{AppSecret, CallObserver, InstagramClient},
    jobs::{self, NoopJob, PruneJobs, Registry, Schedule, Worker},
    metrics::Metrics,
    sync::{Budget, ResyncStale, SyncFeed},
    webhooks::{self, RecomputeCrush, WebhookSettings},
};

/// Every job kind this binary performs.
pub fn job_registry() -> Registry<AppState> {
    Registry::default()
        .register::<NoopJob>()
        .register::<PruneJobs>()
        .register::<RefreshInstagramTokens>()
        .register::<PruneAuthRecords>()
        .register::<ReencryptTokens>()
        .register::<SyncFeed>()
        .register::<ResyncStale>()
        .register::<SubscribeWebhooks>()
        .register::<RecomputeCrush>()
}

/// The periodic work the scheduler enqueues.
pub fn job_schedule() -> Schedule {
    Schedule::default()
        .every("0 17 * * * *", Duration::from_secs(3600), PruneJobs::default)
        .every("0 47 * * * *", Duration::from_secs(3600), PruneAuthRecords::default)
        .every("0 10 4 * * *", Duration::from_secs(24 * 3600), ReencryptTokens::default)
        .every("0 40 3 * * *", Duration::from_secs(24 * 3600), RefreshInstagramTokens::default)
        .every("0 5 * * * *", Duration::from_secs(3600), ResyncStale::default)
}

/// A worker performing this binary's job kinds with `state`.
pub fn worker(state: &AppState, config: WorkerConfig) -> Worker<AppState> {
    Worker::new(state.db.clone(), job_registry(), state.clone(), config)
        .waking_on(state.waker.clone())
        .recording(state.metrics.jobs.clone())
}

/// A server that is connected, migrated and bound, ready to run.
pub struct Server {
    state: AppState,
    listener: TcpListener,
    /// `/metrics` on an address of its own (`METRICS_ADDR`).
    metrics_listener: Option<TcpListener>,
    worker: WorkerConfig,
    sandbox: Option<SandboxHandle>,
    revocations: Option<broadcast::Listener>,
}

impl Server {
    /// Connects to the database, migrates it (unless told not to) and binds the listener.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        let ServeConfig { process, mut http, no_migrate } = config;
        let db = db::connect(&process.database).await?;
        if !no_migrate {
            db::migrate(&db).await.context("cannot migrate the database")?;
        }
        let addr = http.listen_addr;
        let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let metrics_listener = match http.metrics_addr {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} (METRICS_ADDR)"))?,
            ),
            None => None,
        };
        if http.public_url.is_none() {
            // Port 0 binds a free port: links and redirects need the one actually bound.
            http.public_url = Some(url::Url::parse(&format!("http://{}", listener.local_addr()?))?);
        }
        // Listening before serving: no revocation announced once this server answers is missed.
        let revocations = if http.read_cache_ms > 0 {
            broadcast::Listener::start(&process.database.database_url)
                .await
                .context("cannot listen for revocations on the database")?
        } else {
            None
        };
        let (state, sandbox) = build_state(db, &process, http).await?;
        Ok(Self { state, listener, metrics_listener, worker: process.worker, sandbox, revocations })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The address `/metrics` is served on when it has one of its own (`METRICS_ADDR`).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|listener| listener.local_addr().ok())
    }

    /// The in-process Instagram sandbox's origin, when no Meta app is configured.
    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox.as_ref().map(SandboxHandle::base_url)
    }

    /// The shared state handlers see.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight requests and
    /// jobs finish within their grace periods.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        self.state.budget.share_until(shutdown.clone()).await;
        if let Some(revocations) = self.revocations {
            tokio::spawn(revocations.run(self.state.caches.clone(), shutdown.clone()));
        }
        let background = (self.worker.concurrency > 0)
            .then(|| spawn_background(self.state.clone(), self.worker.clone(), shutdown.clone()));
        let grace = self.state.http.shutdown_grace();
        let limits = ConnectionLimits {
            header_read_timeout: self.state.http.header_read_timeout(),
            max_connections: self.state.http.max_connections,
        };
        if let Some(listener) = self.metrics_listener {
            tracing::info!(addr = %listener.local_addr()?, "serving /metrics");
            let metrics = http::metrics_router(self.state.clone());
            tokio::spawn(http::serve(listener, metrics, limits, shutdown.clone()));
        }
        let app = http::router(self.state.clone());
        tracing::info!(addr = %self.listener.local_addr()?, database = db::backend_name(&self.state.db), "listening");
        let serve = http::serve(self.listener, app, limits, shutdown.clone());
        tokio::select! {
            () = serve => {}
            () = async { shutdown.cancelled().await; tokio::time::sleep(grace).await } => {
                tracing::warn!(?grace, "grace period over; dropping remaining connections");
            }
        }
        if let Some(background) = background {
            background.await.ok();
        }
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
        self.state.db.clone().close().await.ok();
        Ok(())
    }
}

/// The state of a process connected to `db`: its auth keys, metrics and
/// Instagram client (and the in-process sandbox, when no Meta app is configured:
/// it runs as long as the returned handle lives).
pub async fn build_state(
    db: DatabaseConnection,
    process: &ProcessConfig,
    http: HttpConfig,
) -> anyhow::Result<(AppState, Option<SandboxHandle>)> {
    let auth = load_auth(&process.auth, &http)?;
    let metrics = Arc::new(Metrics::new());
    let budget = Budget::new(db.clone(), process.sync.budget_high_water, process.sync.budget_pause());
    let observer = observe_calls(&metrics, &budget);
    let install_secret = process.auth.load_sandbox_secret().context("cannot load the sandbox app secret")?;
    let mut webhooks = process.webhooks.clone();
    let setup = sandbox_calling_back(&process.instagram, &http, &mut webhooks)?;
    let (instagram, sandbox) = connect_instagram(&setup, observer, &install_secret).await?;
    let state = AppState::new(db, http, instagram)
        .with_auth(auth)
        .with_metrics(metrics)
        .with_sync(process.sync.clone())
        .with_budget(budget)
        .with_webhooks(webhooks);
    Ok((state, sandbox))
}

/// The Instagram setup, with an in-process sandbox (if one is started) posting comment
/// webhooks to this server, and verifying it with the same verify token (a random one when
/// none is configured). A sandbox configured with its own webhook URL keeps it.
fn sandbox_calling_back(
    setup: &InstagramSetup,
    http: &HttpConfig,
    webhooks: &mut WebhookSettings,
) -> anyhow::Result<InstagramSetup> {
    let mut setup = setup.clone();
    if setup.client.is_configured() || setup.client.has_custom_hosts() {
        return Ok(setup);
    }
    let hooks = &mut setup.sandbox.hooks;
    if hooks.webhook_url.is_none() {
        let public = http.public_base_url().context("invalid PUBLIC_URL")?;
        hooks.webhook_url =
            Some(format!("{}{}", public.as_str().trim_end_matches('/'), webhooks::CALLBACK_PATH));
    }
    let token = webhooks.verify_token.get_or_insert_with(|| crate::auth::crypto::random_token(24)).clone();
    hooks.webhook_verify_token.get_or_insert(token);
    Ok(setup)
}

/// Every finished Instagram call is counted in the metrics and noted in the rate budget.
fn observe_calls(metrics: &Metrics, budget: &Budget) -> CallObserver {
    let (metrics, budget) = (metrics.instagram.observer(), budget.clone());
    Arc::new(move |call| {
        metrics(call);
        budget.observe(call);
    })
}

/// The Instagram client: for the configured Meta app, or else for a sandbox
/// started in-process (returned too: it runs as long as the handle lives).
///
/// Without a Meta app, `install_secret` (a secret of this installation) stands for the app
/// secret: the in-process sandbox is given it unless `SANDBOX_APP_SECRET` names another, and
/// the client takes the sandbox's, so Meta's callbacks verify only with a secret nobody outside
/// knows.
pub async fn connect_instagram(
    setup: &InstagramSetup,
    observer: CallObserver,
    install_secret: &str,
) -> anyhow::Result<(InstagramClient, Option<SandboxHandle>)> {
    if setup.client.is_configured() || setup.client.has_custom_hosts() {
        // A Meta app, or Instagram's hosts pointed elsewhere (a sandbox run on its own).
        let config = setup.client.clone().or_sandbox_credentials(install_secret);
        let client =
            InstagramClient::with_observer(config, observer).context("invalid Instagram configuration")?;
        return Ok((client, None));
    }
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], setup.sandbox_port));
    let sandbox_config = with_install_secret(setup.sandbox.clone(), install_secret);
    let app_secret = AppSecret::new(sandbox_config.app_secret.clone());
    let sandbox = instagram_sandbox::spawn(sandbox_config, addr)
        .await
        .with_context(|| format!("cannot start the Instagram sandbox on {addr}"))?;
    let config = InstagramConfig {
        graph_api_version: setup.client.graph_api_version.clone(),
        timeout_secs: setup.client.timeout_secs,
        app_secret,
        ..InstagramConfig::for_sandbox(&sandbox.base_url())
    };
    tracing::info!(url = %sandbox.base_url(), "no Instagram app configured: using the sandbox");
    let client =
        InstagramClient::with_observer(config, observer).context("invalid Instagram configuration")?;
    Ok((client, Some(sandbox)))
}

/// The sandbox's configuration with `install_secret` as its app secret, unless one other than
/// the published default is configured.
pub fn with_install_secret(mut config: SandboxConfig, install_secret: &str) -> SandboxConfig {
    if config.app_secret == instagram_sandbox::DEFAULT_APP_SECRET {
        config.app_secret = install_secret.to_owned();
    }
    config
}

/// The configured keys (or the key file's, created on first start) and auth settings.
fn load_auth(config: &AuthConfig, http: &HttpConfig) -> anyhow::Result<Auth> {
    let keys = config.load_keys().context("cannot load the auth keys")?;
    let public = http.public_base_url().context("invalid PUBLIC_URL")?;
    Auth::new(config, &keys, &public).context("invalid auth configuration")
}

/// Runs a worker and the scheduler until `shutdown`; the handle ends when both have stopped.
fn spawn_background(state: AppState, config: WorkerConfig, shutdown: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        if state.auth.cipher.has_retired_keys() {
            // A key rotation: seal the stored tokens with the new key now, not at the next run.
            if let Err(err) = jobs::enqueue(&state.db, jobs::NewJob::of(&ReencryptTokens::default())).await {
                tracing::warn!(error = %err, "could not enqueue re-encrypting the Instagram tokens");
            }
            state.waker.wake();
        }
        let scheduler = jobs::start_scheduler(state.db.clone(), state.waker.clone(), job_schedule()).await;
        let scheduler = match scheduler {
            Ok(scheduler) => Some(scheduler),
            Err(err) => {
                tracing::error!(error = %err, "the job scheduler did not start; periodic jobs will not run");
                None
            }
        };
        worker(&state, config).run(shutdown).await;
        if let Some(mut scheduler) = scheduler {
            scheduler.shutdown().await.ok();
        }
    })
}

/// Runs a standalone worker process until `shutdown`.
pub async fn run_worker(config: ProcessConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    let db = db::connect(&config.database).await?;
    db::check_ready(&db).await.context("the database is not ready (run `instacrush migrate`)")?;
    let (state, sandbox) = build_state(db, &config, HttpConfig::ephemeral()).await?;
    state.budget.share_until(shutdown.clone()).await;
    spawn_background(state.clone(), config.worker, shutdown).await.ok();
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    state.db.clone().close().await.ok();
    Ok(())
}
