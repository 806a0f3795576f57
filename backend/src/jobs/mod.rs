//! Durable background jobs: rows in the `jobs` table, which is also the status
//! resource the API shows (the app's ActiveJob).
//!
//! A [`Job`] is enqueued inside the caller's transaction ([`enqueue`]), claimed
//! by exactly one worker ([`Worker`]), kept alive by a heartbeat lease, retried
//! with backoff on transient errors and failed at once on permanent ones. Every
//! transition is fenced on `(id, attempt)`, so a worker that lost its lease can
//! no longer change the row.

mod context;
mod error;
mod kinds;
mod metrics;
mod queue;
mod registry;
mod retry;
mod scheduler;
pub mod store;
mod wake;
mod worker;

use std::{future::Future, time::Duration};

use serde::{Serialize, de::DeserializeOwned};

pub use self::{
    context::{JobContext, Progress},
    error::{JobError, JobProblem},
    kinds::{NoopJob, PruneJobs},
    metrics::JobMetrics,
    queue::{Enqueued, NewJob, cancel, enqueue},
    registry::Registry,
    retry::Backoff,
    scheduler::{Schedule, start_scheduler},
    store::{Claimed, Fence, Transition},
    wake::Waker,
    worker::{Worker, WorkerConfig, drain},
};

/// A kind of background work: its arguments are the struct itself, stored as JSON.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stable name stored in the `kind` column.
    const KIND: &'static str;
    /// How many attempts before the job fails for good.
    const MAX_ATTEMPTS: i32 = 5;
    /// The longest one attempt may run before it counts as a transient failure.
    const TIMEOUT: Duration = Duration::from_secs(15 * 60);

    /// At most one queued or running job per key; `None` for no deduplication.
    fn dedupe_key(&self) -> Option<String> {
        None
    }

    /// Does the work. Errors say whether a retry can help.
    fn perform(self, ctx: JobContext) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// The registry of every job kind this binary can perform.
pub fn registry() -> Registry {
    Registry::default()
        .register::<NoopJob>()
        .register::<PruneJobs>()
        .register::<crate::auth::RefreshInstagramTokens>()
        .register::<crate::sync::SyncFeed>()
        .register::<crate::sync::ResyncStale>()
}

/// The periodic work the scheduler enqueues.
pub fn schedule() -> Schedule {
    Schedule::default()
        .every("0 17 * * * *", Duration::from_secs(3600), PruneJobs::default)
        .every("0 40 3 * * *", Duration::from_secs(24 * 3600), crate::auth::RefreshInstagramTokens::default)
        .every("0 5 * * * *", Duration::from_secs(3600), crate::sync::ResyncStale::default)
}
