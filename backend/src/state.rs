//! `AppState`: what request handlers and jobs share, built once per process.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{config::HttpConfig, instagram::InstagramClient, jobs::Waker, metrics::Metrics};

/// What every handler and job can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The metrics registry.
    pub metrics: Arc<Metrics>,
    /// HTTP settings (public URL, limits).
    pub http: Arc<HttpConfig>,
    /// Wakes this process's worker when a job is enqueued.
    pub waker: Waker,
    /// The Instagram API (a real Meta app or the sandbox).
    pub instagram: InstagramClient,
}

impl AppState {
    /// The state for a process connected to `db`.
    pub fn new(db: DatabaseConnection, http: HttpConfig, instagram: InstagramClient) -> Self {
        Self {
            db,
            metrics: Arc::new(Metrics::new()),
            http: Arc::new(http),
            waker: Waker::default(),
            instagram,
        }
    }
}
