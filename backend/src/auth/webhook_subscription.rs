//! `subscribe_webhooks`: after a sign-in, subscribes the person's Instagram account to the
//! app's `comments` webhook (`POST /me/subscribed_apps?subscribed_fields=comments`), so that
//! new comments reach the app without reading Instagram. Whether it worked is recorded in
//! `webhook_subscriptions`; a failure Instagram may get over (it did not answer, it
//! throttled) is retried by the job's backoff, one it will not (the comments permission was
//! not granted) waits for the next sign-in.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbErr, Statement};
use serde::{Deserialize, Serialize};

use super::{Auth, AuthContext, instagram_identity};
use crate::{
    db::now,
    entities::identity,
    instagram::{AccessToken, COMMENTS_FIELD, ErrorKind},
    jobs::{Job, JobContext, JobError},
};

/// Subscribes the Instagram account of user `user_id` to the `comments` webhook.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubscribeWebhooks {
    /// The app user who signed in.
    pub user_id: i64,
}

impl SubscribeWebhooks {
    /// The dedupe key: one subscription at a time per user.
    pub fn key(user_id: i64) -> String {
        format!("{}:user:{user_id}", Self::KIND)
    }
}

impl Job for SubscribeWebhooks {
    const KIND: &'static str = "subscribe_webhooks";
    // With the backoff doubling to its cap, eight attempts span several hours.
    const MAX_ATTEMPTS: i32 = 8;
    const TIMEOUT: Duration = Duration::from_secs(60);
    type Context = AuthContext;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::key(self.user_id))
    }

    async fn perform(self, ctx: JobContext<AuthContext>) -> Result<(), JobError> {
        let state = &ctx.state;
        // Deleted since, or signed in again with another account: nothing to subscribe.
        let Some(identity) = instagram_identity(&state.db, self.user_id).await? else { return Ok(()) };
        let token = match token_of(&state.auth, &identity) {
            Some(token) => token,
            None => {
                let detail = "no usable Instagram token".to_owned();
                record(&state.db, identity.id, Err(&detail)).await?;
                return Err(JobError::permanent("no_token", "No Instagram token to subscribe with", detail));
            }
        };
        let outcome = state.instagram.subscribe_app(&token, COMMENTS_FIELD).await;
        match outcome {
            Ok(true) => {
                record(&state.db, identity.id, Ok(())).await?;
                tracing::info!(user_id = self.user_id, "subscribed to comment webhooks");
                Ok(())
            }
            Ok(false) => {
                let detail = "Instagram did not confirm the subscription".to_owned();
                record(&state.db, identity.id, Err(&detail)).await?;
                Err(JobError::transient("not_subscribed", "Instagram did not confirm", detail))
            }
            Err(err) => {
                let detail = err.to_string();
                record(&state.db, identity.id, Err(&detail)).await?;
                tracing::warn!(user_id = self.user_id, error = %err, "subscribing to comment webhooks failed");
                Err(match err.kind() {
                    ErrorKind::Throttled { retry_after } => JobError::deferred(
                        "throttled",
                        "Instagram asked us to slow down",
                        detail,
                        retry_after,
                    ),
                    ErrorKind::Transient => {
                        JobError::transient("instagram_unavailable", "Instagram did not answer", detail)
                    }
                    _ => {
                        JobError::permanent("instagram_refused", "Instagram refused the subscription", detail)
                    }
                })
            }
        }
    }
}

fn token_of(auth: &Auth, identity: &identity::Model) -> Option<AccessToken> {
    let stored = identity.access_token_encrypted.as_deref()?;
    let context = Auth::token_context(&identity.provider, &identity.uid);
    auth.cipher.decrypt(stored, &context).ok().map(AccessToken::new)
}

/// Records how the latest attempt went: subscribed now, or the error (keeping an earlier
/// success's time, so a failed renewal does not hide that the account was subscribed).
async fn record(db: &impl ConnectionTrait, identity_id: i64, outcome: Result<(), &str>) -> Result<(), DbErr> {
    let at = now();
    let (subscribed_at, error) = match outcome {
        Ok(()) => (Some(at), None),
        Err(detail) => (None, Some(detail.to_owned())),
    };
    let sql = "INSERT INTO webhook_subscriptions (identity_id, fields, subscribed_at, error, attempted_at) \
               VALUES ($1, $2, $3, $4, $5) \
               ON CONFLICT (identity_id) DO UPDATE SET fields = excluded.fields, \
                 subscribed_at = COALESCE(excluded.subscribed_at, webhook_subscriptions.subscribed_at), \
                 error = excluded.error, attempted_at = excluded.attempted_at";
    let values = [identity_id.into(), COMMENTS_FIELD.into(), subscribed_at.into(), error.into(), at.into()];
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    Ok(())
}
