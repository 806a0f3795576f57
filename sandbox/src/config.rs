//! Sandbox configuration: flags and `SANDBOX_*` environment variables. What can also change while
//! the sandbox runs lives in [`crate::knobs`].

/// Whether the sandbox starts lenient (kinder than Meta) or strict (as Meta documents).
/// Flipping this one constant flips the default of `SANDBOX_LENIENT` and of
/// [`SandboxConfig::default`].
pub const LENIENT_BY_DEFAULT: bool = false;

/// The app secret the sandbox signs callbacks and webhooks with, unless configured.
pub const DEFAULT_APP_SECRET: &str = "sandbox-secret";

/// How the sandbox generates its data, how strict it is and how badly it behaves.
#[derive(clap::Args, Clone, PartialEq)]
pub struct SandboxConfig {
    /// Seed of the synthetic data: same seed, same accounts, posts and comments.
    #[arg(long = "sandbox-seed", env = "SANDBOX_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Lenient (`1`): kinder than Meta, as the sandbox always was. Strict (`0`): scoped commenter
    /// ids, withheld authors, incomplete nested replies, Meta's refresh and secret checks.
    #[arg(
        id = "sandbox_lenient",
        long = "sandbox-lenient",
        env = "SANDBOX_LENIENT",
        default_value_t = LENIENT_BY_DEFAULT,
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub lenient: bool,
    /// The app secret: checked as `client_secret` (strict mode) and used to sign the
    /// deauthorize and data-deletion callbacks and the webhooks.
    #[arg(
        id = "sandbox_app_secret",
        long = "sandbox-app-secret",
        env = "SANDBOX_APP_SECRET",
        hide_env_values = true,
        default_value = DEFAULT_APP_SECRET
    )]
    pub app_secret: String,
    /// Added latency per API call, in milliseconds.
    #[arg(long = "sandbox-latency-ms", env = "SANDBOX_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Random extra latency per API call, up to this many milliseconds.
    #[arg(long = "sandbox-jitter-ms", env = "SANDBOX_JITTER_MS", default_value_t = 0)]
    pub jitter_ms: u64,
    /// Share of API calls (0.0–1.0) that fail with a transient 500.
    #[arg(long = "sandbox-error-rate", env = "SANDBOX_ERROR_RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// App-level limit: throttle after this many API calls per window, all accounts together;
    /// 0 disables it.
    #[arg(long = "sandbox-throttle-after", env = "SANDBOX_THROTTLE_AFTER", default_value_t = 0)]
    pub throttle_after: u32,
    /// Length of the app-level throttling window, in seconds.
    #[arg(
        long = "sandbox-throttle-window-secs",
        env = "SANDBOX_THROTTLE_WINDOW_SECS",
        default_value_t = 3600
    )]
    pub throttle_window_secs: u64,
    /// Error codes the app-level limit answers with (4, 17, 32, 613, 80002), taken in turn.
    #[arg(
        id = "sandbox_throttle_codes",
        long = "sandbox-throttle-codes",
        env = "SANDBOX_THROTTLE_CODES",
        value_delimiter = ',',
        default_values_t = [4u32]
    )]
    pub throttle_codes: Vec<u32>,
    /// Per-account (business use case) limit: code 80002 after this many API calls per window
    /// on one account; 0 disables it.
    #[arg(
        id = "sandbox_account_throttle_after",
        long = "sandbox-account-throttle-after",
        env = "SANDBOX_ACCOUNT_THROTTLE_AFTER",
        default_value_t = 0
    )]
    pub account_throttle_after: u32,
    /// Length of the per-account throttling window, in seconds.
    #[arg(
        id = "sandbox_account_throttle_window_secs",
        long = "sandbox-account-throttle-window-secs",
        env = "SANDBOX_ACCOUNT_THROTTLE_WINDOW_SECS",
        default_value_t = 3600
    )]
    pub account_throttle_window_secs: u64,
    /// Lifetime of long-lived tokens, in seconds (short-lived ones live at most an hour).
    #[arg(long = "sandbox-token-ttl-secs", env = "SANDBOX_TOKEN_TTL_SECS", default_value_t = 5_184_000)]
    pub token_ttl_secs: u64,
    /// Seconds the sandbox's clock runs ahead of the real one (ages tokens in tests).
    #[arg(
        id = "sandbox_clock_offset_secs",
        long = "sandbox-clock-offset-secs",
        env = "SANDBOX_CLOCK_OFFSET_SECS",
        default_value_t = 0
    )]
    pub clock_offset_secs: i64,
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
    /// Extra accounts `extra01.demo`, `extra02.demo`, … (12 posts and a clear crush each), for
    /// benchmarks that sign many accounts in; at most 93.
    #[arg(long = "sandbox-extra-accounts", env = "SANDBOX_EXTRA_ACCOUNTS", default_value_t = 0)]
    pub extra_accounts: u32,
    /// Origin that browsers and clients reach the sandbox at (for picture URLs and paging
    /// links); by default taken from each request's `Host` header.
    #[arg(long = "sandbox-public-base-url", env = "SANDBOX_PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// New comments per minute across the accounts subscribed to `comments`; 0 disables.
    #[arg(
        id = "sandbox_activity_per_minute",
        long = "sandbox-activity-per-minute",
        env = "SANDBOX_ACTIVITY_PER_MINUTE",
        default_value_t = 0.0
    )]
    pub activity_per_minute: f64,
    /// Where and how the sandbox calls the app (boxed: it keeps the configuration small).
    #[command(flatten)]
    pub hooks: Box<Hooks>,
}

/// Where and how the sandbox calls the app: webhooks, and Meta's two callbacks.
#[derive(clap::Args, Clone, PartialEq)]
#[group(id = "sandbox_hooks")]
pub struct Hooks {
    /// The app's webhook callback URL, where comment notifications are posted.
    #[arg(id = "sandbox_webhook_url", long = "sandbox-webhook-url", env = "SANDBOX_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// The verify token the sandbox's verification request sends (`hub.verify_token`).
    #[arg(
        id = "sandbox_webhook_verify_token",
        long = "sandbox-webhook-verify-token",
        env = "SANDBOX_WEBHOOK_VERIFY_TOKEN",
        hide_env_values = true
    )]
    pub webhook_verify_token: Option<String>,
    /// The app's deauthorize callback URL.
    #[arg(id = "sandbox_deauthorize_url", long = "sandbox-deauthorize-url", env = "SANDBOX_DEAUTHORIZE_URL")]
    pub deauthorize_url: Option<String>,
    /// The app's data-deletion callback URL.
    #[arg(
        id = "sandbox_data_deletion_url",
        long = "sandbox-data-deletion-url",
        env = "SANDBOX_DATA_DELETION_URL"
    )]
    pub data_deletion_url: Option<String>,
    /// Comment notifications per webhook POST, at most (Meta batches them).
    #[arg(
        id = "sandbox_webhook_batch_max",
        long = "sandbox-webhook-batch-max",
        env = "SANDBOX_WEBHOOK_BATCH_MAX",
        default_value_t = 1
    )]
    pub webhook_batch_max: u32,
    /// How long a webhook POST waits for more notifications to batch, in milliseconds.
    #[arg(
        id = "sandbox_webhook_batch_window_ms",
        long = "sandbox-webhook-batch-window-ms",
        env = "SANDBOX_WEBHOOK_BATCH_WINDOW_MS",
        default_value_t = 0
    )]
    pub webhook_batch_window_ms: u64,
    /// Delivery attempts per webhook POST before it is given up.
    #[arg(
        id = "sandbox_webhook_max_attempts",
        long = "sandbox-webhook-max-attempts",
        env = "SANDBOX_WEBHOOK_MAX_ATTEMPTS",
        default_value_t = 3
    )]
    pub webhook_max_attempts: u32,
}

impl Default for Hooks {
    fn default() -> Self {
        Self {
            webhook_url: None,
            webhook_verify_token: None,
            deauthorize_url: None,
            data_deletion_url: None,
            webhook_batch_max: 1,
            webhook_batch_window_ms: 0,
            webhook_max_attempts: 3,
        }
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("webhook_url", &self.webhook_url)
            .field("webhook_verify_token", &self.webhook_verify_token.as_ref().map(|_| "[redacted]"))
            .field("deauthorize_url", &self.deauthorize_url)
            .field("data_deletion_url", &self.data_deletion_url)
            .field("webhook_batch_max", &self.webhook_batch_max)
            .field("webhook_batch_window_ms", &self.webhook_batch_window_ms)
            .field("webhook_max_attempts", &self.webhook_max_attempts)
            .finish()
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            lenient: LENIENT_BY_DEFAULT,
            app_secret: DEFAULT_APP_SECRET.to_owned(),
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            throttle_after: 0,
            throttle_window_secs: 3600,
            throttle_codes: vec![4],
            account_throttle_after: 0,
            account_throttle_window_secs: 3600,
            token_ttl_secs: 5_184_000,
            clock_offset_secs: 0,
            page_size: 25,
            malformed_rate: 0.0,
            large_account_posts: 0,
            large_account_comments: 100_000,
            extra_accounts: 0,
            public_base_url: None,
            activity_per_minute: 0.0,
            hooks: Box::default(),
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("seed", &self.seed)
            .field("lenient", &self.lenient)
            .field("app_secret", &"[redacted]")
            .field("latency_ms", &self.latency_ms)
            .field("jitter_ms", &self.jitter_ms)
            .field("error_rate", &self.error_rate)
            .field("throttle_after", &self.throttle_after)
            .field("throttle_window_secs", &self.throttle_window_secs)
            .field("throttle_codes", &self.throttle_codes)
            .field("account_throttle_after", &self.account_throttle_after)
            .field("account_throttle_window_secs", &self.account_throttle_window_secs)
            .field("token_ttl_secs", &self.token_ttl_secs)
            .field("clock_offset_secs", &self.clock_offset_secs)
            .field("page_size", &self.page_size)
            .field("malformed_rate", &self.malformed_rate)
            .field("large_account_posts", &self.large_account_posts)
            .field("large_account_comments", &self.large_account_comments)
            .field("extra_accounts", &self.extra_accounts)
            .field("public_base_url", &self.public_base_url)
            .field("activity_per_minute", &self.activity_per_minute)
            .field("hooks", &self.hooks)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: SandboxConfig,
    }

    #[test]
    fn flags_default_like_default_and_parse_lists_and_booleans() {
        let defaults = Cli::parse_from(["x"]).config;
        assert_eq!(defaults, SandboxConfig::default());
        let strict = Cli::parse_from(["x", "--sandbox-lenient", "0", "--sandbox-throttle-codes", "17,613"]);
        assert!(!strict.config.lenient);
        assert_eq!(strict.config.throttle_codes, [17, 613]);
        assert!(!format!("{defaults:?}").contains(DEFAULT_APP_SECRET));
    }
}
