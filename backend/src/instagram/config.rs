//! Where the Instagram API lives and which Meta app talks to it. Base URLs are configuration so
//! the same client talks to Meta or to the local sandbox.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The Graph API version used when none is configured (Graph API v26.0, July 2026).
pub const DEFAULT_GRAPH_API_VERSION: &str = "v26.0";

/// The Instagram app secret: never printed by `Debug` or `Display`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AppSecret(String);

impl AppSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the one request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether no secret is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "AppSecret(<empty>)" } else { "AppSecret(<redacted>)" })
    }
}

impl FromStr for AppSecret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// Configuration of the Instagram client (flags and `INSTAGRAM_*` environment variables).
#[derive(clap::Args, Clone, Debug, PartialEq, Eq)]
pub struct InstagramConfig {
    /// Instagram app id (Meta App Dashboard → Instagram → API setup with Instagram login).
    /// Empty means no real app: the local sandbox is used.
    #[arg(long = "instagram-app-id", env = "INSTAGRAM_APP_ID", default_value = "")]
    pub app_id: String,
    /// Instagram app secret (same page as the app id); never logged.
    #[arg(
        long = "instagram-app-secret",
        env = "INSTAGRAM_APP_SECRET",
        default_value = "",
        hide_env_values = true,
        hide_default_value = true
    )]
    pub app_secret: AppSecret,
    /// OAuth redirect URI registered with the app; by default the server derives it from its own
    /// public URL (`…/api/auth/instagram/callback`).
    #[arg(long = "instagram-redirect-uri", env = "INSTAGRAM_REDIRECT_URI")]
    pub redirect_uri: Option<String>,
    /// Origin of the authorize window.
    #[arg(
        long = "instagram-authorize-base-url",
        env = "INSTAGRAM_AUTHORIZE_BASE_URL",
        default_value = InstagramConfig::DEFAULT_AUTHORIZE_BASE_URL
    )]
    pub authorize_base_url: String,
    /// Origin of the code exchange (`POST /oauth/access_token`).
    #[arg(
        long = "instagram-api-base-url",
        env = "INSTAGRAM_API_BASE_URL",
        default_value = InstagramConfig::DEFAULT_API_BASE_URL
    )]
    pub api_base_url: String,
    /// Origin of the Graph API (`/me`, `/me/media`, comments, token exchange and refresh).
    #[arg(
        long = "instagram-graph-base-url",
        env = "INSTAGRAM_GRAPH_BASE_URL",
        default_value = InstagramConfig::DEFAULT_GRAPH_BASE_URL
    )]
    pub graph_base_url: String,
    /// Graph API version prefix, e.g. `v26.0`.
    #[arg(long = "instagram-graph-api-version", env = "INSTAGRAM_GRAPH_API_VERSION", default_value = DEFAULT_GRAPH_API_VERSION)]
    pub graph_api_version: String,
    /// Timeout of one Instagram call, in seconds.
    #[arg(long = "instagram-timeout-secs", env = "INSTAGRAM_TIMEOUT_SECS", default_value_t = InstagramConfig::DEFAULT_TIMEOUT_SECS)]
    pub timeout_secs: u64,
    /// How many times a read that failed transiently (5xx, timeout, connection error) is tried
    /// again at once, with jittered backoff, before the failure reaches the job.
    #[arg(long = "instagram-call-retries", env = "INSTAGRAM_CALL_RETRIES", default_value_t = InstagramConfig::DEFAULT_CALL_RETRIES)]
    pub call_retries: u32,
}

impl Default for InstagramConfig {
    fn default() -> Self {
        Self {
            app_id: String::new(),
            app_secret: AppSecret::default(),
            redirect_uri: None,
            authorize_base_url: Self::DEFAULT_AUTHORIZE_BASE_URL.into(),
            api_base_url: Self::DEFAULT_API_BASE_URL.into(),
            graph_base_url: Self::DEFAULT_GRAPH_BASE_URL.into(),
            graph_api_version: DEFAULT_GRAPH_API_VERSION.into(),
            timeout_secs: Self::DEFAULT_TIMEOUT_SECS,
            call_retries: Self::DEFAULT_CALL_RETRIES,
        }
    }
}

impl InstagramConfig {
    const DEFAULT_AUTHORIZE_BASE_URL: &str = "https://www.instagram.com";
    const DEFAULT_API_BASE_URL: &str = "https://api.instagram.com";
    const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.instagram.com";
    const DEFAULT_TIMEOUT_SECS: u64 = 20;
    const DEFAULT_CALL_RETRIES: u32 = 2;

    /// A configuration pointing every host at a sandbox origin, e.g. `http://127.0.0.1:4010`,
    /// with placeholder credentials (the sandbox accepts any app id and secret), so it counts as
    /// configured: decide with [`InstagramConfig::is_configured`] on the user's configuration
    /// before swapping this one in.
    pub fn for_sandbox(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/').to_owned();
        Self {
            app_id: "sandbox-app".into(),
            app_secret: AppSecret::new("sandbox-secret"),
            authorize_base_url: base.clone(),
            api_base_url: base.clone(),
            graph_base_url: base,
            ..Self::default()
        }
    }

    /// Whether real Meta app credentials are configured (else the product uses the sandbox).
    pub fn is_configured(&self) -> bool {
        !self.app_id.trim().is_empty() && !self.app_secret.expose().trim().is_empty()
    }

    /// Whether any base URL points somewhere other than Meta's hosts (a standalone sandbox).
    pub fn has_custom_hosts(&self) -> bool {
        self.authorize_base_url != Self::DEFAULT_AUTHORIZE_BASE_URL
            || self.api_base_url != Self::DEFAULT_API_BASE_URL
            || self.graph_base_url != Self::DEFAULT_GRAPH_BASE_URL
    }

    /// This configuration, for base URLs pointing at a sandbox run on its own: the sandbox's
    /// placeholder app id where none is set, and `install_secret` (this installation's sandbox
    /// secret, which the sandbox is given too) where no app secret is: never the sandbox's
    /// published default, which would let anyone sign Meta's callbacks.
    pub fn or_sandbox_credentials(mut self, install_secret: &str) -> Self {
        if self.app_id.trim().is_empty() {
            self.app_id = Self::for_sandbox("http://sandbox.invalid").app_id;
        }
        if self.app_secret.expose().trim().is_empty() {
            self.app_secret = AppSecret::new(install_secret);
        }
        self
    }

    /// The per-call timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let config = InstagramConfig { app_secret: AppSecret::new("hunter2"), ..InstagramConfig::default() };
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn sandbox_points_every_host_at_one_origin() {
        let c = InstagramConfig::for_sandbox("http://127.0.0.1:9/");
        assert_eq!(c.authorize_base_url, "http://127.0.0.1:9");
        assert_eq!(c.api_base_url, c.graph_base_url);
        assert!(!InstagramConfig::default().is_configured());
    }
}
