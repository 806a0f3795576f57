//! Sync policy: how long synced data stays fresh, and how often a user may ask for a sync.

use std::time::Duration;

use super::SyncSettings;
use crate::{db::now, entities::job};

/// How often a user may ask for a sync.
pub const SYNC_COOLDOWN: Duration = Duration::from_secs(60);

impl SyncSettings {
    /// How long synced data stays fresh.
    pub fn fresh_for(&self) -> Duration {
        Duration::from_secs(u64::from(self.fresh_hours) * 3600)
    }
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
