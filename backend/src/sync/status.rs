//! Where a user's sync stands, derived from the jobs and the account (never a
//! stored column that could drift).

use std::time::Duration;

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};
use time::OffsetDateTime;

use super::{NEEDS_REAUTH, SyncFeed};
use crate::{auth, db::now, entities::job, jobs::Job as _};

/// A user's sync, as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPhase {
    /// A sync is queued or running.
    Active,
    /// The data is fresh: the last sync succeeded recently.
    Fresh,
    /// The data is stale (or was never synced) and nothing is running.
    Stale,
    /// The latest sync failed; a retry is allowed.
    Failed,
    /// Instagram refused the token: the user must sign in again.
    NeedsReauth,
}

/// The facts the phase is derived from.
#[derive(Debug, Clone)]
pub struct SyncOverview {
    /// The phase.
    pub phase: SyncPhase,
    /// The latest sync job, if any.
    pub latest: Option<job::Model>,
    /// The last successful sync.
    pub last_synced_at: Option<OffsetDateTime>,
    /// How much longer the data stays fresh (zero once stale or never synced).
    pub fresh_left: Duration,
}

/// The latest `sync_feed` job of `user_id`.
pub async fn latest_sync_job(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<job::Model>, DbErr> {
    job::Entity::find()
        .filter(job::Column::UserId.eq(user_id))
        .filter(job::Column::Kind.eq(SyncFeed::KIND))
        .order_by_desc(job::Column::Id)
        .one(db)
        .await
}

async fn needs_reauth(db: &impl ConnectionTrait, user_id: i64) -> Result<bool, DbErr> {
    let identity = auth::instagram_identity(db, user_id).await?;
    Ok(identity.is_none_or(|identity| identity.reauth_required_at.is_some()))
}

/// Derives where `user_id`'s sync stands; data synced within `fresh_for` is fresh.
pub async fn overview(
    db: &impl ConnectionTrait,
    user_id: i64,
    last_synced_at: Option<OffsetDateTime>,
    fresh_for: Duration,
) -> Result<SyncOverview, DbErr> {
    let latest = latest_sync_job(db, user_id).await?;
    let failed_with = latest.as_ref().filter(|job| job.state == job::JobState::Failed).map(|job| {
        job.last_error
            .as_ref()
            .and_then(|error| error["code"].as_str().map(str::to_owned))
            .unwrap_or_default()
    });
    let fresh_left =
        last_synced_at.and_then(|at| Duration::try_from(at + fresh_for - now()).ok()).unwrap_or_default();
    let fresh = !fresh_left.is_zero();
    // A resync scheduled for later (a comment on a new post asked for one) while the data is
    // fresh is not a sync to watch: the user sees their crush, and the resync keeps its time.
    let scheduled = |job: &job::Model| {
        job.state == job::JobState::Queued && job.last_error.is_none() && job.run_at > now()
    };
    let phase = if latest.as_ref().is_some_and(|job| job.state.is_active() && !(fresh && scheduled(job))) {
        SyncPhase::Active
    } else if failed_with.as_deref() == Some(NEEDS_REAUTH) || needs_reauth(db, user_id).await? {
        SyncPhase::NeedsReauth
    } else if failed_with.is_some() {
        SyncPhase::Failed
    } else if fresh {
        SyncPhase::Fresh
    } else {
        SyncPhase::Stale
    };
    Ok(SyncOverview { phase, latest, last_synced_at, fresh_left })
}
