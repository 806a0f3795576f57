//! `AppState`: what request handlers and jobs share, built once per process.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{config::HttpConfig, jobs::Waker, metrics::Metrics};

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
}

impl AppState {
    /// The state for a process connected to `db`.
    pub fn new(db: DatabaseConnection, http: HttpConfig) -> Self {
        Self { db, metrics: Arc::new(Metrics::new()), http: Arc::new(http), waker: Waker::default() }
    }
}
