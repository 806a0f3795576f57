//! `AppState`: what request handlers and jobs share, built once per process,
//! and the parts of it each domain asks for (`FromRef` sub-states).

use std::{sync::Arc, time::Duration};

use axum::extract::FromRef;
use sea_orm::DatabaseConnection;

use crate::{
    auth::{Auth, AuthContext},
    cache::ReadCaches,
    config::HttpConfig,
    instagram::InstagramClient,
    jobs::Waker,
    metrics::Metrics,
    rate_limit::RateLimits,
    sync::{Budget, SyncContext, SyncSettings},
    webhooks::{WebhookContext, WebhookSettings},
};

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
    /// Keys and settings for sessions, API tokens and tokens at rest.
    pub auth: Arc<Auth>,
    /// How syncs read Instagram.
    pub sync: Arc<SyncSettings>,
    /// The hottest reads, kept for `READ_CACHE_MS`.
    pub caches: Arc<ReadCaches>,
    /// Instagram's rate budget, as every process sees it.
    pub budget: Budget,
    /// This process's rate limits on sign-in, tokens and syncs.
    pub limits: Arc<RateLimits>,
    /// How Meta's webhooks are received.
    pub webhooks: Arc<WebhookSettings>,
}

impl AppState {
    /// The state for a process connected to `db`, with fresh random auth keys: call
    /// [`AppState::with_auth`] to use the configured ones.
    pub fn new(db: DatabaseConnection, http: HttpConfig, instagram: InstagramClient) -> Self {
        let auth = Arc::new(Auth::ephemeral(http.public_base_url().ok().as_ref()));
        let caches = Arc::new(ReadCaches::new(Duration::from_millis(http.read_cache_ms)));
        let sync = SyncSettings::default();
        let limits = Arc::new(RateLimits::new(&http.rate_limits));
        Self {
            limits,
            budget: Budget::new(db.clone(), sync.budget_high_water, sync.budget_pause()),
            db,
            metrics: Arc::new(Metrics::new()),
            http: Arc::new(http),
            waker: Waker::default(),
            instagram,
            auth,
            sync: Arc::new(sync),
            caches,
            webhooks: Arc::new(WebhookSettings::default()),
        }
    }

    /// The same state recording into `metrics` (which the Instagram client's observer may share).
    #[must_use]
    pub fn with_metrics(self, metrics: Arc<Metrics>) -> Self {
        Self { metrics, ..self }
    }

    /// The same state with these sync settings.
    #[must_use]
    pub fn with_sync(self, sync: SyncSettings) -> Self {
        Self { sync: Arc::new(sync), ..self }
    }

    /// The same state sharing this rate budget (the one the Instagram client reports to).
    #[must_use]
    pub fn with_budget(self, budget: Budget) -> Self {
        Self { budget, ..self }
    }

    /// The same state with these webhook settings.
    #[must_use]
    pub fn with_webhooks(self, webhooks: WebhookSettings) -> Self {
        Self { webhooks: Arc::new(webhooks), ..self }
    }

    /// The same state with these auth keys and settings.
    #[must_use]
    pub fn with_auth(self, auth: Auth) -> Self {
        Self { auth: Arc::new(auth), ..self }
    }
}

impl FromRef<AppState> for SyncContext {
    fn from_ref(state: &AppState) -> Self {
        let AuthContext { db, instagram, auth, caches } = AuthContext::from_ref(state);
        let (settings, waker, budget) = (state.sync.clone(), state.waker.clone(), state.budget.clone());
        Self { db, instagram, auth, caches, settings, waker, budget }
    }
}

impl FromRef<AppState> for AuthContext {
    fn from_ref(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            instagram: state.instagram.clone(),
            auth: state.auth.clone(),
            caches: state.caches.clone(),
        }
    }
}

impl FromRef<AppState> for WebhookContext {
    fn from_ref(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            // The one place the app secret reaches the webhooks: the Instagram client's.
            app_secret: state.instagram.config().app_secret.clone(),
            settings: state.webhooks.clone(),
            window_posts: state.sync.window_posts,
            caches: state.caches.clone(),
            waker: state.waker.clone(),
            metrics: state.metrics.webhooks.clone(),
        }
    }
}

/// The queue's own jobs (pruning, no-ops) need nothing but the queue.
impl FromRef<AppState> for () {
    fn from_ref(_: &AppState) -> Self {}
}
