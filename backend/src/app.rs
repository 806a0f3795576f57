//! Building and running the processes: the API server (with its in-process
//! worker and scheduler) and standalone workers.

use std::net::SocketAddr;

use anyhow::Context as _;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use crate::{
    config::{HttpConfig, ServeConfig, WorkerCommandConfig, WorkerConfig},
    db,
    http::{self, AppState},
    jobs,
};

/// A server that is connected, migrated and bound, ready to run.
pub struct Server {
    state: AppState,
    listener: TcpListener,
    worker: WorkerConfig,
}

impl Server {
    /// Connects to the database, migrates it (unless told not to) and binds the listener.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        let db = db::connect(&config.database).await?;
        if !config.no_migrate {
            db::migrate(&db).await.context("cannot migrate the database")?;
        }
        let addr = config.http.listen_addr;
        let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let state = AppState::new(db, config.http);
        Ok(Self { state, listener, worker: config.worker })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state handlers see.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight requests and
    /// jobs finish within their grace periods.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let background = (self.worker.concurrency > 0)
            .then(|| spawn_background(self.state.clone(), self.worker.clone(), shutdown.clone()));
        let grace = self.state.http.shutdown_grace();
        let app = http::router(self.state.clone());
        tracing::info!(addr = %self.listener.local_addr()?, database = db::backend_name(&self.state.db), "listening");
        let signal = shutdown.clone();
        let serve =
            axum::serve(self.listener, app).with_graceful_shutdown(async move { signal.cancelled().await });
        let mut serve = std::pin::pin!(serve.into_future());
        tokio::select! {
            result = &mut serve => result.context("server error")?,
            () = async { shutdown.cancelled().await; tokio::time::sleep(grace).await } => {
                tracing::warn!(?grace, "grace period over; dropping remaining connections");
            }
        }
        if let Some(background) = background {
            background.await.ok();
        }
        self.state.db.clone().close().await.ok();
        Ok(())
    }
}

/// Runs a worker and the scheduler until `shutdown`; the handle ends when both have stopped.
fn spawn_background(state: AppState, config: WorkerConfig, shutdown: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let scheduler = match jobs::start_scheduler(state.clone(), jobs::schedule()).await {
            Ok(scheduler) => Some(scheduler),
            Err(err) => {
                tracing::error!(error = %err, "the job scheduler did not start; periodic jobs will not run");
                None
            }
        };
        jobs::Worker::new(state, jobs::registry(), config).run(shutdown).await;
        if let Some(mut scheduler) = scheduler {
            scheduler.shutdown().await.ok();
        }
    })
}

/// Runs a standalone worker process until `shutdown`.
pub async fn run_worker(config: WorkerCommandConfig, shutdown: CancellationToken) -> anyhow::Result<()> {
    let db = db::connect(&config.database).await?;
    db::check_ready(&db).await.context("the database is not ready (run `instacrush migrate`)")?;
    let state = AppState::new(db, HttpConfig::ephemeral());
    spawn_background(state.clone(), config.worker, shutdown).await.ok();
    state.db.clone().close().await.ok();
    Ok(())
}
