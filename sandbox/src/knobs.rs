//! The runtime knobs: what tests change while the sandbox runs (`PUT /_sandbox/knobs`), starting
//! from the configuration and back to it on `DELETE /_sandbox/knobs`.

use std::convert::identity;

use serde::{Deserialize, Serialize};

use crate::config::SandboxConfig;

/// The codes Meta throttles with: app (4), user (17), page (32), custom (613), Instagram BUC
/// (80002).
pub const THROTTLE_CODES: [u32; 5] = [4, 17, 32, 613, 80002];

/// Everything changeable at runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Knobs {
    /// Lenient (kinder than Meta) or strict (as Meta documents).
    pub lenient: bool,
    /// Added latency per API call, in milliseconds.
    pub latency_ms: u64,
    /// Random extra latency per API call, up to this many milliseconds.
    pub jitter_ms: u64,
    /// Share of API calls that fail with a transient 500.
    pub error_rate: f64,
    /// App-level limit: API calls per window, all accounts together; 0 disables.
    pub throttle_after: u32,
    /// App-level throttling window, in seconds.
    pub throttle_window_secs: u64,
    /// Codes the app-level limit answers with, in turn.
    pub throttle_codes: Vec<u32>,
    /// Per-account limit (code 80002): API calls per window on one account; 0 disables.
    pub account_throttle_after: u32,
    /// Per-account throttling window, in seconds.
    pub account_throttle_window_secs: u64,
    /// Share of API calls answered with an unparsable body.
    pub malformed_rate: f64,
    /// Largest page size.
    pub page_size: u32,
    /// Lifetime of newly issued long-lived tokens, in seconds.
    pub token_ttl_secs: u64,
    /// Seconds the sandbox's clock runs ahead of the real one.
    pub clock_offset_secs: i64,
    /// The app's webhook callback URL.
    pub webhook_url: Option<String>,
    /// The `hub.verify_token` of the verification request.
    pub webhook_verify_token: Option<String>,
    /// The app's deauthorize callback URL.
    pub deauthorize_url: Option<String>,
    /// The app's data-deletion callback URL.
    pub data_deletion_url: Option<String>,
    /// Comment notifications per webhook POST, at most.
    pub webhook_batch_max: u32,
    /// How long a webhook POST waits for more notifications, in milliseconds.
    pub webhook_batch_window_ms: u64,
    /// Delivery attempts per webhook POST.
    pub webhook_max_attempts: u32,
    /// New comments per minute across subscribed accounts; 0 disables.
    pub activity_per_minute: f64,
}

impl From<&SandboxConfig> for Knobs {
    fn from(c: &SandboxConfig) -> Self {
        Self {
            lenient: c.lenient,
            latency_ms: c.latency_ms,
            jitter_ms: c.jitter_ms,
            error_rate: c.error_rate,
            throttle_after: c.throttle_after,
            throttle_window_secs: c.throttle_window_secs,
            throttle_codes: c.throttle_codes.clone(),
            account_throttle_after: c.account_throttle_after,
            account_throttle_window_secs: c.account_throttle_window_secs,
            malformed_rate: c.malformed_rate,
            page_size: c.page_size,
            token_ttl_secs: c.token_ttl_secs,
            clock_offset_secs: c.clock_offset_secs,
            webhook_url: c.hooks.webhook_url.clone(),
            webhook_verify_token: c.hooks.webhook_verify_token.clone(),
            deauthorize_url: c.hooks.deauthorize_url.clone(),
            data_deletion_url: c.hooks.data_deletion_url.clone(),
            webhook_batch_max: c.hooks.webhook_batch_max,
            webhook_batch_window_ms: c.hooks.webhook_batch_window_ms,
            webhook_max_attempts: c.hooks.webhook_max_attempts,
            activity_per_minute: c.activity_per_minute,
        }
    }
}

/// A partial update of [`Knobs`]: absent fields keep their value; an empty string clears a URL.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnobsPatch {
    /// Lenient or strict.
    pub lenient: Option<bool>,
    /// New latency.
    pub latency_ms: Option<u64>,
    /// New jitter.
    pub jitter_ms: Option<u64>,
    /// New error rate.
    pub error_rate: Option<f64>,
    /// New app-level threshold.
    pub throttle_after: Option<u32>,
    /// New app-level window.
    pub throttle_window_secs: Option<u64>,
    /// New app-level throttling codes.
    pub throttle_codes: Option<Vec<u32>>,
    /// New per-account threshold.
    pub account_throttle_after: Option<u32>,
    /// New per-account window.
    pub account_throttle_window_secs: Option<u64>,
    /// New malformed-body rate.
    pub malformed_rate: Option<f64>,
    /// New page size.
    pub page_size: Option<u32>,
    /// New long-lived token lifetime.
    pub token_ttl_secs: Option<u64>,
    /// New clock offset.
    pub clock_offset_secs: Option<i64>,
    /// New webhook callback URL.
    pub webhook_url: Option<String>,
    /// New verify token.
    pub webhook_verify_token: Option<String>,
    /// New deauthorize callback URL.
    pub deauthorize_url: Option<String>,
    /// New data-deletion callback URL.
    pub data_deletion_url: Option<String>,
    /// New batch size.
    pub webhook_batch_max: Option<u32>,
    /// New batch window.
    pub webhook_batch_window_ms: Option<u64>,
    /// New delivery attempts.
    pub webhook_max_attempts: Option<u32>,
    /// New activity rate.
    pub activity_per_minute: Option<f64>,
}

fn rate(r: f64) -> f64 {
    if r.is_finite() { r.clamp(0.0, 1.0) } else { 0.0 }
}

fn url(value: String) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

fn set<T>(target: &mut T, value: Option<T>, normalise: impl FnOnce(T) -> T) {
    if let Some(v) = value {
        *target = normalise(v);
    }
}

impl Knobs {
    /// Applies a patch, clamping rates to `0..=1`, the page size to `1..=100`, windows, batch
    /// sizes and attempts to at least 1, and keeping only the throttling codes Meta uses.
    pub fn apply(&mut self, p: KnobsPatch) {
        set(&mut self.lenient, p.lenient, identity);
        set(&mut self.latency_ms, p.latency_ms, identity);
        set(&mut self.jitter_ms, p.jitter_ms, identity);
        set(&mut self.error_rate, p.error_rate, rate);
        set(&mut self.malformed_rate, p.malformed_rate, rate);
        set(&mut self.page_size, p.page_size, |v| v.clamp(1, 100));
        set(&mut self.token_ttl_secs, p.token_ttl_secs, identity);
        set(&mut self.clock_offset_secs, p.clock_offset_secs, identity);
        self.apply_limits(&p);
        self.apply_app(p);
    }

    fn apply_limits(&mut self, p: &KnobsPatch) {
        set(&mut self.throttle_after, p.throttle_after, identity);
        set(&mut self.throttle_window_secs, p.throttle_window_secs, |v| v.max(1));
        set(&mut self.account_throttle_after, p.account_throttle_after, identity);
        set(&mut self.account_throttle_window_secs, p.account_throttle_window_secs, |v| v.max(1));
        set(&mut self.throttle_codes, p.throttle_codes.clone(), |codes: Vec<u32>| {
            let known: Vec<u32> = codes.into_iter().filter(|c| THROTTLE_CODES.contains(c)).collect();
            if known.is_empty() { vec![4] } else { known }
        });
    }

    fn apply_app(&mut self, p: KnobsPatch) {
        set(&mut self.webhook_url, p.webhook_url.map(url), identity);
        set(&mut self.webhook_verify_token, p.webhook_verify_token.map(url), identity);
        set(&mut self.deauthorize_url, p.deauthorize_url.map(url), identity);
        set(&mut self.data_deletion_url, p.data_deletion_url.map(url), identity);
        set(&mut self.webhook_batch_max, p.webhook_batch_max, |v| v.clamp(1, 1000));
        set(&mut self.webhook_batch_window_ms, p.webhook_batch_window_ms, |v| v.min(60_000));
        set(&mut self.webhook_max_attempts, p.webhook_max_attempts, |v| v.clamp(1, 10));
        set(&mut self.activity_per_minute, p.activity_per_minute, |v| {
            if v.is_finite() { v.clamp(0.0, 60_000.0) } else { 0.0 }
        });
    }

    /// Normalises values read from configuration the same way as a patch.
    pub fn normalised(self) -> Self {
        let mut out = self.clone();
        out.apply(KnobsPatch {
            error_rate: Some(self.error_rate),
            malformed_rate: Some(self.malformed_rate),
            page_size: Some(self.page_size),
            throttle_window_secs: Some(self.throttle_window_secs),
            account_throttle_window_secs: Some(self.account_throttle_window_secs),
            throttle_codes: Some(self.throttle_codes),
            webhook_batch_max: Some(self.webhook_batch_max),
            webhook_batch_window_ms: Some(self.webhook_batch_window_ms),
            webhook_max_attempts: Some(self.webhook_max_attempts),
            activity_per_minute: Some(self.activity_per_minute),
            ..KnobsPatch::default()
        });
        out
    }

    /// Whether strict rules apply.
    pub fn strict(&self) -> bool {
        !self.lenient
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_clamped_and_urls_can_be_cleared() {
        let mut knobs = Knobs::from(&SandboxConfig::default()).normalised();
        knobs.apply(KnobsPatch {
            error_rate: Some(7.0),
            page_size: Some(0),
            throttle_codes: Some(vec![1, 613]),
            webhook_url: Some("http://x/hook".into()),
            ..KnobsPatch::default()
        });
        assert_eq!((knobs.error_rate, knobs.page_size), (1.0, 1));
        assert_eq!(knobs.throttle_codes, [613]);
        assert_eq!(knobs.webhook_url.as_deref(), Some("http://x/hook"));
        knobs.apply(KnobsPatch {
            webhook_url: Some(" ".into()),
            throttle_codes: Some(vec![]),
            ..KnobsPatch::default()
        });
        assert_eq!((knobs.webhook_url, knobs.throttle_codes), (None, vec![4]));
    }
}
