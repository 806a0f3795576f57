//! Durable background jobs: rows in the `jobs` table, which is also the status
//! resource the API shows (the app's ActiveJob).
//!
//! A [`Job`] is enqueued inside the caller's transaction ([`enqueue`]), claimed
//! by exactly one worker ([`Worker`]), kept alive by a heartbeat lease, retried
//! with backoff on transient errors and failed at once on permanent ones. Every
//! transition is fenced on `(id, attempt)`, so a worker that lost its lease can
//! no longer change the row.
//!
//! The queue knows no job kinds but its own ([`NoopJob`], [`PruneJobs`]): domain
//! jobs live beside their domain, and the composition root registers them in a
//! [`Registry`] and schedules the periodic ones in a [`Schedule`].

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
    queue::{Enqueued, NewJob, cancel, enqueue, expedite},
    registry::Registry,
    retry::Backoff,
    scheduler::{Schedule, start_scheduler},
    store::{Claimed, Fence, Transition},
    wake::Waker,
    worker::{Worker, WorkerConfig},
};

/// A kind of background work: its arguments are the struct itself, stored as JSON.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stable name stored in the `kind` column.
    const KIND: &'static str;
    /// How many attempts before the job fails for good.
    const MAX_ATTEMPTS: i32 = 5;
    /// The longest one attempt may run before it counts as a transient failure.
    const TIMEOUT: Duration = Duration::from_secs(15 * 60);
    /// What the job needs to run (database handles, clients, settings): built
    /// from the worker's state with `FromRef`, so a job sees only its domain.
    type Context: Clone + Send + Sync + 'static;

    /// At most one queued or running job per key; `None` for no deduplication.
    fn dedupe_key(&self) -> Option<String> {
        None
    }

    /// Does the work. Errors say whether a retry can help.
    fn perform(self, ctx: JobContext<Self::Context>) -> impl Future<Output = Result<(), JobError>> + Send;
}
