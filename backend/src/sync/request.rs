//! Asking for a sync on a user's behalf, exactly once per need.
//!
//! A request decides from what it read, but by the time it enqueues, a sync may have
//! finished (the data is fresh) or another request may have started one. So the decision
//! is taken again inside one write transaction, with the account's row locked on
//! PostgreSQL (SQLite's write transactions are serialized anyway): however many requests
//! race for one stale account, one sync starts. And a request made by the user runs now,
//! even when the scheduled resync had parked that sync for later.

use std::time::Duration;

use sea_orm::{ConnectionTrait as _, DbBackend, DbErr, EntityTrait as _, Statement};
use time::OffsetDateTime;

use super::{
    SEEN_RESOLUTION, SYNC_COOLDOWN, SyncContext, SyncFeed, SyncOverview, SyncPhase, cooldown_left,
    latest_sync_job, overview, touch_last_seen,
};
use crate::{
    crush::{CrushView, OwnerAccount, owner_account},
    db::{self, now},
    entities::job,
    jobs::{self, NewJob},
};

/// What a user asking for their crush gets.
#[derive(Debug)]
pub enum CrushNeed {
    /// The data is fresh: the crush (`None`: nobody commented yet), for this much longer.
    Fresh {
        /// The user's account.
        account: OwnerAccount,
        /// The current crush.
        crush: Option<CrushView>,
        /// How long the data stays fresh.
        fresh_left: Duration,
    },
    /// A sync to watch: queued, running, or failed moments ago.
    Watch(job::Model),
    /// Instagram refused the token: the user must sign in again.
    NeedsReauth,
}

/// What asking for a sync now gives.
#[derive(Debug)]
pub enum SyncNow {
    /// The sync to watch (a new one, or the one already under way).
    Watch(Box<job::Model>),
    /// The user asked less than [`SYNC_COOLDOWN`] ago: ask again after this long.
    TooSoon(Duration),
    /// Instagram refused the token: the user must sign in again.
    NeedsReauth,
}

/// The crush of user `user_id` when the data is fresh, else the sync that makes it so
/// (started if none is under way); `None` when the user has no Instagram account.
pub async fn crush_or_sync(ctx: &SyncContext, user_id: i64) -> Result<Option<CrushNeed>, DbErr> {
    for _ in 0..3 {
        let Some((account, crush)) = OwnerAccount::with_current_crush(&ctx.db, user_id).await? else {
            return Ok(None);
        };
        // Keeps an active user's crush fresh through the scheduled resync.
        // `touch_last_seen` writes at most once per SEEN_RESOLUTION: skip it sooner.
        if account.last_seen_at.is_none_or(|at| now() - at >= SEEN_RESOLUTION) {
            touch_last_seen(&ctx.db, user_id).await?;
        }
        let overview = overview(&ctx.db, user_id, account.last_synced_at, fresh_for(ctx, &account)).await?;
        match overview.phase {
            SyncPhase::Active => return Ok(Some(CrushNeed::Watch(watch(ctx, overview).await?))),
            SyncPhase::NeedsReauth => return Ok(Some(CrushNeed::NeedsReauth)),
            _ if !overview.fresh_left.is_zero() => {
                return Ok(Some(CrushNeed::Fresh { account, crush, fresh_left: overview.fresh_left }));
            }
            // A sync that failed moments ago is not restarted on every visit (reloading would
            // hammer Instagram): its status is shown, and the user may retry.
            SyncPhase::Failed if overview.latest.as_ref().is_some_and(|job| cooldown_left(job).is_some()) => {
                return Ok(Some(CrushNeed::Watch(watch(ctx, overview).await?)));
            }
            _ => {
                if let Some(job) = start_sync_if_needed(ctx, user_id, &overview).await? {
                    return Ok(Some(CrushNeed::Watch(job)));
                }
            }
        }
    }
    Err(changing(user_id))
}

/// Where user `user_id`'s sync stands, with a sync started first if the data is stale and
/// nothing has been tried yet (what the loading page polls); `None` without an account.
pub async fn sync_overview(
    ctx: &SyncContext,
    user_id: i64,
) -> Result<Option<(OwnerAccount, SyncOverview)>, DbErr> {
    for _ in 0..3 {
        let Some(account) = owner_account(&ctx.db, user_id).await? else { return Ok(None) };
        let overview = overview(&ctx.db, user_id, account.last_synced_at, fresh_for(ctx, &account)).await?;
        if overview.phase != SyncPhase::Stale {
            return Ok(Some((account, overview)));
        }
        // Stale, and nothing tried yet: start a sync (or find the one just started, or see
        // the data turned fresh), then look again.
        start_sync_if_needed(ctx, user_id, &overview).await?;
    }
    Err(changing(user_id))
}

/// Asks for a sync of user `user_id`'s account now, at most once per [`SYNC_COOLDOWN`] of
/// the user's own asking (the app's automatic syncs do not count); `None` without an account.
pub async fn sync_now(ctx: &SyncContext, user_id: i64) -> Result<Option<SyncNow>, DbErr> {
    let Some(account) = owner_account(&ctx.db, user_id).await? else { return Ok(None) };
    let overview = overview(&ctx.db, user_id, account.last_synced_at, fresh_for(ctx, &account)).await?;
    match overview.phase {
        SyncPhase::NeedsReauth => Ok(Some(SyncNow::NeedsReauth)),
        SyncPhase::Active => Ok(Some(SyncNow::Watch(Box::new(watch(ctx, overview).await?)))),
        _ => match claim_request_slot(&ctx.db, user_id).await? {
            Some(wait) => Ok(Some(SyncNow::TooSoon(wait))),
            None => Ok(Some(SyncNow::Watch(Box::new(request_sync(ctx, user_id).await?)))),
        },
    }
}

/// How long `account`'s synced data stays fresh.
fn fresh_for(ctx: &SyncContext, account: &OwnerAccount) -> Duration {
    ctx.settings.fresh_for_account(account.last_synced_at, account.last_event_at)
}

/// Enqueues a sync of `user_id`'s account (or finds the active one), makes it run now if it
/// was scheduled later, and wakes this process's worker; returns the job.
pub async fn request_sync(ctx: &SyncContext, user_id: i64) -> Result<job::Model, DbErr> {
    let enqueued = jobs::enqueue(&ctx.db, NewJob::of(&SyncFeed { user_id }).owned_by(user_id)).await?;
    started(ctx, user_id, enqueued.id()).await
}

/// The active sync of `overview`, made to run now: somebody is waiting for it.
async fn watch(ctx: &SyncContext, overview: SyncOverview) -> Result<job::Model, DbErr> {
    let job = overview.latest.ok_or_else(|| DbErr::RecordNotFound("the latest sync".to_owned()))?;
    if job.state.is_active() && jobs::expedite(&ctx.db, job.id).await? {
        ctx.waker.wake();
        return find_job(ctx, job.id).await;
    }
    Ok(job)
}

/// Starts a sync of `user_id`'s account unless, by now, it is no longer needed: the data
/// turned fresh (`None`: look again), or a sync newer than the latest one in `seen` (what
/// the caller decided on) exists: that one is returned, to watch. See the module's comment.
pub async fn start_sync_if_needed(
    ctx: &SyncContext,
    user_id: i64,
    seen: &SyncOverview,
) -> Result<Option<job::Model>, DbErr> {
    let seen = seen.latest.as_ref().map(|job| job.id);
    let settings = ctx.settings.clone();
    let decided: Option<i64> = db::transact(&ctx.db, move |txn| {
        Box::pin(async move {
            let lock = if txn.get_database_backend() == DbBackend::Postgres { " FOR UPDATE" } else { "" };
            let sql =
                format!("SELECT last_synced_at, last_event_at FROM instagram_users WHERE user_id = $1{lock}");
            let statement = Statement::from_sql_and_values(txn.get_database_backend(), sql, [user_id.into()]);
            let row = txn.query_one_raw(statement).await?;
            let (synced, event): (Option<OffsetDateTime>, Option<OffsetDateTime>) = match row {
                Some(row) => (row.try_get("", "last_synced_at")?, row.try_get("", "last_event_at")?),
                None => (None, None),
            };
            let fresh_for = settings.fresh_for_account(synced, event);
            if synced.is_some_and(|at| at + fresh_for > now()) {
                return Ok::<_, DbErr>(None);
            }
            let latest = latest_sync_job(txn, user_id).await?.map(|job| job.id);
            if latest.is_some() && latest != seen {
                return Ok(latest);
            }
            let job = NewJob::of(&SyncFeed { user_id }).owned_by(user_id);
            Ok(Some(jobs::enqueue(txn, job).await?.id()))
        })
    })
    .await?;
    match decided {
        Some(id) => started(ctx, user_id, id).await.map(Some),
        None => Ok(None),
    }
}

/// After enqueueing (or finding) job `id`: it runs now, this process's worker is woken, and
/// the cached answer about the user's crush is forgotten.
async fn started(ctx: &SyncContext, user_id: i64, id: i64) -> Result<job::Model, DbErr> {
    jobs::expedite(&ctx.db, id).await?;
    ctx.caches.my_crush.remove(&user_id);
    ctx.waker.wake();
    find_job(ctx, id).await
}

async fn find_job(ctx: &SyncContext, id: i64) -> Result<job::Model, DbErr> {
    job::Entity::find_by_id(id).one(&ctx.db).await?.ok_or_else(|| DbErr::RecordNotFound(format!("job {id}")))
}

/// Records that user `user_id` asks for a sync now, unless they asked within
/// [`SYNC_COOLDOWN`]: then returns how long until they may (one statement, so two
/// simultaneous requests cannot both pass).
async fn claim_request_slot(
    db: &sea_orm::DatabaseConnection,
    user_id: i64,
) -> Result<Option<Duration>, DbErr> {
    let at = now();
    let sql = "UPDATE users SET sync_requested_at = $2 \
               WHERE id = $1 AND (sync_requested_at IS NULL OR sync_requested_at <= $3)";
    let values = [user_id.into(), at.into(), (at - SYNC_COOLDOWN).into()];
    let claimed =
        db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    if claimed.rows_affected() == 1 {
        return Ok(None);
    }
    let sql = "SELECT sync_requested_at FROM users WHERE id = $1";
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [user_id.into()]);
    let last: Option<OffsetDateTime> = match db.query_one_raw(statement).await? {
        Some(row) => row.try_get("", "sync_requested_at")?,
        None => None,
    };
    let left = last.map_or(time::Duration::ZERO, |last| last + SYNC_COOLDOWN - at);
    Ok(Some(left.try_into().unwrap_or(Duration::from_secs(1)).max(Duration::from_millis(1))))
}

fn changing(user_id: i64) -> DbErr {
    DbErr::Custom(format!("the sync state of user {user_id} kept changing while deciding"))
}
