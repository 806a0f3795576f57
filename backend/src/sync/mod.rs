//! Syncing an Instagram account: read the profile, the recent posts and every
//! comment and reply on them (posts in parallel, bounded), write them
//! idempotently by Instagram ids, sweep what Instagram no longer has, and
//! record the crush — the final step in one transaction with `last_synced_at`.

mod activity;
mod budget;
mod commenters;
mod policy;
mod request;
mod resync_stale;
mod status;
mod sync_feed;
mod write;

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use futures::{StreamExt as _, TryStreamExt as _};
use sea_orm::{ConnectionTrait as _, DbErr, Statement};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use self::write::{CommentProgress, NextPage};
pub use self::{
    activity::{SEEN_RESOLUTION, touch_last_seen},
    budget::Budget,
    policy::{NEW_POST_GAP, SYNC_COOLDOWN, cooldown_left, resumes_at},
    request::{
        CrushNeed, SyncNow, crush_or_sync, request_sync, start_sync_if_needed, sync_now, sync_overview,
    },
    resync_stale::ResyncStale,
    status::{SyncOverview, SyncPhase, latest_sync_job, overview},
    sync_feed::{MISSING_PERMISSION, NEEDS_REAUTH, SyncFeed},
};
use crate::{
    auth::Auth,
    cache::ReadCaches,
    crush::{self, Interactor},
    db::now,
    instagram::{AccessToken, ErrorKind, InstagramClient, InstagramError, Media},
    jobs::{JobContext, Waker},
};

/// How much to read and how fast.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncSettings {
    /// The crush counts comments on this many of the owner's most recent posts.
    #[arg(long = "sync-window-posts", env = "SYNC_WINDOW_POSTS", default_value_t = SyncSettings::DEFAULT_WINDOW_POSTS)]
    pub window_posts: u32,
    /// Posts whose comments are read at once.
    #[arg(long = "sync-concurrency", env = "SYNC_CONCURRENCY", default_value_t = SyncSettings::DEFAULT_POST_CONCURRENCY)]
    pub post_concurrency: usize,
    /// An account synced within this many hours is fresh; older ones are resynced.
    #[arg(long = "sync-fresh-hours", env = "SYNC_FRESH_HOURS", default_value_t = SyncSettings::DEFAULT_FRESH_HOURS)]
    pub fresh_hours: u32,
    /// An account whose comments reach the app by webhook (one arrived since its last sync)
    /// stays fresh this many hours: the webhooks keep its comments current, and a resync only
    /// checks on them.
    #[arg(
        long = "sync-webhook-fresh-hours",
        env = "SYNC_WEBHOOK_FRESH_HOURS",
        default_value_t = SyncSettings::DEFAULT_WEBHOOK_FRESH_HOURS
    )]
    pub webhook_fresh_hours: u32,
    /// Above this share of an allowance (percent, from Instagram's usage headers), the syncs
    /// it covers pause until Instagram says calls are allowed again.
    #[arg(
        long = "instagram-budget-high-water",
        env = "INSTAGRAM_BUDGET_HIGH_WATER",
        default_value_t = SyncSettings::DEFAULT_BUDGET_HIGH_WATER
    )]
    pub budget_high_water: u32,
    /// When Instagram reports usage above the mark but no regain time (`X-App-Usage` never
    /// gives one), the syncs it covers pause this many seconds.
    #[arg(
        long = "instagram-budget-pause-secs",
        env = "INSTAGRAM_BUDGET_PAUSE_SECS",
        default_value_t = SyncSettings::DEFAULT_BUDGET_PAUSE_SECS
    )]
    pub budget_pause_secs: u64,
    /// Every this many hours a resync reads the comments of every post (noticing comments
    /// deleted); in between it reads only the posts whose comment count changed.
    #[arg(long = "sync-full-every-hours", env = "SYNC_FULL_EVERY_HOURS", default_value_t = SyncSettings::DEFAULT_FULL_EVERY_HOURS)]
    pub full_every_hours: u32,
}

impl SyncSettings {
    const DEFAULT_WINDOW_POSTS: u32 = 100;
    const DEFAULT_POST_CONCURRENCY: usize = 8;
    const DEFAULT_FRESH_HOURS: u32 = 12;
    const DEFAULT_WEBHOOK_FRESH_HOURS: u32 = 48;
    const DEFAULT_BUDGET_HIGH_WATER: u32 = 80;
    const DEFAULT_BUDGET_PAUSE_SECS: u64 = 60;
    const DEFAULT_FULL_EVERY_HOURS: u32 = 7 * 24;

    /// How long syncs pause when Instagram gives no regain time.
    pub fn budget_pause(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.budget_pause_secs)
    }

    /// How long an incremental resync may follow a full one.
    pub fn full_every(&self) -> time::Duration {
        time::Duration::hours(i64::from(self.full_every_hours))
    }
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            window_posts: Self::DEFAULT_WINDOW_POSTS,
            post_concurrency: Self::DEFAULT_POST_CONCURRENCY,
            fresh_hours: Self::DEFAULT_FRESH_HOURS,
            webhook_fresh_hours: Self::DEFAULT_WEBHOOK_FRESH_HOURS,
            budget_high_water: Self::DEFAULT_BUDGET_HIGH_WATER,
            budget_pause_secs: Self::DEFAULT_BUDGET_PAUSE_SECS,
            full_every_hours: Self::DEFAULT_FULL_EVERY_HOURS,
        }
    }
}

/// What syncing needs from the app (built from the app's state).
#[derive(Clone)]
pub struct SyncContext {
    /// The database.
    pub db: sea_orm::DatabaseConnection,
    /// The Instagram API.
    pub instagram: InstagramClient,
    /// Decrypts the stored Instagram tokens.
    pub auth: Arc<Auth>,
    /// The read caches, to forget what a sync changes.
    pub caches: Arc<ReadCaches>,
    /// How much to read and how fast.
    pub settings: Arc<SyncSettings>,
    /// Wakes this process's worker when a sync is enqueued.
    pub waker: Waker,
    /// Instagram's rate budget, as every process sees it.
    pub budget: Budget,
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Instagram refused or failed; its kind says whether to retry.
    #[error(transparent)]
    Instagram(#[from] InstagramError),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbErr),
    /// Asked to stop (the worker is shutting down); the posts in flight were finished and
    /// the rest is left for the next attempt.
    #[error("the sync was asked to stop")]
    Interrupted,
    /// Instagram's usage is above the high-water mark: the sync stopped (the posts in flight
    /// finished) and resumes at `until`.
    #[error("Instagram's rate budget is spent until {until}")]
    Paused {
        /// When calls are allowed again.
        until: OffsetDateTime,
    },
}

/// What a sync did.
#[derive(Debug, Clone)]
pub struct SyncReport {
    /// The owner's `instagram_users.id`.
    pub owner_id: i64,
    /// Posts read.
    pub posts: usize,
    /// Comments and replies on them.
    pub interactions: usize,
    /// The crush, if anybody commented.
    pub crush: Option<Interactor>,
}

/// Where a sync stands, kept in its job so that the next attempt (after a retry, a rescue or
/// a shutdown) resumes there: the profile and the post list were read and written under the
/// mark `synced_at`, and the posts whose comments are stored under that mark are done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCheckpoint {
    /// The owner's `instagram_users.id`.
    pub owner_id: i64,
    /// The sync's mark.
    #[serde(with = "time::serde::rfc3339")]
    pub synced_at: OffsetDateTime,
    /// The account's Instagram id (whose rate budget the sync spends).
    #[serde(default)]
    pub account: String,
    /// Whether the sync reads every post's comments, or only those of posts whose comment
    /// count changed (a checkpoint from before incremental syncs reads all).
    #[serde(default = "every_post")]
    pub full: bool,
}

fn every_post() -> bool {
    true
}

/// Follows a sync: receives its progress and keeps its checkpoint.
pub trait SyncTracker: Send + Sync {
    /// Reports `done` of `total` posts.
    fn report(&self, done: u64, total: u64) -> impl Future<Output = ()> + Send;
    /// Where an earlier attempt of this sync got to.
    fn resume_point(&self) -> Option<SyncCheckpoint>;
    /// Records where this attempt got to.
    fn checkpoint(&self, checkpoint: &SyncCheckpoint) -> impl Future<Output = ()> + Send;
    /// Whether the sync should stop: no post is started any more, the ones in flight finish.
    fn stopping(&self) -> bool;
    /// Until when syncs of `account` must pause to spare Instagram's rate budget, if they must.
    fn paused_until(&self, account: &str) -> Option<OffsetDateTime>;
}

impl SyncTracker for JobContext<SyncContext> {
    async fn report(&self, done: u64, total: u64) {
        if let Err(err) = self.progress(done, Some(total), "comments").await {
            tracing::warn!(error = %err, "recording sync progress failed");
        }
    }

    fn resume_point(&self) -> Option<SyncCheckpoint> {
        JobContext::checkpoint(self)
    }

    async fn checkpoint(&self, checkpoint: &SyncCheckpoint) {
        if let Err(err) = self.save_checkpoint(checkpoint).await {
            tracing::warn!(error = %err, "recording the sync's checkpoint failed");
        }
    }

    fn stopping(&self) -> bool {
        self.cancelled().is_cancelled()
    }

    fn paused_until(&self, account: &str) -> Option<OffsetDateTime> {
        self.state.budget.paused_until(account)
    }
}

/// Follows nothing: every sync starts from the beginning.
impl SyncTracker for () {
    async fn report(&self, _done: u64, _total: u64) {}

    fn resume_point(&self) -> Option<SyncCheckpoint> {
        None
    }

    async fn checkpoint(&self, _checkpoint: &SyncCheckpoint) {}

    fn stopping(&self) -> bool {
        false
    }

    fn paused_until(&self, _account: &str) -> Option<OffsetDateTime> {
        None
    }
}

/// Syncs the account `token` belongs to and records its crush, resuming where the
/// tracker's checkpoint says an earlier attempt got to: the profile and the post list are
/// not read again, and the posts whose comments were stored are skipped.
pub async fn sync_account(
    db: &sea_orm::DatabaseConnection,
    client: &InstagramClient,
    token: &AccessToken,
    settings: &SyncSettings,
    tracker: &(impl SyncTracker + Clone + 'static),
) -> Result<SyncReport, SyncError> {
    let checkpoint = match tracker.resume_point() {
        Some(checkpoint) => {
            tracing::info!(synced_at = %checkpoint.synced_at, "resuming the sync from its checkpoint");
            checkpoint
        }
        None => {
            pause_if_spent(tracker, "")?;
            let checkpoint = read_profile_and_posts(db, client, token, settings).await?;
            tracker.checkpoint(&checkpoint).await;
            checkpoint
        }
    };
    let SyncCheckpoint { owner_id, synced_at, ref account, full } = checkpoint;
    let posts = write::posts_of_sync(db, owner_id, synced_at).await?;
    let total = posts.len() as u64;
    let (pending, unchanged): (Vec<_>, Vec<_>) =
        posts.into_iter().filter(|post| !post.done).partition(|post| full || !post.unchanged);
    // An incremental sync keeps what it has of a post whose comment count did not move.
    let unchanged: Vec<i64> = unchanged.iter().map(|post| post.media_id).collect();
    write::keep_comments(db, &unchanged, synced_at).await?;
    let done = Arc::new(AtomicU64::new(total - pending.len() as u64));
    tracker.report(done.load(Ordering::SeqCst), total).await;
    // Progress is reported from inside each post's future, never between
    // polls of the stream: a post suspended mid-transaction holds a pooled
    // connection that a write issued from outside would wait for.
    // No post starts once the worker asks to stop or the rate budget is spent; the ones in
    // flight finish, and the checkpoint says where to resume.
    let (stopping, budget_of) = (tracker.clone(), account.clone());
    let pending = pending
        .into_iter()
        .take_while(move |_| !stopping.stopping() && stopping.paused_until(&budget_of).is_none());
    let mut comments = futures::stream::iter(pending.map(|post| {
        let post = Post {
            db: db.clone(),
            client: client.clone(),
            token: token.clone(),
            owner_id,
            media_id: post.media_id,
            ig_id: post.ig_id,
            comments_count: post.comments_count,
            synced_at,
        };
        let (tracker, done) = (tracker.clone(), done.clone());
        async move {
            let count = post.sync().await?;
            tracker.report(done.fetch_add(1, Ordering::SeqCst) + 1, total).await;
            Ok::<_, SyncError>(count)
        }
    }))
    .buffer_unordered(settings.post_concurrency.max(1));
    let mut interactions = 0;
    while let Some(count) = comments.try_next().await? {
        interactions += count;
    }
    drop(comments);
    if tracker.stopping() {
        return Err(SyncError::Interrupted);
    }
    pause_if_spent(tracker, account)?;
    // Reports from concurrent posts may land out of order; end on the truth.
    tracker.report(total, total).await;

    let crush = finish(db, owner_id, settings.window_posts, synced_at, full).await?;
    Ok(SyncReport { owner_id, posts: total as usize, interactions, crush })
}

/// The first part of a sync: the owner's profile and their recent posts, written (and the
/// posts no longer there swept) under a new mark.
async fn read_profile_and_posts(
    db: &sea_orm::DatabaseConnection,
    client: &InstagramClient,
    token: &AccessToken,
    settings: &SyncSettings,
) -> Result<SyncCheckpoint, SyncError> {
    let synced_at = now();
    let profile = client.profile(token).await?;
    let owner_id = write::upsert_owner(db, &profile, synced_at).await?;
    let full =
        write::full_synced_at(db, owner_id).await?.is_none_or(|at| at + settings.full_every() <= synced_at);
    let (media, complete) = recent_media(client, token, settings.window_posts).await?;
    write::upsert_media(db, owner_id, &media, synced_at).await?;
    let oldest = if complete { None } else { media.iter().filter_map(|post| post.timestamp).min() };
    write::sweep_media(db, owner_id, oldest, synced_at).await?;
    Ok(SyncCheckpoint { owner_id, synced_at, account: profile.user_id, full })
}

/// Stops the sync while the rate budget of `account` (or the app's) is spent.
fn pause_if_spent(tracker: &impl SyncTracker, account: &str) -> Result<(), SyncError> {
    match tracker.paused_until(account) {
        Some(until) => Err(SyncError::Paused { until }),
        None => Ok(()),
    }
}

/// One post to sync. (Owned: the posts run concurrently inside a `Send` job.)
struct Post {
    db: sea_orm::DatabaseConnection,
    client: InstagramClient,
    token: AccessToken,
    owner_id: i64,
    media_id: i64,
    ig_id: String,
    comments_count: Option<i64>,
    synced_at: OffsetDateTime,
}

impl Post {
    /// Reads the post's comments and replies and replaces what we had of them, page by page
    /// (each page is stored with the cursor of the next, so a sync stopped in the middle of the
    /// post goes on from there). A post deleted since it was listed is dropped with its
    /// interactions, and the sync goes on.
    async fn sync(self) -> Result<usize, SyncError> {
        match self.read_and_store().await {
            Err(SyncError::Instagram(err)) if err.is_gone() => {
                tracing::info!(media = %self.ig_id, error = %err, "the post vanished; dropping it");
                write::delete_post(&self.db, self.media_id).await?;
                Ok(0)
            }
            result => result,
        }
    }

    /// Every comment with every reply. A nested reply page without a `next` link may be
    /// incomplete (Meta does not document `next` there): when the post's count says
    /// interactions are missing, each such thread is read on through `/{comment-id}/replies`.
    async fn read_and_store(&self) -> Result<usize, SyncError> {
        let resumed = write::comment_progress(&self.db, self.media_id, self.synced_at).await?;
        let mut pages = match &resumed {
            None => Some(self.client.comments(&self.token, &self.ig_id)),
            Some(CommentProgress { after: Some(after), .. }) => {
                Some(self.client.comments_after(&self.token, &self.ig_id, after))
            }
            // Every page was read: only the threads to read on may be left.
            Some(_) => None,
        };
        let mut progress = resumed.unwrap_or_default();
        if let Some(pages) = &mut pages {
            while let Some(page) = pages.next_page().await {
                let page = match page {
                    // A cursor kept from an earlier attempt that Instagram no longer takes (it
                    // may have expired during a long pause): the post is read from its start.
                    Err(err) if restartable(&err, pages.pages_fetched(), &progress) => {
                        tracing::info!(media = %self.ig_id, error = %err, "the saved cursor was refused; reading the post again");
                        *pages = self.client.comments(&self.token, &self.ig_id);
                        progress = CommentProgress::default();
                        continue;
                    }
                    page => page?,
                };
                // A next link without a cursor cannot be resumed from: the checkpoint stays
                // where it was (a resumed sync reads those pages again, losing nothing).
                let next = match pages.next_cursor() {
                    Some(after) => NextPage::After(after),
                    None if pages.has_next() => NextPage::Unresumable,
                    None => NextPage::End,
                };
                progress = write::store_comment_page(
                    &self.db,
                    self.owner_id,
                    self.media_id,
                    page,
                    self.synced_at,
                    progress,
                    next,
                )
                .await?;
            }
        }
        let short = self.comments_count.is_none_or(|count| count > progress.read);
        if short {
            while let Some((comment_id, after)) = progress.replies_to_read.first().cloned() {
                let more = self.client.replies_after(&self.token, &comment_id, &after).await?;
                progress = write::store_replies(
                    &self.db,
                    self.owner_id,
                    self.media_id,
                    more,
                    self.synced_at,
                    progress,
                )
                .await?;
            }
        }
        write::finish_comments(&self.db, self.media_id, self.synced_at, progress.unattributed).await?;
        Ok(usize::try_from(progress.read - progress.unattributed).unwrap_or(0))
    }
}

/// Whether `err`, met reading the first page of a read resumed from a saved cursor, says the
/// cursor is no good (a refusal that is neither a vanished post nor a token or rate problem).
fn restartable(err: &InstagramError, pages_fetched: u32, progress: &CommentProgress) -> bool {
    pages_fetched == 0 && progress.after.is_some() && err.kind() == ErrorKind::Permanent && !err.is_gone()
}

/// The owner's most recent posts, up to `window`; `true` when that is all of them.
async fn recent_media(
    client: &InstagramClient,
    token: &AccessToken,
    window: u32,
) -> Result<(Vec<Media>, bool), SyncError> {
    let window = window as usize;
    let mut pages = client.media_pages(token, window.clamp(1, 100) as u32);
    let mut media = Vec::new();
    while let Some(page) = pages.next_page().await {
        media.extend(page?);
        if media.len() >= window {
            media.truncate(window);
            return Ok((media, false));
        }
    }
    Ok((media, true))
}

/// Records the crush and marks the account synced (and fully synced, after a full sync),
/// together.
async fn finish(
    db: &sea_orm::DatabaseConnection,
    owner_id: i64,
    window: u32,
    synced_at: OffsetDateTime,
    full: bool,
) -> Result<Option<Interactor>, DbErr> {
    crate::db::transact(db, move |txn| {
        Box::pin(async move {
            commenters::merge_named(txn, owner_id).await?;
            let crush = crush::record_crush(txn, owner_id, window, synced_at).await?;
            let sql = format!(
                "UPDATE instagram_users SET last_synced_at = $2, {}updated_at = $2, unattributed_comments = \
                   (SELECT COALESCE(SUM(recent.unattributed_count), 0) FROM \
                     (SELECT unattributed_count FROM instagram_media WHERE owner_id = $1 \
                      ORDER BY posted_at DESC, id DESC LIMIT $3) recent) \
                 WHERE id = $1",
                if full { "full_synced_at = $2, " } else { "" }
            );
            let values = [owner_id.into(), synced_at.into(), i64::from(window).into()];
            txn.execute_raw(Statement::from_sql_and_values(txn.get_database_backend(), sql, values)).await?;
            Ok(crush)
        })
    })
    .await
}
