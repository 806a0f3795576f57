//! Meta's comment webhooks: the callback's verification (`hub.challenge`), signed
//! notifications turned into interactions without reading Instagram, and the debounced crush
//! recompute they trigger.
//!
//! A notification is checked before anything else (its `X-Hub-Signature-256` against the raw
//! body, in constant time), refused when replayed (a digest of every body accepted is kept),
//! and applied in one transaction: each new comment on a known post of a signed-in account is
//! stored (idempotently by its id; the post's `comments_count` moves with it, so the next
//! incremental sync does not read that post again) and the owner's crush recompute is
//! enqueued, deduplicated and delayed by a short debounce, so a flood of comments makes one
//! recompute at a time. A comment on a post we do not hold (a new post) enqueues a resync of
//! the account instead, which reads it; and every event marks its account as fed by
//! webhooks, whose synced data then stays fresh longer (`SYNC_WEBHOOK_FRESH_HOURS`).

mod payload;
mod receive;
mod recompute;
pub mod signature;
mod verify;

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;

pub use self::{
    payload::{CommentEvent, MalformedPayload, comment_events},
    receive::{NEW_POST_DELAY, Received, WebhookError, receive},
    recompute::RecomputeCrush,
    signature::SignatureError,
    verify::{Verification, VerificationError, verify_subscription},
};
use crate::{cache::ReadCaches, instagram::AppSecret, jobs::Waker, metrics::WebhookMetrics};

/// The path Meta posts notifications to (the callback URL is the public origin and this path).
pub const CALLBACK_PATH: &str = "/api/webhooks/instagram";

/// How webhooks are received.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookSettings {
    /// The verify token entered beside the callback URL in the Meta app dashboard; Meta's
    /// verification request must carry it. Unset: verification is refused (the in-process
    /// sandbox gets a random one).
    #[arg(
        long = "instagram-webhook-verify-token",
        env = "INSTAGRAM_WEBHOOK_VERIFY_TOKEN",
        hide_env_values = true
    )]
    pub verify_token: Option<String>,
    /// How long a crush recompute waits after the comment that asked for it, in milliseconds,
    /// so that the comments arriving meanwhile are counted by the same recompute.
    #[arg(
        long = "webhook-recompute-debounce-ms",
        env = "WEBHOOK_RECOMPUTE_DEBOUNCE_MS",
        default_value_t = WebhookSettings::DEFAULT_DEBOUNCE_MS
    )]
    pub debounce_ms: u64,
}

impl WebhookSettings {
    const DEFAULT_DEBOUNCE_MS: u64 = 250;

    /// The recompute's debounce.
    pub fn debounce(&self) -> Duration {
        Duration::from_millis(self.debounce_ms)
    }
}

impl Default for WebhookSettings {
    /// The default debounce and no verify token.
    fn default() -> Self {
        Self { verify_token: None, debounce_ms: Self::DEFAULT_DEBOUNCE_MS }
    }
}

/// What receiving webhooks and recomputing crushes need (built from the app's state).
#[derive(Clone)]
pub struct WebhookContext {
    /// The database.
    pub db: DatabaseConnection,
    /// The Meta app's secret, which signs every notification.
    pub app_secret: AppSecret,
    /// The verify token and the debounce.
    pub settings: Arc<WebhookSettings>,
    /// The crush counts comments on this many of the owner's most recent posts.
    pub window_posts: u32,
    /// The read caches, to forget crushes that changed.
    pub caches: Arc<ReadCaches>,
    /// Wakes this process's worker when a recompute is enqueued.
    pub waker: Waker,
    /// Counts requests and events.
    pub metrics: WebhookMetrics,
}
