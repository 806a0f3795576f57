//! Receiving one notification: signature first, then the replay check, then every comment
//! event applied in one transaction, and the owners' crush recomputes enqueued in it.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::{
    CommentEvent, MalformedPayload, RecomputeCrush, SignatureError, WebhookContext, comment_events, signature,
};
use crate::{
    db::now,
    jobs::{self, Enqueued, NewJob},
    sync::{NEW_POST_GAP, ResyncStale, SyncFeed},
};

/// How long an accepted body's digest is kept: a replay within it is refused, and an event
/// older than it is ignored (so a replay after it changes nothing either).
const RECEIPT_RETENTION: time::Duration = time::Duration::days(7);

/// How long after a comment on a post we do not hold the account is resynced.
pub const NEW_POST_DELAY: time::Duration = time::Duration::minutes(1);

/// Why a notification was refused; nothing of it was applied.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The signature is missing or wrong.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// This exact body was accepted before.
    #[error("this notification was received already")]
    Replayed,
    /// The body is not a notification.
    #[error(transparent)]
    Malformed(#[from] MalformedPayload),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// What a notification did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// Comment events in it.
    pub events: usize,
    /// New interactions stored.
    pub applied: usize,
    /// The app users whose crush is being recomputed.
    pub users: Vec<i64>,
}

/// What became of the events of one body (counted in the metrics).
#[derive(Debug, Default)]
struct Tally {
    applied: u64,
    duplicate: u64,
    unknown_account: u64,
    unknown_media: u64,
    withheld_author: u64,
    stale: u64,
}

/// Checks and applies one notification: `signature` is its `X-Hub-Signature-256` header,
/// `body` the raw body.
pub async fn receive(
    ctx: &WebhookContext,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Received, WebhookError> {
    let result = check_and_apply(ctx, signature, body).await;
    let outcome = match &result {
        Ok(_) => "accepted",
        Err(WebhookError::Signature(err)) => err.reason(),
        Err(WebhookError::Replayed) => "replayed",
        Err(WebhookError::Malformed(_)) => "malformed",
        Err(WebhookError::Database(_)) => "error",
    };
    ctx.metrics.request(outcome);
    match &result {
        Ok(received) => {
            for user_id in &received.users {
                ctx.caches.forget_crushes_of(*user_id);
            }
            if !received.users.is_empty() {
                // When the recompute just enqueued is due: woken now, the worker would find nothing
                // runnable and wait for its next poll (`WORKER_POLL_MS`), not for the debounce.
                ctx.waker.wake_after(ctx.settings.debounce());
            }
        }
        Err(WebhookError::Database(err)) => tracing::error!(error = %err, "applying a webhook failed"),
        Err(err) => tracing::warn!(outcome, error = %err, "refused a webhook"),
    }
    result
}

async fn check_and_apply(
    ctx: &WebhookContext,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Received, WebhookError> {
    signature::verify(ctx.app_secret.expose(), signature, body)?;
    let events = comment_events(body)?;
    let digest = hex_sha256(body);
    let debounce = time::Duration::try_from(ctx.settings.debounce()).unwrap_or(time::Duration::ZERO);
    let window = ctx.window_posts;
    let count = events.len();
    let applied = crate::db::transact(&ctx.db, move |txn| {
        Box::pin(async move {
            let at = now();
            if !record_receipt(txn, &digest, at).await? {
                return Ok::<_, DbErr>(None);
            }
            let (tally, owners) = apply_events(txn, &events, at).await?;
            for (owner_id, user_id) in &owners.changed {
                schedule_recompute(
                    txn,
                    RecomputeCrush { owner_id: *owner_id, user_id: *user_id, window },
                    at + debounce,
                )
                .await?;
            }
            mark_heard(txn, &owners.heard, at).await?;
            for (owner_id, user_id) in &owners.unread {
                schedule_read_of_new_posts(txn, *owner_id, *user_id, at).await?;
            }
            Ok(Some((tally, owners.changed)))
        })
    })
    .await?;
    let Some((tally, owners)) = applied else { return Err(WebhookError::Replayed) };
    let metrics = &ctx.metrics;
    metrics.events("applied", tally.applied);
    metrics.events("duplicate", tally.duplicate);
    metrics.events("unknown_account", tally.unknown_account);
    metrics.events("unknown_media", tally.unknown_media);
    metrics.events("withheld_author", tally.withheld_author);
    metrics.events("stale", tally.stale);
    tracing::info!(events = count, applied = tally.applied, owners = owners.len(), "webhook received");
    Ok(Received {
        events: count,
        applied: usize::try_from(tally.applied).unwrap_or(usize::MAX),
        users: owners.into_iter().map(|(_, user_id)| user_id).collect(),
    })
}

fn hex_sha256(body: &[u8]) -> String {
    Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect()
}

fn statement(txn: &impl ConnectionTrait, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    Statement::from_sql_and_values(txn.get_database_backend(), sql, values)
}

/// Keeps the body's digest; `false` when it was there already (a replay). Old digests go.
async fn record_receipt(txn: &DatabaseTransaction, digest: &str, at: OffsetDateTime) -> Result<bool, DbErr> {
    let prune = "DELETE FROM webhook_receipts WHERE received_at < $1";
    txn.execute_raw(statement(txn, prune, vec![(at - RECEIPT_RETENTION).into()])).await?;
    let insert =
        "INSERT INTO webhook_receipts (digest, received_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING";
    let inserted = txn.execute_raw(statement(txn, insert, vec![digest.into(), at.into()])).await?;
    Ok(inserted.rows_affected() == 1)
}

/// The signed-in owners (`instagram_users.id`, `users.id`) the events of one body were for.
#[derive(Debug, Default)]
struct Owners {
    /// Whose interactions changed: their crush is recomputed.
    changed: BTreeSet<(i64, i64)>,
    /// Every one an event was for: their comments reach us by webhook.
    heard: BTreeSet<i64>,
    /// Whose events named a post we do not hold (new since their last sync): their account
    /// is resynced to read it.
    unread: BTreeSet<(i64, i64)>,
}

/// Applies the events; returns the tally and the owners they concerned.
async fn apply_events(
    txn: &DatabaseTransaction,
    events: &[CommentEvent],
    at: OffsetDateTime,
) -> Result<(Tally, Owners), DbErr> {
    let mut tally = Tally::default();
    let mut accounts: BTreeMap<&str, Option<(i64, i64)>> = BTreeMap::new();
    let mut owners = Owners::default();
    for event in events {
        if event.at.is_some_and(|when| when < at - RECEIPT_RETENTION) {
            tally.stale += 1;
            continue;
        }
        let owner = match accounts.get(event.account.as_str()) {
            Some(owner) => *owner,
            None => {
                let owner = signed_in_account(txn, &event.account).await?;
                accounts.insert(&event.account, owner);
                owner
            }
        };
        // Accounts nobody signed in with are acknowledged and ignored.
        let Some((owner_id, user_id)) = owner else {
            tally.unknown_account += 1;
            continue;
        };
        owners.heard.insert(owner_id);
        match apply_event(txn, owner_id, event, at).await? {
            Applied::New => {
                tally.applied += 1;
                owners.changed.insert((owner_id, user_id));
            }
            Applied::Duplicate => tally.duplicate += 1,
            Applied::UnknownMedia => {
                tally.unknown_media += 1;
                owners.unread.insert((owner_id, user_id));
            }
            Applied::WithheldAuthor => tally.withheld_author += 1,
        }
    }
    Ok((tally, owners))
}

/// Records that comment webhooks for `owners` reached us at `at`: their synced data stays
/// fresh longer (`SyncSettings::fresh_for_account`).
async fn mark_heard(
    txn: &DatabaseTransaction,
    owners: &BTreeSet<i64>,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    for owner_id in owners {
        let sql = "UPDATE instagram_users SET last_event_at = $1 WHERE id = $2";
        txn.execute_raw(statement(txn, sql, vec![at.into(), (*owner_id).into()])).await?;
    }
    Ok(())
}

/// Records that a webhook named a post of the account we do not hold (`unread_post_at`: the
/// hourly `resync_stale` resyncs an active account for it, should nothing else), and enqueues
/// a resync of a recently active user's account at once (incremental, so it reads the new
/// posts and little else), [`NEW_POST_DELAY`] from now so the first comments of a new post are
/// read together, and not within [`NEW_POST_GAP`] of its last sync: comments on posts outside
/// the sync's window are unknown too, and must not cost a resync each. A sync already queued
/// is enough; one running may have listed the posts before this one, and `unread_post_at`
/// brings the next.
async fn schedule_read_of_new_posts(
    txn: &DatabaseTransaction,
    owner_id: i64,
    user_id: i64,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    let mark = "UPDATE instagram_users SET unread_post_at = $1 WHERE id = $2";
    txn.execute_raw(statement(txn, mark, vec![at.into(), owner_id.into()])).await?;
    let sql = "SELECT o.last_synced_at, us.last_seen_at FROM instagram_users o JOIN users us ON us.id = o.user_id \
               WHERE o.id = $1";
    let Some(row) = txn.query_one_raw(statement(txn, sql, vec![owner_id.into()])).await? else {
        return Ok(());
    };
    let synced: Option<OffsetDateTime> = row.try_get("", "last_synced_at")?;
    let seen: Option<OffsetDateTime> = row.try_get("", "last_seen_at")?;
    let active_within =
        time::Duration::seconds(i64::try_from(ResyncStale::default().active_within_secs).unwrap_or(0));
    if seen.is_none_or(|seen| seen < at - active_within) {
        return Ok(());
    }
    let run_at = synced.map_or(at, |synced| synced + NEW_POST_GAP).max(at + NEW_POST_DELAY);
    jobs::enqueue(txn, NewJob::of(&SyncFeed { user_id }).run_at(run_at).owned_by(user_id)).await?;
    Ok(())
}

/// The account with Instagram id `ig_id`, if somebody signed in with it.
async fn signed_in_account(txn: &DatabaseTransaction, ig_id: &str) -> Result<Option<(i64, i64)>, DbErr> {
    let sql = "SELECT id, user_id FROM instagram_users WHERE ig_id = $1 AND user_id IS NOT NULL";
    let row = txn.query_one_raw(statement(txn, sql, vec![ig_id.into()])).await?;
    row.map(|row| Ok((row.try_get("", "id")?, row.try_get("", "user_id")?))).transpose()
}

enum Applied {
    New,
    Duplicate,
    /// The post is not one we synced (new since, or outside the window): a resync reads it.
    UnknownMedia,
    /// Instagram withheld the author (a restricted account): a sync would skip it too.
    WithheldAuthor,
}

/// Stores one comment event on a post of `owner_id`.
async fn apply_event(
    txn: &DatabaseTransaction,
    owner_id: i64,
    event: &CommentEvent,
    at: OffsetDateTime,
) -> Result<Applied, DbErr> {
    let Some(media_ig_id) = &event.media_id else { return Ok(Applied::UnknownMedia) };
    let sql = "SELECT id FROM instagram_media WHERE ig_id = $1 AND owner_id = $2";
    let Some(media) =
        txn.query_one_raw(statement(txn, sql, vec![media_ig_id.into(), owner_id.into()])).await?
    else {
        return Ok(Applied::UnknownMedia);
    };
    let media_id: i64 = media.try_get("", "id")?;
    let Some((author, username)) = &event.author else { return Ok(Applied::WithheldAuthor) };
    // As a sync writes authors: by their id under this owner (Instagram scopes commenter ids
    // per owner), a missing username keeping the one we know.
    let upsert = "INSERT INTO instagram_users (scope_id, ig_id, username, created_at, updated_at) \
                  VALUES ($1, $2, $3, $4, $4) \
                  ON CONFLICT (scope_id, ig_id) DO UPDATE SET username = CASE WHEN excluded.username = '' \
                    THEN instagram_users.username ELSE excluded.username END \
                  RETURNING id";
    let values = vec![owner_id.into(), author.into(), username.clone().unwrap_or_default().into(), at.into()];
    let row = txn.query_one_raw(statement(txn, upsert, values)).await?.ok_or(DbErr::RecordNotInserted)?;
    let author_id: i64 = row.try_get("", "id")?;
    let kind = if event.parent_id.is_some() { "reply" } else { "comment" };
    let insert = "INSERT INTO instagram_interactions (ig_comment_id, media_id, author_id, parent_ig_comment_id, kind, \
                                                      text, commented_at, created_at, updated_at) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (ig_comment_id) DO NOTHING";
    let values = vec![
        event.id.clone().into(),
        media_id.into(),
        author_id.into(),
        event.parent_id.clone().into(),
        kind.into(),
        event.text.clone().into(),
        event.at.unwrap_or(at).into(),
        at.into(),
    ];
    if txn.execute_raw(statement(txn, insert, values)).await?.rows_affected() == 0 {
        return Ok(Applied::Duplicate);
    }
    // Instagram's count (comments and replies) moved by one: an incremental sync comparing it
    // with ours need not read this post again.
    let bump = "UPDATE instagram_media SET comments_count = COALESCE(comments_count, 0) + 1, \
                  known_comments_count = known_comments_count + 1 WHERE id = $1";
    txn.execute_raw(statement(txn, bump, vec![media_id.into()])).await?;
    Ok(Applied::New)
}

/// Enqueues the owner's recompute to run at `run_at`. A queued one (not started, so it will
/// count this comment) is enough; a running one may have read before this comment, so one
/// more is queued behind it under a key of its own.
async fn schedule_recompute(
    txn: &DatabaseTransaction,
    job: RecomputeCrush,
    run_at: OffsetDateTime,
) -> Result<(), DbErr> {
    let Enqueued::Existing(id) = jobs::enqueue(txn, NewJob::of(&job).run_at(run_at)).await? else {
        return Ok(());
    };
    // Locked on PostgreSQL so that a queued job cannot be claimed before this transaction
    // commits (SQLite's single writer already orders it after us).
    let lock = if txn.get_database_backend() == DbBackend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT state FROM jobs WHERE id = $1{lock}");
    let state: Option<String> = match txn.query_one_raw(statement(txn, &sql, vec![id.into()])).await? {
        Some(row) => Some(row.try_get("", "state")?),
        None => None,
    };
    if state.as_deref() != Some("queued") {
        let key = format!("{}:after:{id}", RecomputeCrush::key(job.owner_id));
        jobs::enqueue(txn, NewJob::of(&job).dedupe_on(key).run_at(run_at)).await?;
    }
    Ok(())
}
