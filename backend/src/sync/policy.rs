//! Sync policy: how long synced data stays fresh, and how often a user may ask for a sync.

use std::time::Duration;

use time::OffsetDateTime;

use super::SyncSettings;
use crate::{db::now, entities::job};

/// How often a user may ask for a sync.
pub const SYNC_COOLDOWN: Duration = Duration::from_secs(60);

/// How long after an account's last sync a comment on a post the app does not hold may resync
/// it: comments on old posts outside the sync's window are unknown too, and must not cost a
/// resync each.
pub const NEW_POST_GAP: time::Duration = time::Duration::hours(1);

impl SyncSettings {
    /// How long synced data stays fresh when no webhook feeds it.
    pub fn fresh_for(&self) -> Duration {
        hours(self.fresh_hours)
    }

    /// How long the data of an account last synced at `last_synced_at` stays fresh: longer
    /// when a comment webhook for it arrived since (`last_event_at`), proving that new comments
    /// reach the app without reading Instagram.
    pub fn fresh_for_account(
        &self,
        last_synced_at: Option<OffsetDateTime>,
        last_event_at: Option<OffsetDateTime>,
    ) -> Duration {
        match (last_synced_at, last_event_at) {
            (Some(synced), Some(event)) if event > synced => self.webhook_fresh_for(),
            _ => self.fresh_for(),
        }
    }

    /// How long the data of an account fed by webhooks stays fresh (never less than
    /// [`Self::fresh_for`]).
    pub fn webhook_fresh_for(&self) -> Duration {
        hours(self.webhook_fresh_hours.max(self.fresh_hours))
    }
}

fn hours(hours: u32) -> Duration {
    Duration::from_secs(u64::from(hours) * 3600)
}

/// How long until a user whose latest sync is `latest` may start another; `None` once they may.
pub fn cooldown_left(latest: &job::Model) -> Option<Duration> {
    let since = now() - latest.created_at;
    let left = time::Duration::try_from(SYNC_COOLDOWN).ok()? - since;
    (left > time::Duration::ZERO).then(|| left.unsigned_abs())
}

/// The codes of a sync waiting because Instagram asked us to slow down: it throttled us, or
/// its rate budget is spent.
const SLOWED_DOWN: [&str; 2] = ["throttled", "paused"];

/// When a sync waiting because Instagram asked us to slow down resumes; `None` when it is
/// not waiting for that.
pub fn resumes_at(job: &job::Model) -> Option<time::OffsetDateTime> {
    let code = job.last_error.as_ref()?.get("code")?.as_str()?;
    let waiting = job.state == job::JobState::Queued && job.run_at > now();
    (waiting && SLOWED_DOWN.contains(&code)).then_some(job.run_at)
}
