//! `sync_feed`: the background job that syncs a user's Instagram account and
//! recomputes their crush (the original's `UpdateUserFeedJob`).

use std::time::Duration;

use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
use serde::{Deserialize, Serialize};

use super::{SyncContext, SyncError, sync_account};
use crate::{
    auth::{self, Auth},
    db::now,
    entities::identity,
    instagram::{AccessToken, BASIC_PERMISSION, COMMENTS_PERMISSION, ErrorKind},
    jobs::{Job, JobContext, JobError},
};

/// The code of a sync that ended because Instagram wants the user to sign in again.
pub const NEEDS_REAUTH: &str = "needs_reauth";
/// The code of a sync that ended because the person withheld (or later withdrew) a permission
/// the app needs: the same outcome as a sign-in with a partial grant.
pub const MISSING_PERMISSION: &str = "missing_permission";

/// Syncs the Instagram account of user `user_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncFeed {
    /// The app user whose account to sync.
    pub user_id: i64,
}

impl SyncFeed {
    /// The dedupe key: one active sync per user (and so per Instagram account).
    pub fn key(user_id: i64) -> String {
        format!("{}:user:{user_id}", Self::KIND)
    }
}

impl Job for SyncFeed {
    const KIND: &'static str = "sync_feed";
    const MAX_ATTEMPTS: i32 = 5;
    const TIMEOUT: Duration = Duration::from_secs(30 * 60);
    type Context = SyncContext;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::key(self.user_id))
    }

    async fn perform(self, ctx: JobContext<SyncContext>) -> Result<(), JobError> {
        let identity = auth::instagram_identity(&ctx.state.db, self.user_id)
            .await?
            .ok_or_else(|| JobError::permanent("no_identity", "The user has no Instagram sign-in", None))?;
        let token = decrypt_token(&ctx, &identity)?;
        let result =
            sync_account(&ctx.state.db, &ctx.state.instagram, &token, &ctx.state.settings, &ctx).await;
        // Whatever happened, this process's cached answers about the account are out of date.
        ctx.state.caches.forget_crushes_of(self.user_id);
        match result {
            Ok(report) => {
                tracing::info!(posts = report.posts, interactions = report.interactions, "synced");
                Ok(())
            }
            Err(SyncError::Instagram(err)) if err.is_missing_permission() => {
                forget_permission(&ctx, identity).await?;
                Err(missing_permission(err.to_string()))
            }
            Err(SyncError::Instagram(err)) if err.kind() == ErrorKind::NeedsReauth => {
                mark_needs_reauth(&ctx, identity).await?;
                Err(needs_reauth(err.to_string()))
            }
            Err(SyncError::Instagram(err)) => Err(instagram_error(&err)),
            Err(SyncError::Database(err)) => Err(err.into()),
            Err(SyncError::Paused { until }) => {
                let wait = Duration::try_from(until - now()).unwrap_or_default();
                let detail = format!("Instagram's usage is near its limit; resuming at {until}");
                Err(JobError::deferred("paused", "Instagram asked us to slow down", Some(detail), wait))
            }
            Err(SyncError::Interrupted) => {
                Err(JobError::transient("interrupted", "The sync was stopped to resume elsewhere", None))
            }
        }
    }
}

fn needs_reauth(detail: String) -> JobError {
    JobError::permanent(NEEDS_REAUTH, "Instagram needs you to sign in again", Some(detail))
}

fn missing_permission(detail: String) -> JobError {
    JobError::permanent(MISSING_PERMISSION, "Instagram withholds a permission the app needs", Some(detail))
}

/// The identity's permissions as granted at sign-in, less the comments one Instagram now
/// refuses: later syncs stop before calling Instagram, until a sign-in grants it again.
async fn forget_permission(ctx: &JobContext<SyncContext>, identity: identity::Model) -> Result<(), JobError> {
    let kept: Vec<&str> =
        identity.scopes.split(',').filter(|s| !s.is_empty() && *s != COMMENTS_PERMISSION).collect();
    let scopes = if kept.is_empty() { BASIC_PERMISSION.to_owned() } else { kept.join(",") };
    let mut identity = identity.into_active_model();
    identity.scopes = Set(scopes);
    identity.updated_at = Set(now());
    identity.update(&ctx.state.db).await?;
    Ok(())
}

fn decrypt_token(ctx: &JobContext<SyncContext>, identity: &identity::Model) -> Result<AccessToken, JobError> {
    if identity.reauth_required_at.is_some() {
        return Err(needs_reauth("the Instagram token was refused earlier".to_owned()));
    }
    let granted: Vec<String> =
        identity.scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let missing = auth::sign_in::missing_permissions(&granted);
    if !missing.is_empty() {
        return Err(missing_permission(format!("not granted: {}", missing.join(", "))));
    }
    let stored = identity
        .access_token_encrypted
        .as_deref()
        .ok_or_else(|| needs_reauth("no token stored".to_owned()))?;
    let context = Auth::token_context(&identity.provider, &identity.uid);
    let plain = ctx
        .state
        .auth
        .cipher
        .decrypt(stored, &context)
        .map_err(|_| needs_reauth("the stored token does not decrypt (keys changed)".to_owned()))?;
    Ok(AccessToken::new(plain))
}

async fn mark_needs_reauth(ctx: &JobContext<SyncContext>, identity: identity::Model) -> Result<(), JobError> {
    let mut identity = identity.into_active_model();
    identity.reauth_required_at = Set(Some(now()));
    identity.updated_at = Set(now());
    identity.update(&ctx.state.db).await?;
    Ok(())
}

fn instagram_error(err: &crate::instagram::InstagramError) -> JobError {
    let detail = Some(err.to_string());
    match err.kind() {
        ErrorKind::Throttled { retry_after } => {
            JobError::deferred("throttled", "Instagram asked us to slow down", detail, retry_after)
        }
        ErrorKind::Transient => {
            JobError::transient("instagram_unavailable", "Instagram did not answer", detail)
        }
        ErrorKind::NeedsReauth => needs_reauth(err.to_string()),
        _ => JobError::permanent("instagram_error", "Instagram refused the request", detail),
    }
}
