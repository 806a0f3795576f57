//! `resync_stale`: the scheduled job that keeps recently active users' crushes
//! current. Each run enqueues a [`SyncFeed`] for every active user whose
//! account is stale, spread evenly over the period until the next run so
//! Instagram (and the workers) see a steady trickle instead of a burst.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{NEW_POST_GAP, SyncContext, SyncFeed, SyncSettings};
use crate::{
    auth::INSTAGRAM,
    db::now,
    jobs::{Job, JobContext, JobError, NewJob},
};

/// Enqueues resyncs of the stale accounts of recently active users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResyncStale {
    /// Users seen within this many seconds count as recently active.
    pub active_within_secs: u64,
    /// The syncs' start times are spread over this many seconds from now: the
    /// schedule's period, so one run's syncs end where the next run's begin.
    pub spread_secs: u64,
    /// At most this many syncs per run; the most stale accounts go first and
    /// the rest wait for the next run.
    pub batch: u64,
}

impl Default for ResyncStale {
    fn default() -> Self {
        Self { active_within_secs: 7 * 24 * 3600, spread_secs: 3600, batch: 500 }
    }
}

impl Job for ResyncStale {
    const KIND: &'static str = "resync_stale";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = SyncContext;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn perform(self, ctx: JobContext<SyncContext>) -> Result<(), JobError> {
        let (new, existing) = self.enqueue_due(&ctx.state.db, &ctx.state.settings).await?;
        if new > 0 {
            ctx.state.waker.wake();
        }
        tracing::info!(new, existing, "enqueued resyncs of stale accounts");
        Ok(())
    }
}

/// What [`SyncFeed::key`] puts before the user id, to find active syncs in SQL.
fn sync_key_prefix() -> String {
    format!("{}:user:", SyncFeed::KIND)
}

/// A user due for a resync.
#[derive(Debug, FromQueryResult)]
struct Due {
    user_id: i64,
}

impl ResyncStale {
    /// Enqueues the due resyncs, an account being fresh as `settings` say
    /// ([`SyncSettings::fresh_for_account`]); returns how many were new and how many were
    /// already queued.
    pub async fn enqueue_due(
        &self,
        db: &sea_orm::DatabaseConnection,
        settings: &SyncSettings,
    ) -> Result<(usize, usize), DbErr> {
        let at = now();
        let due = self.due(db, at, settings).await?;
        let jobs: Vec<NewJob> = due
            .iter()
            .enumerate()
            .map(|(slot, user)| {
                let run_at = at + self.offset(slot, due.len());
                NewJob::of(&SyncFeed { user_id: user.user_id }).run_at(run_at).owned_by(user.user_id)
            })
            .collect();
        let new = crate::jobs::enqueue_many(db, &jobs).await?.len();
        Ok((new, jobs.len() - new))
    }

    /// The start of `slot` of `slots`: the middle of its equal share of the
    /// spread, so no two syncs start together and all start within it.
    fn offset(&self, slot: usize, slots: usize) -> Duration {
        let spread = Duration::from_secs(self.spread_secs);
        let share = spread.div_f64(slots.max(1) as f64);
        share.mul_f64(slot as f64 + 0.5)
    }

    /// Recently active users with a usable Instagram sign-in whose account was
    /// never synced, is no longer fresh (the same rule as
    /// [`SyncSettings::fresh_for_account`]), or has a post a webhook named that no
    /// sync read yet (`unread_post_at`, once [`NEW_POST_GAP`] after the last sync),
    /// and who have no sync queued or running; most stale first, at most `batch`.
    async fn due(
        &self,
        db: &impl ConnectionTrait,
        at: OffsetDateTime,
        settings: &SyncSettings,
    ) -> Result<Vec<Due>, DbErr> {
        let sql = "SELECT u.id AS user_id FROM users u \
                   LEFT JOIN instagram_users iu ON iu.user_id = u.id \
                   WHERE u.last_seen_at >= $1 \
                     AND (iu.last_synced_at IS NULL OR iu.last_synced_at < CASE \
                          WHEN iu.last_event_at > iu.last_synced_at THEN $6 ELSE $2 END \
                          OR (iu.unread_post_at > iu.last_synced_at AND iu.last_synced_at < $7)) \
                     AND EXISTS (SELECT 1 FROM identities i WHERE i.user_id = u.id AND i.provider = $3 \
                                 AND i.reauth_required_at IS NULL AND i.access_token_encrypted IS NOT NULL) \
                     AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.dedupe_key = $4 || CAST(u.id AS TEXT) \
                                     AND j.state IN ('queued', 'running')) \
                   ORDER BY iu.last_synced_at IS NOT NULL, iu.last_synced_at, u.id \
                   LIMIT $5";
        let values = [
            (at - Duration::from_secs(self.active_within_secs)).into(),
            (at - settings.fresh_for()).into(),
            INSTAGRAM.into(),
            sync_key_prefix().into(),
            i64::try_from(self.batch).unwrap_or(i64::MAX).into(),
            (at - settings.webhook_fresh_for()).into(),
            (at - NEW_POST_GAP).into(),
        ];
        Due::find_by_statement(Statement::from_sql_and_values(db.get_database_backend(), sql, values))
            .all(db)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_evenly_spread_within_the_period() {
        let job = ResyncStale { spread_secs: 3600, ..ResyncStale::default() };
        let offsets: Vec<u64> = (0..4).map(|slot| job.offset(slot, 4).as_secs()).collect();
        assert_eq!(offsets, [450, 1350, 2250, 3150]);
        assert_eq!(job.offset(0, 1).as_secs(), 1800);
    }

    #[test]
    fn the_key_prefix_is_the_sync_keys_own() {
        assert_eq!(format!("{}42", sync_key_prefix()), SyncFeed::key(42));
    }
}
