//! Sandbox configuration (flags and `SANDBOX_*` environment variables) and the runtime knobs
//! that tests can change while the sandbox runs (`PUT /_sandbox/knobs`).

use serde::{Deserialize, Serialize};

/// How the sandbox generates its data and how badly it behaves.
#[derive(clap::Args, Clone, Debug, PartialEq)]
pub struct SandboxConfig {
    /// Seed of the synthetic data: same seed, same accounts, posts and comments.
    #[arg(long = "sandbox-seed", env = "SANDBOX_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Added latency per API call, in milliseconds.
    #[arg(long = "sandbox-latency-ms", env = "SANDBOX_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Random extra latency per API call, up to this many milliseconds.
    #[arg(long = "sandbox-jitter-ms", env = "SANDBOX_JITTER_MS", default_value_t = 0)]
    pub jitter_ms: u64,
    /// Share of API calls (0.0–1.0) that fail with a transient 500.
    #[arg(long = "sandbox-error-rate", env = "SANDBOX_ERROR_RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Throttle (error code 4) after this many API calls per window; 0 disables throttling.
    #[arg(long = "sandbox-throttle-after", env = "SANDBOX_THROTTLE_AFTER", default_value_t = 0)]
    pub throttle_after: u32,
    /// Length of the throttling window, in seconds.
    #[arg(
        long = "sandbox-throttle-window-secs",
        env = "SANDBOX_THROTTLE_WINDOW_SECS",
        default_value_t = 3600
    )]
    pub throttle_window_secs: u64,
    /// Lifetime of long-lived tokens, in seconds (short-lived ones live at most an hour).
    #[arg(long = "sandbox-token-ttl-secs", env = "SANDBOX_TOKEN_TTL_SECS", default_value_t = 5_184_000)]
    pub token_ttl_secs: u64,
    /// Largest page the API returns, whatever `limit` asks for.
    #[arg(long = "sandbox-page-size", env = "SANDBOX_PAGE_SIZE", default_value_t = 25)]
    pub page_size: u32,
    /// Share of API calls (0.0–1.0) answered 200 with a truncated, unparsable body.
    #[arg(long = "sandbox-malformed-rate", env = "SANDBOX_MALFORMED_RATE", default_value_t = 0.0)]
    pub malformed_rate: f64,
    /// Posts of the large benchmark account `big.demo`; 0 leaves it out.
    #[arg(long = "sandbox-large-account-posts", env = "SANDBOX_LARGE_ACCOUNT_POSTS", default_value_t = 0)]
    pub large_account_posts: u32,
    /// Top-level comments, in all, on the large benchmark account (replies come on top).
    #[arg(
        long = "sandbox-large-account-comments",
        env = "SANDBOX_LARGE_ACCOUNT_COMMENTS",
        default_value_t = 100_000
    )]
    pub large_account_comments: u32,
    /// Origin that browsers and clients reach the sandbox at (for picture URLs and paging
    /// links); by default taken from each request's `Host` header.
    #[arg(long = "sandbox-public-base-url", env = "SANDBOX_PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            throttle_after: 0,
            throttle_window_secs: 3600,
            token_ttl_secs: 5_184_000,
            page_size: 25,
            malformed_rate: 0.0,
            large_account_posts: 0,
            large_account_comments: 100_000,
            public_base_url: None,
        }
    }
}

/// The misbehaviour settings, changeable at runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Knobs {
    /// Added latency per API call, in milliseconds.
    pub latency_ms: u64,
    /// Random extra latency per API call, up to this many milliseconds.
    pub jitter_ms: u64,
    /// Share of API calls that fail with a transient 500.
    pub error_rate: f64,
    /// Throttle after this many API calls per window; 0 disables.
    pub throttle_after: u32,
    /// Throttling window, in seconds.
    pub throttle_window_secs: u64,
    /// Share of API calls answered with an unparsable body.
    pub malformed_rate: f64,
    /// Largest page size.
    pub page_size: u32,
    /// Lifetime of newly issued long-lived tokens, in seconds.
    pub token_ttl_secs: u64,
}

impl From<&SandboxConfig> for Knobs {
    fn from(c: &SandboxConfig) -> Self {
        Self {
            latency_ms: c.latency_ms,
            jitter_ms: c.jitter_ms,
            error_rate: c.error_rate,
            throttle_after: c.throttle_after,
            throttle_window_secs: c.throttle_window_secs,
            malformed_rate: c.malformed_rate,
            page_size: c.page_size,
            token_ttl_secs: c.token_ttl_secs,
        }
    }
}

/// A partial update of [`Knobs`]: absent fields keep their value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnobsPatch {
    /// New latency.
    pub latency_ms: Option<u64>,
    /// New jitter.
    pub jitter_ms: Option<u64>,
    /// New error rate.
    pub error_rate: Option<f64>,
    /// New throttling threshold.
    pub throttle_after: Option<u32>,
    /// New throttling window.
    pub throttle_window_secs: Option<u64>,
    /// New malformed-body rate.
    pub malformed_rate: Option<f64>,
    /// New page size.
    pub page_size: Option<u32>,
    /// New long-lived token lifetime.
    pub token_ttl_secs: Option<u64>,
}

impl Knobs {
    /// Applies a patch, clamping rates to `0..=1`, the page size to `1..=100` and the window to
    /// at least a second.
    pub fn apply(&mut self, patch: KnobsPatch) {
        let rate = |r: f64| {
            if r.is_finite() { r.clamp(0.0, 1.0) } else { 0.0 }
        };
        if let Some(v) = patch.latency_ms {
            self.latency_ms = v;
        }
        if let Some(v) = patch.jitter_ms {
            self.jitter_ms = v;
        }
        if let Some(v) = patch.error_rate {
            self.error_rate = rate(v);
        }
        if let Some(v) = patch.throttle_after {
            self.throttle_after = v;
        }
        if let Some(v) = patch.throttle_window_secs {
            self.throttle_window_secs = v.max(1);
        }
        if let Some(v) = patch.malformed_rate {
            self.malformed_rate = rate(v);
        }
        if let Some(v) = patch.page_size {
            self.page_size = v.clamp(1, 100);
        }
        if let Some(v) = patch.token_ttl_secs {
            self.token_ttl_secs = v;
        }
    }

    /// Normalises values read from configuration the same way as a patch.
    pub fn normalised(mut self) -> Self {
        let all = KnobsPatch {
            latency_ms: None,
            jitter_ms: None,
            error_rate: Some(self.error_rate),
            throttle_after: None,
            throttle_window_secs: Some(self.throttle_window_secs),
            malformed_rate: Some(self.malformed_rate),
            page_size: Some(self.page_size),
            token_ttl_secs: None,
        };
        self.apply(all);
        self
    }
}
