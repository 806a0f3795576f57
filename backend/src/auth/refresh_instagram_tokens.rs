//! `refresh_instagram_tokens`: the daily job keeping long-lived Instagram tokens alive. Tokens
//! refreshed more than 24 h ago (Instagram refuses younger ones) that expire soon are refreshed;
//! a token Instagram rejects marks its identity as needing a new sign-in.

use std::time::Duration;

use sea_orm::{ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _, Set};
use serde::{Deserialize, Serialize};

use super::{Auth, AuthContext, INSTAGRAM};
use crate::{
    db::now,
    entities::identity,
    instagram::{AccessToken, ErrorKind},
    jobs::{Job, JobContext, JobError},
};

/// Instagram refuses to refresh a token younger than this.
const MIN_AGE: Duration = Duration::from_secs(24 * 3600);

/// Refreshes the Instagram tokens that expire within `expiring_within_secs`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshInstagramTokens {
    /// How close to expiry a token must be to be refreshed, in seconds.
    pub expiring_within_secs: u64,
}

impl Default for RefreshInstagramTokens {
    fn default() -> Self {
        Self { expiring_within_secs: 10 * 24 * 3600 }
    }
}

/// What happened to one token.
enum Outcome {
    Refreshed,
    NeedsReauth,
    Failed,
}

impl Job for RefreshInstagramTokens {
    const KIND: &'static str = "refresh_instagram_tokens";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = AuthContext;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn perform(self, ctx: JobContext<AuthContext>) -> Result<(), JobError> {
        let state = &ctx.state;
        let due = due(state, Duration::from_secs(self.expiring_within_secs)).await?;
        let total = due.len() as u64;
        let (mut refreshed, mut reauth, mut failed) = (0, 0, 0);
        for (done, row) in due.into_iter().enumerate() {
            match refresh_one(state, row).await? {
                Outcome::Refreshed => refreshed += 1,
                Outcome::NeedsReauth => reauth += 1,
                Outcome::Failed => failed += 1,
            }
            ctx.progress(done as u64 + 1, Some(total), "tokens").await?;
        }
        tracing::info!(refreshed, reauth, failed, "refreshed Instagram tokens");
        if failed > 0 {
            let detail = format!("{failed} of {total} token refreshes failed transiently");
            return Err(JobError::transient("instagram_unavailable", "Instagram did not answer", detail));
        }
        Ok(())
    }
}

/// Identities whose token is due: old enough to refresh, close enough to expiry.
async fn due(state: &AuthContext, window: Duration) -> Result<Vec<identity::Model>, sea_orm::DbErr> {
    let at = now();
    identity::Entity::find()
        .filter(identity::Column::Provider.eq(INSTAGRAM))
        .filter(identity::Column::ReauthRequiredAt.is_null())
        .filter(identity::Column::AccessTokenEncrypted.is_not_null())
        .filter(identity::Column::AccessTokenRefreshedAt.lt(at - MIN_AGE))
        .filter(identity::Column::AccessTokenExpiresAt.lt(at + window))
        .all(&state.db)
        .await
}

async fn refresh_one(state: &AuthContext, row: identity::Model) -> Result<Outcome, sea_orm::DbErr> {
    let context = Auth::token_context(&row.provider, &row.uid);
    let stored = row.access_token_encrypted.as_deref().unwrap_or_default();
    let Ok(plain) = state.auth.cipher.decrypt(stored, &context) else {
        tracing::warn!(identity_id = row.id, "stored Instagram token does not decrypt: sign-in needed");
        mark_reauth(state, row).await?;
        return Ok(Outcome::NeedsReauth);
    };
    match state.instagram.refresh(&AccessToken::new(plain)).await {
        Ok(long) => {
            let Ok(encrypted) = state.auth.cipher.encrypt(long.token.expose(), &context) else {
                return Ok(Outcome::Failed);
            };
            let at = now();
            let expires_at = at + time::Duration::try_from(long.expires_in).unwrap_or(time::Duration::ZERO);
            let mut active: identity::ActiveModel = row.into();
            active.access_token_encrypted = Set(Some(encrypted));
            active.access_token_expires_at = Set(Some(expires_at));
            active.access_token_refreshed_at = Set(Some(at));
            active.updated_at = Set(at);
            active.update(&state.db).await?;
            Ok(Outcome::Refreshed)
        }
        Err(err) if err.kind() == ErrorKind::NeedsReauth => {
            tracing::info!(identity_id = row.id, error = %err, "Instagram refused the token: sign-in needed");
            mark_reauth(state, row).await?;
            Ok(Outcome::NeedsReauth)
        }
        Err(err) => {
            tracing::warn!(identity_id = row.id, error = %err, "refreshing an Instagram token failed");
            Ok(Outcome::Failed)
        }
    }
}

async fn mark_reauth(state: &AuthContext, row: identity::Model) -> Result<(), sea_orm::DbErr> {
    let at = now();
    let user_id = row.user_id;
    let mut active: identity::ActiveModel = row.into();
    active.reauth_required_at = Set(Some(at));
    active.updated_at = Set(at);
    active.update(&state.db).await?;
    state.caches.my_crush.remove(&user_id);
    Ok(())
}
