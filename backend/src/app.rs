//! Building and running the server: connect, migrate, bind, serve until shutdown.

use std::{net::SocketAddr, sync::Arc};

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{
    config::ServeConfig,
    db,
    http::{self, AppState},
    metrics::Metrics,
};

/// A server that is connected, migrated and bound, ready to run.
pub struct Server {
    state: AppState,
    listener: TcpListener,
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
        let state = AppState { db, metrics: Arc::new(Metrics::new()), http: Arc::new(config.http) };
        Ok(Self { state, listener })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state handlers see.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight requests finish
    /// within the grace period.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let grace = self.state.http.shutdown_grace();
        let app = http::router(self.state.clone());
        tracing::info!(
            addr = %self.listener.local_addr()?,
            database = db::backend_name(&self.state.db),
            "listening"
        );
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
        self.state.db.clone().close().await.ok();
        Ok(())
    }
}
