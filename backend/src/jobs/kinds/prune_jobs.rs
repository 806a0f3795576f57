//! `prune_jobs`: deletes finished jobs past their retention, keeping the queue
//! table (and its status history) small.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::jobs::{Job, JobContext, JobError, store};

/// Deletes succeeded, failed and cancelled jobs finished more than `retention_secs` ago.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PruneJobs {
    /// How long finished jobs are kept, in seconds.
    pub retention_secs: u64,
}

impl Default for PruneJobs {
    fn default() -> Self {
        Self { retention_secs: 7 * 24 * 3600 }
    }
}

impl Job for PruneJobs {
    const KIND: &'static str = "prune_jobs";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = ();

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn perform(self, ctx: JobContext<()>) -> Result<(), JobError> {
        let deleted = store::prune_finished(ctx.db(), Duration::from_secs(self.retention_secs)).await?;
        tracing::info!(deleted, "pruned finished jobs");
        Ok(())
    }
}
