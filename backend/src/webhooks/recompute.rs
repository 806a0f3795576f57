//! `recompute_crush`: recomputes an owner's crush from the interactions we hold, after
//! webhooks added some. No Instagram call; one at a time per owner (the owner's row is
//! locked for the recompute), and deduplicated: the comments of a flood wait for one.

use std::time::Duration;

use sea_orm::{ConnectionTrait as _, Statement};
use serde::{Deserialize, Serialize};

use super::WebhookContext;
use crate::{
    crush,
    db::now,
    jobs::{Job, JobContext, JobError},
};

/// Recomputes the crush of Instagram account `owner_id` (signed in as app user `user_id`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecomputeCrush {
    /// The owner's `instagram_users.id`.
    pub owner_id: i64,
    /// The app user whose account it is (whose cached answers to forget).
    pub user_id: i64,
    /// How many recent posts the crush counts.
    pub window: u32,
}

impl RecomputeCrush {
    /// The dedupe key: one queued recompute per owner.
    pub fn key(owner_id: i64) -> String {
        format!("{}:owner:{owner_id}", Self::KIND)
    }
}

impl Job for RecomputeCrush {
    const KIND: &'static str = "recompute_crush";
    const MAX_ATTEMPTS: i32 = 5;
    const TIMEOUT: Duration = Duration::from_secs(60);
    type Context = WebhookContext;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::key(self.owner_id))
    }

    async fn perform(self, ctx: JobContext<WebhookContext>) -> Result<(), JobError> {
        let Self { owner_id, window, .. } = self;
        let winner = crate::db::transact(&ctx.state.db, move |txn| {
            Box::pin(async move {
                // Takes the owner's row lock: recomputes of one owner (and a sync's final
                // step) run one after another.
                let lock = "UPDATE instagram_users SET updated_at = updated_at WHERE id = $1";
                let backend = txn.get_database_backend();
                txn.execute_raw(Statement::from_sql_and_values(backend, lock, [owner_id.into()])).await?;
                crush::record_crush(txn, owner_id, window, now()).await
            })
        })
        .await?;
        ctx.state.caches.forget_crushes_of(self.user_id);
        tracing::info!(owner_id, crush = winner.map(|w| w.author_id), "recomputed the crush");
        Ok(())
    }
}
