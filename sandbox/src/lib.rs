//! A local stand-in for the Instagram API with Instagram Login.
//!
//! It serves, on one origin, the authorize window (`www.instagram.com`), the code exchange
//! (`api.instagram.com`) and the Graph API reads (`graph.instagram.com`) that Instacrush uses,
//! from deterministic synthetic accounts, so the product runs and is tested with no internet
//! and no Meta app. Knobs add latency, failures, throttling, token expiry and a large account.
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
mod fields;
mod ids;
mod meta_error;
mod rng;
mod state;
mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use chaos::{FAIL_HEADER, LATENCY_HEADER};
pub use config::{Knobs, KnobsPatch, SandboxConfig};

/// The usernames of the demo accounts, in order.
pub fn demo_usernames() -> Vec<&'static str> {
    data::demo_usernames()
}

/// The sandbox as an axum router (every host on one origin).
pub fn router(config: SandboxConfig) -> Router {
    let state: state::Shared = Arc::new(state::Sandbox::new(config));
    let api_routes = Router::new()
        .route("/oauth/access_token", post(api::oauth::exchange_code))
        .route("/access_token", get(api::oauth::long_lived))
        .route("/refresh_access_token", get(api::oauth::refresh))
        .route("/{version}/{node}", get(api::graph::node))
        .route("/{version}/{node}/{edge}", get(api::graph::edge))
        .route_layer(middleware::from_fn_with_state(state.clone(), chaos::misbehave));
    Router::new()
        .route("/oauth/authorize", get(api::authorize::page))
        .route("/_sandbox/accounts", get(api::admin::accounts))
        .route("/_sandbox/accounts/{username}/revoke", post(api::admin::revoke))
        .route("/_sandbox/accounts/{username}/expire", post(api::admin::expire))
        .route("/_sandbox/accounts/{username}/token", post(api::admin::mint))
        .route("/_sandbox/knobs", get(api::admin::knobs).put(api::admin::set_knobs).delete(api::admin::reset))
        .route("/_sandbox/pictures/{file}", get(api::pictures::avatar))
        .route("/_sandbox/media/{file}", get(api::pictures::media))
        .route("/_sandbox/p/{id}", get(api::pictures::permalink))
        .merge(api_routes)
        .fallback(|uri: axum::http::Uri| async move {
            meta_error::GraphError::unknown_path(uri.path()).into_response()
        })
        .with_state(state)
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
