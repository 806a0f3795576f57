//! A local stand-in for the Instagram API with Instagram Login.
//!
//! It serves, on one origin, the authorize window (`www.instagram.com`), the code exchange
//! (`api.instagram.com`) and the Graph API reads (`graph.instagram.com`) that Instacrush uses,
//! from deterministic synthetic accounts, so the product runs and is tested with no internet
//! and no Meta app. It calls the app back as Meta does (deauthorize and data-deletion
//! callbacks, comment webhooks). Knobs add latency, failures, throttling, token expiry, new
//! comments and a large account. It is strict by default, applying every rule Meta documents;
//! lenient mode (`SANDBOX_LENIENT=1`) keeps the kinder behaviour it once had.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = instagram_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap()).await?;
//! println!("sandbox at {}", sandbox.base_url());
//! # Ok(()) }
//! ```

mod api;
mod chaos;
mod config;
mod data;
mod events;
mod fields;
mod ids;
mod knobs;
mod meta_error;
mod rng;
mod scopes;
mod state;
mod tokens;
mod webhook;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use api::admin::app::signed_request;
pub use api::graph::OLDEST_VERSION;
pub use chaos::{FAIL_HEADER, LATENCY_HEADER};
pub use config::{DEFAULT_APP_SECRET, Hooks, LENIENT_BY_DEFAULT, SandboxConfig};
pub use knobs::{Knobs, KnobsPatch, THROTTLE_CODES};
pub use webhook::signature as webhook_signature;

/// The usernames of the demo accounts, in order.
pub fn demo_usernames() -> Vec<&'static str> {
    data::demo_usernames()
}

/// The sandbox as an axum router (every host on one origin). Inside a Tokio runtime it also
/// starts its webhook dispatcher and activity generator, which stop with the router.
pub fn router(config: SandboxConfig) -> Router {
    let state: state::Shared = Arc::new(state::Sandbox::new(config));
    webhook::start(&state);
    let api_routes = Router::new()
        .route("/oauth/access_token", post(api::oauth::exchange_code))
        .route("/access_token", get(api::oauth::long_lived))
        .route("/refresh_access_token", get(api::oauth::refresh))
        .route("/{a}", any(api::graph::call))
        .route("/{a}/{b}", any(api::graph::call))
        .route("/{a}/{b}/{c}", any(api::graph::call))
        .route_layer(middleware::from_fn_with_state(state.clone(), chaos::misbehave));
    Router::new()
        .route("/oauth/authorize", get(api::authorize::page))
        .merge(admin_routes())
        .route("/_sandbox/pictures/{file}", get(api::pictures::avatar))
        .route("/_sandbox/media/{file}", get(api::pictures::media).delete(api::admin::changes::delete_media))
        .route("/_sandbox/p/{id}", get(api::pictures::permalink))
        // Browsers ask for it on the authorize page; it is not an API call to count.
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NOT_FOUND }))
        .merge(api_routes)
        .fallback(|uri: axum::http::Uri| async move {
            meta_error::GraphError::unknown_path(uri.path()).into_response()
        })
        .with_state(state)
}

/// The `/_sandbox` controls.
fn admin_routes() -> Router<state::Shared> {
    use api::admin::{self, app, changes};
    Router::new()
        .route("/_sandbox/accounts", get(admin::accounts))
        .route("/_sandbox/accounts/{username}/revoke", post(admin::revoke))
        .route("/_sandbox/accounts/{username}/expire", post(admin::expire))
        .route("/_sandbox/accounts/{username}/token", post(admin::mint))
        .route("/_sandbox/accounts/{username}/comments", post(changes::add))
        .route("/_sandbox/accounts/{username}/deauthorize", post(app::deauthorize))
        .route("/_sandbox/accounts/{username}/data-deletion", post(app::data_deletion))
        .route("/_sandbox/changes", axum::routing::delete(changes::reset))
        .route("/_sandbox/knobs", get(admin::knobs).put(admin::set_knobs).delete(admin::reset))
        .route("/_sandbox/webhooks", get(app::deliveries).delete(app::clear_deliveries))
        .route("/_sandbox/webhooks/verify", post(app::verify))
        .route("/_sandbox/calls", get(app::calls).delete(app::reset_calls))
        .route("/_sandbox/calls/log", get(app::call_log))
        .route("/_sandbox/clock", get(app::clock))
        .route("/_sandbox/clock/advance", post(app::advance))
}

/// A sandbox running in the background; it stops on [`SandboxHandle::shutdown`] or on drop.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl SandboxHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its origin, e.g. `http://127.0.0.1:40123` (loopback when bound to all interfaces).
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    }

    /// Stops accepting connections and waits (up to five seconds) for the server to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(5), task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts the sandbox on `addr` (port 0 picks a free port) in the background.
pub async fn spawn(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<SandboxHandle> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(config);
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(%addr, "instagram sandbox listening");
    Ok(SandboxHandle { addr, stop: Some(stop), task: Some(task) })
}

/// Runs the sandbox on `addr` in the foreground until Ctrl-C (for `instacrush sandbox`).
pub async fn serve(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "instagram sandbox listening");
    axum::serve(listener, router(config))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
