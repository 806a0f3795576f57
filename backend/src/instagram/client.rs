//! The Instagram client: construction, the profile read, and the one place every call goes
//! through (timeout, error classification, usage headers, observer). OAuth is in `oauth.rs`,
//! paged reads in `pages.rs`. Tokens travel only in request URLs and bodies, never into logs
//! or errors.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::RETRY_AFTER;
use serde::de::DeserializeOwned;
use url::Url;

use super::config::InstagramConfig;
use super::error::{ApiError, ErrorKind, InstagramError, classify};
use super::model::Profile;
use super::token::{AccessToken, scrub};
use super::usage::{ScopedUsage, Usage};

/// Fields read from `/me`.
pub const PROFILE_FIELDS: &str =
    "id,user_id,username,name,account_type,profile_picture_url,followers_count,follows_count,media_count";
const SNIPPET_CHARS: usize = 300;

/// One finished Instagram call, for metrics and the rate budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// Endpoint label, e.g. `GET /me/media`.
    pub endpoint: &'static str,
    /// Wall time of the call.
    pub elapsed: Duration,
    /// HTTP status, if a response arrived.
    pub status: Option<u16>,
    /// What kind of failure it was, if it failed.
    pub error: Option<ErrorKind>,
    /// The usage headers of the response.
    pub usage: Option<Usage>,
    /// The same, per scope (the app, the account).
    pub scopes: Vec<ScopedUsage>,
}

/// Receives every finished call (e.g. to count calls and throttling in Prometheus).
pub type CallObserver = Arc<dyn Fn(&CallRecord) + Send + Sync>;

/// A client for the Instagram API with Instagram Login. Cheap to clone (shared state).
#[derive(Clone)]
pub struct InstagramClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: InstagramConfig,
    authorize_base: Url,
    api_base: Url,
    graph_base: Url,
    last_usage: Mutex<Option<Usage>>,
    observer: Option<CallObserver>,
}

impl std::fmt::Debug for InstagramClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstagramClient")
            .field("graph_base", &self.inner.graph_base.as_str())
            .field("graph_api_version", &self.inner.config.graph_api_version)
            .finish_non_exhaustive()
    }
}

fn base_url(name: &str, value: &str) -> Result<Url, InstagramError> {
    let url = Url::parse(value.trim_end_matches('/'))
        .map_err(|e| InstagramError::Config(format!("{name} {value:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(InstagramError::Config(format!("{name} {value:?} is not an http(s) base URL")));
    }
    Ok(url)
}

impl InstagramClient {
    /// Builds a client; fails only on an unusable configuration.
    pub fn new(config: InstagramConfig) -> Result<Self, InstagramError> {
        Self::build(config, None)
    }

    /// Builds a client that reports every finished call to `observer`.
    pub fn with_observer(config: InstagramConfig, observer: CallObserver) -> Result<Self, InstagramError> {
        Self::build(config, Some(observer))
    }

    fn build(config: InstagramConfig, observer: Option<CallObserver>) -> Result<Self, InstagramError> {
        let timeout = config.timeout();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("instacrush/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| InstagramError::Config(format!("HTTP client: {e}")))?;
        let inner = Inner {
            authorize_base: base_url("authorize base URL", &config.authorize_base_url)?,
            api_base: base_url("api base URL", &config.api_base_url)?,
            graph_base: base_url("graph base URL", &config.graph_base_url)?,
            http,
            config,
            last_usage: Mutex::new(None),
            observer,
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &InstagramConfig {
        &self.inner.config
    }

    /// The usage headers of the most recent response that had them.
    pub fn last_usage(&self) -> Option<Usage> {
        *self.inner.last_usage.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The signed-in account.
    pub async fn profile(&self, token: &AccessToken) -> Result<Profile, InstagramError> {
        let query = [("fields", PROFILE_FIELDS), ("access_token", token.expose())];
        let request = self.inner.http.get(self.graph_path(&["me"], true)).query(&query);
        self.call("GET /me", request, &[token.expose()]).await
    }

    /// A Graph URL: `{graph}/{version}/{segments…}` (or unversioned), segments percent-encoded.
    pub(crate) fn graph_path(&self, segments: &[&str], versioned: bool) -> Url {
        let mut url = self.inner.graph_base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            if versioned {
                path.push(&self.inner.config.graph_api_version);
            }
            path.extend(segments);
        }
        url
    }

    /// Origin of the authorize window.
    pub(crate) fn authorize_base(&self) -> &Url {
        &self.inner.authorize_base
    }

    /// Origin of the code exchange.
    pub(crate) fn api_base(&self) -> &Url {
        &self.inner.api_base
    }

    /// The underlying HTTP client (per-call timeout, no redirects).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Whether `url` is on the configured Graph origin (paging links must be).
    pub(crate) fn is_graph_origin(&self, url: &Url) -> bool {
        url.origin() == self.inner.graph_base.origin()
    }

    /// Sends one request and decodes its JSON body as `T`, classifying every failure.
    /// A read (`GET`) that fails transiently is tried again up to `call_retries` times after a
    /// short, jittered backoff: at a few percent of failed calls, a sync of hundreds of calls
    /// would otherwise almost never get through. Writes, throttling and refusals are never
    /// retried here. `secrets` are scrubbed from any snippet kept in an error.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        request: reqwest::RequestBuilder,
        secrets: &[&str],
    ) -> Result<T, InstagramError> {
        let request = match request.build() {
            Ok(request) => request,
            Err(err) => return Err(InstagramError::Network { endpoint, source: err.without_url() }),
        };
        let retries =
            if request.method() == reqwest::Method::GET { self.inner.config.call_retries } else { 0 };
        let mut tries = 0;
        loop {
            let Some(copy) = (tries < retries).then(|| request.try_clone()).flatten() else {
                return self.call_once(endpoint, request, secrets).await;
            };
            match self.call_once(endpoint, copy, secrets).await {
                Err(err) if err.kind() == ErrorKind::Transient => {
                    tries += 1;
                    tokio::time::sleep(retry_delay(tries)).await;
                }
                result => return result,
            }
        }
    }

    async fn call_once<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        request: reqwest::Request,
        secrets: &[&str],
    ) -> Result<T, InstagramError> {
        let started = Instant::now();
        let (status, headers, result) = self.send(endpoint, request, secrets).await;
        let (usage, scopes) = match &headers {
            Some(headers) => (Usage::from_headers(headers), Usage::scopes(headers)),
            None => (None, Vec::new()),
        };
        let record = CallRecord {
            endpoint,
            elapsed: started.elapsed(),
            status,
            error: result.as_ref().err().map(InstagramError::kind),
            usage,
            scopes,
        };
        match &result {
            Ok(_) => tracing::debug!(
                endpoint,
                status,
                elapsed_ms = record.elapsed.as_millis() as u64,
                "instagram call"
            ),
            Err(e) => tracing::warn!(endpoint, status, kind = ?e.kind(), error = %e, "instagram call failed"),
        }
        if let Some(observer) = &self.inner.observer {
            observer(&record);
        }
        result
    }

    async fn send<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        request: reqwest::Request,
        secrets: &[&str],
    ) -> (Option<u16>, Option<reqwest::header::HeaderMap>, Result<T, InstagramError>) {
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                InstagramError::Timeout { endpoint, timeout: self.inner.config.timeout() }
            } else {
                InstagramError::Network { endpoint, source: e.without_url() }
            }
        };
        let response = match self.inner.http.execute(request).await {
            Ok(r) => r,
            Err(e) => return (None, None, Err(transport(e))),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let usage = Usage::from_headers(&headers);
        if let Some(u) = usage {
            *self.inner.last_usage.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(u);
        }
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return (Some(status.as_u16()), Some(headers), Err(transport(e))),
        };
        let code = Some(status.as_u16());
        if !status.is_success() {
            let error = ApiError::parse(&body);
            let kind = classify(status, error.as_ref(), usage.as_ref(), retry_after);
            let err = match error {
                Some(error) => InstagramError::Api {
                    endpoint,
                    status: status.as_u16(),
                    error: Box::new(error),
                    usage,
                    kind,
                },
                None => InstagramError::Status {
                    endpoint,
                    status: status.as_u16(),
                    snippet: snippet(&body, secrets),
                    usage,
                    kind,
                },
            };
            return (code, Some(headers), Err(err));
        }
        let decoded = serde_json::from_slice::<T>(&body).map_err(|e| InstagramError::Decode {
            endpoint,
            status: status.as_u16(),
            reason: scrub(&e.to_string(), secrets),
            snippet: snippet(&body, secrets),
        });
        (code, Some(headers), decoded)
    }
}

/// The wait before retry number `tries` (1-based) of a failed read: 250 ms doubling, capped at
/// 4 s, with full jitter so that calls failing together do not retry together.
fn retry_delay(tries: u32) -> Duration {
    let cap = Duration::from_millis(250u64 << tries.saturating_sub(1).min(4));
    cap.mul_f64(rand::random::<f64>())
}

/// The start of a body, as text, with tokens removed.
fn snippet(body: &[u8], secrets: &[&str]) -> String {
    let text = String::from_utf8_lossy(body);
    let cut: String = text.chars().take(SNIPPET_CHARS).collect();
    scrub(&cut, secrets)
}
