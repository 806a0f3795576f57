//! Rate limits on the operations worth guessing or flooding: signing in (which stores a
//! sign-in state per start), exchanging API tokens, refreshing sessions, creating API tokens
//! and asking for syncs. Each is limited per client address and per credential (the token
//! presented, the session, the user), with a GCRA bucket per (operation, subject) from the
//! `governor` crate: a burst of the per-minute figure, refilled evenly over the minute.
//!
//! Buckets live in this process's memory: N API servers allow N times the figure, and a
//! restart forgets them. That is enough to slow guessing and flooding to a trickle.

use std::{
    hash::Hash,
    net::IpAddr,
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use clap::Args;
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock as _, DefaultClock},
};
use sha2::{Digest as _, Sha256};

/// How many requests each operation allows per subject (flags and environment variables).
#[derive(Debug, Clone, Args)]
pub struct RateLimitConfig {
    /// Sign-in starts and callbacks, API-token exchanges and session refreshes allowed per
    /// minute, per client address and per credential (each operation counted apart); 0 turns
    /// these limits off.
    #[arg(long, env = "RATE_LIMIT_AUTH_PER_MINUTE", default_value_t = RateLimitConfig::DEFAULT_AUTH_PER_MINUTE)]
    pub rate_limit_auth_per_minute: u32,
    /// API-token creations and sync requests allowed per minute, per client address and per
    /// user; 0 turns these limits off.
    #[arg(long, env = "RATE_LIMIT_WRITES_PER_MINUTE", default_value_t = RateLimitConfig::DEFAULT_WRITES_PER_MINUTE)]
    pub rate_limit_writes_per_minute: u32,
    /// Addresses or networks (`10.0.0.0/8`, `::1`), comma-separated, of the reverse proxies in
    /// front of this server: from them, the client's address is taken from `X-Forwarded-For`.
    /// Unset, the header is ignored (anyone can write it).
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl RateLimitConfig {
    const DEFAULT_AUTH_PER_MINUTE: u32 = 30;
    const DEFAULT_WRITES_PER_MINUTE: u32 = 10;

    /// No limits and no trusted proxies (tests and embedding).
    pub fn off() -> Self {
        Self { rate_limit_auth_per_minute: 0, rate_limit_writes_per_minute: 0, trusted_proxies: Vec::new() }
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            rate_limit_auth_per_minute: Self::DEFAULT_AUTH_PER_MINUTE,
            rate_limit_writes_per_minute: Self::DEFAULT_WRITES_PER_MINUTE,
            trusted_proxies: Vec::new(),
        }
    }
}

/// An address is a network of one.
fn parse_network(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{text:?} is not an IP address or network (e.g. 10.0.0.0/8)"))
}

/// A limited operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `GET /api/auth/instagram`: each start stores a sign-in state.
    SignInStart,
    /// Instagram's redirect back.
    SignInCallback,
    /// `POST /api/auth/token`: the place to guess API tokens.
    TokenExchange,
    /// `POST /api/auth/refresh`.
    Refresh,
    /// `POST /api/auth/api-tokens`.
    CreateApiToken,
    /// `POST /api/users/me/sync`.
    Sync,
}

impl Action {
    fn is_auth(self) -> bool {
        matches!(self, Self::SignInStart | Self::SignInCallback | Self::TokenExchange | Self::Refresh)
    }
}

/// Who a bucket counts: a client address, or a credential by its SHA-256 (no secret is kept).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Subject {
    Address(IpAddr),
    Credential([u8; 32]),
}

/// Refused: retry after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// When the next request will be allowed.
    pub retry_after: Duration,
}

/// Forget buckets idle long enough to be full again every this many checks, so a flood of
/// addresses or invented credentials does not grow memory without bound.
const PRUNE_EVERY: u64 = 4096;

/// The process's rate limiters.
pub struct RateLimits {
    auth: Option<DefaultKeyedRateLimiter<(Action, Subject)>>,
    writes: Option<DefaultKeyedRateLimiter<(Action, Subject)>>,
    checks: AtomicU64,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("auth", &self.auth.is_some())
            .field("writes", &self.writes.is_some())
            .finish()
    }
}

impl RateLimits {
    /// Limiters with the configured figures (none where a figure is 0).
    pub fn new(config: &RateLimitConfig) -> Self {
        let keyed =
            |per_minute: u32| NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Self {
            auth: keyed(config.rate_limit_auth_per_minute),
            writes: keyed(config.rate_limit_writes_per_minute),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one `action` from `address`, with `credential` when the request carries one;
    /// refused when either's bucket is empty.
    pub fn check(&self, action: Action, address: IpAddr, credential: Option<&str>) -> Result<(), Limited> {
        let limiter = if action.is_auth() { &self.auth } else { &self.writes };
        let Some(limiter) = limiter else { return Ok(()) };
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let subjects = std::iter::once(Subject::Address(address)).chain(
            credential.map(|credential| Subject::Credential(Sha256::digest(credential.as_bytes()).into())),
        );
        for subject in subjects {
            if let Err(not_until) = limiter.check_key(&(action, subject)) {
                let retry_after = not_until.wait_time_from(DefaultClock::default().now());
                tracing::info!(?action, ?retry_after, "rate limited");
                return Err(Limited { retry_after });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_minute: u32) -> RateLimits {
        RateLimits::new(&RateLimitConfig {
            rate_limit_auth_per_minute: per_minute,
            rate_limit_writes_per_minute: per_minute,
            trusted_proxies: Vec::new(),
        })
    }

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const AWAY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn an_address_gets_its_burst_then_waits() {
        let limits = limits(3);
        for _ in 0..3 {
            limits.check(Action::TokenExchange, HOME, Some("guess")).unwrap();
        }
        let refused = limits.check(Action::TokenExchange, HOME, None).unwrap_err();
        assert!(
            refused.retry_after > Duration::ZERO && refused.retry_after <= Duration::from_secs(20),
            "{refused:?}"
        );
        limits.check(Action::TokenExchange, AWAY, None).expect("another address has its own bucket");
        limits.check(Action::Refresh, HOME, None).expect("another operation has its own bucket");
    }

    #[test]
    fn a_credential_is_limited_across_addresses() {
        let limits = limits(2);
        let addresses = (1..=3).map(|n| IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, n)));
        let results: Vec<bool> =
            addresses.map(|address| limits.check(Action::Sync, address, Some("user:7")).is_ok()).collect();
        assert_eq!(results, [true, true, false]);
    }

    #[test]
    fn zero_turns_limits_off() {
        let limits = limits(0);
        for _ in 0..1000 {
            limits.check(Action::SignInStart, HOME, None).unwrap();
        }
    }

    #[test]
    fn trusted_proxies_parse_as_networks_or_addresses() {
        assert_eq!(parse_network("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_network(" ::1 ").unwrap().to_string(), "::1/128");
        assert!(parse_network("proxy.local").unwrap_err().contains("not an IP address"));
    }
}
